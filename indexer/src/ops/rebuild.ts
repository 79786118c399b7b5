/**
 * `indexer rebuild`: replays the ledger from block 0 into a fresh schema and
 * compares it, table by table, with the live schema at the same block. The
 * comparison runs in one REPEATABLE READ snapshot of the live schema, so a
 * live indexer may keep running. The fresh schema is bulk loaded: secondary
 * indexes are created after the replay, and commits do not wait for the WAL
 * flush (a crashed rebuild is simply run again).
 */
import type { Pool } from 'pg';
import { connectLedger, type LedgerClient } from '../../../lib/fabric/src';
import { checkSchemaName, type IndexerConfig } from '../config';
import { dropSchema, migrate } from '../db/migrate';
import { deferIndexes, restoreIndexes } from '../db/bulk-load';
import { createPool } from '../db/pool';
import { createBlockProjector, readTip, type BlockProjector } from '../projection/project-block';
import { compareSchemas, type TableComparison } from './compare-schemas';
import { replayBlocks } from './replay';

export interface RebuildResult {
  targetSchema: string;
  blockNumber: bigint | undefined;
  transactions: number;
  /** Replay and index creation together. */
  seconds: number;
  indexSeconds: number;
  tables: TableComparison[];
  equal: boolean;
}

export interface RebuildOptions {
  targetSchema?: string;
  out?: (line: string) => void;
  connect?: () => Promise<LedgerClient>;
}

/** What {@link bulkReplay} did. */
export interface BulkReplayResult {
  transactions: number;
  /** Replay and index creation together. */
  seconds: number;
  indexSeconds: number;
  indexes: number;
}

/**
 * The load of a rebuild: blocks `0..to` replayed into the pool's schema (fresh,
 * migrated) with its secondary indexes dropped before and built again after
 * the replay. `indexer rebuild` and the replay benchmark both time this.
 */
export async function bulkReplay(pool: Pool, ledger: LedgerClient, projector: BlockProjector, to: bigint): Promise<BulkReplayResult> {
  const deferred = await deferIndexes(pool);
  const t0 = process.hrtime.bigint();
  const transactions = await replayBlocks(pool, ledger, projector, 0n, to);
  const t1 = process.hrtime.bigint();
  await restoreIndexes(pool, deferred);
  const done = process.hrtime.bigint();
  return { transactions, seconds: Number(done - t0) / 1e9, indexSeconds: Number(done - t1) / 1e9, indexes: deferred.length };
}

export async function runRebuild(config: IndexerConfig, opts: RebuildOptions = {}): Promise<RebuildResult> {
  if (!config.databaseUrl) throw new Error('rebuild needs DATABASE_URL (the live read model)');
  const out = opts.out ?? (() => undefined);
  const target = checkSchemaName(opts.targetSchema ?? `${config.schema}_rebuild`, '--target-schema');
  if (target === config.schema) throw new Error('the rebuild target must differ from the live schema');
  const live = createPool({ connectionString: config.databaseUrl, schema: config.schema, max: 2 });
  const pool = createPool({ connectionString: config.databaseUrl, schema: target, synchronousCommit: false });
  const ledger = await (opts.connect ?? (() => connectLedger(config.ledger)))();
  try {
    await dropSchema(pool, target);
    await migrate(pool, target);
    // A fresh schema, redone from scratch on failure: batches may use a second connection.
    const projector = createBlockProjector({ pool, topicPrefix: config.topicPrefix, bulk: true });
    const first = await readTip(live);
    const load = await bulkReplay(pool, ledger, projector, first?.blockNumber ?? -1n);
    let stored = first?.blockNumber ?? -1n;
    let transactions = load.transactions;
    const { seconds, indexSeconds } = load;
    const catchUp = async (to: bigint) => {
      if (to > stored) transactions += await replayBlocks(pool, ledger, projector, stored + 1n, to);
      stored = to > stored ? to : stored;
    };
    const client = await live.connect();
    let tables: TableComparison[] = [];
    let blockNumber: bigint | undefined;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      const tip = await readTip(client);
      blockNumber = tip?.blockNumber;
      // The live indexer may have moved on while we replayed: follow it to the snapshot's block.
      if (tip) await catchUp(tip.blockNumber);
      tables = await compareSchemas(client, config.schema, target);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const equal = tables.every((t) => t.equal);
    out(
      `rebuild into schema ${target}: blocks 0..${blockNumber ?? '-'}, ${transactions} transactions in ${seconds.toFixed(1)} s (${Math.round(transactions / Math.max(seconds, 1e-3))} tx/s; ${load.indexes} indexes built after the replay in ${indexSeconds.toFixed(1)} s)`,
    );
    for (const t of tables) out(`  ${t.equal ? 'same     ' : 'DIFFERENT'} ${t.table.padEnd(18)} live ${t.rowsA} rows, rebuilt ${t.rowsB} rows`);
    out(equal ? 'rebuild equals live' : 'REBUILD DIFFERS FROM LIVE');
    return { targetSchema: target, blockNumber, transactions, seconds, indexSeconds, tables, equal };
  } finally {
    ledger.close();
    await live.end();
    await pool.end();
  }
}
