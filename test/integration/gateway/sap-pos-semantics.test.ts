import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { uniqueGln, uniqueGtin } from '../../integration/chaincode/ledger-fixtures';
import { startIndexedLedger, type IndexedLedger } from '../indexer/indexed-ledger';
import { startGatewayFixture, type GatewayFixture } from './gateway-fixture';

const S = 'SupplierMSP';
const R = 'RetailerMSP';
const XML = 'application/xml';

describe('SAP and POSLog documents book exactly what they say (devnet, ledger and indexer)', function () {
  this.timeout(600_000);
  let fx: GatewayFixture;
  let ix: IndexedLedger;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-sem-'));
  const gln = { roastery: uniqueGln(S), dc: uniqueGln(R), store: uniqueGln(R) };
  const gtin = uniqueGtin(S);
  const milk = uniqueGtin(S);
  const tag = randomUUID().slice(0, 6).toUpperCase();
  const lotA = `A-${tag}`;
  const lotB = `B-${tag}`;
  const lotM = `M-${tag}`;
  const vbeln = String(Date.now()).slice(-8);
  const api = (msp: string) => request(fx.gateways[msp].url);
  let sup: string;
  let ret: string;

  const idoc = (msp: string, xml: string) =>
    api(msp)
      .post('/sap/idocs')
      .set('Authorization', msp === S ? sup : ret)
      .set('Content-Type', XML)
      .send(xml);
  const desadv = (doc: string, vb: string, items: string) => `<DELVRY07><IDOC BEGIN="1">
    <EDI_DC40 SEGMENT="1"><DOCNUM>${doc}</DOCNUM><IDOCTYP>DELVRY07</IDOCTYP><MESTYP>DESADV</MESTYP><SNDPRN>S4H</SNDPRN></EDI_DC40>
    <E1EDL20 SEGMENT="1"><VBELN>${vb}</VBELN><VSTEL>1000</VSTEL>
      <E1ADRM1 SEGMENT="1"><PARTNER_Q>WE</PARTNER_Q><PARTNER_ID>DC01</PARTNER_ID></E1ADRM1>${items}
    </E1EDL20></IDOC></DELVRY07>`;
  const dlItem = (posnr: string, matnr: string, lot: string, qty: string, unit: string, extra = '') =>
    `<E1EDL24 SEGMENT="1"><POSNR>${posnr}</POSNR><MATNR>${matnr}</MATNR><WERKS>1000</WERKS><LGORT>0001</LGORT><CHARG>${lot}</CHARG><LFIMG>${qty}</LFIMG><VRKME>${unit}</VRKME>${extra}</E1EDL24>`;
  const wmmbxy = (doc: string, mblnr: string, xblnr: string, items: string) => `<WMMBID02><IDOC BEGIN="1">
    <EDI_DC40 SEGMENT="1"><DOCNUM>${doc}</DOCNUM><IDOCTYP>WMMBID02</IDOCTYP><MESTYP>WMMBXY</MESTYP></EDI_DC40>
    <E1MBXYH SEGMENT="1"><BLDAT>20261126</BLDAT><BUDAT>20261126</BUDAT><XBLNR>${xblnr}</XBLNR><MBLNR>${mblnr}</MBLNR>${items}</E1MBXYH></IDOC></WMMBID02>`;
  const mbItem = (zeile: number, bwart: string, werks: string, lgort: string, matnr: string, lot: string, qty: string, unit: string, extra = '') =>
    `<E1MBXYI SEGMENT="1"><ZEILE>${zeile}</ZEILE><MATNR>${matnr}</MATNR><WERKS>${werks}</WERKS><LGORT>${lgort}</LGORT><CHARG>${lot}</CHARG><BWART>${bwart}</BWART><ERFMG>${qty}</ERFMG><ERFME>${unit}</ERFME>${extra}</E1MBXYI>`;

  /** On-hand quantity per lot at a location, read from the ledger through the gateway. */
  async function ledgerStock(msp: string, at: string): Promise<Record<string, string>> {
    const res = await api(msp)
      .get(`/locations/${at}/stock`)
      .set('Authorization', msp === S ? sup : ret)
      .expect(200);
    return Object.fromEntries(
      (res.body.positions as { lotCode: string; quantity: string }[]).filter((p) => Number(p.quantity) > 0).map((p) => [p.lotCode, p.quantity]),
    );
  }
  /** The same, from the indexer's read model once it has caught up with `block`. */
  async function indexedStock(at: string, block: number): Promise<Record<string, string>> {
    for (let i = 0; i < 300; i++) {
      const tip = await ix.pool.query('SELECT coalesce(max(block_number), -1) AS b FROM blocks');
      if (Number(tip.rows[0].b) >= block) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const rows = await ix.pool.query('SELECT lot_code, quantity::text AS q FROM stock_levels WHERE gln = $1 AND quantity > 0 ORDER BY lot_code', [at]);
    return Object.fromEntries(rows.rows.map((r: { lot_code: string; q: string }) => [r.lot_code, Number(r.q).toFixed(3)]));
  }
  let lastBlock = 0;
  const noteBlocks = (body: { transactions?: { blockNumber?: number }[] }) => {
    for (const t of body.transactions ?? []) lastBlock = Math.max(lastBlock, t.blockNumber ?? 0);
  };
  async function expectStock(expected: Record<string, Record<string, string>>): Promise<void> {
    for (const [where, lots] of Object.entries(expected)) {
      const at = gln[where as keyof typeof gln];
      const msp = where === 'roastery' ? S : R;
      expect(await ledgerStock(msp, at), `ledger stock at ${where}`).to.deep.equal(lots);
      expect(await indexedStock(at, lastBlock), `indexed stock at ${where}`).to.deep.equal(lots);
    }
  }
  async function inTransit(sid: string): Promise<Record<string, string>> {
    const res = await api(R).get(`/shipments/${sid}`).set('Authorization', ret).expect(200);
    return Object.fromEntries((res.body.inTransit as { lotCode: string; quantity: string }[]).map((t) => [t.lotCode, t.quantity]));
  }

  before(async () => {
    const mappings = {
      sap: {
        plants: { '1000': gln.roastery, '2000': gln.dc, '2000/0002': gln.store },
        materials: { 'MAT-ROAST': gtin, 'MAT-MILK': milk },
        partners: { DC01: gln.dc },
        units: { 'MAT-MILK': { base: 'EA', per: { CS: '12' } } },
      },
      pos: { stores: { S001: gln.store } },
    };
    fs.writeFileSync(path.join(dir, 'mappings.json'), JSON.stringify(mappings));
    fx = await startGatewayFixture([S, R], { ADAPTER_MAPPINGS_FILE: path.join(dir, 'mappings.json') });
    ix = await startIndexedLedger();
    sup = `Bearer ${await fx.token(S, ['supplier', 'sap'], 'sap-connector')}`;
    ret = `Bearer ${await fx.token(R, ['retailer-ops', 'pos', 'sap'], 'sap-retail')}`;
    await api(S)
      .post('/locations')
      .set('Authorization', sup)
      .send({ gln: gln.roastery, name: 'Roastery', type: 'roastery', address: { country: 'DE' } })
      .expect(201);
    await api(R)
      .post('/locations')
      .set('Authorization', ret)
      .send({ gln: gln.dc, name: 'DC', type: 'dc', address: { country: 'DE' } })
      .expect(201);
    await api(R)
      .post('/locations')
      .set('Authorization', ret)
      .send({ gln: gln.store, name: 'Store 1', type: 'store', address: { country: 'DE' } })
      .expect(201);
    await api(S).post('/products').set('Authorization', sup).send({ gtin, description: 'Roasted beans', unit: 'KGM' }).expect(201);
    await api(S).post('/products').set('Authorization', sup).send({ gtin: milk, description: 'Milk 1 l', unit: 'EA' }).expect(201);
    await api(S).post('/lots').set('Authorization', sup).send({ gln: gln.roastery, gtin, lotCode: lotA, quantity: '100' }).expect(201);
    await api(S).post('/lots').set('Authorization', sup).send({ gln: gln.roastery, gtin, lotCode: lotB, quantity: '100' }).expect(201);
    await api(S).post('/lots').set('Authorization', sup).send({ gln: gln.roastery, gtin: milk, lotCode: lotM, quantity: '48' }).expect(201);
  });
  after(async () => {
    await ix?.stop();
    await fx?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('DESADV, goods issue per batch, partial receipt, transfer, scrap, final receipt: exact stock at every GLN', async () => {
    const sid = `DESADV-${vbeln}`;
    // Two batches on one pallet (SSCC), with the PO reference, a shelf-life date for batch A and the weights.
    const hu = `<E1EDL37 SEGMENT="1"><EXIDV>376110000000000019</EXIDV><E1EDL44 SEGMENT="1"><VELIN>1</VELIN><POSNR>000010</POSNR><VEMNG>40</VEMNG></E1EDL44><E1EDL44 SEGMENT="1"><VELIN>1</VELIN><POSNR>000020</POSNR><VEMNG>30</VEMNG></E1EDL44></E1EDL37>`;
    let res = await idoc(
      S,
      desadv(
        `${vbeln}01`,
        vbeln,
        `<BTGEW>72</BTGEW><NTGEW>70</NTGEW><GEWEI>KGM</GEWEI>` +
          dlItem('000010', 'MAT-ROAST', lotA, '40.000', 'KGM', '<VFDAT>20270301</VFDAT><VGBEL>4500009999</VGBEL><VGPOS>000010</VGPOS>') +
          dlItem('000020', 'MAT-ROAST', lotB, '30.000', 'KGM', '<VGBEL>4500009999</VGBEL><VGPOS>000020</VGPOS>') +
          hu,
      ),
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const created = await api(S).get(`/shipments/${sid}`).set('Authorization', sup).expect(200);
    expect(created.body.shipment).to.deep.include({ poReference: '4500009999', weights: { unit: 'KGM', gross: '72', net: '70' } });
    expect(created.body.shipment.handlingUnits[0].contents.map((c: { lotCode: string; quantity: string }) => [c.lotCode, c.quantity])).to.deep.equal([
      [lotA, '40.000'],
      [lotB, '30.000'],
    ]);
    const lot = await api(S).get(`/lots/${gtin}/${lotA}`).set('Authorization', sup).expect(200);
    expect(JSON.stringify(lot.body)).to.contain('"expiryDate":"2027-03-01"');
    // A later DESADV giving the same batch another shelf-life date is refused, naming VFDAT.
    res = await idoc(S, desadv(`${vbeln}10`, `${vbeln}6`, dlItem('000010', 'MAT-ROAST', lotA, '1', 'KGM', '<VFDAT>20270401</VFDAT>')));
    expect(res.status).to.equal(422);
    expect(res.body.errors[0].field).to.equal('IDOC[0].E1EDL20.E1EDL24[0].VFDAT');
    // Goods issue (601) as SAP posts it: one item per batch.
    res = await idoc(
      S,
      wmmbxy(
        `${vbeln}02`,
        `49${vbeln}1`,
        vbeln,
        mbItem(1, '601', '1000', '0001', 'MAT-ROAST', lotA, '40', 'KGM') + mbItem(2, '601', '1000', '0001', 'MAT-ROAST', lotB, '30', 'KGM'),
      ),
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.transactions.map((t: { status: string }) => t.status)).to.deep.equal(['committed', 'committed']);
    noteBlocks(res.body);
    await expectStock({ roastery: { [lotA]: '60.000', [lotB]: '70.000', [lotM]: '48.000' } });
    expect(await inTransit(sid)).to.deep.equal({ [lotA]: '40.000', [lotB]: '30.000' });

    // Partial receipt (101) of batch A, two short, at the DC's storage location 0001; no delivery-completed indicator.
    res = await idoc(R, wmmbxy(`${vbeln}03`, `50${vbeln}1`, vbeln, mbItem(1, '101', '2000', '0001', 'MAT-ROAST', lotA, '38', 'KGM')));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    noteBlocks(res.body);
    await expectStock({ dc: { [lotA]: '38.000' } });
    expect(await inTransit(sid), 'batch B is still in transit').to.deep.equal({ [lotA]: '2.000', [lotB]: '30.000' });

    // Transfer (311) DC → store and scrap (551) at the DC.
    res = await idoc(
      R,
      wmmbxy(
        `${vbeln}04`,
        `50${vbeln}2`,
        vbeln,
        mbItem(1, '311', '2000', '0001', 'MAT-ROAST', lotA, '10', 'KGM', '<UMWRK>2000</UMWRK><UMLGO>0002</UMLGO>') +
          mbItem(2, '551', '2000', '0001', 'MAT-ROAST', lotA, '3', 'KGM'),
      ),
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    noteBlocks(res.body);
    await expectStock({ dc: { [lotA]: '25.000' }, store: { [lotA]: '10.000' } });

    // Final receipt of batch B with the delivery-completed indicator: the shipment closes, batch A's two units are short.
    res = await idoc(R, wmmbxy(`${vbeln}05`, `50${vbeln}3`, vbeln, mbItem(1, '101', '2000', '0001', 'MAT-ROAST', lotB, '30', 'KGM', '<ELIKZ>X</ELIKZ>')));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    noteBlocks(res.body);
    await expectStock({
      roastery: { [lotA]: '60.000', [lotB]: '70.000', [lotM]: '48.000' },
      dc: { [lotA]: '25.000', [lotB]: '30.000' },
      store: { [lotA]: '10.000' },
    });
    expect(await inTransit(sid)).to.deep.equal({});
    const sh = await api(R).get(`/shipments/${sid}`).set('Authorization', ret).expect(200);
    expect(sh.body.shipment).to.include({ status: 'received', hasDiscrepancy: true, receiptCount: 2 });
    expect(sh.body.shipment.lines.map((l: { lotCode: string; received: string; short: string }) => [l.lotCode, l.received, l.short])).to.deep.equal([
      [lotA, '38.000', '2.000'],
      [lotB, '30.000', '0.000'],
    ]);
    const receipts = await ix.pool.query('SELECT receipt_no, gln, closed, discrepancies FROM shipment_receipts WHERE shipment_id = $1 ORDER BY receipt_no', [
      sid,
    ]);
    expect(receipts.rows.map((r: { receipt_no: number; gln: string; closed: boolean }) => [r.receipt_no, r.gln, r.closed])).to.deep.equal([
      [1, gln.dc, false],
      [2, gln.dc, true],
    ]);
    expect(receipts.rows[1].discrepancies).to.deep.equal([{ damaged: '0.000', gtin, lineNo: 1, lotCode: lotA, over: '0.000', short: '2.000' }]);

    // Over-receipt and a batch that was not shipped are refused naming the IDoc field; nothing is written.
    const sid2 = `${vbeln}9`;
    await idoc(S, desadv(`${vbeln}06`, sid2, dlItem('000010', 'MAT-ROAST', lotA, '5', 'KGM'))).expect(201);
    await idoc(S, wmmbxy(`${vbeln}07`, `49${vbeln}2`, sid2, mbItem(1, '601', '1000', '0001', 'MAT-ROAST', lotA, '5', 'KGM'))).expect(201);
    res = await idoc(R, wmmbxy(`${vbeln}08`, `50${vbeln}4`, sid2, mbItem(1, '101', '2000', '0001', 'MAT-ROAST', lotA, '6', 'KGM')));
    expect(res.status).to.equal(422);
    expect(res.body.errors[0].field).to.equal('IDOC[0].E1MBXYH.E1MBXYI[0].ERFMG');
    res = await idoc(R, wmmbxy(`${vbeln}09`, `50${vbeln}5`, sid2, mbItem(1, '101', '2000', '0001', 'MAT-ROAST', lotB, '1', 'KGM')));
    expect(res.status).to.equal(422);
    expect(res.body.errors[0].field).to.equal('IDOC[0].E1MBXYH.E1MBXYI[0].CHARG');
    expect(await inTransit(`DESADV-${sid2}`)).to.deep.equal({ [lotA]: '5.000' });
  });

  it('a goods issue resent after a mid-document ledger failure books every item once', async () => {
    const vb = `${vbeln}8`;
    const lotC = `C-${tag}`;
    await api(S).post('/lots').set('Authorization', sup).send({ gln: gln.roastery, gtin, lotCode: lotC, quantity: '1' }).expect(201);
    await idoc(S, desadv(`${vbeln}11`, vb, dlItem('000010', 'MAT-ROAST', lotB, '5', 'KGM') + dlItem('000020', 'MAT-ROAST', lotC, '5', 'KGM'))).expect(201);
    const gi = wmmbxy(
      `${vbeln}12`,
      `49${vbeln}3`,
      vb,
      mbItem(1, '601', '1000', '0001', 'MAT-ROAST', lotB, '5', 'KGM') + mbItem(2, '601', '1000', '0001', 'MAT-ROAST', lotC, '5', 'KGM'),
    );
    // The ledger refuses the second item (the roastery holds 1 of lot C): the first stays committed.
    const first = await idoc(S, gi);
    expect(first.status, JSON.stringify(first.body)).to.equal(422);
    expect(first.body.transactions.map((t: { status: string }) => t.status)).to.deep.equal(['committed', 'failed']);
    expect(first.body.transactions[1]).to.include({ code: 'INSUFFICIENT_STOCK', field: 'IDOC[0].E1MBXYH.E1MBXYI[1].ERFMG' });
    expect(first.body.errors[0].field).to.equal('IDOC[0].E1MBXYH.E1MBXYI[1].ERFMG');
    // The stock arrives; the same document is resent.
    await api(S)
      .post('/lots')
      .set('Authorization', sup)
      .send({ gln: gln.roastery, gtin, lotCode: `${lotC}X`, quantity: '1' })
      .expect(201);
    await api(S)
      .post('/adjustments')
      .set('Authorization', sup)
      .send({ gln: gln.roastery, reason: 'count_difference', lines: [{ gtin, lotCode: lotC, delta: '4' }] })
      .expect(201);
    const again = await idoc(S, gi);
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
    expect(again.body.transactions.map((t: { status: string }) => t.status)).to.deep.equal(['already_committed', 'committed']);
    expect(again.body.transactions[0].txId).to.equal(first.body.transactions[0].txId);
    noteBlocks(again.body);
    await expectStock({ roastery: { [lotA]: '55.000', [lotB]: '65.000', [`${lotC}X`]: '1.000', [lotM]: '48.000' } });
    expect(await inTransit(`DESADV-${vb}`)).to.deep.equal({ [lotB]: '5.000', [lotC]: '5.000' });
  });

  it('a receipt in an alternative unit is converted; a unit without conversion is a 422 naming ERFME', async () => {
    const vb = `${vbeln}7`;
    await idoc(S, desadv(`${vbeln}21`, vb, dlItem('000010', 'MAT-MILK', lotM, '2', 'CS'))).expect(201); // 24 EA
    let res = await idoc(S, wmmbxy(`${vbeln}22`, `49${vbeln}4`, vb, mbItem(1, '601', '1000', '0001', 'MAT-MILK', lotM, '24', 'EA')));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    res = await idoc(R, wmmbxy(`${vbeln}23`, `50${vbeln}6`, vb, mbItem(1, '101', '2000', '0001', 'MAT-MILK', lotM, '1', 'CS')));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(await inTransit(`DESADV-${vb}`)).to.deep.equal({ [lotM]: '12.000' });
    res = await idoc(R, wmmbxy(`${vbeln}24`, `50${vbeln}7`, vb, mbItem(1, '101', '2000', '0001', 'MAT-MILK', lotM, '1', 'KGM')));
    expect(res.status).to.equal(422);
    expect(res.body.errors[0].field).to.equal('IDOC[0].E1MBXYH.E1MBXYI[0].ERFME');
    expect(await inTransit(`DESADV-${vb}`)).to.deep.equal({ [lotM]: '12.000' });
    noteBlocks(res.body);
    const dc = await ledgerStock(R, gln.dc);
    expect(dc[lotM]).to.equal('12.000');
  });

  it('a POSLog with a sale, a voided line, returns with and without a lot, a cancelled and a training transaction', async () => {
    // The store holds 10 of lot A (from the transfer above).
    const poslog = `<POSLog xmlns="http://www.nrf-arts.org/IXRetail/v6.0.0/poslog">
      <Transaction><BusinessUnit><UnitID>S001</UnitID></BusinessUnit><TransactionID>${vbeln}-1</TransactionID><RetailTransaction TransactionStatus="Finished">
        <LineItem><Sale><ItemID>${gtin}</ItemID><Quantity>3</Quantity></Sale></LineItem>
        <LineItem VoidFlag="true"><Sale><ItemID>${gtin}</ItemID><Quantity>5</Quantity></Sale></LineItem>
      </RetailTransaction></Transaction>
      <Transaction><BusinessUnit><UnitID>S001</UnitID></BusinessUnit><TransactionID>${vbeln}-2</TransactionID><RetailTransaction TransactionStatus="Finished">
        <LineItem><Return><ItemID>${gtin}</ItemID><Quantity>1</Quantity><LotNumber>${lotA}</LotNumber></Return></LineItem>
        <LineItem><Return><ItemID>${gtin}</ItemID><Quantity>1</Quantity></Return></LineItem>
      </RetailTransaction></Transaction>
      <Transaction><BusinessUnit><UnitID>S001</UnitID></BusinessUnit><TransactionID>${vbeln}-3</TransactionID><RetailTransaction TransactionStatus="Cancelled">
        <LineItem><Sale><ItemID>${gtin}</ItemID><Quantity>4</Quantity></Sale></LineItem>
      </RetailTransaction></Transaction>
      <Transaction TrainingModeFlag="true"><BusinessUnit><UnitID>S001</UnitID></BusinessUnit><TransactionID>${vbeln}-4</TransactionID><RetailTransaction TransactionStatus="Finished">
        <LineItem><Sale><ItemID>${gtin}</ItemID><Quantity>2</Quantity></Sale></LineItem>
      </RetailTransaction></Transaction>
    </POSLog>`;
    const res = await api(R).post('/pos/sales').set('Authorization', ret).set('Content-Type', XML).send(poslog);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    for (const b of res.body.batches) lastBlock = Math.max(lastBlock, b.outcome.blockNumber ?? 0);
    // 10 − 3 sold + 1 returned with its lot + 1 returned without (back to lot A, the lot last sold).
    await expectStock({ store: { [lotA]: '9.000' } });
    // A sale the store cannot cover is not booked: named by its POSLog element and kept for replay.
    const tooMuch = `<POSLog><Transaction><BusinessUnit><UnitID>S001</UnitID></BusinessUnit><TransactionID>${vbeln}-9</TransactionID><RetailTransaction TransactionStatus="Finished">
      <LineItem><Sale><ItemID>${gtin}</ItemID><Quantity>50</Quantity></Sale></LineItem></RetailTransaction></Transaction></POSLog>`;
    const refused = await api(R).post('/pos/sales').set('Authorization', ret).set('Content-Type', XML).send(tooMuch);
    expect(refused.status).to.equal(202);
    expect(refused.body.errors[0].field).to.equal('/POSLog/Transaction[1]/RetailTransaction/LineItem[1]/Sale/Quantity');
    expect(refused.body.lines[0]).to.deep.include({ status: 'kept_for_replay', code: 'INSUFFICIENT_STOCK' });
    await expectStock({ store: { [lotA]: '9.000' } });
  });

  it('code mappings reload without a restart, and the change is answered', async () => {
    const file = path.join(dir, 'mappings.json');
    const m = JSON.parse(fs.readFileSync(file, 'utf8'));
    m.pos.stores.S002 = gln.store;
    fs.writeFileSync(file, JSON.stringify(m));
    const admin = `Bearer ${await fx.token(R, ['admin'], 'ops-admin')}`;
    const reloaded = await api(R).post('/admin/mappings/reload').set('Authorization', admin).expect(200);
    expect(reloaded.body.changes).to.deep.equal({ 'pos.stores': { added: ['S002'], changed: [], removed: [] } });
    await api(R).post('/admin/mappings/reload').set('Authorization', ret).expect(403);
    const sale = `<POSLog><Transaction><BusinessUnit><UnitID>S002</UnitID></BusinessUnit><TransactionID>${vbeln}-10</TransactionID><RetailTransaction TransactionStatus="Finished">
      <LineItem><Sale><ItemID>${gtin}</ItemID><Quantity>1</Quantity></Sale></LineItem></RetailTransaction></Transaction></POSLog>`;
    const res = await api(R).post('/pos/sales').set('Authorization', ret).set('Content-Type', XML).send(sale);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    lastBlock = Math.max(lastBlock, res.body.batches[0].outcome.blockNumber);
    await expectStock({ store: { [lotA]: '8.000' } });
  });

  it('a document over the transaction cap, XML nested 10,000 deep and a __proto__ element: 4xx each, nothing written', async () => {
    const before = await ledgerStock(R, gln.dc);
    const many = Array.from({ length: 1001 }, (_, i) => mbItem(i + 1, '551', '2000', '0001', 'MAT-ROAST', lotA, '0.001', 'KGM')).join('');
    let res = await idoc(R, wmmbxy(`${vbeln}31`, `50${vbeln}8`, vbeln, many));
    expect(res.status).to.equal(413);
    expect(res.body.message).to.contain('maxTransactions');
    res = await idoc(R, `<WMMBID02>${'<E1MBXYH>'.repeat(10_000)}x${'</E1MBXYH>'.repeat(10_000)}</WMMBID02>`);
    expect(res.status).to.equal(400);
    res = await idoc(R, `<WMMBID02><IDOC BEGIN="1"><__proto__><polluted>1</polluted></__proto__></IDOC></WMMBID02>`);
    expect(res.status).to.equal(400);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    expect(await ledgerStock(R, gln.dc)).to.deep.equal(before);
  });
});
