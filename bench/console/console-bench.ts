/**
 * Console benchmark, in headless Chromium against a running `npm start` after
 * `npm run demo` (FABRIC_PORT_BASE names the devnet): time to first render of
 * a 1,000-node genealogy (and 100 nodes as a baseline), and in-browser proof
 * verification of one transaction and of 100 transactions, through the same
 * code the console's views use.
 *
 *   npm run build && node dist/bench/console/console-bench.js [--nodes 1000] [--txs 100]
 */
import { gatewayPort, loadDevnetConfig } from '../../network/src/config';
import { launchBrowser } from '../../test/fixtures/browser';

declare const window: any;
declare const sessionStorage: any;

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const cfg = loadDevnetConfig();
  const gw = `http://127.0.0.1:${gatewayPort(cfg, 'AuditorMSP')}`;
  const nodes = arg('nodes', 1000);
  const txCount = arg('txs', 100);
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const render = async (n: number) => {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        await page.goto(`${gw}/console/#/bench?n=${n}&run=${i}`);
        await page.reload();
        const out = JSON.parse((await page.getByTestId('bench').textContent({ timeout: 120_000 }))!);
        runs.push(out.totalMs);
      }
      return median(runs);
    };
    const small = await render(100);
    const large = await render(nodes);
    console.log(
      `genealogy first render: ${nodes} nodes ${large.toFixed(0)} ms (median of 3, dagre layout); 100 nodes ${small.toFixed(0)} ms; ratio ${(large / small).toFixed(1)}x`,
    );

    await page.goto(`${gw}/console/#/bench?n=10`);
    await page.getByTestId('bench').waitFor();
    await page.evaluate(async () => {
      const res = await fetch('/console/dev-session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'auditor' }),
      });
      sessionStorage.setItem('coffee-trace.session', await res.text());
      await window.__consoleBench.pinNewest();
    });
    const blocks = (await page.evaluate(async (want: number) => {
      const s = JSON.parse(sessionStorage.getItem('coffee-trace.session'));
      const out: any[] = [];
      let before = '';
      // Page back through the ledger until enough transactions are found.
      for (let i = 0; i < 20; i++) {
        const r = await fetch(`/console/api/index/ledger/blocks?limit=200${before}`, { headers: { authorization: `Bearer ${s.token}` } });
        const page = ((await r.json()) as { blocks: any[] }).blocks;
        out.push(...page);
        if (page.length === 0 || out.flatMap((b) => b.transactions).length >= want * 2) break;
        before = `&before=${page[page.length - 1].block_number}`;
      }
      return out;
    }, txCount)) as Array<{ transactions: Array<{ tx_id: string; validation_code: string; tx_type: string }> }>;
    const txIds = blocks
      .flatMap((b) => b.transactions)
      .filter((t) => t.validation_code === 'VALID' && t.tx_type === 'ENDORSER_TRANSACTION')
      .map((t) => t.tx_id)
      .slice(0, txCount);
    if (txIds.length === 0) throw new Error('no transactions on the ledger: run npm run demo first');
    const prove = (ids: string[]) =>
      page.evaluate(async (list: string[]) => {
        const t0 = performance.now();
        let verifyMs = 0;
        let ok = 0;
        for (const id of list) {
          const r = await window.__consoleBench.proveInBrowser(id);
          verifyMs += r.ms;
          if (r.ok) ok++;
        }
        return { totalMs: performance.now() - t0, verifyMs, ok };
      }, ids);
    await prove(txIds.slice(0, 1)); // warm-up: WebCrypto and the gateway's header cache
    const one = await prove(txIds.slice(0, 1));
    console.log(
      `one transaction: ${one.verifyMs.toFixed(1)} ms verification in the browser, ${one.totalMs.toFixed(1)} ms with fetching the material (${one.ok}/1 valid)`,
    );
    const many = await prove(txIds);
    console.log(
      `${txIds.length}-transaction trace: ${many.verifyMs.toFixed(0)} ms verification in the browser (${(many.verifyMs / txIds.length).toFixed(1)} ms each), ${many.totalMs.toFixed(0)} ms with fetching (${many.ok}/${txIds.length} valid)`,
    );
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  console.error(`console-bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
