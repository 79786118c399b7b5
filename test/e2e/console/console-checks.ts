/**
 * The web console in headless Chromium against a running devnet after the
 * demo scenario: trace and in-browser proof (and a tampered proof), recall
 * scope and FSMA download, the live ledger view, role-driven controls, and an
 * axe accessibility check of every view. Screenshots go to test-output/console.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import * as protos from 'fabric-protos';
import { mintWithKey, type DevIssuerKeyFile } from '../../../lib/platform/src/auth/dev-issuer';
import type { Role } from '../../../lib/domain/src/roles';
import { devIssuerKeyFile } from '../../../lib/platform/src';
import { gatewayPort, indexerPort, loadDevnetConfig } from '../../../network/src/config';
import { gs1CheckDigit } from '../../../chaincode/src/traceability/gs1';
import { launchBrowser, testOutputDir, type Browser } from '../../fixtures/browser';

// Functions passed to page.evaluate run in the browser, whose globals the Node build does not know.
declare const window: any;
declare const document: any;
declare const sessionStorage: any;

export interface DemoContext {
  portBase: number;
  root: string;
  greenLot: string;
  roastLot: string;
}

type Org = 'RetailerMSP' | 'SupplierMSP' | 'AuditorMSP';

const gtin = (body13: string) => body13 + gs1CheckDigit(body13);
const gln = (body12: string) => body12 + gs1CheckDigit(body12);
export const DEMO = { green: gtin('0761100000010'), roasted: gtin('0761100000027'), dc: gln('761200000001'), store: gln('761200000002') };

/** The lot codes the demo printed. */
export function demoLots(output: string): { greenLot: string; roastLot: string } {
  const greenLot = /commission green lot (GC-[0-9A-F]+)/.exec(output)?.[1];
  const roastLot = /roast them into (RB-[0-9A-F]+)/.exec(output)?.[1];
  if (!greenLot || !roastLot) throw new Error(`the demo output names no lots:\n${output}`);
  return { greenLot, roastLot };
}

/** Serious or critical axe violations on the page as it is now. */
async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated by the test driver, not added as an inline <script>: the console's CSP blocks inline scripts.
  await page.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const result = await page.evaluate(async () => (window as any).axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'best-practice'] }));
  return (result.violations as Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }>)
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')}`,
    );
}

