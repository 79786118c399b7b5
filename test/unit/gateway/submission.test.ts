import { expect } from 'chai';
import pino from 'pino';
import request from 'supertest';
import { ServiceError } from '../../../lib/platform/src';
import { createRateLimiter } from '../../../lib/platform/src/http/rate-limit';
import { waitFor } from '../../fixtures/wait-for';
import { createTestGateway, type TestGateway } from './fakes';
import { SAMPLES } from './samples';

const mvcc = () => new ServiceError({ code: 'MVCC_READ_CONFLICT', message: 'conflict', httpStatus: 409, retriable: true });
const down = () => new ServiceError({ code: 'LEDGER_UNAVAILABLE', message: 'no peers', httpStatus: 503, retriable: true });

describe('gateway submission semantics', function () {
  this.timeout(30_000);
  let t: TestGateway;
  let auth: string;
  beforeEach(async () => {
    t = await createTestGateway({ syncAttempts: 3 });
    auth = `Bearer ${await t.token(['admin'], 'ops')}`;
  });
  afterEach(() => t.close());
  const post = (path: string, body: object) => request(t.gateway.app).post(path).set('Authorization', auth).send(body);

  it('retries MVCC read conflicts with the same eventId, then answers 201', async () => {
    t.ledger.failNext.push(mvcc(), mvcc());
    const res = await post('/products', SAMPLES.registerProduct.body as object);
    expect(res.status).to.equal(201);
    expect(res.body).to.include.keys('txId', 'blockNumber', 'eventId', 'result');
    expect(t.ledger.submitted).to.have.length(1);
  });

  it('answers 503 with Retry-After when the ledger stays unavailable', async () => {
    t.ledger.failNext.push(down(), down(), down());
    const res = await post('/products', SAMPLES.registerProduct.body as object);
    expect(res.status).to.equal(503);
    expect(res.headers['retry-after']).to.match(/^\d+$/);
    expect(res.body.code).to.equal('LEDGER_UNAVAILABLE');
  });

  it('does not retry chaincode verdicts and maps them to HTTP', async () => {
    const cases: Array<[string, number, string | undefined, number]> = [
      ['DUPLICATE', 409, 'gtin', 409],
      ['FORBIDDEN', 403, 'gln', 403],
      ['INSUFFICIENT_STOCK', 422, 'lines[0].quantity', 422],
      ['NOT_FOUND', 404, 'gtin', 422], // a body reference: 422
    ];
    for (const [code, httpStatus, field, expected] of cases) {
      t.ledger.failNext.push(new ServiceError({ code, message: `${code} happened`, httpStatus, details: { field } }));
      const res = await post('/products', SAMPLES.registerProduct.body as object);
      expect(res.status, code).to.equal(expected);
      expect(res.body.code).to.equal(code);
      expect(res.body.errors[0].field).to.equal(field);
    }
    const missing = await request(t.gateway.app).post('/shipments/MISSING/dispatch').set('Authorization', auth);
    expect(missing.status).to.equal(404);
  });

  it('stores an async submission before trying it; the worker commits it or keeps it pending while the ledger is down', async () => {
    const res = await post('/products?mode=async', SAMPLES.registerProduct.body as object);
    expect(res.status).to.equal(202);
    const id = res.body.submissionId;
    expect(t.store.rows.get(id)!.status).to.equal('pending');
    expect(t.ledger.submitted).to.have.length(0);
    for (let i = 0; i < 1000; i++) t.ledger.failNext.push(down());
    t.gateway.worker.start();
    // The worker tried (the ledger refused) and put the submission back to wait for its next attempt.
    await waitFor('a failed attempt', () => t.store.rows.get(id)!.error !== undefined, 5000, 10).finally(() => t.gateway.worker.stop());
    expect(t.store.rows.get(id)!.status).to.equal('pending');
    expect(t.store.rows.get(id)!.attempts).to.be.greaterThan(0);
    t.ledger.failNext.length = 0;
    t.gateway.worker.start();
    await waitFor('the commit', () => t.store.rows.get(id)!.status === 'committed', 5000, 10).finally(() => t.gateway.worker.stop());
    expect(t.store.rows.get(id)!.status).to.equal('committed');
    const status = await request(t.gateway.app).get(res.headers.location).set('Authorization', auth).expect(200);
    expect(status.body.txId).to.be.a('string');
  });

  it('Prefer: respond-async selects async mode', async () => {
    const res = await request(t.gateway.app)
      .post('/products')
      .set('Authorization', auth)
      .set('Prefer', 'respond-async, wait=5')
      .send(SAMPLES.registerProduct.body as object);
    expect(res.status).to.equal(202);
  });

  it('replays an Idempotency-Key and derives one eventId from it', async () => {
    const a = await post('/products', SAMPLES.registerProduct.body as object).set('Idempotency-Key', 'k-1');
    const b = await post('/products', SAMPLES.registerProduct.body as object).set('Idempotency-Key', 'k-1');
    expect(b.body).to.deep.equal(a.body);
    expect(b.headers['idempotency-replayed']).to.equal('true');
    expect(t.ledger.submitted).to.have.length(1);
    const c = await post('/products', { ...(SAMPLES.registerProduct.body as object), description: 'changed' }).set('Idempotency-Key', 'k-1');
    expect(c.status).to.equal(422);
  });

  it('frees the Idempotency-Key after a transient failure so the retry can succeed', async () => {
    t.ledger.failNext.push(down(), down(), down());
    await post('/products', SAMPLES.registerProduct.body as object)
      .set('Idempotency-Key', 'k-2')
      .expect(503);
    await post('/products', SAMPLES.registerProduct.body as object)
      .set('Idempotency-Key', 'k-2')
      .expect(201);
  });

  it('rate-limits per client with 429 and Retry-After', async () => {
    const t2 = await createTestGateway({ rateLimit: { ratePerSec: 1, burst: 2 } });
    try {
      const a = `Bearer ${await t2.token(['admin'], 'greedy')}`;
      const b = `Bearer ${await t2.token(['admin'], 'polite')}`;
      const get = (tok: string) => request(t2.gateway.app).get('/events/e1').set('Authorization', tok);
      await get(a).expect(200);
      await get(a).expect(200);
      const limited = await get(a);
      expect(limited.status).to.equal(429);
      expect(limited.headers['retry-after']).to.equal('1');
      await get(b).expect(200);
    } finally {
      await t2.close();
    }
  });

  it('token bucket refills over time', () => {
    let now = 0;
    const l = createRateLimiter({ ratePerSec: 2, burst: 1, now: () => now });
    expect(l.take('c').ok).to.equal(true);
    expect(l.take('c').ok).to.equal(false);
    now += 500;
    expect(l.take('c').ok).to.equal(true);
  });

  it('stop() waits for in-flight synchronous submissions', async () => {
    const gw = await createTestGateway();
    const slow = gw.ledger.submit.bind(gw.ledger);
    let committed = false;
    let reached = false;
    gw.ledger.submit = async (req) => {
      reached = true;
      await new Promise((r) => setTimeout(r, 300));
      committed = true;
      return slow(req);
    };
    const { url } = await gw.gateway.start({ port: 0 });
    const tok = `Bearer ${await gw.token(['admin'])}`;
    const pending = request(url)
      .post('/products')
      .set('Authorization', tok)
      .send(SAMPLES.registerProduct.body as object);
    const result = pending.then((r) => r.status);
    // Stop only once the request is in flight at the ledger.
    await waitFor('the submission to reach the ledger', () => reached, 5000, 5);
    await gw.gateway.stop();
    expect(committed).to.equal(true);
    expect(await result).to.equal(201);
    await gw.close();
    void pino;
  });
});
