/**
 * Sign-in with a real OpenID Connect provider, end to end: the devnet's
 * provider (oidc-provider) runs as its own process, started by the commands
 * of docs/sign-in.md as written (with DEV_IDP_PORT and the console's redirect URI); two gateways (supplier,
 * retailer) and the indexer's query API trust it (AUTH_JWKS_URL, AUTH_ISSUER,
 * AUTH_AUDIENCE) and read the organisation from the claim `coffee_org`
 * (AUTH_ORG_CLAIM). In Chromium a supplier's user signs in on the provider's
 * login page (authorization code + PKCE), sees only the supplier's records,
 * and the same access token is refused at the retailer's gateway.
 */
import { expect } from 'chai';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, testOutputDir, type Browser } from '../../fixtures/browser';
import { DocPage } from '../../fixtures/doc-shell';
import { OIDC_TEST_PORT_BASE } from '../../fixtures/identity-provider';
import { SHARED_PORT_BASE } from '../../fixtures/test-devnet';
import { loadDevnetConfig } from '../../../network/src/config';
import { devnetDown } from '../../../network/src/devnet';
import { startGatewayFixture, type GatewayFixture } from '../../integration/gateway/gateway-fixture';
import { startIndexedLedger, type IndexedLedger } from '../../integration/indexer/indexed-ledger';
import { runChain, setUpChain, unique, waitForBlock, type Chain } from '../../integration/indexer/harness';
import { RETAILER, SUPPLIER, uniqueGtin } from '../../integration/chaincode/ledger-fixtures';

// Functions passed to page.evaluate run in the browser, whose globals the Node build does not know.
declare const sessionStorage: any;

const AUDIENCE = 'urn:coffee-trace:api';
const ORG_CLAIM = 'coffee_org';

/** The page's own `npm start`, trusting the provider: a devnet with its services on a port base of its own. */
const START_PORT_BASE = Number(process.env.OIDC_START_PORT_BASE ?? SHARED_PORT_BASE + 5000);

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;

