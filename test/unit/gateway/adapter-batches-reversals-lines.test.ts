import { expect } from 'chai';
import pino from 'pino';
import { runDocument, type DocumentCommand } from '../../../gateway/src/adapters/document/document-runner';
import { batchReceipts } from '../../../gateway/src/adapters/pos/batching';
import { partialSalesCommand, replayCommands, reportLines } from '../../../gateway/src/adapters/pos/pos-lines';
import { parsePosLog } from '../../../gateway/src/adapters/pos/receipts';
import { idocToCommands } from '../../../gateway/src/adapters/sap/idoc';
import { ServiceError } from '../../../lib/platform/src';
import type { LedgerClient } from '../../../lib/fabric/src';
import type { CommandExecutor } from '../../../gateway/src/submission/executor';
import { GLN_STORE, SAP_MAPPINGS } from './fakes';

const MAT_GTIN = '04000001000012';
const wmmbxy = (items: string) => `<WMMBID02><IDOC BEGIN="1">
  <EDI_DC40 SEGMENT="1"><DOCNUM>88</DOCNUM><IDOCTYP>WMMBID02</IDOCTYP><MESTYP>WMMBXY</MESTYP></EDI_DC40>
  <E1MBXYH SEGMENT="1"><XBLNR>80001234</XBLNR><MBLNR>4900000009</MBLNR>${items}</E1MBXYH></IDOC></WMMBID02>`;
const item = (zeile: number, bwart: string, extra = '') =>
  `<E1MBXYI SEGMENT="1"><ZEILE>${zeile}</ZEILE><MATNR>MAT-ROAST</MATNR><WERKS>1000</WERKS><LGORT>0001</LGORT><CHARG>RB-1</CHARG><BWART>${bwart}</BWART><ERFMG>2</ERFMG><ERFME>KGM</ERFME>${extra}</E1MBXYI>`;