/** Registers the console's tests; `ctx()` is read when they run (after the demo). */
export function describeConsole(ctx: () => DemoContext): void {
  describe('the web console in headless Chromium', function () {
    this.timeout(120_000);
    let browser: Browser;
    let page: Page;
    const shots = testOutputDir('console');
    const gw = (org: Org) => `http://127.0.0.1:${gatewayPort(loadDevnetConfig({ portBase: ctx().portBase }), org)}`;
    const indexer = () => `http://127.0.0.1:${indexerPort(loadDevnetConfig({ portBase: ctx().portBase }))}`;
    const token = async (org: Org, roles: Role[]) => {
      const key = JSON.parse(fs.readFileSync(path.join(ctx().root, devIssuerKeyFile(ctx().portBase, org)), 'utf8')) as DevIssuerKeyFile;
      return mintWithKey(key, { sub: 'console-test', roles, ttlSec: 600 });
    };
    // The indexer trusts the first gateway's (the retailer's) issuer under npm start.
    const indexerGet = async <T>(p: string): Promise<T> => {
      const res = await fetch(`${indexer()}${p}`, { headers: { authorization: `Bearer ${await token('RetailerMSP', ['auditor'])}` } });
      expect(res.status, p).to.equal(200);
      return (await res.json()) as T;
    };
    const accessibility: Record<string, string[]> = {};
    const snap = async (name: string) => {
      await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
      accessibility[name] = await axeViolations(page);
    };
    const signIn = async (org: Org, role: string) => {
      await page.goto(`${gw(org)}/console/`);
      await page.evaluate(() => sessionStorage.clear());
      await page.reload();
      await page.getByRole('button', { name: `Sign in as ${role}`, exact: true }).click();
      await page.getByRole('navigation', { name: 'Views' }).waitFor();
    };

    before(async () => {
      browser = await launchBrowser();
      page = await browser.context.newPage();
    });
    after(async () => {
      await browser?.close();
    });

    it('auditor: searches the roasted lot, sees the farm and every store holding, and proves a transaction in the browser', async () => {
      const { roastLot } = ctx();
      await page.goto(`${gw('AuditorMSP')}/console/`);
      await snap('sign-in');
      await signIn('AuditorMSP', 'auditor');
      await page.getByLabel(/Lot \(GTIN\/lot\)/).fill(`https://id.gs1.org/01/${DEMO.roasted}/10/${roastLot}`);
      await page.getByRole('button', { name: 'Search' }).click();
      const nodes = page.getByTestId('nodes');
      await nodes.waitFor();
      expect(await nodes.locator('li[data-kind="farm"]').allTextContents()).to.satisfy((xs: string[]) => xs.some((x) => x.includes('Cooperativa Los Andes')));
      // Every location the indexer reports holding the lot's descendants is in the graph, with its quantity.
      const down = await indexerGet<{ holdings: Array<{ location_name: string; quantity: string }> }>(`/lots/${DEMO.roasted}/${roastLot}/trace/downstream`);
      expect(down.holdings.map((h) => h.location_name)).to.include('Store 001');
      const holds = await page.getByTestId('edges').locator('li[data-kind="holds"]').allTextContents();
      for (const h of down.holdings)
        expect(
          holds.some((x) => x.includes(`${Number(h.quantity)} KGM on hand`) && x.includes(h.location_name)),
          `${h.location_name} in ${holds.join(' | ')}`,
        ).to.equal(true);
      await snap('trace-graph');

      await page.getByTestId('edges').locator('li[data-kind="holds"]', { hasText: 'Store 001' }).getByRole('button').click();
      await page
        .getByTestId('selected')
        .getByRole('button', { name: /^Verify transaction/ })
        .first()
        .click();
      const proof = page.getByTestId('proof');
      await proof.getByRole('button', { name: 'Pin the newest block' }).click();
      await page.waitForFunction(() => document.querySelector('[data-testid="proof-verdict"]')?.textContent?.includes('Every check passed'), undefined, {
        timeout: 30_000,
      });
      const checks = await proof.locator('tr[data-check]').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-check'), r.getAttribute('data-ok')]));
      const ids = checks.map(([id]) => id);
      for (const id of [
        'envelope-in-block',
        'data-hash',
        'validation',
        'config-data-hash',
        'hash-chain',
        'pinned',
        'creator-cert',
        'creator-signature',
        'endorser-cert-0',
        'endorser-signature-0',
        'endorser-signature-1',
      ])
        expect(ids).to.include(id);
      expect(checks.filter(([, ok]) => ok !== 'true')).to.deep.equal([]);
      await snap('proof');

      await page.getByRole('button', { name: 'Timeline' }).click();
      await page.getByTestId('timeline').waitFor();
      expect(await page.getByTestId('timeline').locator('tbody tr').count()).to.be.greaterThan(3);
      await snap('trace-timeline');
    });

    it('finds the lot from a barcode scan, a shipment and a transaction id', async () => {
      const { roastLot } = ctx();
      const shipment = `SH-B-${roastLot.slice(3)}`;
      // The store's position was last written by a transaction that touched this lot alone (a transfer or a sale).
      const lot = await indexerGet<{ positions: Array<{ gln: string; tx_id: string }> }>(`/lots/${DEMO.roasted}/${roastLot}`);
      const storeTx = lot.positions.find((p) => p.gln === DEMO.store)!.tx_id;
      const search = async (q: string) => {
        await page.getByLabel(/Lot \(GTIN\/lot\)/).fill(q);
        await page.getByRole('button', { name: 'Search' }).click();
        await page.waitForFunction((want: string) => document.querySelector('main p strong')?.textContent === want, `${DEMO.roasted}/${roastLot}`, {
          timeout: 30_000,
        });
      };
      await page.getByRole('button', { name: 'Graph' }).click();
      for (const q of [`01${DEMO.roasted}10${roastLot}`, shipment, storeTx]) {
        // Start from the other lot each time, so a stale result cannot pass.
        await page.getByLabel(/Lot \(GTIN\/lot\)/).fill(`${DEMO.green}/${ctx().greenLot}`);
        await page.getByRole('button', { name: 'Search' }).click();
        await page.waitForFunction((want: string) => document.querySelector('main p strong')?.textContent === want, `${DEMO.green}/${ctx().greenLot}`, {
          timeout: 30_000,
        });
        await search(q);
      }
    });

    it('the same proof with one flipped byte shows the failing check', async () => {
      const cases: Array<{ name: string; tamper: (b: any) => void; fails: string[] }> = [
        {
          // A byte of the creator's signature inside the block: the data hash and that signature break, the certificates still chain.
          name: 'signature',
          tamper: (b) => {
            const raw = Buffer.from(b.block.raw, 'base64');
            const block = protos.common.Block.decode(raw);
            const entry = Buffer.from(
              block.data!.data!.find((d) => {
                const payload = protos.common.Payload.decode(protos.common.Envelope.decode(d).payload!);
                return protos.common.ChannelHeader.decode(payload.header!.channel_header!).tx_id === b.txId;
              })!,
            );
            const sig = Buffer.from(protos.common.Envelope.decode(entry).signature!);
            const at = raw.indexOf(entry) + entry.indexOf(sig) + 8;
            raw[at] ^= 0x01;
            b.block.raw = raw.toString('base64');
          },
          fails: ['data-hash', 'creator-signature'],
        },
        {
          name: 'header',
          tamper: (b) => {
            const h = b.headers[b.headers.length - 1];
            h.previousHash = (h.previousHash[0] === '0' ? '1' : '0') + h.previousHash.slice(1);
          },
          fails: ['hash-chain', 'pinned'],
        },
      ];
      for (const c of cases) {
        await page.route('**/provenance/transactions/*/raw*', async (route) => {
          const res = await route.fetch();
          const body = await res.json();
          c.tamper(body);
          await route.fulfill({ response: res, body: JSON.stringify(body) });
        });
        await page.getByRole('button', { name: 'Graph' }).click();
        await page.getByTestId('edges').locator('li[data-kind="holds"]', { hasText: 'Store 001' }).getByRole('button').click();
        await page
          .getByTestId('selected')
          .getByRole('button', { name: /^Verify transaction/ })
          .first()
          .click();
        await page.waitForFunction(() => /check\(s\) failed/.test(document.querySelector('[data-testid="proof-verdict"]')?.textContent ?? ''), undefined, {
          timeout: 30_000,
        });
        const failed = await page.locator('tr[data-check][data-ok="false"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-check')));
        expect(failed.sort(), c.name).to.deep.equal([...c.fails].sort());
        await page.screenshot({ path: path.join(shots, `proof-tampered-${c.name}.png`), fullPage: true });
        await page.unroute('**/provenance/transactions/*/raw*');
        // Leave the panel so the next case starts from a fresh proof.
        await page.getByRole('button', { name: 'Timeline' }).click();
      }
    });

    it('scopes a recall of the green lot and downloads the FSMA 204 spreadsheet', async () => {
      const { greenLot, roastLot } = ctx();
      await page.goto(`${gw('AuditorMSP')}/console/#/recall`);
      await page.getByLabel(/^Lots/).fill(`${DEMO.green}/${greenLot}`);
      await page.getByRole('button', { name: 'Show the scope' }).click();
      const scope = page.getByTestId('scope');
      await scope.waitFor();
      expect(await scope.locator('tbody').textContent()).to.include('Store 001');
      // The demo's recall of this lot is listed with its status: the stores still hold stock of it.
      await page
        .getByTestId('recalls')
        .locator('tbody tr', { hasText: `RC-${greenLot.slice(3)}` })
        .waitFor();
      expect(
        await page
          .getByTestId('recalls')
          .locator('tbody tr', { hasText: `RC-${greenLot.slice(3)}` })
          .textContent(),
      ).to.match(/[1-9]\d* holdings still on hand \(\d+ at declaration\)/);
      // The auditor only reads: no declaration control.
      expect(await page.getByRole('button', { name: 'Declare recall on the ledger' }).count()).to.equal(0);
      await snap('recall');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download FSMA 204 spreadsheet (XLSX)' }).click()]);
      const file = path.join(shots, 'fsma204.xlsx');
      await download.saveAs(file);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(file);
      const sheet = wb.getWorksheet('FSMA 204 records')!;
      const tlcs = new Set<string>();
      const ctes = new Set<string>();
      sheet.eachRow((row, n) => {
        if (n === 1) return;
        for (const v of row.values as unknown[]) if (typeof v === 'string' && /^\d{14}\/(GC|RB)-/.test(v)) tlcs.add(v);
        ctes.add(String((row.values as unknown[])[1]));
      });
      expect([...tlcs]).to.include.members([`${DEMO.green}/${greenLot}`, `${DEMO.roasted}/${roastLot}`]);
      expect(sheet.rowCount).to.be.greaterThan(4);
      expect(wb.getWorksheet('Key')).to.not.equal(undefined);
    });

    it('a transfer committed by another organisation appears in the ledger view without a reload', async () => {
      await page.goto(`${gw('AuditorMSP')}/console/#/ledger`);
      await page.waitForFunction(() => document.querySelector('[data-testid="live"]')?.textContent?.includes('live'), undefined, { timeout: 30_000 });
      await page.evaluate(() => ((window as any).__sameDocument = true));
      const res = await fetch(`${gw('RetailerMSP')}/transfers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await token('RetailerMSP', ['retailer-ops'])}`, 'content-type': 'application/json' },
        body: JSON.stringify({ fromGln: DEMO.dc, toGln: DEMO.store, lines: [{ gtin: DEMO.roasted, lotCode: ctx().roastLot, quantity: '1' }] }),
      });
      const body = (await res.json()) as { txId: string };
      expect(res.status, JSON.stringify(body)).to.equal(201);
      await page.locator(`[data-tx="${body.txId}"]`).waitFor({ timeout: 30_000 });
      expect(await page.locator(`[data-tx="${body.txId}"]`).textContent()).to.match(/VALID .*by RetailerMSP/);
      expect(await page.evaluate(() => (window as any).__sameDocument)).to.equal(true);
      expect(await page.getByTestId('members').textContent()).to.include('AuditorMSP');
      await snap('ledger');
    });

    it('an inventory-reader sees no recall declaration control; retailer operations does', async () => {
      await signIn('RetailerMSP', 'inventory-reader');
      const nav = await page.getByRole('navigation', { name: 'Views' }).textContent();
      expect(nav).to.not.include('Recall');
      await page.goto(`${gw('RetailerMSP')}/console/#/recall`);
      await page.getByRole('heading', { level: 2 }).waitFor();
      expect(await page.getByRole('button', { name: 'Declare recall on the ledger' }).count()).to.equal(0);
      expect(await page.getByRole('heading', { level: 2 }).textContent()).to.not.equal('Recall workspace');
      await snap('stock');
      await page.goto(`${gw('RetailerMSP')}/console/#/shipments`);
      await page.getByTestId('discrepancies').waitFor();
      await snap('shipments');

      await signIn('RetailerMSP', 'retailer-ops');
      await page.goto(`${gw('RetailerMSP')}/console/#/recall`);
      await page.getByLabel(/^Lots/).fill(`${DEMO.roasted}/${ctx().roastLot}`);
      await page.getByRole('button', { name: 'Show the scope' }).click();
      await page.getByRole('button', { name: 'Declare recall on the ledger' }).waitFor();
      await page.goto(`${gw('RetailerMSP')}/console/#/orders`);
      await page.getByTestId('orders').locator('tbody tr').first().waitFor();
      expect(await page.getByTestId('orders').textContent()).to.match(/paid/);
      await snap('orders');
    });

    it('fits a tablet-sized screen without sideways scrolling', async () => {
      await page.setViewportSize({ width: 768, height: 1024 });
      await signIn('AuditorMSP', 'auditor');
      await page.getByLabel(/Lot \(GTIN\/lot\)/).fill(`${DEMO.roasted}/${ctx().roastLot}`);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByTestId('graph').waitFor();
      await page.getByTestId('nodes').locator('li').first().waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).to.be.at.most(0);
      const graphBox = await page.getByTestId('graph').boundingBox();
      expect(graphBox!.width).to.be.greaterThan(600);
      await snap('tablet-trace');
      await page.setViewportSize({ width: 1280, height: 900 });
    });

    it('axe reports no serious or critical violation on any view', async () => {
      expect(Object.keys(accessibility)).to.include.members([
        'sign-in',
        'trace-graph',
        'proof',
        'trace-timeline',
        'recall',
        'ledger',
        'stock',
        'shipments',
        'orders',
        'tablet-trace',
      ]);
      expect(accessibility).to.deep.equal(Object.fromEntries(Object.keys(accessibility).map((k) => [k, []])));
    });
  });
}
