import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import request from 'supertest';
import { ROLES } from '../../../lib/domain/src/roles';
import { startGatewayFixture, type GatewayFixture } from './gateway-fixture';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/** Runs a command to its end without blocking this process (the gateway under test lives here). */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: ROOT, env, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, output: `${stdout}\n${stderr}` });
    });
  });
}

describe('gateway API keeps to its OpenAPI document', function () {
  this.timeout(400_000);
  let fx: GatewayFixture;
  let url: string;
  let auth: string;

  before(async () => {
    fx = await startGatewayFixture(['RetailerMSP']);
    url = fx.gateways.RetailerMSP.url;
    auth = `Bearer ${await fx.token('RetailerMSP', [...ROLES], 'fuzzer')}`;
  });
  after(async () => {
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
      GATEWAY_URL: url,
      GATEWAY_TOKEN: auth.slice('Bearer '.length),
      FUZZ_MAX_EXAMPLES: process.env.FUZZ_MAX_EXAMPLES ?? '3',
      FUZZ_SEED: '17',
      // Bounded: the schemas' examples and boundaries (valid and invalid); random fuzzing and stateful sequences,
      // which mostly wait for ledger commits, run in `npm run fuzz:gateway`.
      FUZZ_PHASES: process.env.FUZZ_PHASES ?? 'examples,coverage',
    };
    const t0 = Date.now();
    const { code, output } = await run('bash', ['scripts/fuzz-gateway.sh'], env, 360_000);
    const summary = output
      .split('\n')
      .filter((l) => /test cases|passed|failed|errors?\b|API Operations|Seed/i.test(l))
      .slice(-12);
    console.log(`      (schemathesis: ${((Date.now() - t0) / 1000).toFixed(0)} s)\n${summary.map((l) => `      ${l.trim()}`).join('\n')}`);
    expect(code, output.slice(-20_000)).to.equal(0);
    expect(output).to.match(/\d+ generated/);
  });
});
