import { expect } from 'chai';
import * as path from 'node:path';
import { runToEnd } from '../../fixtures/run-to-end';
import { ROLES } from '../../../lib/domain/src';
import { queryToken, runChain, setUpChain, waitForBlock } from './harness';
import { startIndexedLedger, type IndexedLedger } from './indexed-ledger';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) => runToEnd(cmd, args, { cwd: ROOT, env, timeoutMs });

describe('query API keeps to its OpenAPI document', function () {
  this.timeout(400_000);
  let led: IndexedLedger;

  before(async () => {
    led = await startIndexedLedger();
    // Something to find: one farm-to-store chain, indexed.
    const chain = await setUpChain(led.orgs);
    await runChain(led.orgs, chain);
    await waitForBlock(led.pool, chain.lastBlock);
  });
  after(async () => {
    await led?.stop();
  });

  it('serves a valid OpenAPI 3.1 document and passes a seeded schemathesis run: no 5xx, no answer the document does not allow', async () => {
    const env = {
      ...process.env,
      QUERY_API_URL: `http://127.0.0.1:${led.indexer.httpPort()}`,
      QUERY_API_TOKEN: await queryToken(led.indexer, [...ROLES], 'fuzzer'),
      FUZZ_MAX_EXAMPLES: process.env.FUZZ_MAX_EXAMPLES ?? '3',
      FUZZ_SEED: '17',
      FUZZ_PHASES: process.env.FUZZ_PHASES ?? 'examples,coverage',
    };
    const t0 = Date.now();
    const { code, output } = await run('bash', ['scripts/fuzz-query-api.sh'], env, 360_000);
    const summary = output
      .split('\n')
      .filter((l) => /OK$|test cases|passed|failed|errors?\b|API Operations|Seed/i.test(l))
      .slice(-12);
    console.log(`      (schemathesis: ${((Date.now() - t0) / 1000).toFixed(0)} s)\n${summary.map((l) => `      ${l.trim()}`).join('\n')}`);
    expect(code, output.slice(-20_000)).to.equal(0);
    expect(output).to.match(/: OK/);
    expect(output).to.match(/\d+ generated/);
  });
});
