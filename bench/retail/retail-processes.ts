/**
 * The processes of the retail benchmark besides the devnet: gateway
 * processes of the retailer sharing one PostgreSQL (`node
 * dist/gateway/src/main.js`, as deployed) and the indexer in its own process
 * (Kafka off: the figures are about the ledger and PostgreSQL). Each is
 * stopped by its own PID: SIGTERM, then SIGKILL after 20 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { mintWithKey } from '../../lib/platform/src';
import { connectDevnet } from '../../network/src/connect-devnet';
import type { DevnetConfig } from '../../network/src/config';
import { devnetLedgerEnv } from '../../network/src/connection-files';
import { readDevnetInfo } from '../../network/src/devnet-info';
import type { PostgresServer } from '../../network/src/services/postgres';
import { seedSchemaAtTip } from '../indexer/bench-env';
import { createPool } from '../../indexer/src/db/pool';

export interface Started {
  name: string;
  url?: string;
  token?: string;
  /** Indexer: when each block's PostgreSQL transaction committed (its "block stored" log time). */
  stored?: Map<string, number>;
  /** Where its log goes (the run's temporary folder). */
  logFile?: string;
  stop(): Promise<void>;
}

const DIST = path.resolve(__dirname, '..', '..');

function stopper(_name: string, child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(t);
  };
}

async function waitFor(what: string, check: () => Promise<boolean>, child: ChildProcess, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what} not ready within ${ms / 1000} s`);
}

/** `count` gateway processes of RetailerMSP, roll-up on by default, flushing every `intervalMs`. */
export async function startGateways(
  o: {
    cfg: DevnetConfig;
    pg: PostgresServer;
    work: string;
    logs: string;
    count: number;
    mappingsFile: string;
    intervalMs: number;
    maxStores: number;
    concurrency: number;
  },
  log: (m: string) => void,
): Promise<Started[]> {
  const out: Started[] = [];
  try {
    for (let i = 0; i < o.count; i++) {
      const port = o.cfg.portBase + 580 + i;
      const keyFile = path.join(o.work, `gw-${i}.json`);
      const logFile = path.join(o.logs, `gateway-${i}.log`);
      const child = spawn(process.execPath, [path.join(DIST, 'gateway', 'src', 'main.js')], {
        stdio: ['ignore', fs.openSync(logFile, 'a'), 'pipe'],
        env: {
          ...process.env,
          ...devnetLedgerEnv(readDevnetInfo(o.cfg.runDir), 'RetailerMSP'),
          GATEWAY_PORT: String(port),
          DATABASE_URL: o.pg.connectionString,
          DEV_ISSUER_KEY_FILE: keyFile,
          ADAPTER_MAPPINGS_FILE: o.mappingsFile,
          POS_ROLLUP_BY_DEFAULT: 'true',
          POS_ROLLUP_INTERVAL_MS: String(o.intervalMs),
          POS_ROLLUP_MAX_STORES: String(o.maxStores),
          POS_ROLLUP_CONCURRENCY: String(o.concurrency),
          RATE_LIMIT_RPS: '1000000',
          RATE_LIMIT_BURST: '1000000',
          GATEWAY_BODY_LIMIT: '5mb',
          LOG_LEVEL: process.env.RETAIL_BENCH_GATEWAY_LOG_LEVEL ?? 'warn',
        },
      });
      child.stderr!.on('data', (d) => process.stderr.write(`[gateway ${i}] ${d}`));
      const s: Started = { name: `gateway ${i}`, url: `http://127.0.0.1:${port}`, logFile, stop: stopper(`gateway ${i}`, child) };
      out.push(s);
      await waitFor(`gateway ${i}`, async () => fs.existsSync(keyFile) && (await fetch(`${s.url}/readyz`)).status === 200, child);
      s.token = await mintWithKey(JSON.parse(fs.readFileSync(keyFile, 'utf8')), { sub: 'pos-feed', roles: ['pos'], ttlSec: 24 * 3600 });
      log(`gateway ${i} ready on ${s.url} (pid ${child.pid})`);
    }
    return out;
  } catch (err) {
    for (const s of out) await s.stop();
    throw err;
  }
}

/** The indexer from the ledger's current tip (the schema is seeded with the tip block, as the indexer lag benchmark does). */
export async function startIndexer(o: { cfg: DevnetConfig; pg: PostgresServer; work: string }): Promise<Started> {
  const schema = 'retail_idx';
  const pool = createPool({ connectionString: o.pg.connectionString, schema, max: 1 });
  const info = readDevnetInfo(o.cfg.runDir);
  const client = await connectDevnet(info, 'AuditorMSP');
  try {
    await seedSchemaAtTip(pool, schema, client);
  } finally {
    client.close();
    await pool.end();
  }
  const child = spawn(process.execPath, [path.join(DIST, 'indexer', 'src', 'cli.js'), 'run'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      ...devnetLedgerEnv(info, 'AuditorMSP'),
      INDEXER_OWNER_ROLE: 'auditor',
      DATABASE_URL: o.pg.connectionString,
      INDEXER_SCHEMA: schema,
      INDEXER_KAFKA: 'off',
      INDEXER_HTTP_PORT: '0',
      DEV_ISSUER_KEY_FILE: path.join(o.work, 'indexer-issuer.json'),
      LOG_LEVEL: 'debug',
    },
  });
  const stored = new Map<string, number>();
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (!l.includes('"block stored"')) return;
    const e = JSON.parse(l) as { time: number; blockNumber: string };
    stored.set(e.blockNumber, e.time);
  });
  return { name: 'indexer', stored, stop: stopper('indexer', child) };
}
