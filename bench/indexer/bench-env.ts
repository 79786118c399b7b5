/**
 * Shared set-up of the indexer benchmarks: a devnet on port base 44000 (state
 * under network/run/indexer-bench-44000) and PostgreSQL/Kafka on the same base
 * (44700, 44800; state under indexer/.run/bench-44000). Everything is started
 * and stopped by PID through the project's own process managers.
 */
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import type { LedgerClient } from '../../lib/fabric/src';
import { dropSchema, migrate } from '../../indexer/src/db/migrate';
import { loadDevnetConfig, type DevnetConfig } from '../../network/src/config';
import { devnetDown, devnetStatus, devnetUp } from '../../network/src/devnet';
import type { DevnetInfo } from '../../network/src/devnet-info';
import { createKafkaBroker, type KafkaBroker } from '../../network/src/services/kafka-broker';
import { createPostgres, type PostgresServer } from '../../network/src/services/postgres';

export const BENCH_PORT_BASE = Number(process.env.INDEXER_BENCH_PORT_BASE ?? 44000);

export function benchDevnetConfig(): DevnetConfig {
  const base = loadDevnetConfig({ portBase: BENCH_PORT_BASE });
  return loadDevnetConfig({ portBase: BENCH_PORT_BASE, runDir: path.join(base.root, 'network', 'run', `indexer-bench-${BENCH_PORT_BASE}`) });
}

export function benchServicesConfig(): DevnetConfig {
  const base = loadDevnetConfig({ portBase: BENCH_PORT_BASE });
  return loadDevnetConfig({ portBase: BENCH_PORT_BASE, runDir: path.join(base.root, 'indexer', '.run', `bench-${BENCH_PORT_BASE}`) });
}

/** The bench devnet and whether this run started it (so it stops it again). */
export interface BenchDevnet {
  info: DevnetInfo;
  started: boolean;
  /** Stops the devnet if this run started it, unless `keep`; the ledger stays on disk for the next run. */
  release(keep?: boolean): Promise<void>;
}

/**
 * The bench devnet: used as it is when it runs (started by someone else, who
 * stops it), else started on the ledger kept on disk (or a fresh one).
 */
export async function benchDevnet(log: (m: string) => void = console.log): Promise<BenchDevnet> {
  const cfg = benchDevnetConfig();
  const st = devnetStatus(cfg);
  const started = !(st.running && st.info);
  const info = started ? await devnetUp(cfg, log) : st.info!;
  return {
    info,
    started,
    async release(keep = false) {
      if (!started) return;
      if (keep) {
        log(`devnet ${cfg.portBase} keeps running (--keep); stop it with: node dist/bench/indexer/build-ledger.js --down`);
        return;
      }
      const stopped = await benchDevnetDown(false);
      log(`devnet ${cfg.portBase} stopped (${stopped.length} processes); its ledger stays in ${cfg.runDir}`);
    },
  };
}

export async function benchDevnetDown(wipe = false): Promise<string[]> {
  return devnetDown(benchDevnetConfig(), { wipe }, () => undefined);
}

export function benchPostgres(): PostgresServer {
  // A benchmark database: durability off is not used, the figures are with the defaults.
  return createPostgres({ cfg: benchServicesConfig(), database: 'indexer_bench' });
}

export function benchKafka(): KafkaBroker {
  return createKafkaBroker({ cfg: benchServicesConfig() });
}

/**
 * Deletes a run's topics from the bench broker (those that exist): a broker that keeps every run's
 * partitions gets slower run after run.
 */
export async function deleteBenchTopics(brokers: string[], topics: string[]): Promise<void> {
  const admin = new Kafka({ brokers, clientId: 'indexer-bench', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    await admin.deleteTopics({ topics: topics.filter((t) => existing.has(t)) });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Times two ways of answering the same question, alternately run after run
 * (after 10 warm-up pairs), so load on the machine hits both alike; the
 * sorted milliseconds of each.
 */
export async function timeInterleaved(first: () => Promise<unknown>, second: () => Promise<unknown>, runs: number): Promise<[number[], number[]]> {
  for (let i = 0; i < 10; i++) {
    await first();
    await second();
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    for (const [answer, into] of [
      [first, a],
      [second, b],
    ] as const) {
      const s = process.hrtime.bigint();
      await answer();
      into.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
  }
  return [a.sort((x, y) => x - y), b.sort((x, y) => x - y)];
}

/** Nearest-rank percentile of sorted values. */
export function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

/**
 * A fresh indexer schema seeded with the ledger's tip block, so an indexer
 * started on it begins with the next block and verifies it against this one.
 */
export async function seedSchemaAtTip(pool: Pool, schema: string, client: LedgerClient): Promise<void> {
  await dropSchema(pool, schema);
  await migrate(pool, schema);
  const tip = await client.blockByNumber((await client.height()) - 1n);
  await pool.query('INSERT INTO blocks (block_number, header_hash, previous_hash, data_hash, tx_count) VALUES ($1, $2, $3, $4, $5)', [
    tip.number.toString(),
    tip.headerHash,
    tip.previousHash,
    tip.dataHash,
    tip.transactions.length,
  ]);
  await pool.query('INSERT INTO checkpoint (id, block_number) VALUES (true, $1)', [tip.number.toString()]);
}
