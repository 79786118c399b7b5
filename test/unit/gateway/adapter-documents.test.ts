import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import { documentField, runDocument, type DocumentCommand } from '../../../gateway/src/adapters/document/document-runner';
import { limitDocument } from '../../../gateway/src/adapters/document/limits';
import { createMappingStore, diffMappings } from '../../../gateway/src/adapters/mappings-store';
import { batchReceipts } from '../../../gateway/src/adapters/pos/batching';
import { parsePosLog } from '../../../gateway/src/adapters/pos/receipts';
import { scaleQuantity } from '../../../gateway/src/adapters/sap/mappings';
import { ServiceError } from '../../../lib/platform/src';
import { createRateLimiter } from '../../../lib/platform/src/http/rate-limit';
import type { LedgerClient } from '../../../lib/fabric/src';
import type { CommandExecutor } from '../../../gateway/src/submission/executor';

const GTIN = '04000001000012';
const cmd = (eventId: string, item: string): DocumentCommand => ({
  cmd: { fn: 'DispatchShipment', body: { eventId, shipmentId: 'DESADV-1', lines: [{ gtin: GTIN, lotCode: 'L1', quantity: '1' }] } },
  items: [item],
  fields: { shipmentId: 'XBLNR', 'lines[0].quantity': `${item}.ERFMG`, 'lines[0]': item },
  defaultField: `${item}.BWART`,
});

