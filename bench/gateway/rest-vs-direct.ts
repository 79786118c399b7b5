/**
 * Benchmark: submissions per second through the REST API against direct
 * LedgerClient submissions of the same transaction type in the same run, p99
 * latency of synchronous REST submissions, and POS lines per second through
 * parsing + batching (before the ledger).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/gateway/rest-vs-direct.js [--n 60] [--concurrency 8] [--keep]
 *
 * Brings up its own devnet and PostgreSQL on port base 57000 (BENCH_PORT_BASE) and stops both at the end unless `--keep`.
 */
import * as path from 'node:path';
import { devnetDown, devnetUp } from '../../network/src/devnet';
import { createPostgres } from '../../network/src/services/postgres';
import { gs1CheckDigit } from '../../chaincode/src/traceability/gs1';
import { batchReceipts } from '../../gateway/src/adapters/pos/batching';
import type { Receipt } from '../../gateway/src/adapters/pos/receipts';
import { loadGatewayConfig } from '../../gateway/src/config';
import { connectDevnet } from '../../network/src/connect-devnet';
import { devnetLedgerEnv } from '../../network/src/connection-files';
import { readDevnetInfo } from '../../network/src/devnet-info';
import { start } from '../../gateway/src/main';
import { testDevnetConfig } from '../../test/fixtures/test-devnet';

const arg = (name: string, d: number) => Number(process.argv[process.argv.indexOf(`--${name}`) + 1] || d) || d;
let seq = 0;
const gtin = () => {
  // Within the supplier's devnet GS1 company prefix 7610.
  const body = `07610${String(Date.now() % 1e4).padStart(4, '0')}${String(seq++).padStart(4, '0')}`;
  return body + gs1CheckDigit(body);
};

async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

