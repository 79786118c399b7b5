import { expect } from 'chai';
import request from 'supertest';
import { batchReceipts } from '../../../gateway/src/adapters/pos/batching';
import { detectPosShape, parsePosJson, POS_VENDOR_SCHEMAS, posQuantity } from '../../../gateway/src/adapters/pos/pos-json';
import { posRoutes } from '../../../gateway/src/adapters/pos/pos-routes';
import { createMemoryProofStore } from '../../../gateway/src/adapters/pos/proof-store';
import { POS_JSON_SCHEMA } from '../../../gateway/src/adapters/pos/receipts';
import { idocToCommands as mapIdoc } from '../../../gateway/src/adapters/sap/idoc';

/** The ledger commands an IDoc maps to, in order. */
const idocToCommands = (xml: string, m: Parameters<typeof mapIdoc>[1]) => mapIdoc(xml, m).commands.map((c) => c.cmd);
import { createRequestValidator } from '../../../gateway/src/http/validation';
import { createTestGateway, GLN_STORE, SAP_MAPPINGS, type TestGateway } from './fakes';
import { GTIN, LOT, MBGMCR_XML, POS_CATALOG, SQUARE_LOCATION, SQUARE_ORDERS, TOAST_ORDERS, TOAST_RESTAURANT } from './samples';

type Problem = { httpStatus: number; details: { errors: Array<{ field: string; message: string }> } };
const problemOf = (fn: () => unknown): Problem => {
  try {
    fn();
  } catch (err) {
    return err as Problem;
  }
  return expect.fail('should throw');
};
const fields = (p: Problem) => p.details.errors.map((e) => e.field);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

const mbgmcr = (items: string, head = '<REF_DOC_NO>80001234</REF_DOC_NO>', wrap = true) => {
  const body = `<E1BP2017_GM_HEAD_01 SEGMENT="1"><PSTNG_DATE>20240502</PSTNG_DATE>${head}</E1BP2017_GM_HEAD_01>${items}`;
  return `<MBGMCR03><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1"><DOCNUM>99</DOCNUM><IDOCTYP>MBGMCR03</IDOCTYP><MESTYP>MBGMCR</MESTYP></EDI_DC40>${wrap ? `<E1MBGMCR SEGMENT="1">${body}</E1MBGMCR>` : body}</IDOC></MBGMCR03>`;
};
const gmItem = (type: string, extra = '') =>
  `<E1BP2017_GM_ITEM_CREATE SEGMENT="1"><MATERIAL>4711</MATERIAL><PLANT>1000</PLANT><STGE_LOC>0001</STGE_LOC><BATCH>RB-0501</BATCH><MOVE_TYPE>${type}</MOVE_TYPE><ENTRY_QNT>4</ENTRY_QNT><ENTRY_UOM>KGM</ENTRY_UOM>${extra}</E1BP2017_GM_ITEM_CREATE>`;
const wmmbxy = (
  items: string,
) => `<WMMBID02><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1"><DOCNUM>0000000000000088</DOCNUM><IDOCTYP>WMMBID02</IDOCTYP><MESTYP>WMMBXY</MESTYP></EDI_DC40>
  <E1MBXYH SEGMENT="1"><XBLNR>80001234</XBLNR>${items}</E1MBXYH></IDOC></WMMBID02>`;
const mbItem = (bwart: string, qty: string, extra = '') =>
  `<E1MBXYI SEGMENT="1"><MATNR>4711</MATNR><WERKS>1000</WERKS><LGORT>0001</LGORT><CHARG>RB-0501</CHARG><BWART>${bwart}</BWART><ERFMG>${qty}</ERFMG>${extra}</E1MBXYI>`;

