/**
 * Benchmark: a 17,000-store retailer's POS feeds through the gateway's
 * roll-up mode, on a real devnet (port base 39000, RETAIL_BENCH_PORT_BASE),
 * real gateway processes sharing one real PostgreSQL, and the indexer in its
 * own process. Set-up registers the stores and stocks them in bulk; a short
 * probe measures the baseline (one RecordSales per store batch, straight to
 * the ledger); then every store uploads each interval for `--minutes`, and
 * the run reports ledger tx/s, receipts and lines per second against the
 * offered rate, the gateway's answer time, upload → commit lag, indexer lag,
 * and whether the backlog drained. Everything it started is stopped at the end.
 *
 *   npm run bench:retail -- [--minutes 10] [--stores 17000] [--receipts-per-hour 90] [--lines-per-receipt 1.6]
 *     [--upload-every 60] [--rollup-every 60] [--speed 1] [--stores-per-region 200] [--gateways 2] [--max-stores 100] [--concurrency 2]
 *     [--no-indexer] [--probe 20] [--json FILE] [--keep]
 *
 * The load model and its reasoning: docs/benchmarks.md#retail-pos-roll-up.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { connectDevnet } from '../../network/src/connect-devnet';
import { devnetDown, devnetUp } from '../../network/src/devnet';
import { loadDevnetConfig } from '../../network/src/config';
import { createPostgres } from '../../network/src/services/postgres';
import { writeFigures } from '../summary';
import { runLoad } from './retail-load';
import { probeRecordSales, setUpStores, storeGln } from './retail-setup';
import { startGateways, startIndexer, type Started } from './retail-processes';
import { report } from './retail-report';

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      stores: { type: 'string', default: '17000' },
      products: { type: 'string', default: '4' },
      'receipts-per-hour': { type: 'string', default: '90' },
      'lines-per-receipt': { type: 'string', default: '1.6' },
      'upload-every': { type: 'string', default: '60' },
      'rollup-every': { type: 'string' },
      speed: { type: 'string', default: '1' },
      'stores-per-region': { type: 'string', default: '200' },
      gateways: { type: 'string', default: '2' },
      'max-stores': { type: 'string', default: '100' },
      concurrency: { type: 'string', default: '2' },
      'no-indexer': { type: 'boolean', default: false },
      probe: { type: 'string', default: '20' },
      'max-in-flight': { type: 'string', default: '512' },
      json: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  const n = (k: keyof typeof v) => Number(v[k]);
  const stores = n('stores');
  const products = n('products');
  const speed = n('speed');
  const uploadEvery = n('upload-every');
  // A store's uploads between two roll-ups are booked in the same transaction, sharing its reads.
  const rollupEvery = v['rollup-every'] ? Number(v['rollup-every']) : uploadEvery;
  const intervalMs = Math.max(1000, Math.round((rollupEvery * 1000) / speed));
  const uploadMs = Math.max(1000, Math.round((uploadEvery * 1000) / speed));
  const base = Number(process.env.RETAIL_BENCH_PORT_BASE ?? 39000);
  const root = loadDevnetConfig({ portBase: base }).root;
  const cfg = loadDevnetConfig({ portBase: base, runDir: path.join(root, 'network', 'run', `retail-bench-${base}`) });
  const log = (m: string) => console.log(`[retail] ${m}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'retail-bench-'));
  const pg = createPostgres({ cfg: { ...cfg, runDir: path.join(root, 'network', 'run', `retail-pg-${base}`) }, database: 'retail_bench' });
  const started: Started[] = [];
  let devnetStarted = false;
  try {
    await devnetDown(cfg, { wipe: true }, () => undefined);
    const info = await devnetUp(cfg, () => undefined);
    devnetStarted = true;
    await pg.start();
    // The database outlives a run: a fresh ledger needs a fresh queue (and the indexer schema is seeded again below).
    const reset = new Pool({ connectionString: pg.connectionString, max: 1 });
    await reset.query('DROP SCHEMA IF EXISTS gateway CASCADE').finally(() => reset.end());
    log(`devnet ${base} and PostgreSQL up; ${stores} stores, ${products} products`);
    const client = await connectDevnet(info, 'RetailerMSP');
    let setup;
    let probe;
    const linesPerBatch = Math.max(1, Math.min(products, Math.round((n('receipts-per-hour') * uploadEvery * n('lines-per-receipt')) / 3600)));
    try {
      setup = await setUpStores(client, { stores, products, unitsPerLot: '1000000' }, log);
      log(`set-up: ${setup.transactions} transactions in ${setup.seconds.toFixed(1)} s`);
      probe = await probeRecordSales(client, { stores, products, seconds: n('probe'), concurrency: 64, linesPerBatch });
      log(`baseline probe: ${probe.committed} RecordSales (${linesPerBatch} lines, one store each) = ${probe.txps.toFixed(1)} tx/s, ${probe.failed} failed`);
    } finally {
      client.close();
    }

    const regions: Record<string, string> = {};
    for (let i = 0; i < stores; i++) regions[storeGln(i)] = `R${String(Math.floor(i / n('stores-per-region'))).padStart(3, '0')}`;
    const mappingsFile = path.join(work, 'mappings.json');
    fs.writeFileSync(mappingsFile, JSON.stringify({ pos: { stores: {}, regions } }));
    const indexer = v['no-indexer'] ? undefined : await startIndexer({ cfg, pg, work });
    if (indexer) started.push(indexer);
    // Gateway logs are kept after the run (the temporary folder is not).
    const logs = path.join(root, 'network', 'run', `retail-bench-${base}-logs`);
    fs.rmSync(logs, { recursive: true, force: true });
    fs.mkdirSync(logs, { recursive: true });
    const gws = await startGateways(
      { cfg, pg, work, logs, count: n('gateways'), mappingsFile, intervalMs, maxStores: n('max-stores'), concurrency: n('concurrency') },
      log,
    );
    started.push(...gws);

    const runId = randomUUID().slice(0, 8);
    log(
      `load: ${stores} stores × ${n('receipts-per-hour')} receipts/h × ${n('lines-per-receipt')} lines, one upload per store every ${uploadEvery} s` +
        ` (simulated; speed ×${speed}: every ${(uploadMs / 1000).toFixed(1)} s), roll-up every ${(intervalMs / 1000).toFixed(1)} s, ${gws.length} gateway(s), ${n('minutes')} min`,
    );
    const load = await runLoad({
      stores,
      products,
      receiptsPerHour: n('receipts-per-hour'),
      linesPerReceipt: n('lines-per-receipt'),
      uploadEverySec: uploadEvery,
      speed,
      seconds: n('minutes') * 60,
      gateways: gws.map((g) => ({ url: g.url!, token: g.token! })),
      maxInFlight: n('max-in-flight'),
      runId,
    });
    const db = new Pool({ connectionString: pg.connectionString, max: 2 });
    try {
      const pendingAt = async () => Number((await db.query(`SELECT count(*) AS n FROM gateway.pos_store_batches WHERE status = 'pending'`)).rows[0].n);
      const backlogAtEnd = await pendingAt();
      const drainStart = Date.now();
      const drainLimit = drainStart + 2 * intervalMs + 120_000;
      while ((await pendingAt()) > 0 && Date.now() < drainLimit) await new Promise((r) => setTimeout(r, 500));
      const drainedIn = (await pendingAt()) === 0 ? (Date.now() - drainStart) / 1000 : undefined;
      for (const g of gws) {
        const text = fs.readFileSync(g.logFile!, 'utf8');
        const count = (what: string) => text.split(what).length - 1;
        log(
          `${g.name}: ${count('roll-up will be retried')} roll-ups retried later, ${count('retrying submission')} submission retries, ${count('refused')} refusals logged`,
        );
      }
      const { figures, details } = await report({
        db,
        load,
        setup: setup!,
        probe: probe!,
        intervalMs,
        backlogAtEnd,
        drainedIn,
        indexer,
        stores,
        linesPerBatch,
        v,
        log,
      });
      writeFigures(v.json, 'retail', figures, details);
    } finally {
      await db.end();
    }
  } finally {
    for (const s of started.reverse()) await s.stop();
    await pg.stop().catch(() => undefined);
    if (devnetStarted && !v.keep) await devnetDown(cfg, { wipe: true }, () => undefined);
    else if (v.keep) log(`--keep: devnet ${base} keeps running (stop with: FABRIC_PORT_BASE=${base} FABRIC_RUN_DIR=${cfg.runDir} npm run network -- down)`);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