describe('adapter documents (unit)', () => {
  it('converts units exactly to thousandths and refuses finer results', () => {
    expect(scaleQuantity('2', '12')).to.equal('24');
    expect(scaleQuantity('1.5', '0.25')).to.equal('0.375');
    expect(scaleQuantity('0.001', '0.5')).to.equal(undefined);
    expect(scaleQuantity('3', '0')).to.equal(undefined);
  });

  it("translates chaincode fields to the document's, by exact name or longest prefix", () => {
    const c = cmd('e1', 'IDOC[0].E1MBXYH.E1MBXYI[1]');
    expect(documentField(c, 'lines[0].quantity')).to.equal('IDOC[0].E1MBXYH.E1MBXYI[1].ERFMG');
    expect(documentField(c, 'lines[0].gtin')).to.equal('IDOC[0].E1MBXYH.E1MBXYI[1]');
    expect(documentField(c, 'eventId')).to.equal('IDOC[0].E1MBXYH.E1MBXYI[1].BWART');
    expect(documentField(c, undefined)).to.equal('IDOC[0].E1MBXYH.E1MBXYI[1].BWART');
  });

  it('skips what committed, stops at the first failure and names it in document terms', async () => {
    const committed = new Set(['e1']);
    const ledger = {
      async evaluate(req: { args?: string[] }) {
        const id = req.args![0];
        if (!committed.has(id)) throw new ServiceError({ code: 'NOT_FOUND', message: 'no', httpStatus: 404 });
        return Buffer.from(JSON.stringify({ event: { txId: `tx-${id}`, function: 'DispatchShipment', result: {} } }));
      },
    } as unknown as LedgerClient;
    let calls = 0;
    const executor = {
      async execute(req: { cmd: { body: { eventId: string } } }) {
        calls++;
        if (req.cmd.body.eventId === 'e3')
          throw new ServiceError({
            code: 'LEDGER_UNAVAILABLE',
            message: 'peer down',
            httpStatus: 503,
            retriable: true,
            details: { field: 'lines[0].quantity' },
          });
        return { status: 201, body: { txId: `tx-${req.cmd.body.eventId}`, blockNumber: 7 } };
      },
    } as unknown as CommandExecutor;
    const run = () =>
      runDocument({
        commands: ['e1', 'e2', 'e3', 'e4'].map((e, i) => cmd(e, `IDOC[0].E1MBXYH.E1MBXYI[${i}]`)),
        executor,
        ledger,
        principal: { sub: 's', roles: ['sap'], clientId: 'c' },
        route: 'post /sap/idocs',
        log: pino({ level: 'silent' }),
        requestId: 'r',
      });
    const out = await run();
    expect(out.status).to.equal(503);
    expect(out.body.transactions.map((t) => t.status)).to.deep.equal(['already_committed', 'committed', 'failed', 'not_attempted']);
    expect(out.body.transactions[0].txId).to.equal('tx-e1');
    expect(out.body.transactions[2]).to.include({ code: 'LEDGER_UNAVAILABLE', field: 'IDOC[0].E1MBXYH.E1MBXYI[2].ERFMG' });
    expect(out.body.errors).to.deep.equal([{ field: 'IDOC[0].E1MBXYH.E1MBXYI[2].ERFMG', message: 'not booked: the ledger did not answer' }]);
    expect(calls).to.equal(2);
    expect(out.headers).to.deep.equal({ 'Content-Type': 'application/problem+json' });
  });

  it('caps transactions per document and lines per transaction (413 naming the cap) and charges the rate limiter per transaction', () => {
    const many = Array.from({ length: 11 }, (_, i) => cmd(`e${i}`, `IDOC[0].E1MBXYH.E1MBXYI[${i}]`));
    expect(() => limitDocument(many, { maxTransactions: 10, clientId: 'c', what: 'IDoc document' }))
      .to.throw(/maxTransactions/)
      .with.property('httpStatus', 413);
    const wide = cmd('w', 'IDOC[0].E1EDL20');
    wide.cmd.body.lines = Array.from({ length: 3 }, () => ({}));
    expect(() => limitDocument([wide], { maxLinesPerTransaction: 2, clientId: 'c', what: 'IDoc document' }))
      .to.throw(/maxLinesPerTransaction/)
      .with.property('httpStatus', 413);
    let now = 0;
    const limiter = createRateLimiter({ ratePerSec: 1, burst: 5, now: () => now });
    expect(limiter.take('c').ok).to.equal(true);
    limitDocument(many.slice(0, 8), { limiter, clientId: 'c', what: 'IDoc document' });
    expect(limiter.take('c').ok, 'the document used the bucket up').to.equal(false);
    now += 5000;
    expect(limiter.take('c').ok).to.equal(true);
  });

  it('reads POSLog states: cancelled, voided, suspended and training transactions move nothing; errors are XPath', () => {
    const tx = (attrs: string, rtAttrs: string, id: string, line = `<LineItem><Sale><ItemID>${GTIN}</ItemID><Quantity>2</Quantity></Sale></LineItem>`) =>
      `<Transaction${attrs}><BusinessUnit><UnitID>S1</UnitID></BusinessUnit><TransactionID>${id}</TransactionID><RetailTransaction${rtAttrs}>${line}</RetailTransaction></Transaction>`;
    const xml =
      `<POSLog>${tx('', ' TransactionStatus="Finished"', 'T1')}${tx('', ' TransactionStatus="Voided"', 'T2')}${tx('', ' TransactionStatus="Suspended"', 'T3')}${tx(' TrainingModeFlag="true"', '', 'T4')}${tx(' CancelFlag="true"', '', 'T5')}` +
      `${tx('', '', 'T6', `<LineItem><Return><ItemID>${GTIN}</ItemID><Quantity>1</Quantity></Return></LineItem>`)}</POSLog>`;
    const receipts = parsePosLog(xml);
    expect(receipts.map((r) => [r.receiptId, r.cancelled ?? false, r.state])).to.deep.equal([
      ['T1', false, undefined],
      ['T2', true, 'voided'],
      ['T3', true, 'suspended'],
      ['T4', true, 'training'],
      ['T5', true, undefined],
      ['T6', false, undefined],
    ]);
    const [batch] = batchReceipts(receipts, { S1: '4000001000005' });
    expect(batch.command.body.lines).to.deep.equal([
      { gtin: GTIN, quantity: '2.000', kind: 'sale' },
      { gtin: GTIN, quantity: '1.000', kind: 'return' },
    ]);
    try {
      parsePosLog(`<POSLog>${tx('', '', 'T1', '<LineItem><Sale><ItemID>123</ItemID><Quantity>1</Quantity></Sale></LineItem>')}</POSLog>`);
      expect.fail('should throw');
    } catch (err) {
      expect((err as ServiceError).details!.errors).to.deep.equal([
        { field: '/POSLog/Transaction[1]/RetailTransaction/LineItem[1]/Sale/ItemID', message: 'must be a GTIN with a valid check digit' },
      ]);
    }
  });

  it('reloads mappings, logs what changed and keeps the old ones when the file is unreadable', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maps-'));
    const file = path.join(dir, 'm.json');
    fs.writeFileSync(file, JSON.stringify({ sap: { plants: { '1000': '4000001000005' }, materials: { M1: GTIN } }, pos: { stores: { S1: '4000001000005' } } }));
    const logged: unknown[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void logged.push(JSON.parse(s)) });
    const store = createMappingStore({ file, logger });
    fs.writeFileSync(
      file,
      JSON.stringify({ sap: { plants: { '1000': '4000001000012', '2000': '4000001000005' }, materials: {} }, pos: { stores: { S1: '4000001000005' } } }),
    );
    const changes = store.reload('test');
    expect(changes).to.deep.equal({
      'sap.plants': { added: ['2000'], changed: ['1000'], removed: [] },
      'sap.materials': { added: [], changed: [], removed: ['M1'] },
    });
    expect(store.current().sap.plants['1000']).to.equal('4000001000012');
    expect(logged.some((l) => (l as { msg: string }).msg === 'adapter mappings reloaded with changes')).to.equal(true);
    fs.writeFileSync(file, '{ not json');
    expect(() => store.reload('test')).to.throw(/ADAPTER_MAPPINGS_FILE/);
    expect(store.current().sap.plants['2000']).to.equal('4000001000005');
    expect(diffMappings(store.current(), store.current())).to.deep.equal({});
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
