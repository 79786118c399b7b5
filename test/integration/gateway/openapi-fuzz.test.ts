import { expect } from 'chai';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { DocPage } from '../../fixtures/doc-shell';
import { SHARED_PORT_BASE, testDevnetConfig } from '../../fixtures/test-devnet';
import { ROLES } from '../../../lib/domain/src/roles';
import { startGatewayFixture, type GatewayFixture } from './gateway-fixture';

describe('gateway API keeps to its OpenAPI document', function () {
  this.timeout(400_000);
  // The page's `npm run fuzz:gateway`, run as written with the documented settings that bound it.
  const page = new DocPage('docs/api-fuzzing.md', __filename);
  let fx: GatewayFixture;
  let url: string;
  let auth: string;

  before(async () => {
    fx = await startGatewayFixture(['RetailerMSP']);
    url = fx.gateways.RetailerMSP.url;
    auth = `Bearer ${await fx.token('RetailerMSP', [...ROLES], 'fuzzer')}`;
  });
  after(async () => {
    await page.close();
    await fx?.stop();
  });

  it('answers 404 problem+json for ids the ledger does not hold', async () => {
    const unknown = [
      `/provenance/transactions/${randomBytes(32).toString('hex')}`,
      `/lots/07612345100012/NO-${randomBytes(4).toString('hex')}`,
      `/shipments/NO-${randomUUID()}`,
      `/purchase-orders/NO-${randomUUID()}`,
      `/events/NO-${randomUUID()}`,
      `/submissions/${randomUUID()}`,
    ];
    for (const p of unknown) {
      const res = await request(url).get(p).set('Authorization', auth);
      expect(res.status, `${p}: ${JSON.stringify(res.body)}`).to.equal(404);
      expect(res.headers['content-type'], p).to.match(/^application\/problem\+json/);
      expect(res.body.code, p).to.be.a('string');
    }
  });

  it('passes a seeded schemathesis run from its own /openapi.json: no 5xx, no answer the document does not allow', async () => {
    const env = {
      ...process.env,
      FABRIC_PORT_BASE: String(SHARED_PORT_BASE),
      FABRIC_RUN_DIR: testDevnetConfig(SHARED_PORT_BASE).runDir,
      GATEWAY_URL: url,
      GATEWAY_TOKEN: auth.slice('Bearer '.length),
      FUZZ_MAX_EXAMPLES: process.env.FUZZ_MAX_EXAMPLES ?? '3',
      FUZZ_SEED: '17',
      // Bounded: the schemas' examples and boundaries (valid and invalid); random fuzzing and stateful sequences,
      // which mostly wait for ledger commits, run in `npm run fuzz:gateway`.
      FUZZ_PHASES: process.env.FUZZ_PHASES ?? 'examples,coverage',
    };
    const t0 = Date.now();
    const output = await page.next(env);
    const summary = output
      .split('\n')
      .filter((l) => /test cases|passed|failed|errors?\b|API Operations|Seed/i.test(l))
      .slice(-12);
    console.log(`      (schemathesis: ${((Date.now() - t0) / 1000).toFixed(0)} s)\n${summary.map((l) => `      ${l.trim()}`).join('\n')}`);
    expect(output).to.match(/\d+ generated/);
  });
});
