import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { uniqueGln, uniqueGtin } from '../../integration/chaincode/ledger-fixtures';
import { startGatewayFixture, type GatewayFixture } from './gateway-fixture';
import { waitFor } from '../../fixtures/wait-for';

const S = 'SupplierMSP';
const R = 'RetailerMSP';

describe('gateway over the real devnet and PostgreSQL', function () {
  this.timeout(300_000);
  let fx: GatewayFixture;
  let sup: string;
  let ret: string;
  const gln = { roastery: uniqueGln(S), dc: uniqueGln(R) };
  const gtin = uniqueGtin(S);
  const lot = `RB-${randomUUID().slice(0, 8)}`;
  const api = (msp: string) => request(fx.gateways[msp].url);

  before(async () => {
    fx = await startGatewayFixture([S, R]);
    sup = `Bearer ${await fx.token(S, ['supplier'], 'alice@roaster')}`;
    ret = `Bearer ${await fx.token(R, ['retailer-ops'], 'bob@retail')}`;
  });
  after(async () => fx?.stop());

  it('is ready: ledger and database reachable', async () => {
    const res = await api(S).get('/readyz').expect(200);
    expect(res.body.ledger.ok).to.equal(true);
    expect(res.body.database.ok).to.equal(true);
  });

  it('records a roastery → DC custody chain end to end through HTTP', async () => {
    const t0 = Date.now();
    const loc = await api(S)
      .post('/locations')
      .set('Authorization', sup)
      .send({ gln: gln.roastery, name: 'Roastery Hamburg', type: 'roastery', address: { country: 'DE' } });
    expect(loc.status, JSON.stringify(loc.body)).to.equal(201);
    expect(loc.body.txId).to.be.a('string');
    expect(loc.body.blockNumber).to.be.a('number').greaterThan(0);
    await api(R)
      .post('/locations')
      .set('Authorization', ret)
      .send({ gln: gln.dc, name: 'DC Berlin', type: 'dc', address: { country: 'DE' } })
      .expect(201);
    await api(S).post('/products').set('Authorization', sup).send({ gtin, description: 'Roasted beans 1kg', unit: 'KGM' }).expect(201);
    await api(S)
      .post('/lots')
      .set('Authorization', sup)
      .send({ gln: gln.roastery, gtin, lotCode: lot, quantity: '500', bestBeforeDate: '2027-06-01' })
      .expect(201);
    const sid = `SH-${lot}`;
    const created = await api(S)
      .post('/shipments')
      .set('Authorization', sup)
      .send({ shipmentId: sid, fromGln: gln.roastery, toGln: gln.dc, lines: [{ gtin, lotCode: lot, quantity: '200' }] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.result.shipment.endorsers).to.deep.equal([R, S]);
    await api(S).post(`/shipments/${sid}/dispatch`).set('Authorization', sup).expect(201);
    const received = await api(R)
      .post(`/shipments/${sid}/receive`)
      .set('Authorization', ret)
      .send({ lines: [{ lineNo: 1, received: '198', damaged: '2' }] });
    expect(received.status, JSON.stringify(received.body)).to.equal(201);
    expect(received.body.result.shipment.status).to.equal('received');
    const stock = await api(R).get(`/locations/${gln.dc}/stock`).set('Authorization', ret).expect(200);
    expect(stock.body.total).to.equal('198.000');
    const ev = await api(R)
      .get(`/events/${encodeURIComponent(received.body.eventId)}`)
      .set('Authorization', ret)
      .expect(200);
    expect(ev.body.event.actor).to.equal('bob@retail');
    console.log(`      (7 REST submissions end to end in ${Date.now() - t0} ms)`);
  });

  it('maps chaincode errors to HTTP: 422 unknown reference, 409 duplicate, 404 unknown shipment, 422 insufficient stock, 403 foreign location', async () => {
    const unknown = await api(S)
      .post('/lots')
      .set('Authorization', sup)
      .send({ gln: gln.roastery, gtin: uniqueGtin(S), lotCode: 'X1', quantity: '1' });
    expect(unknown.status).to.equal(422);
    expect(unknown.body).to.include({ code: 'NOT_FOUND' });
    expect(unknown.body.errors[0].field).to.equal('gtin');
    const dup = await api(S).post('/products').set('Authorization', sup).send({ gtin, description: 'again', unit: 'KGM' });
    expect(dup.status).to.equal(409);
    expect(dup.body.code).to.equal('DUPLICATE');
    const missing = await api(S).post('/shipments/NO-SUCH-SHIPMENT/dispatch').set('Authorization', sup);
    expect(missing.status).to.equal(404);
    expect(missing.headers['content-type']).to.match(/application\/problem\+json/);
    const short = await api(S)
      .post('/adjustments')
      .set('Authorization', sup)
      .send({ gln: gln.roastery, reason: 'waste', lines: [{ gtin, lotCode: lot, delta: '-100000' }] });
    expect(short.status).to.equal(422);
    expect(short.body.code).to.equal('INSUFFICIENT_STOCK');
    const foreign = await api(R)
      .post('/adjustments')
      .set('Authorization', ret)
      .send({ gln: gln.roastery, reason: 'waste', lines: [{ gtin, lotCode: lot, delta: '-1' }] });
    expect(foreign.status).to.equal(403);
    expect(foreign.body.code).to.equal('FORBIDDEN');
  });

  it('replays the first response for a repeated Idempotency-Key, and rejects the key for a different body', async () => {
    const key = randomUUID();
    const g2 = uniqueGtin(S);
    const first = await api(S)
      .post('/products')
      .set('Authorization', sup)
      .set('Idempotency-Key', key)
      .send({ gtin: g2, description: 'Decaf 250g', unit: 'KGM' });
    expect(first.status).to.equal(201);
    const again = await api(S)
      .post('/products')
      .set('Authorization', sup)
      .set('Idempotency-Key', key)
      .send({ gtin: g2, description: 'Decaf 250g', unit: 'KGM' });
    expect(again.status).to.equal(201);
    expect(again.headers['idempotency-replayed']).to.equal('true');
    expect(again.body).to.deep.equal(first.body);
    const hist = await api(S)
      .get(`/history?key=product~${g2.padStart(14, '0')}`)
      .set('Authorization', sup)
      .expect(200);
    expect(hist.body.history).to.have.length(1);
    const other = await api(S)
      .post('/products')
      .set('Authorization', sup)
      .set('Idempotency-Key', key)
      .send({ gtin: uniqueGtin(S), description: 'other', unit: 'KGM' });
    expect(other.status).to.equal(422);
    expect(other.body.code).to.equal('IDEMPOTENCY_KEY_REUSED');
  });

  it('async mode: 202 with a status URL, committed by the worker', async () => {
    const res = await api(S)
      .post('/products?mode=async')
      .set('Authorization', sup)
      .send({ gtin: uniqueGtin(S), description: 'Async beans', unit: 'KGM' });
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    expect(res.headers.location).to.equal(res.body.statusUrl);
    const status = await waitFor(
      'the worker to finish the submission',
      async () => {
        const body = (await api(S).get(res.headers.location).set('Authorization', sup).expect(200)).body;
        return body.status === 'committed' || body.status === 'failed' ? body : undefined;
      },
      30_000,
      300,
    );
    expect(status.status, JSON.stringify(status)).to.equal('committed');
    expect(status.txId).to.be.a('string');
    const other = await api(S)
      .get(res.headers.location)
      .set('Authorization', `Bearer ${await fx.token(S, ['supplier'], 'mallory')}`);
    expect(other.status).to.equal(404);
  });
});
