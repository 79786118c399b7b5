import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { uniqueGln, uniqueGtin } from '../chaincode/ledger-fixtures';
import { startGatewayFixture, type GatewayFixture } from './gateway-fixture';

/**
 * The proof routes on the shared devnet: two competing members, each asking its own organisation's gateway.
 * A member gets proofs of its own records; another member's lot, transaction or block answers 404, with the
 * body of a record that does not exist. The auditor role gets every proof.
 */
describe("a gateway's proofs are scoped to the caller's organisation", function () {
  this.timeout(300_000);
  const S = 'SupplierMSP';
  const R = 'RetailerMSP';
  let fx: GatewayFixture;
  const auth: Record<string, string> = {};
  /** Each member's lot and the transaction that commissioned it. */
  const own: Record<string, { gtin: string; lotCode: string; txId: string; block: number }> = {};
  const api = (msp: string) => request(fx.gateways[msp].url);
  const get = (msp: string, path: string, as = auth[msp]) => api(msp).get(path).set('Authorization', as);

  before(async () => {
    fx = await startGatewayFixture([S, R]);
    auth[S] = `Bearer ${await fx.token(S, ['supplier'], 'roaster@supplier')}`;
    auth[R] = `Bearer ${await fx.token(R, ['retailer-ops'], 'ops@retailer')}`;
    for (const msp of [S, R]) {
      const gln = uniqueGln(msp);
      const gtin = uniqueGtin(msp);
      const lotCode = `PV-${randomUUID().slice(0, 8)}`;
      await api(msp)
        .post('/locations')
        .set('Authorization', auth[msp])
        .send({ gln, name: `Site of ${msp}`, type: msp === S ? 'supplier_site' : 'dc', address: { country: 'DE' } })
        .expect(201);
      await api(msp)
        .post('/products')
        .set('Authorization', auth[msp])
        .send({ gtin, description: `Beans of ${msp}`, unit: 'KGM' })
        .expect(201);
      const lot = await api(msp).post('/lots').set('Authorization', auth[msp]).send({ gln, gtin, lotCode, quantity: '100' });
      expect(lot.status, JSON.stringify(lot.body)).to.equal(201);
      own[msp] = { gtin, lotCode, txId: lot.body.txId as string, block: lot.body.blockNumber as number };
    }
  });
  after(async () => fx?.stop());

  /** A 404's body without its request id. */
  const notFound = (res: request.Response, what: string) => {
    expect(res.status, `${what}: ${JSON.stringify(res.body)}`).to.equal(404);
    const { requestId: _id, ...rest } = res.body as Record<string, unknown>;
    return rest;
  };

  for (const [reader, other] of [
    [S, R],
    [R, S],
  ]) {
    it(`${reader} gets no proof of ${other}'s lot, transaction or block: 404 as if absent`, async () => {
      const theirs = own[other];
      const absentTx = randomUUID().replace(/-/g, '').repeat(2);
      for (const suffix of ['', '/raw']) {
        const hidden = notFound(await get(reader, `/provenance/transactions/${theirs.txId}${suffix}`), `transaction${suffix}`);
        expect(hidden, suffix).to.deep.equal(notFound(await get(reader, `/provenance/transactions/${absentTx}${suffix}`), `absent transaction${suffix}`));
      }
      const lot = notFound(await get(reader, `/provenance/lots/${theirs.gtin}/${theirs.lotCode}`), 'lot');
      expect(lot).to.deep.equal(notFound(await get(reader, `/provenance/lots/${theirs.gtin}/NO-SUCH-${theirs.lotCode}`), 'absent lot'));
      const block = notFound(await get(reader, `/provenance/blocks/${theirs.block}/raw`), 'block');
      expect(block).to.deep.equal(notFound(await get(reader, '/provenance/blocks/999999999/raw'), 'absent block'));
    });

    it(`${reader} gets the proofs of its own lot and transaction`, async () => {
      const mine = own[reader];
      const tx = await get(reader, `/provenance/transactions/${mine.txId}`);
      expect(tx.status, JSON.stringify(tx.body)).to.equal(200);
      expect(tx.body).to.deep.include({ txId: mine.txId, ok: true, creatorMspId: reader });
      const raw = await get(reader, `/provenance/transactions/${mine.txId}/raw`);
      expect(raw.status, JSON.stringify(raw.body)).to.equal(200);
      expect(raw.body.block.number).to.equal(String(mine.block));
      const lot = await get(reader, `/provenance/lots/${mine.gtin}/${mine.lotCode}`);
      expect(lot.status, JSON.stringify(lot.body)).to.equal(200);
      expect(lot.body.ok).to.equal(true);
      expect(lot.body.lots[0].txIds).to.include(mine.txId);
      expect((await get(reader, `/provenance/blocks/${mine.block}/raw`)).status).to.equal(200);
    });
  }

  it('keeps the provenance of a lot with the member that received it and shipped all of it away, and of the blend it made', async () => {
    const site = uniqueGln(S);
    const dc = uniqueGln(R);
    const [gtin, blendGtin] = [uniqueGtin(S), uniqueGtin(R)];
    const [lotCode, blendCode, tag] = [`HS-${randomUUID().slice(0, 8)}`, `HB-${randomUUID().slice(0, 8)}`, randomUUID().slice(0, 8)];
    const post = async (msp: string, path: string, body: object) => {
      const res = await api(msp).post(path).set('Authorization', auth[msp]).send(body);
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).to.equal(201);
      return res.body as { txId: string };
    };
    await post(S, '/locations', { gln: site, name: 'Roastery', type: 'supplier_site', address: { country: 'DE' } });
    await post(R, '/locations', { gln: dc, name: 'DC', type: 'dc', address: { country: 'DE' } });
    await post(S, '/products', { gtin, description: 'Green beans', unit: 'KGM' });
    await post(R, '/products', { gtin: blendGtin, description: 'House blend', unit: 'KGM' });
    const commission = await post(S, '/lots', { gln: site, gtin, lotCode, quantity: '100' });
    // The supplier ships 40 to the retailer, which blends 30 of them and ships the rest and the whole blend back.
    await post(S, '/shipments', { shipmentId: `HS-IN-${tag}`, fromGln: site, toGln: dc, lines: [{ gtin, lotCode, quantity: '40' }] });
    await post(S, `/shipments/HS-IN-${tag}/dispatch`, {});
    await post(R, `/shipments/HS-IN-${tag}/receive`, { lines: [{ lineNo: 1, received: '40' }] });
    await post(R, '/lots/transformations', {
      gln: dc,
      inputs: [{ gtin, lotCode, quantity: '30' }],
      outputs: [{ gtin: blendGtin, lotCode: blendCode, quantity: '30' }],
    });
    const out = `HS-OUT-${tag}`;
    await post(R, '/shipments', {
      shipmentId: out,
      fromGln: dc,
      toGln: site,
      lines: [
        { gtin, lotCode, quantity: '10' },
        { gtin: blendGtin, lotCode: blendCode, quantity: '30' },
      ],
    });
    await post(R, `/shipments/${out}/dispatch`, {});
    expect((await get(R, `/locations/${dc}/stock`)).body.positions).to.deep.equal([]);

    // The retailer holds none of either lot now, and still sees both lots' provenance, as the query API shows it.
    for (const path of [
      `/lots/${gtin}/${lotCode}`,
      `/lots/${gtin}/${lotCode}/trace`,
      `/history?key=lot~${gtin}~${lotCode}`,
      `/provenance/lots/${gtin}/${lotCode}`,
    ]) {
      const res = await get(R, path);
      expect(res.status, `${path}: ${JSON.stringify(res.body).slice(0, 300)}`).to.equal(200);
    }
    const trace = (await get(R, `/lots/${gtin}/${lotCode}/trace`)).body;
    // No stock anywhere of the retailer's, and not the supplier's stock at the roastery.
    expect(trace.positions).to.deep.equal([]);
    expect(trace.descendants.map((d: { lotCode: string }) => d.lotCode)).to.deep.equal([blendCode]);
    const blend = await get(R, `/provenance/lots/${blendGtin}/${blendCode}`);
    expect(blend.status, JSON.stringify(blend.body).slice(0, 300)).to.equal(200);
    expect(blend.body.ok).to.equal(true);
    // Every transaction the blend's proof embeds answers alone, the supplier's commissioning of the beans included.
    const embedded = (blend.body.proofs as Array<{ txId: string }>).map((p) => p.txId);
    expect(embedded).to.include(commission.txId);
    for (const txId of embedded) expect((await get(R, `/provenance/transactions/${txId}`)).status, txId).to.equal(200);
    // The supplier does not learn where the retailer held the beans, nor of the blend it made from them.
    const supplierView = (await get(S, `/lots/${gtin}/${lotCode}/trace`)).body;
    expect(supplierView.positions.map((p: { gln: string }) => p.gln)).to.deep.equal([site]);
    expect(supplierView.descendants).to.deep.equal([]);
    expect(JSON.stringify(supplierView)).not.to.include(dc);
    expect((await get(S, `/lots/${blendGtin}/${blendCode}/trace`)).status).to.equal(404);
  });

  it("gives the auditor role every member's proofs", async () => {
    const auditor = `Bearer ${await fx.token(S, ['auditor'], 'auditor@supplier')}`;
    for (const msp of [S, R]) {
      const { gtin, lotCode, txId, block } = own[msp];
      for (const path of [
        `/provenance/transactions/${txId}`,
        `/provenance/transactions/${txId}/raw`,
        `/provenance/lots/${gtin}/${lotCode}`,
        `/provenance/blocks/${block}/raw`,
      ]) {
        const res = await get(S, path, auditor);
        expect(res.status, `${path}: ${JSON.stringify(res.body).slice(0, 200)}`).to.equal(200);
      }
    }
  });
});