describe('sign-in with an OpenID Connect provider (console in Chromium, gateways, query API)', function () {
  this.timeout(600_000);
  const consoleUrl = `http://127.0.0.1:${OIDC_TEST_PORT_BASE + 1}`;
  const issuer = `http://127.0.0.1:${OIDC_TEST_PORT_BASE}`;
  // The provider's block of the page runs in the background, as in a reader's second terminal, until close().
  const provider = new DocPage('docs/sign-in.md', __filename);
  let ledger: IndexedLedger | undefined;
  let gateways: GatewayFixture | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let chain: Chain;
  const shots = testOutputDir('console-oidc');
  const started = loadDevnetConfig({ portBase: START_PORT_BASE });
  const startCfg = loadDevnetConfig({ portBase: START_PORT_BASE, runDir: path.join(started.root, 'network', 'run', `oidc-start-${START_PORT_BASE}`) });

  before(async () => {
    await devnetDown(startCfg, { wipe: true }, () => undefined);
    // Every service trusts the provider; each finds its keys at the JWKS URL when the first token arrives.
    const auth = { AUTH_JWKS_URL: `${issuer}/jwks`, AUTH_ISSUER: issuer, AUTH_AUDIENCE: AUDIENCE, AUTH_ORG_CLAIM: ORG_CLAIM, AUTH_REQUIRE_ORG: 'true' };
    ledger = await startIndexedLedger({
      auth: {
        jwksUrl: auth.AUTH_JWKS_URL,
        issuer,
        audience: AUDIENCE,
        algorithms: ['ES256', 'RS256'],
        devIssuer: false,
        devIssuerPort: 0,
        devKeyFile: path.join(os.tmpdir(), `${unique('unused-issuer')}.json`),
        orgClaim: ORG_CLAIM,
        requireOrg: true,
      },
    });
    const indexerUrl = `http://127.0.0.1:${ledger.indexer.httpPort()}`;
    gateways = await startGatewayFixture([SUPPLIER, RETAILER], (msp) => ({
      ...auth,
      CONSOLE_INDEXER_URL: indexerUrl,
      CONSOLE_OIDC_AUTHORITY: issuer,
      CONSOLE_OIDC_CLIENT_ID: 'coffee-console',
      CONSOLE_OIDC_SCOPE: 'openid profile api',
      CONSOLE_OIDC_RESOURCE: AUDIENCE,
      // The supplier's console is where the browser signs in: its address is a redirect URI of the provider.
      GATEWAY_PORT: msp === SUPPLIER ? String(OIDC_TEST_PORT_BASE + 1) : '0',
    }));
    const started = await provider.next({
      ...process.env,
      DEV_IDP_PORT: String(OIDC_TEST_PORT_BASE),
      DEV_IDP_AUDIENCE: AUDIENCE,
      DEV_IDP_ORG_CLAIM: ORG_CLAIM,
      DEV_IDP_CLIENT_ID: 'coffee-console',
      DEV_IDP_REDIRECT_URIS: `${consoleUrl}/console/`,
    });
    expect(started).to.include(`issuer ${issuer}`);
    // A chain of both members: the supplier's roastery and the retailer's DC and store hold stock.
    chain = await setUpChain(ledger.orgs);
    await runChain(ledger.orgs, chain);
    await waitForBlock(ledger.pool, chain.lastBlock, 240_000);
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });

  after(async () => {
    await browser?.close();
    try {
      await gateways?.stop();
      await ledger?.stop();
    } finally {
      // Stops the page's npm start (as Ctrl-C) and the provider by process group; fails when a block of the page was not run.
      try {
        await provider.close();
      } finally {
        await devnetDown(startCfg, { wipe: true }, () => undefined);
      }
    }
  });

  it('refuses a wrong password on the provider’s login page, then signs the supplier’s user in with code + PKCE', async () => {
    await page.goto(`${consoleUrl}/console/`);
    await page.getByRole('button', { name: `Sign in with 127.0.0.1:${OIDC_TEST_PORT_BASE}` }).click();
    await page.waitForURL(/\/interaction\//, { timeout: 60_000 });
    await page.fill('#login', 'sam@supplier');
    await page.fill('#password', 'not-sams-password');
    await page.click('button[type=submit]');
    await page.getByRole('alert').filter({ hasText: 'Unknown user name or wrong password' }).waitFor();
    expect(page.url()).to.include(`127.0.0.1:${OIDC_TEST_PORT_BASE}/interaction/`);

    await page.fill('#login', 'sam@supplier');
    await page.fill('#password', 'sam');
    await page.click('button[type=submit]');
    await page.waitForURL(`${consoleUrl}/console/**`, { timeout: 60_000 });
    await page.locator('header .who').filter({ hasText: 'sam@supplier of SupplierMSP' }).waitFor({ timeout: 60_000 });
    // The code and state are gone from the address bar once exchanged.
    expect(page.url()).to.not.match(/[?&]code=/);
    await page.screenshot({ path: path.join(shots, 'signed-in.png') });
  });

  it('holds a JWT access token for the API that names the organisation in coffee_org and carries the roles', async () => {
    const token = await sessionToken(page);
    const claims = claimsOf(token);
    expect(claims.iss).to.equal(issuer);
    expect(claims.aud).to.equal(AUDIENCE);
    expect(claims.sub).to.equal('sam@supplier');
    expect(claims[ORG_CLAIM]).to.equal('SupplierMSP');
    expect(claims).to.not.have.property('org');
    expect(claims.roles).to.have.members(['supplier', 'inventory-reader']);
  });

  it('shows the supplier’s stock only: every position the console reads is the supplier’s', async () => {
    // Stock is the first view these roles open; a reload reads it again.
    await page.goto(`${consoleUrl}/console/#/stock`);
    const answer = page.waitForResponse((r) => r.url().includes('/console/api/index/inventory?limit=500'));
    await page.reload();
    const res = await answer;
    expect(res.status()).to.equal(200);
    const items = ((await res.json()) as { items: Array<{ owner_msp: string }> }).items;
    expect(items.length).to.be.greaterThan(0);
    expect([...new Set(items.map((i) => i.owner_msp))]).to.deep.equal(['SupplierMSP']);
    await page.locator('[data-testid=stock] tbody tr').first().waitFor();

    // The scenario's positions: the roastery's green coffee is there, the retailer's DC and store are not.
    const roastery = await inConsole(page, `/console/api/index/inventory?gln=${chain.gln.roastery}`);
    expect(roastery.status).to.equal(200);
    expect(roastery.body.items.map((i: { lot_code: string }) => i.lot_code)).to.include(chain.greenLot);
    for (const gln of [chain.gln.dc, chain.gln.store]) {
      const other = await inConsole(page, `/console/api/index/inventory?gln=${gln}`);
      expect(other.status).to.equal(200);
      expect(other.body.items, gln).to.deep.equal([]);
    }
    await page.screenshot({ path: path.join(shots, 'stock.png') });
  });

  it('lists only shipments the supplier is a party of', async () => {
    const answer = page.waitForResponse((r) => r.url().includes('/console/api/index/shipments?limit=200'));
    await page.goto(`${consoleUrl}/console/#/shipments`);
    const res = await answer;
    expect(res.status()).to.equal(200);
    type Row = { shipment_id: string; sender_msp: string; receiver_msp: string; carrier: string | null };
    const shipments = ((await res.json()) as { shipments: Row[] }).shipments;
    expect(shipments.length).to.be.greaterThan(0);
    for (const s of shipments) expect([s.sender_msp, s.receiver_msp, s.carrier], s.shipment_id).to.include(SUPPLIER);
    const own = await inConsole(page, `/console/api/index/shipments/${chain.shipmentId}`);
    expect(own.status).to.equal(200);
  });

  it('the same access token is refused at the retailer’s gateway (403 ORG_MISMATCH) and nothing is submitted', async () => {
    const token = await sessionToken(page);
    const retailer = gateways!.gateways[RETAILER].url;
    const gtin = uniqueGtin(RETAILER);
    const submit = await fetch(`${retailer}/products`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ gtin, description: 'Beans under a supplier token', unit: 'KGM' }),
    });
    const problem = (await submit.json()) as { code: string; message: string };
    expect(submit.status, JSON.stringify(problem)).to.equal(403);
    expect(problem.code).to.equal('ORG_MISMATCH');
    expect(problem.message).to.include('RetailerMSP').and.include('SupplierMSP').and.include(ORG_CLAIM);
    const read = await fetch(`${retailer}/console/api/index/inventory`, { headers: { authorization: `Bearer ${token}` } });
    expect(read.status).to.equal(403);
    // Nothing reached the ledger: the product's history, read at the supplier's gateway with the same token, is empty.
    const history = await fetch(`${consoleUrl}/history?key=${encodeURIComponent(`product~${gtin.padStart(14, '0')}`)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(history.status).to.equal(200);
    expect(((await history.json()) as { history: unknown[] }).history).to.deep.equal([]);
  });

  it('returns to the sign-in page with a message when the gateway refuses the token', async () => {
    await page.evaluate(() => {
      const s = JSON.parse(sessionStorage.getItem('coffee-trace.session'));
      // The signature no longer matches: what a revoked or tampered token gets from the gateway.
      s.token = s.token.slice(0, -4) + (s.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      sessionStorage.setItem('coffee-trace.session', JSON.stringify(s));
    });
    await page.goto(`${consoleUrl}/console/#/shipments`);
    await page.reload();
    await page.getByTestId('session-notice').filter({ hasText: 'sign in again' }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: `Sign in with 127.0.0.1:${OIDC_TEST_PORT_BASE}` }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('coffee-trace.session'))).to.equal(null);
  });

  it('signs out at the provider too: the next sign-in on the same browser asks for the password again', async () => {
    // The refused token ended the console's session, not the provider's: signing in needs no password.
    await page.getByRole('button', { name: `Sign in with 127.0.0.1:${OIDC_TEST_PORT_BASE}` }).click();
    await page.locator('header .who').filter({ hasText: 'sam@supplier of SupplierMSP' }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Sign out' }).click();
    // The provider's end-session page: the user confirms, and comes back to the console's sign-in page.
    await page.waitForURL(new RegExp(`127\\.0\\.0\\.1:${OIDC_TEST_PORT_BASE}/`), { timeout: 60_000 });
    await page.locator('button[value=yes]').click();
    await page.waitForURL(`${consoleUrl}/console/**`, { timeout: 60_000 });
    const signIn = page.getByRole('button', { name: `Sign in with 127.0.0.1:${OIDC_TEST_PORT_BASE}` });
    await signIn.waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => sessionStorage.getItem('coffee-trace.session'))).to.equal(null);

    // Without the provider's session, signing in is a login again, not a silent return as the last user.
    await signIn.click();
    await page.waitForURL(/\/interaction\//, { timeout: 60_000 });
    await page.locator('#password').waitFor();
    await page.fill('#login', 'sam@supplier');
    await page.fill('#password', 'sam');
    await page.click('button[type=submit]');
    await page.locator('header .who').filter({ hasText: 'sam@supplier of SupplierMSP' }).waitFor({ timeout: 60_000 });
  });

  it('the page’s npm start trusts the provider: its supplier gateway serves the signed-in token, its retailer gateway refuses it', async () => {
    const out = await provider.next({
      ...process.env,
      DEV_IDP_PORT: String(OIDC_TEST_PORT_BASE),
      FABRIC_PORT_BASE: String(START_PORT_BASE),
      FABRIC_RUN_DIR: startCfg.runDir,
      DATABASE_URL: '',
      KAFKA_BROKERS: '',
    });
    expect(out).to.include(`Tokens come from ${issuer}`);
    const supplier = `http://127.0.0.1:${START_PORT_BASE + 501}`;
    const retailer = `http://127.0.0.1:${START_PORT_BASE + 500}`;
    const config = (await (await fetch(`${supplier}/console/config.json`)).json()) as { auth: { mode: string; authority?: string; resource?: string } };
    expect(config.auth).to.include({ mode: 'oidc', authority: issuer, resource: AUDIENCE });
    const token = await sessionToken(page);
    const own = await fetch(`${supplier}/console/api/index/inventory`, { headers: { authorization: `Bearer ${token}` } });
    expect(own.status, await own.clone().text()).to.equal(200);
    const other = await fetch(`${retailer}/console/api/index/inventory`, { headers: { authorization: `Bearer ${token}` } });
    expect(other.status).to.equal(403);
    expect(((await other.json()) as { code: string }).code).to.equal('ORG_MISMATCH');
    // No dev issuer runs beside a real provider: the gateway mints no development sessions.
    const dev = await fetch(`${supplier}/console/dev-session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"auditor"}' });
    expect(dev.status).to.equal(404);
  });
});

async function sessionToken(page: Page): Promise<string> {
  const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('coffee-trace.session') ?? 'null')?.token as string | undefined);
  if (!token) throw new Error('the console holds no session');
  return token;
}

/** A GET through the console's pass-through, from the page, with the page's session token. */
async function inConsole(page: Page, url: string): Promise<{ status: number; body: any }> {
  return page.evaluate(async (u) => {
    const s = JSON.parse(sessionStorage.getItem('coffee-trace.session'));
    const res = await fetch(u, { headers: { authorization: `Bearer ${s.token}` } });
    return { status: res.status, body: await res.json() };
  }, url);
}
