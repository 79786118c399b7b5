/**
 * One PostgreSQL transaction per block (live) or per run of blocks (catch-up):
 * verify each block against the one before it (the first against the stored
 * tip), then write the block rows, every transaction with its validation code,
 * the projected rows of the valid ones, their outbox rows and the checkpoint of
 * the last block — all committed together or not at all. Rows of a run go out
 * as one multi-row INSERT per table (upserts collapse to the last version, as
 * they would block by block).
 */
import type { Pool, PoolClient, QueryResult } from 'pg';
import { ServiceError } from '../../../lib/platform/src';
import type { LedgerBlock, LedgerTransaction } from '../../../lib/fabric/src';
import { verifyBlock, type ChainTip } from '../source/verify-block';
import { blockRows, type BlockSummary } from './block-rows';
import { createPartitions } from './partitions';
import { RowBuffer } from './row-buffer';
import { T, WRITE_ORDER } from './tables';

export type { BlockSummary } from './block-rows';

const TIP_SQL = 'SELECT c.block_number, b.header_hash FROM checkpoint c JOIN blocks b USING (block_number)';

function tipOf(rows: Array<{ block_number: string; header_hash: Buffer }>): ChainTip | undefined {
  if (rows.length === 0) return undefined;
  return { blockNumber: BigInt(rows[0].block_number), headerHash: rows[0].header_hash };
}

/** Reads the stored tip: the checkpoint block and its header hash as stored in `blocks`. */
export async function readTip(q: Pool | PoolClient, forUpdate = false): Promise<ChainTip | undefined> {
  const r = await q.query<{ block_number: string; header_hash: Buffer }>(`${TIP_SQL}${forUpdate ? ' FOR UPDATE OF c' : ''}`);
  return tipOf(r.rows);
}

/**
 * A batch of at most this many rows is written as one simple query of INSERT
 * statements with literal values, checkpoint and COMMIT included: a live
 * block costs two round trips (BEGIN with the tip, then the rest) instead of
 * a few per table, which is most of its commit latency on a busy machine.
 */
const LITERAL_ROWS = 2000;

/** Verified blocks with their rows built, ready to be written in one transaction. */
export interface PreparedBatch {
  blocks: readonly LedgerBlock[];
  /** The stored tip the first block was verified against; the write checks it still is the tip. */
  after: ChainTip | undefined;
  rows: RowBuffer;
  months: Set<string>;
  summaries: BlockSummary[];
}

/** Projects blocks of one schema; remembers which stock_movements partitions exist. */
export interface BlockProjector {
  /**
   * Verifies consecutive blocks against `after` (the tip they follow) and
   * builds their rows, without touching PostgreSQL. Throws on a block that
   * fails verification.
   */
  prepare(blocks: readonly LedgerBlock[], after: ChainTip | undefined): PreparedBatch;
  /** Writes a prepared batch in one transaction, if the stored tip is still the one it was verified against. */
  write(batch: PreparedBatch): Promise<BlockSummary[]>;
  /** Verifies and stores one block in its own transaction; throws without storing anything on failure. */
  apply(block: LedgerBlock): Promise<BlockSummary>;
}

/** Dependencies of {@link createBlockProjector}. */
export interface BlockProjectorDeps {
  pool: Pool;
  topicPrefix: string;
  onWarn?: (msg: string, tx: LedgerTransaction) => void;
  /**
   * A bulk load of a fresh schema (rebuild), redone from scratch if it fails:
   * the rows of the append-only tables no foreign key points at or from
   * (BULK_SIDE_TABLES) go in on a second connection, in parallel with the
   * rest of the batch; that transaction commits just before the one holding
   * the checkpoint. Never for the live schema, whose batches must commit whole.
   */
  bulk?: boolean;
  /** A batch of at most this many rows is written in one round trip (default LITERAL_ROWS); 0: never. */
  literalRows?: number;
  /** Rows from which an upserted table goes through a staging table (RowBuffer's `stageFrom`). */
  stageFrom?: number;
}

/**
 * Append-only, foreign-key-free tables a bulk load writes on its second
 * connection (and the movements' partitions). Their triggers must read
 * nothing the main connection writes, which the second one cannot see before
 * both commit, and write nothing the main one writes, which would make one
 * wait for the other's commit: stock_movements fills lot_sites from the
 * movements alone (migration 020). epcis_events stays on the main connection:
 * its readers (epcis_event_readers, migration 019) are the owners of the
 * locations it names, which the same batch may register.
 */
