/**
 * Shared set-up of the indexer benchmarks: a devnet on port base 44000 (state
 * under network/run/indexer-bench-44000) and PostgreSQL/Kafka on the same base
 * (44700, 44800; state under indexer/.run/bench-44000). Everything is started
 * and stopped by PID through the project's own process managers.
 */
import * as path from 'node:path';
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

/** The bench devnet: reused when it runs (a ledger built earlier), else started fresh. */
export async function benchDevnet(log: (m: string) => void = console.log): Promise<DevnetInfo> {
  const cfg = benchDevnetConfig();
  const st = devnetStatus(cfg);
  if (st.running && st.info) return st.info;
  return devnetUp(cfg, log);
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

/** Nearest-rank percentile of sorted values. */
export function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}
