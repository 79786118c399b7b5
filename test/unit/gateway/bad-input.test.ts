import { expect } from 'chai';
import fc from 'fast-check';
import request from 'supertest';
import { createTestGateway, type TestGateway } from './fakes';
import { GLN_A, GTIN, LOT, SAMPLES } from './samples';

/**
 * A corpus of malformed, truncated, oversized and hostile requests: never a
 * 5xx, never a ledger call, always problem+json naming the problem.
 */
describe('gateway bad-input corpus', function () {
  this.timeout(120_000);
  let t: TestGateway;
  let auth: string;

  before(async () => {
    t = await createTestGateway({ bodyLimit: '64kb' });
    auth = `Bearer ${await t.token(['admin'])}`;
  });
  after(() => t.close());

  async function send(path: string, body: string | object, contentType = 'application/json') {
    const before = t.ledger.submitted.length;
    const res = await request(t.gateway.app)
      .post(path)
      .set('Authorization', auth)
      .set('Content-Type', contentType)
      .send(typeof body === 'string' ? body : JSON.stringify(body));
    expect(res.status, `${path} ${String(body).slice(0, 80)} → ${JSON.stringify(res.body)}`).to.be.within(400, 499);
    expect(res.headers['content-type']).to.match(/application\/problem\+json/);
    expect(res.body.code).to.be.a('string');
    expect(res.body.message).to.be.a('string').and.not.empty;
    expect(t.ledger.submitted.length, 'no ledger write').to.equal(before);
    return res.body as { code: string; errors?: Array<{ field: string; message: string }> };
  }

  const fieldsOf = (p: { errors?: Array<{ field: string }> }) => (p.errors ?? []).map((e) => e.field);
  const lot = (q: unknown) => ({ gln: GLN_A, gtin: GTIN, lotCode: LOT, quantity: q });

  const namedCases: Array<[string, string, object, string]> = [
    ['negative quantity', '/lots', lot('-5'), 'quantity'],
    ['zero quantity', '/lots', lot('0'), 'quantity'],
    ['numeric quantity', '/lots', lot(5), 'quantity'],
    ['non-numeric quantity', '/lots', lot('five'), 'quantity'],
    ['exponent quantity', '/lots', lot('1e9'), 'quantity'],
    ['too many decimals', '/lots', lot('1.0001'), 'quantity'],
    ['huge quantity', '/lots', lot('9'.repeat(40)), 'quantity'],
    ['GTIN with bad check digit', '/lots', { ...lot('1'), gtin: '04000001000019' }, 'gtin'],
    ['GLN with letters', '/lots', { ...lot('1'), gln: '40000010000AB' }, 'gln'],
    ['missing lotCode', '/lots', { gln: GLN_A, gtin: GTIN, quantity: '1' }, 'lotCode'],
    ['unknown field', '/lots', { ...lot('1'), actor: 'someone-else' }, 'actor'],
    ['nested line quantity', '/transfers', { fromGln: GLN_A, toGln: GLN_A, lines: [{ gtin: GTIN, lotCode: LOT, quantity: '-1' }] }, 'lines[0].quantity'],
    ['empty lines', '/transfers', { fromGln: GLN_A, toGln: GLN_A, lines: [] }, 'lines'],
    ['wrong type for lines', '/transfers', { fromGln: GLN_A, toGln: GLN_A, lines: 'all of it' }, 'lines'],
    ['bad enum', '/adjustments', { gln: GLN_A, reason: 'lost-in-space', lines: [{ gtin: GTIN, lotCode: LOT, delta: '-1' }] }, 'reason'],
    ['zero delta', '/adjustments', { gln: GLN_A, reason: 'waste', lines: [{ gtin: GTIN, lotCode: LOT, delta: '0' }] }, 'lines[0].delta'],
    ['bad date', '/lots', { ...lot('1'), expiryDate: '2024-13-45' }, 'expiryDate'],
    ['lot code with ~', '/lots', { ...lot('1'), lotCode: 'A~B' }, 'lotCode'],
    ['bad eventId', '/products', { eventId: '~~', gtin: GTIN, description: 'x', unit: 'KGM' }, 'eventId'],
    [
      'bad payee',
      '/purchase-orders',
      { ...(SAMPLES.createPurchaseOrder.body as object), paymentTerms: { chainId: 1, asset: 'native', decimals: 18, amount: '1', payee: '0x12' } },
      'paymentTerms.payee',
    ],
    ['receive line number 0', '/shipments/SH-1/receive', { lines: [{ lineNo: 0, received: '1' }] }, 'lines[0].lineNo'],
  ];
  for (const [name, path, body, field] of namedCases) {
    it(`names ${field} for ${name}`, async () => {
      const p = await send(path, body);
      expect(fieldsOf(p), JSON.stringify(p)).to.include(field);
    });
  }

  it('rejects malformed and truncated JSON', async () => {
    const full = JSON.stringify(SAMPLES.commissionLot.body);
    for (const text of ['{', '{"gln":', full.slice(0, full.length - 3), 'null', '[]', '"str"', '12', '{"a":1}{"b":2}', '\u0000\u0001']) {
      const p = await send('/lots', text);
      expect(fieldsOf(p).length, text).to.be.greaterThan(0);
    }
  });

  it('rejects an oversized body with 413', async () => {
    const p = await send('/lots', { ...lot('1'), origin: { farm: 'x'.repeat(100_000) } });
    expect(p.code).to.equal('BODY_TOO_LARGE');
  });

  it('rejects deeply nested JSON without recursing', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const p = await send('/lots', `{"origin":{"geolocation":${deep}}}`);
    expect(fieldsOf(p)).to.include('body');
  });

  it('rejects a wrong content type with 415 or a named field', async () => {
    await send('/lots', '<lot/>', 'application/xml');
    await send('/lots', 'gln=1', 'application/x-www-form-urlencoded');
  });

  it('rejects prototype-pollution keys as unknown fields', async () => {
    const p = await send('/lots', `{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}},${JSON.stringify(lot('1')).slice(1)}`);
    expect(fieldsOf(p).join(' ')).to.match(/__proto__|constructor/);
    expect(({} as Record<string, unknown>).admin).to.equal(undefined);
  });

  it('rejects bad path parameters and query values', async () => {
    const get = (p: string) => request(t.gateway.app).get(p).set('Authorization', auth);
    for (const [p, field] of [
      [`/lots/123/${LOT}`, 'gtin'],
      [`/locations/abc/stock`, 'gln'],
      [`/history?key=nokey`, 'key'],
      ['/history', 'key'],
      ['/submissions/not-a-uuid', 'submissionId'],
    ]) {
      const res = await get(p);
      expect(res.status, p).to.equal(400);
      expect(fieldsOf(res.body), p).to.include(field);
    }
    const res = await request(t.gateway.app)
      .post('/products?mode=later')
      .set('Authorization', auth)
      .send(SAMPLES.registerProduct.body as object);
    expect(res.status).to.equal(400);
    expect(fieldsOf(res.body)).to.include('mode');
  });

  it('never answers random JSON bodies with a 5xx or a ledger write (property)', async () => {
    const paths = Object.values(SAMPLES)
      .filter((s) => s.method === 'post')
      .map((s) => s.path);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 4 }), async (path, value) => {
        const before = t.ledger.submitted.length;
        const res = await request(t.gateway.app).post(path).set('Authorization', auth).set('Content-Type', 'application/json').send(JSON.stringify(value));
        if (res.status >= 500) throw new Error(`${path} ${JSON.stringify(value)} → ${res.status}`);
        if (res.status >= 400) {
          if (t.ledger.submitted.length !== before) throw new Error('ledger write on a rejected request');
          if (!res.body.message) throw new Error('no message');
        }
      }),
      { numRuns: 300 },
    );
  });
});