const BULK_SIDE_TABLES = [T.traceEvents, T.stockMovements];

export function createBlockProjector(deps: BlockProjectorDeps): BlockProjector {
  const partitions = createPartitions();
  const addBlock = blockRows({ topicPrefix: deps.topicPrefix, onWarn: deps.onWarn });

  function prepare(blocks: readonly LedgerBlock[], after: ChainTip | undefined): PreparedBatch {
    const rows = new RowBuffer({ stageFrom: deps.stageFrom });
    const months = new Set<string>();
    const summaries: BlockSummary[] = [];
    let tip = after;
    for (const block of blocks) {
      verifyBlock(block, tip);
      summaries.push(addBlock(rows, months, block));
      // The next block must link to this one's header hash, which is what gets stored.
      tip = { blockNumber: block.number, headerHash: block.headerHash };
    }
    return { blocks, after, rows, months, summaries };
  }

  /** Writes `batch` (or, without one, verifies and builds `blocks` against the tip read under lock). */
  async function store(blocks: readonly LedgerBlock[], batch?: PreparedBatch): Promise<BlockSummary[]> {
    if (blocks.length === 0) return [];
    const client = await deps.pool.connect();
    const range = blocks.length === 1 ? `block ${blocks[0].number}` : `blocks ${blocks[0].number}..${blocks[blocks.length - 1].number}`;
    let created: string[] = [];
    let prepared = batch;
    let side: PoolClient | undefined;
    try {
      // Locks the checkpoint row: a second indexer on the same schema waits here, then fails verification.
      const begun = (await client.query(`BEGIN; ${TIP_SQL} FOR UPDATE OF c`)) as unknown as QueryResult[];
      const tip = tipOf(begun[1].rows);
      if (prepared) {
        // Prepared against an expected tip: the first block is checked against the real one again.
        verifyBlock(blocks[0], tip);
      } else {
        prepared = prepare(blocks, tip);
      }
      const checkpoint = `INSERT INTO checkpoint (id, block_number) VALUES (true, ${blocks[blocks.length - 1].number.toString()}) ON CONFLICT (id) DO UPDATE SET block_number = EXCLUDED.block_number`;
      if (prepared.rows.size() <= (deps.literalRows ?? LITERAL_ROWS)) {
        created = await partitions.ensure(client, prepared.months);
        const rows = prepared.rows.toSql(WRITE_ORDER);
        await client.query(`${rows ? `${rows};\n` : ''}${checkpoint};\nCOMMIT`);
      } else if (deps.bulk) {
        side = await deps.pool.connect();
        const sideClient = side;
        const sideRows = prepared.rows.take(BULK_SIDE_TABLES);
        const months = prepared.months;
        const sideWrite = (async () => {
          await sideClient.query('BEGIN');
          // The side connection creates the partitions it writes into: the main one never locks stock_movements.
          created = await partitions.ensure(sideClient, months);
          await sideRows.flush(sideClient);
        })();
        const [a, b] = await Promise.allSettled([sideWrite, prepared.rows.flush(client, WRITE_ORDER).then(() => client.query(checkpoint))]);
        if (a.status === 'rejected') throw a.reason;
        if (b.status === 'rejected') throw b.reason;
        await sideClient.query('COMMIT');
        await client.query('COMMIT');
      } else {
        created = await partitions.ensure(client, prepared.months);
        await prepared.rows.flush(client, WRITE_ORDER);
        await client.query(checkpoint);
        await client.query('COMMIT');
      }
    } catch (err) {
      created = [];
      await side?.query('ROLLBACK').catch(() => undefined);
      await client.query('ROLLBACK').catch(() => undefined);
      if (err instanceof ServiceError) throw err;
      throw new ServiceError({
        code: 'PROJECTION_FAILED',
        message: `storing ${range} failed: ${(err as Error).message}`,
        httpStatus: 500,
        retriable: true,
        cause: err,
      });
    } finally {
      side?.release();
      client.release();
    }
    partitions.remember(created);
    return prepared.summaries;
  }

  return {
    prepare,
    write: (batch) => store(batch.blocks, batch),
    apply: async (block) => (await store([block]))[0],
  };
}