describe('adapters: SAP reversals, items booked in batches, POS lines reported one by one (unit)', () => {
  describe('SAP reversal movement types', () => {
    it('102, 122, 202, 262, 602 and 642 take back the item they name, with its material, batch and quantity', () => {
      const types = ['102', '122', '202', '262', '602', '642'];
      const { commands } = idocToCommands(
        wmmbxy(types.map((t, i) => item(i + 1, t, `<SMBLN>4900000001</SMBLN><SMBLP>${i + 1}</SMBLP>`)).join('')),
        SAP_MAPPINGS,
      );
      expect(commands.map((c) => c.cmd.fn)).to.deep.equal(types.map(() => 'ReverseMovement'));
      expect(commands[0].cmd.body).to.deep.equal({
        eventId: 'sap-mb-4900000009-1',
        targetEventId: 'sap-mb-4900000001-1',
        gtin: MAT_GTIN,
        lotCode: 'RB-1',
        quantity: '2',
        reason: 'SAP 102: goods receipt reversed',
      });
      expect(commands[5].cmd.body).to.deep.include({ targetEventId: 'sap-mb-4900000001-6', reason: 'SAP 642: stock transport goods issue reversed' });
      // A refusal of the target is named at the reversal's own reference field.
      expect(commands[0].fields.targetEventId).to.equal('IDOC[0].E1MBXYH.E1MBXYI[0].SMBLN');
    });

    it('a return delivery (122) names its receipt by LFBNR / LFPOS; a reversal without a reference is a 422 naming SMBLN', () => {
      const { commands } = idocToCommands(wmmbxy(item(1, '122', '<LFBJA>2026</LFBJA><LFBNR>5000000042</LFBNR><LFPOS>0002</LFPOS>')), SAP_MAPPINGS);
      expect(commands[0].cmd.body.targetEventId).to.equal('sap-mb-5000000042-0002');
      expect(commands[0].fields.targetEventId).to.equal('IDOC[0].E1MBXYH.E1MBXYI[0].LFBNR');
      let err: ServiceError | undefined;
      try {
        idocToCommands(wmmbxy(item(1, '602')), SAP_MAPPINGS);
      } catch (e) {
        err = e as ServiceError;
      }
      expect(err?.httpStatus).to.equal(422);
      expect((err?.details?.errors as { field: string }[]).map((e) => e.field)).to.deep.equal(['IDOC[0].E1MBXYH.E1MBXYI[0].SMBLN']);
    });
  });

  describe('booking items in batches', () => {
    const transfer = (i: number): DocumentCommand => ({
      cmd: { fn: 'TransferStock', body: { eventId: `e${i}`, fromGln: 'a', toGln: 'b', lines: [{ gtin: MAT_GTIN, lotCode: 'RB-1', quantity: '1' }] } },
      items: [`IDOC[0].E1MBXYH.E1MBXYI[${i}]`],
      fields: { 'lines[0].quantity': `IDOC[0].E1MBXYH.E1MBXYI[${i}].ERFMG` },
      defaultField: `IDOC[0].E1MBXYH.E1MBXYI[${i}].BWART`,
    });
    const setup = (refuse: (items: { eventId: string }[]) => number | undefined) => {
      const submitted: { fn: string; ids: string[] }[] = [];
      const executor = {
        async execute(req: { cmd: { fn: string; body: { eventId: string; items?: { eventId: string }[] } } }) {
          const items = req.cmd.body.items ?? [req.cmd.body];
          submitted.push({ fn: req.cmd.fn, ids: items.map((i) => i.eventId) });
          const k = refuse(items);
          if (k !== undefined) {
            const field = req.cmd.body.items ? `items[${k}].lines[0].quantity` : 'lines[0].quantity';
            throw new ServiceError({ code: 'INSUFFICIENT_STOCK', message: `${field}: too little`, httpStatus: 422, details: { field } });
          }
          const result = req.cmd.body.items ? { items: items.map((i) => ({ eventId: i.eventId })) } : { eventId: req.cmd.body.eventId };
          return { status: 201, body: { txId: `tx${submitted.length}`, blockNumber: submitted.length, result } };
        },
      } as unknown as CommandExecutor;
      // Nothing committed before: every lookup answers "none".
      const ledger = {
        async evaluate(req: { fn: string; args: string[] }) {
          if (req.fn === 'GetEvents') return Buffer.from(JSON.stringify({ events: (JSON.parse(req.args[0]) as string[]).map(() => null) }));
          throw new ServiceError({ code: 'NOT_FOUND', message: 'no', httpStatus: 404 });
        },
      } as unknown as LedgerClient;
      const run = (n: number, maxItems = 100) =>
        runDocument({
          commands: Array.from({ length: n }, (_, i) => transfer(i)),
          executor,
          ledger,
          principal: { sub: 'sap-user', roles: ['sap'], clientId: 'c' },
          route: 'post /sap/idocs',
          log: pino({ level: 'silent' }),
          requestId: 'r',
          batch: { maxItems, maxLines: 500 },
        });
      return { submitted, run };
    };

    it('books consecutive items of one function in one transaction, each answered as its own', async () => {
      const { submitted, run } = setup(() => undefined);
      const out = await run(5, 2);
      expect(submitted).to.deep.equal([
        { fn: 'SubmitBatch', ids: ['e0', 'e1'] },
        { fn: 'SubmitBatch', ids: ['e2', 'e3'] },
        { fn: 'TransferStock', ids: ['e4'] },
      ]);
      expect(out.status).to.equal(201);
      expect(out.body.transactions.map((t) => [t.status, t.txId])).to.deep.equal([
        ['committed', 'tx1'],
        ['committed', 'tx1'],
        ['committed', 'tx2'],
        ['committed', 'tx2'],
        ['committed', 'tx3'],
      ]);
      expect(out.body.transactions[1].result).to.deep.equal({ eventId: 'e1' });
    });

    it('a refused item: the items before it are booked, it fails in document terms, the rest are not attempted', async () => {
      const { submitted, run } = setup((items) => {
        const k = items.findIndex((i) => i.eventId === 'e2');
        return k >= 0 ? k : undefined;
      });
      const out = await run(4);
      expect(submitted.map((s) => s.ids)).to.deep.equal([
        ['e0', 'e1', 'e2', 'e3'],
        ['e0', 'e1'],
      ]);
      expect(out.status).to.equal(422);
      expect(out.body.transactions.map((t) => t.status)).to.deep.equal(['committed', 'committed', 'failed', 'not_attempted']);
      expect(out.body.transactions[2]).to.include({
        code: 'INSUFFICIENT_STOCK',
        field: 'IDOC[0].E1MBXYH.E1MBXYI[2].ERFMG',
        message: 'lines[0].quantity: too little',
      });
      expect(out.body.errors).to.deep.equal([{ field: 'IDOC[0].E1MBXYH.E1MBXYI[2].ERFMG', message: 'lines[0].quantity: too little' }]);
    });
  });

  describe('POS lines', () => {
    const x = (t: number, l: number) => `/POSLog/Transaction[${t}]/RetailTransaction/LineItem[${l}]`;
    const poslog = `<POSLog>
      <Transaction><BusinessUnit><UnitID>${GLN_STORE}</UnitID></BusinessUnit><TransactionID>T1</TransactionID><RetailTransaction TransactionStatus="Finished">
        <LineItem><Sale><ItemID>${MAT_GTIN}</ItemID><Quantity>2</Quantity></Sale></LineItem>
        <LineItem VoidFlag="true"><Sale><ItemID>${MAT_GTIN}</ItemID><Quantity>9</Quantity></Sale></LineItem>
        <LineItem><Sale><ItemID>${MAT_GTIN}</ItemID><Quantity>3</Quantity></Sale></LineItem>
        <LineItem><Return><ItemID>${MAT_GTIN}</ItemID><Quantity>1</Quantity></Return></LineItem>
      </RetailTransaction></Transaction>
      <Transaction><BusinessUnit><UnitID>${GLN_STORE}</UnitID></BusinessUnit><TransactionID>T2</TransactionID><RetailTransaction TransactionStatus="Suspended">
        <LineItem><Sale><ItemID>${MAT_GTIN}</ItemID><Quantity>1</Quantity></Sale></LineItem>
      </RetailTransaction></Transaction></POSLog>`;

    it('a summed line carries its till lines as parts; each till line is reported booked, ignored or kept with its XPath', () => {
      const receipts = parsePosLog(poslog);
      const batches = batchReceipts(receipts, {});
      const cmd = partialSalesCommand(batches[0]);
      expect(cmd.body.partial).to.equal(true);
      expect(cmd.body.lines).to.deep.equal([
        { gtin: MAT_GTIN, quantity: '5.000', kind: 'sale', parts: ['2', '3'] },
        { gtin: MAT_GTIN, quantity: '1.000', kind: 'return' },
      ]);
      // The ledger booked the first part of the sale and the return, and refused the second part.
      const result = {
        batch: {
          lines: [
            { line: 0, part: 0, allocations: [{ lotCode: 'RB-1', quantity: '2.000' }] },
            { line: 1, allocations: [{ lotCode: 'RB-1', quantity: '1.000' }], resolvedBy: 'last_sold' },
          ],
          refused: [{ line: 0, part: 1, code: 'INSUFFICIENT_STOCK', message: 'store lacks 3.000', field: 'lines[0].parts[1]' }],
        },
      };
      const { lines, kept } = reportLines(receipts, batches, [result], { mspId: 'RetailerMSP', glnOf: (id) => id });
      expect(lines.map((l) => [l.line, l.status, l.reason ?? l.field ?? l.resolvedBy ?? null])).to.deep.equal([
        [x(1, 1), 'booked', null],
        [x(1, 2), 'ignored', 'voided'],
        [x(1, 3), 'kept_for_replay', `${x(1, 3)}/Sale/Quantity`],
        [x(1, 4), 'booked', 'last_sold'],
        [x(2, 1), 'ignored', 'suspended'],
      ]);
      expect(kept).to.have.length(1);
      expect(kept[0]).to.deep.include({ linePath: x(1, 3), gln: GLN_STORE, receiptId: 'T1', gtin: MAT_GTIN, kind: 'sale', quantity: '3', status: 'pending' });
      // A replay books each kept line alone, as a new fact per attempt, proven by the original root.
      const [replay] = replayCommands(kept);
      expect(replay.cmd.body).to.deep.include({ gln: GLN_STORE, merkleRoot: batches[0].root, receiptCount: 0, partial: true });
      expect(replay.cmd.body.lines).to.deep.equal([{ gtin: MAT_GTIN, quantity: '3', kind: 'sale' }]);
      expect(replayCommands([{ ...kept[0], attempts: 2 }])[0].cmd.body.batchId).to.not.equal(replay.cmd.body.batchId);
    });
  });
});
