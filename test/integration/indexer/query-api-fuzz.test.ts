import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { devIssuerKeyFile, mintWithKey, type DevIssuerKeyFile } from '../../../lib/platform/src';
import { indexerPort } from '../../../network/src/config';
import { repoRoot } from '../../fixtures/doc-blocks';
import { DocPage } from '../../fixtures/doc-shell';
import { SHARED_PORT_BASE, testDevnetConfig } from '../../fixtures/test-devnet';
import { runChain, setUpChain, testConfig, waitForBlock } from './harness';
import { startIndexedLedger, type IndexedLedger } from './indexed-ledger';

// Where `npm start` puts the query API and the key of the dev issuer it trusts, for the test devnet's port base:
// the page's block finds them as a reader's finds those of `npm start`.
const devnet = testDevnetConfig(SHARED_PORT_BASE);
const keyFile = path.join(repoRoot(), devIssuerKeyFile(SHARED_PORT_BASE, 'RetailerMSP'));

describe('query API keeps to its OpenAPI document', function () {
  this.timeout(400_000);
  // The page's `npm run fuzz:query-api` with a token from `mint-token`, run as written, bounded by the documented settings.
  const page = new DocPage('docs/api-fuzzing.md', __filename);
  let led: IndexedLedger;

  before(async () => {
    const defaults = testConfig({ databaseUrl: '' });
    led = await startIndexedLedger({ http: { ...defaults.http, port: indexerPort(devnet) }, auth: { ...defaults.auth, devKeyFile: keyFile } });
    // Something to find: one farm-to-store chain, indexed.
    const chain = await setUpChain(led.orgs);
    await runChain(led.orgs, chain);
    await waitForBlock(led.pool, chain.lastBlock);
  });
  after(async () => {
    await page.close();
    await led?.stop();
    fs.rmSync(keyFile, { force: true });
  });

  it('serves a valid OpenAPI 3.1 document and passes a seeded schemathesis run: no 5xx, no answer the document does not allow', async () => {
    const env = {
      ...process.env,
      FABRIC_PORT_BASE: String(SHARED_PORT_BASE),
      FABRIC_RUN_DIR: devnet.runDir,
      FUZZ_MAX_EXAMPLES: process.env.FUZZ_MAX_EXAMPLES ?? '3',
      FUZZ_SEED: '17',
      FUZZ_PHASES: process.env.FUZZ_PHASES ?? 'examples,coverage',
    };
    const t0 = Date.now();
    const output = await page.next(env);
    const summary = output
      .split('\n')
      .filter((l) => /OK$|test cases|passed|failed|errors?\b|API Operations|Seed/i.test(l))
      .slice(-12);
    console.log(`      (schemathesis: ${((Date.now() - t0) / 1000).toFixed(0)} s)\n${summary.map((l) => `      ${l.trim()}`).join('\n')}`);
    expect(output).to.match(/: OK/);
    expect(output).to.match(/\d+ generated/);
    // The run was not one of refusals: a token signed with the key the page's mint-token read is accepted.
    const key = JSON.parse(fs.readFileSync(keyFile, 'utf8')) as DevIssuerKeyFile;
    const token = await mintWithKey(key, { sub: 'fuzzer', roles: ['auditor'], org: 'RetailerMSP' });
    const res = await fetch(`http://127.0.0.1:${indexerPort(devnet)}/inventory?limit=1`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).to.equal(200);
  });
});
