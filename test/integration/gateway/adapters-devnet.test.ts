import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { uniqueGln, uniqueGtin } from '../../integration/chaincode/ledger-fixtures';
import { startGatewayFixture, type GatewayFixture } from './gateway-fixture';

const S = 'SupplierMSP';
const R = 'RetailerMSP';

describe('gateway adapters on the real devnet (SAP DESADV, POSLog with proofs)', function () {
  this.timeout(300_000);
  let fx: GatewayFixture;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-map-'));
  const gln = { roastery: uniqueGln(S), dc: uniqueGln(R), store: uniqueGln(R) };
  const gtin = uniqueGtin(S);
  const lot = `RB-${randomUUID().slice(0, 8)}`;
  const vbeln = String(Date.now()).slice(-9);
  const api = (msp: string) => request(fx.gateways[msp].url);
  let sup: string;
  let ret: string;

  before(async () => {
    const mappings = {
      sap: { plants: { '1000': gln.roastery }, materials: { 'MAT-ROAST': gtin }, partners: { DC01: gln.dc } },
      pos: { stores: { S001: gln.store } },
    };
    fs.writeFileSync(path.join(dir, 'mappings.json'), JSON.stringify(mappings));
    fx = await startGatewayFixture([S, R], { ADAPTER_MAPPINGS_FILE: path.join(dir, 'mappings.json') });
    sup = `Bearer ${await fx.token(S, ['supplier', 'sap'], 'sap-connector')}`;
    ret = `Bearer ${await fx.token(R, ['retailer-ops', 'pos'], 'pos-hub')}`;
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
    await api(S).post('/lots').set('Authorization', sup).send({ gln: gln.roastery, gtin, lotCode: lot, quantity: '300' }).expect(201);
  });
  after(async () => {
    await fx?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a DESADV IDoc creates the shipment on the ledger, endorsed by both parties', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><DELVRY07><IDOC BEGIN="1">
      <EDI_DC40 SEGMENT="1"><DOCNUM>${vbeln}</DOCNUM><IDOCTYP>DELVRY07</IDOCTYP><MESTYP>DESADV</MESTYP><SNDPRN>S4H</SNDPRN></EDI_DC40>
      <E1EDL20 SEGMENT="1"><VBELN>${vbeln}</VBELN><VSTEL>1000</VSTEL>
        <E1ADRM1 SEGMENT="1"><PARTNER_Q>WE</PARTNER_Q><PARTNER_ID>DC01</PARTNER_ID></E1ADRM1>
        <E1EDL24 SEGMENT="1"><POSNR>000010</POSNR><MATNR>MAT-ROAST</MATNR><WERKS>1000</WERKS><CHARG>${lot}</CHARG><LFIMG>120.000</LFIMG><VRKME>KGM</VRKME></E1EDL24>
      </E1EDL20></IDOC></DELVRY07>`;
    const res = await api(S).post('/sap/idocs').set('Authorization', sup).set('Content-Type', 'application/xml').send(xml);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const shipment = await api(S).get(`/shipments/DESADV-${vbeln}`).set('Authorization', sup).expect(200);
    expect(shipment.body.shipment).to.deep.include({ fromGln: gln.roastery, toGln: gln.dc, desadv: vbeln, status: 'created' });
    expect(shipment.body.shipment.lines[0]).to.deep.include({ lotCode: lot, quantity: '120.000' });
    // Resending the same IDoc is the same ledger event: no second shipment, no error.
    const again = await api(S).post('/sap/idocs').set('Authorization', sup).set('Content-Type', 'application/xml').send(xml);
    expect(again.status).to.equal(201);
    expect(again.body.transactions[0]).to.include({ status: 'already_committed', txId: res.body.transactions[0].txId });
    expect(res.body.transactions[0].result.shipment.createdTxId).to.equal(res.body.transactions[0].txId);
  });

  it('a POSLog with a sale, a void and a return changes stock correctly and each receipt proves against the ledger', async () => {
    // Stock to the store: ship the DESADV shipment, receive at the DC, move to the store.
    await api(S).post(`/shipments/DESADV-${vbeln}/dispatch`).set('Authorization', sup).expect(201);
    await api(R).post(`/shipments/DESADV-${vbeln}/receive`).set('Authorization', ret).expect(201);
    await api(R)
      .post('/transfers')
      .set('Authorization', ret)
      .send({ fromGln: gln.dc, toGln: gln.store, lines: [{ gtin, lotCode: lot, quantity: '20' }] })
      .expect(201);
    const poslog = `<POSLog xmlns="http://www.nrf-arts.org/IXRetail/v6.0.0/poslog">
      <Transaction><BusinessUnit><UnitID>S001</UnitID></BusinessUnit><TransactionID>${vbeln}-1</TransactionID><RetailTransaction>
        <LineItem><Sale><ItemID>${gtin}</ItemID><Quantity>3</Quantity></Sale></LineItem>
        <LineItem VoidFlag="true"><Sale><ItemID>${gtin}</ItemID><Quantity>5</Quantity></Sale></LineItem>
      </RetailTransaction></Transaction>
      <Transaction><BusinessUnit><UnitID>S001</UnitID></BusinessUnit><TransactionID>${vbeln}-2</TransactionID><RetailTransaction>
        <LineItem><Return><ItemID>${gtin}</ItemID><Quantity>1</Quantity><LotNumber>${lot}</LotNumber></Return></LineItem>
      </RetailTransaction></Transaction>
      <Transaction CancelFlag="true"><BusinessUnit><UnitID>S001</UnitID></BusinessUnit><TransactionID>${vbeln}-3</TransactionID><RetailTransaction>
        <LineItem><Sale><ItemID>${gtin}</ItemID><Quantity>9</Quantity></Sale></LineItem>
      </RetailTransaction></Transaction>
    </POSLog>`;
    const res = await api(R).post('/pos/sales').set('Authorization', ret).set('Content-Type', 'application/xml').send(poslog);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const stock = await api(R).get(`/locations/${gln.store}/stock`).set('Authorization', ret).expect(200);
    expect(stock.body.total).to.equal('18.000'); // 20 − 3 sold + 1 returned; void and cancelled move nothing
    for (const n of [1, 2, 3]) {
      const proof = await api(R).get(`/pos/receipts/${gln.store}/${vbeln}-${n}/proof`).set('Authorization', ret).expect(200);
      expect(proof.body.verified, JSON.stringify(proof.body)).to.equal(true);
    }
  });
  it('a WMMBXY production order (261 issues + 101 receipt) is one transformation on the ledger', async () => {
    const out = `P-${randomUUID().slice(0, 8)}`;
    const before = await api(S).get(`/locations/${gln.roastery}/stock`).set('Authorization', sup).expect(200);
    const had = before.body.positions.find((p: { lotCode: string }) => p.lotCode === lot).quantity;
    const xml = `<WMMBID02><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1"><DOCNUM>${vbeln}7</DOCNUM><IDOCTYP>WMMBID02</IDOCTYP><MESTYP>WMMBXY</MESTYP></EDI_DC40>
      <E1MBXYH SEGMENT="1"><MBLNR>49${vbeln}</MBLNR>
        <E1MBXYI SEGMENT="1"><ZEILE>1</ZEILE><MATNR>MAT-ROAST</MATNR><WERKS>1000</WERKS><CHARG>${lot}</CHARG><BWART>261</BWART><ERFMG>50</ERFMG><AUFNR>7000${vbeln}</AUFNR></E1MBXYI>
        <E1MBXYI SEGMENT="1"><ZEILE>2</ZEILE><MATNR>MAT-ROAST</MATNR><WERKS>1000</WERKS><CHARG>${out}</CHARG><BWART>101</BWART><ERFMG>40</ERFMG><AUFNR>7000${vbeln}</AUFNR></E1MBXYI>
      </E1MBXYH></IDOC></WMMBID02>`;
    const res = await api(S).post('/sap/idocs').set('Authorization', sup).set('Content-Type', 'application/xml').send(xml);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.transactions.map((t: { fn: string }) => t.fn)).to.deep.equal(['TransformLots']);
    const after = await api(S).get(`/locations/${gln.roastery}/stock`).set('Authorization', sup).expect(200);
    const qty = (l: string) => after.body.positions.find((p: { lotCode: string }) => p.lotCode === l)?.quantity;
    expect(Number(qty(lot))).to.equal(Number(had) - 50);
    expect(qty(out)).to.equal('40.000');
    const produced = await api(S).get(`/lots/${gtin}/${out}`).set('Authorization', sup).expect(200);
    expect(JSON.stringify(produced.body)).to.include(lot);
  });
});
