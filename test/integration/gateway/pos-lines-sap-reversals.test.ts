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

describe("A till's receipt is booked line by line, and an SAP reversal takes the stock back (devnet, ledger and indexer)", function () {
  this.timeout(600_000);
  let fx: GatewayFixture;
  let ix: IndexedLedger;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-lines-'));
  const gln = { roastery: uniqueGln(S), dc: uniqueGln(R), store: uniqueGln(R) };
  const beans = uniqueGtin(S);
  const mug = uniqueGtin(R);
  const syrup = uniqueGtin(R);
  const cup = uniqueGtin(R);
  const tag = randomUUID().slice(0, 6).toUpperCase();
  const lot = { beans: `BN-${tag}`, mug: `MG-${tag}`, syrup: `SY-${tag}`, cup: `CP-${tag}`, roast: `RS-${tag}` };
  const vbeln = String(Date.now()).slice(-8);
  const api = (msp: string) => request(fx.gateways[msp].url);
  let sup: string;
  let ret: string;
  let lastBlock = 0;

  const post = (msp: string, p: string, body: object) =>
    api(msp)
      .post(p)
      .set('Authorization', msp === S ? sup : ret)
      .send(body);

  /** On-hand quantity per lot at a location, from the ledger through the gateway. */
  async function ledgerStock(msp: string, at: string): Promise<Record<string, string>> {
    const res = await api(msp)
      .get(`/locations/${at}/stock`)
      .set('Authorization', msp === S ? sup : ret)
      .expect(200);
    return Object.fromEntries(
      (res.body.positions as { gtin: string; lotCode: string; quantity: string }[])
        .filter((p) => Number(p.quantity) > 0)
        .map((p) => [`${p.gtin}/${p.lotCode}`, p.quantity]),
    );
  }
  /** The same from the indexer's read model, once it has caught up with the last block seen. */
  async function indexedStock(at: string): Promise<Record<string, string>> {
    for (let i = 0; i < 300; i++) {
      const tip = await ix.pool.query('SELECT coalesce(max(block_number), -1) AS b FROM blocks');
      if (Number(tip.rows[0].b) >= lastBlock) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const rows = await ix.pool.query('SELECT gtin, lot_code, quantity::text AS q FROM stock_levels WHERE gln = $1 AND quantity > 0 ORDER BY gtin, lot_code', [
      at,
    ]);
    return Object.fromEntries(rows.rows.map((r: { gtin: string; lot_code: string; q: string }) => [`${r.gtin}/${r.lot_code}`, Number(r.q).toFixed(3)]));
  }
  async function expectStock(msp: string, at: string, expected: Record<string, string>): Promise<void> {
    expect(await ledgerStock(msp, at), 'on the ledger').to.deep.equal(expected);
    expect(await indexedStock(at), 'in the read model').to.deep.equal(expected);
  }
  const note = (...blocks: Array<number | undefined>) => {
    for (const b of blocks) lastBlock = Math.max(lastBlock, b ?? 0);
  };

  before(async () => {
    const mappings = {
      sap: { plants: { '1000': gln.roastery, '2000': gln.dc }, materials: { 'MAT-ROAST': beans }, partners: { DC01: gln.dc } },
      pos: { stores: { S001: gln.store } },
    };
    fs.writeFileSync(path.join(dir, 'mappings.json'), JSON.stringify(mappings));
    fx = await startGatewayFixture([S, R], { ADAPTER_MAPPINGS_FILE: path.join(dir, 'mappings.json') });
    ix = await startIndexedLedger();
    sup = `Bearer ${await fx.token(S, ['supplier', 'sap'], 'sap-connector')}`;
    ret = `Bearer ${await fx.token(R, ['retailer-ops', 'pos', 'sap'], 'till-and-sap')}`;
    await post(S, '/locations', { gln: gln.roastery, name: 'Roastery', type: 'roastery', address: { country: 'DE' } }).expect(201);
    await post(R, '/locations', { gln: gln.dc, name: 'DC', type: 'dc', address: { country: 'DE' } }).expect(201);
    await post(R, '/locations', { gln: gln.store, name: 'Store', type: 'store', address: { country: 'DE' } }).expect(201);
    for (const [gtin, description, unit] of [
      [beans, 'Roasted beans', 'KGM'],
      [mug, 'Mug', 'EA'],
      [syrup, 'Syrup', 'EA'],
      [cup, 'Cup', 'EA'],
    ])
      await post(gtin === beans ? S : R, '/products', { gtin, description, unit }).expect(201);
    await post(S, '/lots', { gln: gln.roastery, gtin: beans, lotCode: lot.roast, quantity: '100' }).expect(201);
    // The beans are the supplier's GTIN: the store's lot of them is made under the supplier's licence.
    await post(S, '/licences', { gtin: beans, licenseeMsp: R }).expect(201);
    // The store holds beans and mugs; it has sold neither on the ledger.
    await post(R, '/lots', { gln: gln.store, gtin: beans, lotCode: lot.beans, quantity: '10' }).expect(201);
    const m = await post(R, '/lots', { gln: gln.store, gtin: mug, lotCode: lot.mug, quantity: '5' }).expect(201);
    note(m.body.blockNumber);
  });
  after(async () => {
    await ix?.stop();
    await fx?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a POSLog: two sales booked, the void ignored, the lot-less return booked to the lot the store holds, a line the stock cannot cover kept for replay', async () => {
    const t = (n: number, body: string) =>
      `<Transaction><BusinessUnit><UnitID>S001</UnitID></BusinessUnit><TransactionID>${vbeln}-${n}</TransactionID><RetailTransaction TransactionStatus="Finished">${body}</RetailTransaction></Transaction>`;
    const li = (kind: 'Sale' | 'Return', gtin: string, q: string, attrs = '') =>
      `<LineItem${attrs}><${kind}><ItemID>${gtin}</ItemID><Quantity>${q}</Quantity></${kind}></LineItem>`;
    const poslog = `<POSLog xmlns="http://www.nrf-arts.org/IXRetail/v6.0.0/poslog">${t(
      1,
      li('Sale', beans, '2') + li('Sale', beans, '1') + li('Sale', beans, '4', ' VoidFlag="true"') + li('Return', mug, '1'),
    )}${t(2, li('Sale', syrup, '1'))}${t(3, li('Return', cup, '1'))}</POSLog>`;
    const res = await api(R).post('/pos/sales').set('Authorization', ret).set('Content-Type', XML).send(poslog);
    // Booked but for the kept line, which the gateway books later: the till need not resend.
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    note(...(res.body.batches as { outcome: { blockNumber?: number } }[]).map((b) => b.outcome.blockNumber));
    const x = (tx: number, item: number) => `/POSLog/Transaction[${tx}]/RetailTransaction/LineItem[${item}]`;
    const report = Object.fromEntries((res.body.lines as { line: string; message?: string }[]).map((l) => [l.line, l]));
    expect(Object.keys(report)).to.have.members([x(1, 1), x(1, 2), x(1, 3), x(1, 4), x(2, 1), x(3, 1)]);
    expect(report[x(1, 1)]).to.deep.include({ status: 'booked', kind: 'sale', quantity: '2', lots: [{ lotCode: lot.beans, quantity: '3.000' }] });
    expect(report[x(1, 2)]).to.deep.include({ status: 'booked', kind: 'sale', quantity: '1' });
    expect(report[x(1, 3)]).to.deep.include({ status: 'ignored', reason: 'voided' });
    expect(report[x(1, 4)]).to.deep.include({ status: 'booked', kind: 'return', resolvedBy: 'held', lots: [{ lotCode: lot.mug, quantity: '1.000' }] });
    expect(report[x(2, 1)]).to.deep.include({ status: 'kept_for_replay', code: 'INSUFFICIENT_STOCK', field: `${x(2, 1)}/Sale/Quantity` });
    // A store that neither sold nor holds the product takes it back to a "lot unknown" position.
    expect(report[x(3, 1)]).to.deep.include({ status: 'booked', resolvedBy: 'unknown', lots: [{ lotCode: '(unknown)', quantity: '1.000' }] });
    expect(res.body.errors).to.deep.equal([{ field: `${x(2, 1)}/Sale/Quantity`, message: report[x(2, 1)].message }]);
    await expectStock(R, gln.store, { [`${beans}/${lot.beans}`]: '7.000', [`${mug}/${lot.mug}`]: '6.000', [`${cup}/(unknown)`]: '1.000' });

    // The refused line is kept in the gateway's database, named by its XPath.
    const kept = await api(R).get('/pos/unbooked').query({ gln: gln.store }).set('Authorization', ret).expect(200);
    expect(kept.body.lines.map((l: { linePath: string; status: string; gtin: string }) => [l.linePath, l.status, l.gtin])).to.deep.equal([
      [x(2, 1), 'pending', syrup],
    ]);
    // Resending the same POSLog books nothing twice and keeps nothing twice.
    const again = await api(R).post('/pos/sales').set('Authorization', ret).set('Content-Type', XML).send(poslog);
    expect(again.status, JSON.stringify(again.body)).to.equal(202);
    expect(again.body.batches[0].status).to.equal('already_committed');
    // Other suites share the gateway's database: this store's lines only.
    const unbooked = async () => (await api(R).get('/pos/unbooked').query({ gln: gln.store }).set('Authorization', ret).expect(200)).body.lines;
    expect(await unbooked()).to.have.length(1);

    // The syrup arrives; the replay books the kept line.
    await post(R, '/lots', { gln: gln.store, gtin: syrup, lotCode: lot.syrup, quantity: '4' }).expect(201);
    const replay = await post(R, '/pos/unbooked/replay', { gln: gln.store }).expect(200);
    expect(replay.body).to.deep.include({ replayed: 1, booked: 1, pending: 0 });
    expect(await unbooked()).to.deep.equal([]);
    note(replay.body.lines[0].blockNumber);
    // A count resolves the lot-unknown position: the unit goes to the cup lot it turned out to be.
    await post(R, '/lots', { gln: gln.store, gtin: cup, lotCode: lot.cup, quantity: '2' }).expect(201);
    const count = await post(R, '/adjustments', {
      gln: gln.store,
      reason: 'count_difference',
      lines: [
        { gtin: cup, lotCode: '(unknown)', delta: '-1' },
        { gtin: cup, lotCode: lot.cup, delta: '1' },
      ],
    }).expect(201);
    note(count.body.blockNumber);
    await expectStock(R, gln.store, {
      [`${beans}/${lot.beans}`]: '7.000',
      [`${mug}/${lot.mug}`]: '6.000',
      [`${syrup}/${lot.syrup}`]: '3.000',
      [`${cup}/${lot.cup}`]: '3.000',
    });
  });

  it('an SAP goods receipt (101) then its reversal (102): stock back where it was, on hand and in transit, ledger and read model', async () => {
    const sid = `DESADV-${vbeln}`;
    const idoc = (msp: string, xml: string) =>
      api(msp)
        .post('/sap/idocs')
        .set('Authorization', msp === S ? sup : ret)
        .set('Content-Type', XML)
        .send(xml);
    const wmmbxy = (doc: string, mblnr: string, items: string) => `<WMMBID02><IDOC BEGIN="1">
      <EDI_DC40 SEGMENT="1"><DOCNUM>${doc}</DOCNUM><IDOCTYP>WMMBID02</IDOCTYP><MESTYP>WMMBXY</MESTYP></EDI_DC40>
      <E1MBXYH SEGMENT="1"><XBLNR>${vbeln}</XBLNR><MBLNR>${mblnr}</MBLNR>${items}</E1MBXYH></IDOC></WMMBID02>`;
    const item = (zeile: number, bwart: string, werks: string, qty: string, extra = '') =>
      `<E1MBXYI SEGMENT="1"><ZEILE>${zeile}</ZEILE><MATNR>MAT-ROAST</MATNR><WERKS>${werks}</WERKS><LGORT>0001</LGORT><CHARG>${lot.roast}</CHARG><BWART>${bwart}</BWART><ERFMG>${qty}</ERFMG><ERFME>KGM</ERFME>${extra}</E1MBXYI>`;
    const inTransit = async () => {
      const res = await api(R).get(`/shipments/${sid}`).set('Authorization', ret).expect(200);
      return {
        status: res.body.shipment.status,
        transit: Object.fromEntries((res.body.inTransit as { lotCode: string; quantity: string }[]).map((t) => [t.lotCode, t.quantity])),
      };
    };
    const indexedTransit = async () => {
      const rows = await ix.pool.query('SELECT lot_code, quantity::text AS q FROM transit_levels WHERE shipment_id = $1 AND quantity > 0', [sid]);
      return Object.fromEntries(rows.rows.map((r: { lot_code: string; q: string }) => [r.lot_code, Number(r.q).toFixed(3)]));
    };
    const blocks = (body: { transactions?: { blockNumber?: number }[] }) => note(...(body.transactions ?? []).map((t) => t.blockNumber));
    await idoc(
      S,
      `<DELVRY07><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1"><DOCNUM>${vbeln}01</DOCNUM><IDOCTYP>DELVRY07</IDOCTYP><MESTYP>DESADV</MESTYP></EDI_DC40>
      <E1EDL20 SEGMENT="1"><VBELN>${vbeln}</VBELN><E1ADRM1 SEGMENT="1"><PARTNER_Q>WE</PARTNER_Q><PARTNER_ID>DC01</PARTNER_ID></E1ADRM1>
      <E1EDL24 SEGMENT="1"><POSNR>000010</POSNR><MATNR>MAT-ROAST</MATNR><WERKS>1000</WERKS><LGORT>0001</LGORT><CHARG>${lot.roast}</CHARG><LFIMG>40</LFIMG><VRKME>KGM</VRKME></E1EDL24>
      </E1EDL20></IDOC></DELVRY07>`,
    ).expect(201);
    let res = await idoc(S, wmmbxy(`${vbeln}02`, `49${vbeln}`, item(1, '601', '1000', '40')));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    blocks(res.body);
    // Where the stock was before the receipt.
    await expectStock(R, gln.dc, {});
    expect(await inTransit()).to.deep.equal({ status: 'dispatched', transit: { [lot.roast]: '40.000' } });

    res = await idoc(R, wmmbxy(`${vbeln}03`, `50${vbeln}`, item(1, '101', '2000', '30')));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    blocks(res.body);
    await expectStock(R, gln.dc, { [`${beans}/${lot.roast}`]: '30.000' });
    expect(await inTransit()).to.deep.equal({ status: 'partially_received', transit: { [lot.roast]: '10.000' } });

    // The 102 names the receipt's material document and item (SMBLN / SMBLP).
    res = await idoc(R, wmmbxy(`${vbeln}04`, `51${vbeln}`, item(1, '102', '2000', '30', `<SMBLN>50${vbeln}</SMBLN><SMBLP>1</SMBLP>`)));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.transactions.map((t: { fn: string; status: string }) => [t.fn, t.status])).to.deep.equal([['ReverseMovement', 'committed']]);
    blocks(res.body);
    await expectStock(R, gln.dc, {});
    expect(await inTransit()).to.deep.equal({ status: 'dispatched', transit: { [lot.roast]: '40.000' } });
    expect(await indexedTransit()).to.deep.equal({ [lot.roast]: '40.000' });
    const shipmentRow = await ix.pool.query('SELECT received::text AS r FROM shipment_lines WHERE shipment_id = $1', [sid]);
    expect(shipmentRow.rows.map((r: { r: string }) => Number(r.r))).to.deep.equal([0]);

    // A reversal cannot take back more than the receipt moved; resending it books nothing twice.
    res = await idoc(R, wmmbxy(`${vbeln}05`, `52${vbeln}`, item(1, '102', '2000', '1', `<SMBLN>50${vbeln}</SMBLN><SMBLP>1</SMBLP>`)));
    expect(res.status).to.equal(409);
    expect(res.body.errors[0].field).to.equal('IDOC[0].E1MBXYH.E1MBXYI[0].SMBLN');
    res = await idoc(R, wmmbxy(`${vbeln}04`, `51${vbeln}`, item(1, '102', '2000', '30', `<SMBLN>50${vbeln}</SMBLN><SMBLP>1</SMBLP>`)));
    expect(res.body.transactions[0].status).to.equal('already_committed');

    // The corrected receipt follows: the shipment was reopened by the reversal.
    res = await idoc(R, wmmbxy(`${vbeln}06`, `53${vbeln}`, item(1, '101', '2000', '40', '<ELIKZ>X</ELIKZ>')));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    blocks(res.body);
    await expectStock(R, gln.dc, { [`${beans}/${lot.roast}`]: '40.000' });
    expect(await inTransit()).to.deep.equal({ status: 'received', transit: {} });
  });
});