async function main() {
  const n = arg('n', 60);
  const concurrency = arg('concurrency', 8);
  const keep = process.argv.includes('--keep');
  const base = Number(process.env.BENCH_PORT_BASE ?? 57000);
  const cfg = testDevnetConfig(base);
  const log = (m: string) => console.log(`[bench] ${m}`);
  await devnetDown(cfg, { wipe: true }, () => undefined);
  const info = await devnetUp(cfg, () => undefined);
  const pg = createPostgres({ cfg: { ...cfg, runDir: path.join(cfg.root, 'network', 'run', `gateway-pg-${base}`) }, database: 'gateway_bench' });
  // Whatever fails from here on, the devnet and PostgreSQL started above are stopped (unless --keep).
  const stopAll = async () => {
    if (keep) {
      log(`--keep: devnet ${base} and its PostgreSQL keep running (stop with: FABRIC_PORT_BASE=${base} npm run network -- down)`);
      return;
    }
    await pg.stop();
    await devnetDown(cfg, { wipe: true }, () => undefined);
  };
  const { direct, gw } = await (async () => {
    await pg.start();
    const client = await connectDevnet(info, 'SupplierMSP');
    try {
      return {
        direct: client,
        gw: await start(
          loadGatewayConfig({
            ...devnetLedgerEnv(readDevnetInfo(cfg.runDir), 'SupplierMSP'),
            GATEWAY_PORT: '0',
            DATABASE_URL: pg.connectionString,
            DEV_ISSUER_KEY_FILE: `/tmp/bench-gw-${base}.json`,
            RATE_LIMIT_RPS: '100000',
            RATE_LIMIT_BURST: '100000',
            LOG_LEVEL: 'warn',
          }),
        ),
      };
    } catch (err) {
      client.close();
      throw err;
    }
  })().catch(async (err: unknown) => {
    await stopAll();
    throw err;
  });
  try {
    const token = await gw.devIssuer!.mint({ sub: 'bench', roles: ['supplier'] });
    const body = () => ({ gtin: gtin(), description: 'bench', unit: 'KGM' });
    // Warm-up both paths (connections, discovery, JIT).
    for (let i = 0; i < 3; i++) {
      await direct.submit({ contract: 'traceability', fn: 'RegisterProduct', args: [JSON.stringify({ ...body(), eventId: `bw-${i}-${Date.now()}` })] });
      await fetch(`${gw.url}/products`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body()),
      });
    }
    let t = Date.now();
    await pool(n, concurrency, async (i) =>
      direct.submit({ contract: 'traceability', fn: 'RegisterProduct', args: [JSON.stringify({ ...body(), eventId: `bd-${i}-${Date.now()}` })] }),
    );
    const directTps = n / ((Date.now() - t) / 1000);
    const lat: number[] = [];
    t = Date.now();
    await pool(n, concurrency, async () => {
      const t0 = performance.now();
      const res = await fetch(`${gw.url}/products`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body()),
      });
      if (res.status !== 201) throw new Error(`REST ${res.status} ${await res.text()}`);
      lat.push(performance.now() - t0);
    });
    const restTps = n / ((Date.now() - t) / 1000);
    lat.sort((a, b) => a - b);
    const p = (q: number) => lat[Math.min(lat.length - 1, Math.ceil(q * lat.length) - 1)].toFixed(0);
    log(`${n} RegisterProduct submissions, concurrency ${concurrency}`);
    log(`direct LedgerClient: ${directTps.toFixed(1)} tx/s`);
    log(`REST (sync, 201 after commit): ${restTps.toFixed(1)} tx/s  ratio ${(restTps / directTps).toFixed(2)}`);
    log(`REST sync latency ms: p50 ${p(0.5)}  p99 ${p(0.99)}  max ${lat[lat.length - 1].toFixed(0)}`);
    const g = gtin();
    const receipts: Receipt[] = Array.from({ length: 20_000 }, (_, i) => ({
      storeId: 'S1',
      receiptId: `R-${i}`,
      lines: [
        { gtin: g, quantity: '1', kind: 'sale' },
        { gtin: g, quantity: '2', kind: 'sale' },
      ],
    }));
    t = performance.now();
    const [b] = batchReceipts(receipts, { S1: '4000001000005' });
    const ms = performance.now() - t;
    log(
      `POS batching (hash + Merkle tree + proofs + aggregation, no ledger): ${((receipts.length * 2) / (ms / 1000)).toFixed(0)} lines/s (${receipts.length} receipts → ${(b.command.body.lines as unknown[]).length} RecordSales lines, ${ms.toFixed(0)} ms)`,
    );

    // End to end: POST /pos/sales → batch → RecordSales committed → proofs stored, for two stores in parallel.
    const posToken = await gw.devIssuer!.mint({ sub: 'bench-pos', roles: ['supplier', 'pos'] });
    const post = (url: string, b: unknown) =>
      fetch(`${gw.url}${url}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${posToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(b),
      });
    const posGtin = gtin();
    const stores = ['761090000001', '761090000002'].map((x) => x + gs1CheckDigit(x));
    await post('/products', { gtin: posGtin, description: 'bench beans', unit: 'KGM' });
    for (const store of stores) {
      const r1 = await post('/locations', { gln: store, type: 'store', name: `bench store ${store}`, address: { country: 'DE' } });
      if (r1.status !== 201 && r1.status !== 409) throw new Error(`store ${r1.status} ${await r1.text()}`);
      const r2 = await post('/lots', { gln: store, gtin: posGtin, lotCode: `POS-${store.slice(-4)}`, quantity: '1000000' });
      if (r2.status !== 201) throw new Error(`lot ${r2.status} ${await r2.text()}`);
    }
    const posts = arg('pos-posts', 10);
    const perPost = arg('pos-receipts', 1000);
    t = performance.now();
    await pool(posts, stores.length, async (i) => {
      const store = stores[i % stores.length];
      const body = {
        receipts: Array.from({ length: perPost }, (_, k) => ({
          storeId: store,
          receiptId: `B${i}-${k}`,
          lines: [
            { gtin: posGtin, quantity: '1' },
            { gtin: posGtin, quantity: '2' },
          ],
        })),
      };
      const res = await post('/pos/sales', body);
      if (res.status !== 201) throw new Error(`POS ${res.status} ${(await res.text()).slice(0, 300)}`);
    });
    const posSec = (performance.now() - t) / 1000;
    log(
      `POS end to end (POST /pos/sales → RecordSales committed → proofs stored): ${((posts * perPost * 2) / posSec).toFixed(0)} lines/s (${posts} posts × ${perPost} receipts × 2 lines, 2 stores, ${posSec.toFixed(1)} s)`,
    );
  } finally {
    await gw.stop();
    direct.close();
    await stopAll();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
