import { expect } from 'chai';
import request from 'supertest';
import { batchReceipts } from '../../../gateway/src/adapters/pos/batching';
import { leafHash, merkleTree, verifyProof } from '../../../gateway/src/adapters/pos/merkle';
import { parsePosLog } from '../../../gateway/src/adapters/pos/receipts';
import { idocToCommands as mapIdoc } from '../../../gateway/src/adapters/sap/idoc';

/** The ledger commands an IDoc maps to, in order. */
const idocToCommands = (xml: string, m: Parameters<typeof mapIdoc>[1]) => mapIdoc(xml, m).commands.map((c) => c.cmd);
import { createTestGateway, GLN_STORE, SAP_MAPPINGS, type TestGateway } from './fakes';
import { DESADV_XML, GTIN } from './samples';

const POSLOG = `<?xml version="1.0"?>
<POSLog xmlns="http://www.nrf-arts.org/IXRetail/v6.0.0/poslog">
  <Transaction>
    <BusinessUnit><UnitID>S001</UnitID></BusinessUnit><WorkstationID>2</WorkstationID><SequenceNumber>101</SequenceNumber>
    <BeginDateTime>2024-05-01T08:15:00+02:00</BeginDateTime>
    <RetailTransaction>
      <LineItem><Sale><ItemID>${GTIN}</ItemID><Quantity UnitOfMeasureCode="EA">3</Quantity><ExtendedAmount>29.97</ExtendedAmount></Sale></LineItem>
      <LineItem VoidFlag="true"><Sale><ItemID>${GTIN}</ItemID><Quantity>5</Quantity></Sale></LineItem>
      <LineItem><Return><ItemID>${GTIN}</ItemID><Quantity>1</Quantity><LotNumber>L-2024-01</LotNumber></Return></LineItem>
      <LineItem><Tender><Amount>19.98</Amount></Tender></LineItem>
    </RetailTransaction>
  </Transaction>
  <Transaction CancelFlag="true">
    <BusinessUnit><UnitID>S001</UnitID></BusinessUnit><WorkstationID>2</WorkstationID><SequenceNumber>102</SequenceNumber>
    <RetailTransaction><LineItem><Sale><ItemID>${GTIN}</ItemID><Quantity>7</Quantity></Sale></LineItem></RetailTransaction>
  </Transaction>
  <Transaction>
    <BusinessUnit><UnitID>S001</UnitID></BusinessUnit><TransactionID>T-103</TransactionID>
    <RetailTransaction><LineItem><Sale><ItemID>${GTIN}</ItemID><Quantity>0.5</Quantity></Sale></LineItem></RetailTransaction>
  </Transaction>
</POSLog>`;