describe('gateway adapters: more formats (unit)', () => {
  describe('SAP MBGMCR', () => {
    it('maps to the same commands as the equivalent WMMBXY movements', () => {
      const fromMbgmcr = idocToCommands(MBGMCR_XML, SAP_MAPPINGS);
      const fromWmmbxy = idocToCommands(
        wmmbxy(mbItem('101', '4.000') + mbItem('311', '4', '<UMWRK>1000</UMWRK><UMLGO>0002</UMLGO>') + mbItem('551', '1,5')),
        SAP_MAPPINGS,
      );
      expect(fromMbgmcr.map((c) => c.fn)).to.deep.equal(['ReceiveShipment', 'TransferStock', 'AdjustStock']);
      expect(fromMbgmcr).to.deep.equal(fromWmmbxy); // no MBLNR in either: event ids come from DOCNUM and item position
      expect(fromMbgmcr[0].body).to.deep.equal({
        eventId: 'sap-0000000000000088-1',
        shipmentId: 'DESADV-80001234',
        gln: '4000001000005',
        close: false,
        lines: [{ gtin: '04000001000012', lotCode: 'RB-0501', received: '4.000' }],
      });
      expect(fromMbgmcr[1].body).to.deep.include({ fromGln: '4000001000005', toGln: '4000001000012' });
      expect((fromMbgmcr[2].body.lines as Array<{ delta: string }>)[0].delta).to.equal('-1.5');
    });

    it('reads segments placed directly under IDOC, dispatches and count differences, and a 102 reversal via REF_DOC', () => {
      const cmds = idocToCommands(
        mbgmcr(
          gmItem('601') + gmItem('702') + gmItem('102', '<REF_DOC_YR>2024</REF_DOC_YR><REF_DOC>4900000001</REF_DOC><REF_DOC_IT>1</REF_DOC_IT>'),
          undefined,
          false,
        ),
        SAP_MAPPINGS,
      );
      expect(cmds.map((c) => c.fn)).to.deep.equal(['DispatchShipment', 'AdjustStock', 'ReverseMovement']);
      expect(cmds[1].body).to.deep.include({ reason: 'count_difference', gln: '4000001000005' });
      expect((cmds[1].body.lines as Array<{ delta: string }>)[0].delta).to.equal('-4');
      // The reversal takes back its own material, batch and quantity of the receipt it names.
      expect(cmds[2].body).to.deep.equal({
        eventId: 'sap-99-3',
        targetEventId: 'sap-mb-4900000001-1',
        gtin: '04000001000012',
        lotCode: 'RB-0501',
        quantity: '4',
        reason: 'SAP 102: goods receipt reversed',
      });
    });

    it('rejects unmapped codes, unsupported movement types and missing references with 422 in MBGMCR field names', () => {
      const xml = mbgmcr(
        gmItem('999') + gmItem('551').replace('<PLANT>1000', '<PLANT>9999') + gmItem('101').replace('<MATERIAL>4711', '<MATERIAL>NOPE') + gmItem('102'),
        '',
      );
      const p = problemOf(() => idocToCommands(xml, SAP_MAPPINGS));
      expect(p.httpStatus).to.equal(422);
      const base = 'IDOC[0].E1MBGMCR';
      expect(fields(p)).to.include.members([
        `${base}.E1BP2017_GM_ITEM_CREATE[0].MOVE_TYPE`,
        `${base}.E1BP2017_GM_ITEM_CREATE[1].PLANT`,
        `${base}.E1BP2017_GM_HEAD_01.REF_DOC_NO`,
        `${base}.E1BP2017_GM_ITEM_CREATE[3].REF_DOC`,
      ]);
      expect(p.details.errors.find((e) => e.field.endsWith('[0].MOVE_TYPE'))!.message).to.contain('999');
      expect(p.details.errors.find((e) => e.field.endsWith('[1].PLANT'))!.message).to.contain('9999');
      // A receipt books its own material and batch, so an unmapped material is named, as for WMMBXY.
      expect(fields(p)).to.include(`${base}.E1BP2017_GM_ITEM_CREATE[2].MATERIAL`);
    });

    it('names a document without items', () => {
      const p = problemOf(() => idocToCommands(mbgmcr(''), SAP_MAPPINGS));
      expect(fields(p)).to.deep.equal(['IDOC[0].E1MBGMCR.E1BP2017_GM_ITEM_CREATE']);
    });
  });

  describe('POS JSON shapes', () => {
    const validator = createRequestValidator({ PosReceipts: POS_JSON_SCHEMA, ...POS_VENDOR_SCHEMAS });
    const maps = { stores: { [SQUARE_LOCATION]: GLN_STORE, [TOAST_RESTAURANT]: GLN_STORE }, catalog: POS_CATALOG };

    it('detects the shape from the body', () => {
      expect(detectPosShape({ receipts: [] })).to.equal('receipts');
      expect(detectPosShape(SQUARE_ORDERS)).to.equal('square');
      expect(detectPosShape({ order: SQUARE_ORDERS.orders[0] })).to.equal('square');
      expect(detectPosShape(TOAST_ORDERS)).to.equal('toast');
      expect(detectPosShape({ orders: [{ checks: [] }] })).to.equal('toast');
      for (const b of [{}, [], null, 'x', { sales: [] }]) expect(detectPosShape(b)).to.equal(undefined);
    });

    it('normalises quantities', () => {
      expect(['2', '1.70000', '0.5', '3.250'].map(posQuantity)).to.deep.equal(['2', '1.7', '0.5', '3.25']);
      for (const q of ['0', '0.000', '1.0005', '-1', '1e3', '']) expect(posQuantity(q), q).to.equal(undefined);
    });

    it('reads Square orders: sales, returns with a lot, CANCELED ignored, custom amounts skipped', () => {
      const receipts = parsePosJson(SQUARE_ORDERS, validator, maps);
      expect(receipts.map((r) => [r.storeId, r.receiptId, r.cancelled ?? false])).to.deep.equal([
        [SQUARE_LOCATION, 'CAISENgvlJ6jLWAzERDzjyHVybY', false],
        [SQUARE_LOCATION, 'CAISEcancelled0001', true],
        [SQUARE_LOCATION, 'CAISEreturn0001', false],
      ]);
      expect(receipts[0].lines).to.deep.equal([
        { gtin: GTIN, quantity: '2', kind: 'sale' },
        { gtin: GTIN, quantity: '0.5', kind: 'sale' },
      ]);
      expect(receipts[0].at).to.equal('2024-05-01T08:16:00Z');
      const [batch] = batchReceipts(receipts, maps.stores);
      expect(batch.command.body.lines).to.deep.equal([
        { gtin: GTIN, quantity: '2.500', kind: 'sale' },
        { gtin: GTIN, quantity: '1.000', kind: 'return', lotCode: LOT },
      ]);
      expect(parsePosJson({ order: SQUARE_ORDERS.orders[0] }, validator, maps)).to.deep.equal([receipts[0]]);
    });

    it('reads Toast orders: one receipt per check, voided selections and checks ignored', () => {
      const receipts = parsePosJson(TOAST_ORDERS, validator, maps);
      expect(receipts.map((r) => [r.storeId, r.receiptId, r.cancelled ?? false])).to.deep.equal([
        [TOAST_RESTAURANT, 'c0000000-0000-4000-8000-000000000001', false],
        [TOAST_RESTAURANT, 'c0000000-0000-4000-8000-000000000002', true],
      ]);
      expect(receipts[0].lines).to.deep.equal([
        { gtin: GTIN, quantity: '3', kind: 'sale' },
        { gtin: GTIN, quantity: '5', kind: 'sale', voided: true },
      ]);
      const [batch] = batchReceipts(receipts, maps.stores);
      expect(batch.command.body.lines).to.deep.equal([{ gtin: GTIN, quantity: '3.000', kind: 'sale' }]);
      expect(batch.command.body.receiptCount).to.equal(2);
    });

    it('names unmapped stores and catalog ids with 422', () => {
      const sq = clone(SQUARE_ORDERS);
      sq.orders[0].line_items![0].catalog_object_id = 'UNKNOWN1';
      sq.orders[1].location_id = 'LOTHER';
      const p = problemOf(() => parsePosJson(sq, validator, maps));
      expect(p.httpStatus).to.equal(422);
      expect(fields(p)).to.deep.equal(['orders[0].line_items[0].catalog_object_id', 'orders[1].location_id']);
      expect(p.details.errors[0].message).to.contain('UNKNOWN1');
      const toast = { ...clone(TOAST_ORDERS), restaurantGuid: 'nowhere' };
      toast.orders[0].checks[0].selections[1].item.guid = 'g-unknown';
      expect(fields(problemOf(() => parsePosJson(toast, validator, maps)))).to.deep.equal(['restaurantGuid', 'orders[0].checks[0].selections[1].item.guid']);
      // A catalog id that is itself a GTIN maps to itself.
      const direct = { order: { id: 'O1', location_id: SQUARE_LOCATION, line_items: [{ quantity: '1', catalog_object_id: GTIN }] } };
      expect(parsePosJson(direct, validator, { ...maps, catalog: {} })[0].lines[0].gtin).to.equal(GTIN);
    });

    const bad: Array<[string, unknown, string]> = [
      ['unknown shape', { sales: [] }, 'receipts'],
      [
        'Square numeric quantity',
        { order: { id: 'O1', location_id: 'L1', line_items: [{ quantity: 2, catalog_object_id: 'X' }] } },
        'order.line_items[0].quantity',
      ],
      [
        'Square quantity finer than 3 decimals',
        { orders: [{ id: 'O1', location_id: 'L1', line_items: [{ quantity: '1.00050', catalog_object_id: 'X' }] }] },
        'orders[0].line_items[0].quantity',
      ],
      [
        'Square zero quantity',
        { orders: [{ id: 'O1', location_id: 'L1', line_items: [{ quantity: '0', catalog_object_id: 'X' }] }] },
        'orders[0].line_items[0].quantity',
      ],
      [
        'Square item without catalog id',
        { orders: [{ id: 'O1', location_id: 'L1', line_items: [{ quantity: '1' }] }] },
        'orders[0].line_items[0].catalog_object_id',
      ],
      ['Square order without location', { orders: [{ id: 'O1', line_items: [] }] }, 'orders[0].location_id'],
      [
        'Square bad return lot',
        { order: { id: 'O1', location_id: 'L1', returns: [{ return_line_items: [{ quantity: '1', catalog_object_id: 'X', metadata: { lotCode: 'A~B' } }] }] } },
        'order.returns[0].return_line_items[0].metadata.lotCode',
      ],
      ['Square empty orders', { orders: [] }, 'orders'],
      ['both order and orders', { order: SQUARE_ORDERS.orders[0], orders: SQUARE_ORDERS.orders }, 'order'],
      ['Toast without restaurantGuid', { orders: [{ checks: [{ guid: 'c1', selections: [] }] }] }, 'restaurantGuid'],
      ['Toast without orders', { restaurantGuid: 'R1' }, 'orders'],
      [
        'Toast string quantity',
        { restaurantGuid: 'R1', order: { checks: [{ guid: 'c1', selections: [{ item: { guid: 'g' }, quantity: '3' }] }] } },
        'order.checks[0].selections[0].quantity',
      ],
      [
        'Toast float noise',
        { restaurantGuid: 'R1', order: { checks: [{ guid: 'c1', selections: [{ item: { guid: 'g' }, quantity: 0.1 + 0.2 }] }] } },
        'order.checks[0].selections[0].quantity',
      ],
      [
        'Toast selection without item',
        { restaurantGuid: 'R1', order: { checks: [{ guid: 'c1', selections: [{ quantity: 1 }] }] } },
        'order.checks[0].selections[0].item',
      ],
      ['Toast voided not boolean', { restaurantGuid: 'R1', orders: [{ checks: [{ guid: 'c1', voided: 'yes' }] }] }, 'orders[0].checks[0].voided'],
    ];
    for (const [name, body, field] of bad) {
      it(`answers 400 naming ${field} for ${name}`, () => {
        const p = problemOf(() => parsePosJson(body, validator, maps));
        expect(p.httpStatus, JSON.stringify(p.details)).to.equal(400);
        expect(fields(p)).to.include(field);
      });
    }
  });

  describe('over HTTP', () => {
    let t: TestGateway;
    before(async () => {
      const pos = posRoutes({
        proofs: createMemoryProofStore(),
        stores: { [SQUARE_LOCATION]: GLN_STORE, [TOAST_RESTAURANT]: GLN_STORE },
        catalog: POS_CATALOG,
      });
      t = await createTestGateway({ extraRoutes: [pos] });
    });
    after(() => t.close());

    it('accepts Square and Toast bodies on POST /pos/sales and rejects an unknown shape with 400', async () => {
      const tok = `Bearer ${await t.token(['pos'])}`;
      for (const [body, qty] of [
        [SQUARE_ORDERS, '2.500'],
        [TOAST_ORDERS, '3.000'],
      ] as const) {
        const before = t.ledger.submitted.length;
        const res = await request(t.gateway.app).post('/pos/sales').set('Authorization', tok).send(body);
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        expect(t.ledger.submitted.length).to.equal(before + 1);
        const arg = JSON.parse(t.ledger.submitted[before].args![0]) as { lines: Array<{ quantity: string; kind: string }> };
        expect(arg.lines.find((l) => l.kind === 'sale')!.quantity).to.equal(qty);
      }
      const before = t.ledger.submitted.length;
      const res = await request(t.gateway.app).post('/pos/sales').set('Authorization', tok).send({ tickets: [] });
      expect(res.status).to.equal(400);
      expect(res.body.errors[0].field).to.equal('receipts');
      expect(t.ledger.submitted.length).to.equal(before);
    });
  });
});
