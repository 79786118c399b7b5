import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { uniqueGln, uniqueGtin } from '../../integration/chaincode/ledger-fixtures';
import { startGatewayFixture, type GatewayFixture } from './gateway-fixture';

const R = 'RetailerMSP';

describe('POS roll-up on the real devnet: store batches booked per region in one transaction', function () {
  this.timeout(300_000);
  let fx: GatewayFixture;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-rollup-'));
  const store = { a: uniqueGln(R), b: uniqueGln(R), c: uniqueGln(R) };
  const gtin = uniqueGtin(R);
  const lot = (s: string) => `L-${s}-${randomUUID().slice(0, 6)}`;
  const lots = { a: lot('a'), b: lot('b'), c: lot('c') };
  const tag = randomUUID().slice(0, 8);
  const api = () => request(fx.gateways[R].url);
  let ret: string;

  const receipt = (storeId: string, n: number, quantity: string, kind: 'sale' | 'return' = 'sale') => ({
    storeId,
    receiptId: `${tag}-${storeId}-${n}`,
    at: '2026-11-26T10:00:00Z',
    lines: [{ gtin, quantity, kind }],
  });
  const onHand = async (gln: string) => (await api().get(`/locations/${gln}/stock`).set('Authorization', ret).expect(200)).body.total as string;

  /** Polls the batch status route until no batch is pending. */
  async function settled(batchIds: string[]): Promise<Record<string, any>> {
    const out: Record<string, any> = {};
    for (let i = 0; i < 120; i++) {
      for (const id of batchIds) out[id] = (await api().get(`/pos/batches/${id}`).set('Authorization', ret).expect(200)).body;
      if (Object.values(out).every((b) => b.status !== 'pending')) return out;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`batches still pending: ${JSON.stringify(out)}`);
  }

  before(async () => {
    fs.writeFileSync(
      path.join(dir, 'mappings.json'),
      JSON.stringify({ pos: { stores: { A: store.a, B: store.b, C: store.c }, regions: { [store.a]: 'north', [store.b]: 'north' } } }),
    );
    fx = await startGatewayFixture([R], {
      ADAPTER_MAPPINGS_FILE: path.join(dir, 'mappings.json'),
      POS_ROLLUP_INTERVAL_MS: '300',
      POS_ROLLUP_DEFAULT_REGION: 'south',
    });
    ret = `Bearer ${await fx.token(R, ['retailer-ops', 'pos'], 'pos-hub')}`;
    await api().post('/products').set('Authorization', ret).send({ gtin, description: 'Beans 250g', unit: 'H87' }).expect(201);
    for (const k of ['a', 'b', 'c'] as const) {
      await api()
        .post('/locations')
        .set('Authorization', ret)
        .send({ gln: store[k], name: `Store ${k}`, type: 'store', address: { country: 'DE' } })
        .expect(201);
      await api().post('/lots').set('Authorization', ret).send({ gln: store[k], gtin, lotCode: lots[k], quantity: '10' }).expect(201);
    }
  });
  after(async () => {
    await fx?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  let first: { body: any; upload: object };

  it('answers 202 at once, books the stores of a region in one transaction, decrements each store and proves every receipt', async () => {
    const upload = { receipts: [receipt('A', 1, '2'), receipt('A', 2, '1'), receipt('B', 1, '3'), receipt('C', 1, '4')] };
    const res = await api().post('/pos/sales?mode=rollup').set('Authorization', ret).send(upload);
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    expect(res.body.batches.map((b: any) => [b.gln, b.status, b.region])).to.have.deep.members([
      [store.a, 'pending', 'north'],
      [store.b, 'pending', 'north'],
      [store.c, 'pending', 'south'],
    ]);
    first = { body: res.body, upload };
    const done = await settled(res.body.batches.map((b: any) => b.batchId));
    const byGln = Object.fromEntries(Object.values(done).map((b: any) => [b.gln, b]));
    for (const b of Object.values(done)) expect(b.status, JSON.stringify(b)).to.equal('committed');
    // One roll-up transaction for the north region; the south region is its own.
    expect(byGln[store.a].txId).to.equal(byGln[store.b].txId);
    expect(byGln[store.a].rollupId).to.equal(byGln[store.b].rollupId);
    expect(byGln[store.c].txId).to.not.equal(byGln[store.a].txId);
    expect(await onHand(store.a)).to.equal('7.000');
    expect(await onHand(store.b)).to.equal('7.000');
    expect(await onHand(store.c)).to.equal('6.000');
    for (const [s, n] of [
      ['A', 1],
      ['A', 2],
      ['B', 1],
      ['C', 1],
    ] as const) {
      const gln = { A: store.a, B: store.b, C: store.c }[s];
      const p = await api().get(`/pos/receipts/${gln}/${tag}-${s}-${n}/proof`).set('Authorization', ret).expect(200);
      expect(p.body.verified, JSON.stringify(p.body)).to.equal(true);
      expect(p.body.ledgerTxId).to.equal(byGln[gln].txId);
      // Receipt → store root on the store's sales record, store root → region root on the region record.
      expect(p.body.region).to.include({ verified: true, rollupId: byGln[gln].rollupId, ledgerTxId: byGln[gln].txId });
      expect(p.body.region.ledgerRegionRoot).to.equal(byGln[gln].regionRoot);
    }
  });

  it('a resent upload is recognised and books nothing twice', async () => {
    const res = await api().post('/pos/sales?mode=rollup').set('Authorization', ret).send(first.upload);
    expect(res.status).to.equal(202);
    expect(res.body.resent).to.equal(3);
    expect(res.body.batches.map((b: any) => b.batchId)).to.have.members(first.body.batches.map((b: any) => b.batchId));
    for (const b of res.body.batches) expect(b).to.include({ resent: true, status: 'committed' });
    await new Promise((r) => setTimeout(r, 1500)); // a few flush intervals
    expect(await onHand(store.a)).to.equal('7.000');
    expect(await onHand(store.c)).to.equal('6.000');
  });

  it('a batch booked earlier by RecordSales and then uploaded for the roll-up is recorded as committed, not booked again', async () => {
    const upload = { receipts: [receipt('C', 2, '1')] };
    const sync = await api().post('/pos/sales').set('Authorization', ret).send(upload);
    expect(sync.status, JSON.stringify(sync.body)).to.equal(201);
    expect(await onHand(store.c)).to.equal('5.000');
    const res = await api().post('/pos/sales?mode=rollup').set('Authorization', ret).send(upload);
    expect(res.status).to.equal(202);
    const [b] = Object.values(await settled([res.body.batches[0].batchId]));
    expect(b).to.include({ status: 'committed', txId: sync.body.batches[0].outcome.txId });
    expect(await onHand(store.c)).to.equal('5.000');
  });

  it('a store the ledger refuses is reported with reason and POSLog field; the other stores of its region are booked', async () => {
    const poslog = `<POSLog xmlns="http://www.nrf-arts.org/IXRetail/v6.0.0/poslog">
      <Transaction><BusinessUnit><UnitID>A</UnitID></BusinessUnit><TransactionID>${tag}-A-9</TransactionID><RetailTransaction>
        <LineItem><Sale><ItemID>${gtin}</ItemID><Quantity>1</Quantity></Sale></LineItem></RetailTransaction></Transaction>
      <Transaction><BusinessUnit><UnitID>B</UnitID></BusinessUnit><TransactionID>${tag}-B-9</TransactionID><RetailTransaction>
        <LineItem><Sale><ItemID>${gtin}</ItemID><Quantity>50</Quantity></Sale></LineItem></RetailTransaction></Transaction>
    </POSLog>`;
    const res = await api().post('/pos/sales?mode=rollup').set('Authorization', ret).set('Content-Type', 'application/xml').send(poslog);
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    const done = await settled(res.body.batches.map((b: any) => b.batchId));
    const byGln = Object.fromEntries(Object.values(done).map((b: any) => [b.gln, b]));
    expect(byGln[store.a].status).to.equal('committed');
    expect(byGln[store.b].status).to.equal('refused');
    expect(byGln[store.b].error).to.include({
      code: 'INSUFFICIENT_STOCK',
      field: 'lines[0].quantity',
      sourceField: '/POSLog/Transaction[2]/RetailTransaction/LineItem[1]/Sale/Quantity',
    });
    expect(await onHand(store.a)).to.equal('6.000');
    expect(await onHand(store.b)).to.equal('7.000');
    // The refused store's receipt has its proof kept, but no root on the ledger to check it against.
    const p = await api().get(`/pos/receipts/${store.b}/${tag}-B-9/proof`).set('Authorization', ret).expect(200);
    expect(p.body.verified).to.equal(false);
    const ok = await api().get(`/pos/receipts/${store.a}/${tag}-A-9/proof`).set('Authorization', ret).expect(200);
    expect(ok.body.verified, JSON.stringify(ok.body)).to.equal(true);
  });

  it('answers 404 for a batch it does not hold and 400 for a malformed batch id', async () => {
    await api().get('/pos/batches/pos-000000000000000000000000').set('Authorization', ret).expect(404);
    await api().get('/pos/batches/nope').set('Authorization', ret).expect(400);
  });
});