describe('gateway adapters (unit)', () => {
  describe('Merkle proofs', () => {
    it('proves every leaf for trees of 1..33 leaves and rejects a wrong leaf', () => {
      for (let n = 1; n <= 33; n++) {
        const leaves = Array.from({ length: n }, (_, i) => leafHash(`receipt-${i}`));
        const { root, proofs } = merkleTree(leaves);
        leaves.forEach((l, i) => expect(verifyProof(l, proofs[i], root), `${n}/${i}`).to.equal(true));
        expect(verifyProof(leafHash('forged'), proofs[0], root)).to.equal(false);
      }
    });
  });

  describe('POS', () => {
    it('ignores voided lines and cancelled transactions, adds returns back, batches per store', () => {
      const receipts = parsePosLog(POSLOG);
      expect(receipts.map((r) => r.receiptId)).to.deep.equal(['2-101', '2-102', 'T-103']);
      const [batch] = batchReceipts(receipts, { S001: GLN_STORE });
      expect(batch.gln).to.equal(GLN_STORE);
      const body = batch.command.body as { lines: unknown[]; receiptCount: number; merkleRoot: string };
      expect(body.receiptCount).to.equal(3);
      expect(body.lines).to.deep.equal([
        { gtin: GTIN, quantity: '3.500', kind: 'sale' },
        { gtin: GTIN, quantity: '1.000', kind: 'return', lotCode: 'L-2024-01' },
      ]);
      for (const p of batch.proofs) expect(verifyProof(p.leaf, p.proof, body.merkleRoot)).to.equal(true);
    });

    it('names an unmapped store and a return without lot', () => {
      try {
        batchReceipts([{ storeId: 'S999', receiptId: 'r', lines: [{ gtin: GTIN, quantity: '1', kind: 'sale' }] }], {});
        expect.fail('should throw');
      } catch (err) {
        expect((err as { httpStatus: number }).httpStatus).to.equal(422);
        expect(JSON.stringify((err as { details: unknown }).details)).to.contain('receipts[0].storeId');
      }
    });
  });

  describe('SAP IDocs', () => {
    it('maps DESADV to CreateShipment with both parties', () => {
      const [cmd] = idocToCommands(DESADV_XML, SAP_MAPPINGS);
      expect(cmd.fn).to.equal('CreateShipment');
      expect(cmd.body).to.deep.include({
        shipmentId: 'DESADV-80001234',
        desadv: '80001234',
        fromGln: '4000001000005',
        toGln: '4000001000029',
        eventId: 'sap-0000000000123456',
      });
      // VFDAT goes onto the lot; E1EDT13 dates are kept by qualifier; BTGEW without GEWEI has no unit and is not read.
      expect(cmd.body.lines).to.deep.equal([{ gtin: '04000001000012', lotCode: 'RB-0501', quantity: '200.000', expiryDate: '2025-05-01' }]);
      expect(cmd.body.dates).to.deep.equal([{ qualifier: '006', planned: '2024-05-02' }]);
      expect(cmd.endorsement).to.deep.equal({ kind: 'parties', fromGln: '4000001000005', toGln: '4000001000029' });
    });

    it('reads the PO reference, handling units with contents, weights, and names a bad date', () => {
      const problemOf = (fn: () => unknown): { details: { errors: { field: string }[] } } => {
        try {
          fn();
        } catch (err) {
          return err as { details: { errors: { field: string }[] } };
        }
        return expect.fail('should throw');
      };
      const xml = DESADV_XML.replace('<BTGEW>500</BTGEW>', '<BTGEW>500</BTGEW><NTGEW>480</NTGEW><GEWEI>KGM</GEWEI>')
        .replace('<VFDAT>20250501</VFDAT>', '<VFDAT>20250501</VFDAT><HSDAT>20240420</HSDAT><VGBEL>4500000017</VGBEL><VGPOS>000010</VGPOS>')
        .replace(
          '</E1EDL20>',
          '<E1EDL37 SEGMENT="1"><EXIDV>00340000010000000013</EXIDV><E1EDL44 SEGMENT="1"><VELIN>1</VELIN><POSNR>000010</POSNR><VEMNG>200</VEMNG></E1EDL44></E1EDL37></E1EDL20>',
        );
      const [cmd] = idocToCommands(xml, SAP_MAPPINGS);
      expect(cmd.body).to.deep.include({ poReference: '4500000017', weights: { unit: 'KGM', gross: '500', net: '480' } });
      expect(cmd.body.handlingUnits).to.deep.equal([
        { sscc: '340000010000000013', contents: [{ gtin: '04000001000012', lotCode: 'RB-0501', quantity: '200' }] },
      ]);
      expect((cmd.body.lines as Record<string, unknown>[])[0]).to.deep.include({
        poItem: '4500000017/000010',
        productionDate: '2024-04-20',
        expiryDate: '2025-05-01',
      });
      const p = problemOf(() => idocToCommands(DESADV_XML.replace('<VFDAT>20250501</VFDAT>', '<VFDAT>20251301</VFDAT>'), SAP_MAPPINGS));
      expect(p.details.errors.map((e: { field: string }) => e.field)).to.deep.equal(['IDOC[0].E1EDL20.E1EDL24[0].VFDAT']);
    });

    const wmmbxy = (items: string, hdr = '<XBLNR>80001234</XBLNR><MBLNR>4900000001</MBLNR>') => `<WMMBID02><IDOC BEGIN="1">
      <EDI_DC40 SEGMENT="1"><DOCNUM>77</DOCNUM><IDOCTYP>WMMBID02</IDOCTYP><MESTYP>WMMBXY</MESTYP></EDI_DC40>
      <E1MBXYH SEGMENT="1"><BLDAT>20240502</BLDAT><BUDAT>20240502</BUDAT>${hdr}${items}</E1MBXYH></IDOC></WMMBID02>`;
    const item = (bwart: string, extra = '') =>
      `<E1MBXYI SEGMENT="1"><MATNR>000000000000004711</MATNR><WERKS>1000</WERKS><LGORT>0001</LGORT><CHARG>RB-0501</CHARG><BWART>${bwart}</BWART><ERFMG>4</ERFMG><ERFME>KGM</ERFME>${extra}</E1MBXYI>`;

    it('maps goods movements by movement type', () => {
      const cmds = idocToCommands(
        wmmbxy(
          item('101') +
            item('601') +
            item('311', '<UMWRK>1000</UMWRK><UMLGO>0002</UMLGO>') +
            item('551') +
            item('701') +
            item('702') +
            item('102', '<SMBLN>4900000001</SMBLN><SMBLP>1</SMBLP>'),
        ),
        SAP_MAPPINGS,
      );
      expect(cmds.map((c) => c.fn)).to.deep.equal([
        'ReceiveShipment',
        'DispatchShipment',
        'TransferStock',
        'AdjustStock',
        'AdjustStock',
        'AdjustStock',
        'ReverseMovement',
      ]);
      // A receipt books the posted quantity of its batch at its own plant; without ELIKZ it does not close the delivery.
      expect(cmds[0].body).to.deep.equal({
        eventId: 'sap-mb-4900000001-1',
        shipmentId: 'DESADV-80001234',
        gln: '4000001000005',
        close: false,
        lines: [{ gtin: '04000001000012', lotCode: 'RB-0501', received: '4' }],
      });
      expect(cmds[1].body).to.deep.equal({
        eventId: 'sap-mb-4900000001-2',
        shipmentId: 'DESADV-80001234',
        lines: [{ gtin: '04000001000012', lotCode: 'RB-0501', quantity: '4' }],
      });
      expect(cmds[2].body.toGln).to.equal('4000001000012');
      expect((cmds[3].body.lines as Array<{ delta: string }>)[0].delta).to.equal('-4');
      expect((cmds[4].body.lines as Array<{ delta: string }>)[0].delta).to.equal('4');
      expect((cmds[5].body.lines as Array<{ delta: string }>)[0].delta).to.equal('-4');
      expect(cmds[6].body).to.deep.include({ targetEventId: 'sap-mb-4900000001-1', gtin: '04000001000012', lotCode: 'RB-0501', quantity: '4' });
    });

    it('rejects unmapped codes and unsupported movement types with 422 naming each', () => {
      const xml = wmmbxy(item('999') + item('551').replace('<WERKS>1000', '<WERKS>9999'));
      try {
        idocToCommands(xml, SAP_MAPPINGS);
        expect.fail('should throw');
      } catch (err) {
        const e = err as { httpStatus: number; details: { errors: Array<{ field: string; message: string }> } };
        expect(e.httpStatus).to.equal(422);
        expect(e.details.errors.map((x) => x.field)).to.include.members(['IDOC[0].E1MBXYH.E1MBXYI[0].BWART', 'IDOC[0].E1MBXYH.E1MBXYI[1].WERKS']);
        expect(e.details.errors.find((x) => x.field.endsWith('[1].WERKS'))!.message).to.contain('9999');
      }
    });
  });

  describe('over HTTP', () => {
    let t: TestGateway;
    before(async () => {
      t = await createTestGateway();
    });
    after(() => t.close());

    it('rejects XML entity bombs and external entities without a 5xx or a ledger write', async () => {
      const tok = `Bearer ${await t.token(['admin'])}`;
      const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><POSLog>&lol2;</POSLog>`;
      const xxe = `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><DELVRY07><IDOC>&xxe;</IDOC></DELVRY07>`;
      for (const [path, body] of [
        ['/pos/sales', bomb],
        ['/sap/idocs', xxe],
        ['/sap/idocs', '<DELVRY07><IDOC>'],
        ['/sap/idocs', ''],
      ]) {
        const res = await request(t.gateway.app).post(path).set('Authorization', tok).set('Content-Type', 'application/xml').send(body);
        expect(res.status, `${path}: ${JSON.stringify(res.body)}`).to.be.within(400, 499);
        expect(res.body.errors[0].field).to.be.a('string');
      }
      expect(t.ledger.submitted).to.have.length(0);
    });

    it('accepts POSLog XML and serves a receipt proof', async () => {
      const tok = `Bearer ${await t.token(['pos'])}`;
      const res = await request(t.gateway.app).post('/pos/sales').set('Authorization', tok).set('Content-Type', 'application/xml').send(POSLOG);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body.batches[0].receipts).to.equal(3);
      const proof = await request(t.gateway.app).get(`/pos/receipts/${GLN_STORE}/T-103/proof`).set('Authorization', tok).expect(200);
      expect(proof.body.root).to.equal(res.body.batches[0].merkleRoot);
    });
  });
});
