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
import { isFatal, verifyBlock, type ChainTip } from '../source/verify-block';
import { addOutboxMessages } from './outbox-messages';
import { projectConfigBlock } from './project-config';
import { projectEpcisEvents } from './project-epcis';
import { projectEvents } from './project-events';
import { projectRecord, type RowOrigin } from './project-records';
import { RowBuffer } from './row-buffer';
import { T, WRITE_ORDER } from './tables';
import { parseTracePayload, TRACE_EVENT_NAME, type TracePayload } from './trace-payload';

/** What one block added, for logs and metrics. */
export interface BlockSummary {
  blockNumber: bigint;
  transactions: number;
  projected: number;
  invalid: number;
  outboxRows: number;
  /** Latest transaction timestamp in the block (commit lag is measured from it). */
  lastTxTime?: string;
}

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

/** Append-only, foreign-key-free tables a bulk load writes on its second connection (and the movements' partitions). */
const BULK_SIDE_TABLES = [T.traceEvents, T.epcisEvents, T.stockMovements];

export function createBlockProjector(deps: BlockProjectorDeps): BlockProjector {
  const partitions = new Set<string>();

  async function ensurePartitions(client: PoolClient, months: Set<string>): Promise<string[]> {
    const created: string[] = [];
    for (const month of months) {
      if (partitions.has(month)) continue;
      const [y, m] = month.split('-').map(Number);
      const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
      const name = `stock_movements_${y}_${String(m).padStart(2, '0')}`;
      await client.query(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF stock_movements FOR VALUES FROM ('${month}') TO ('${next}')`);
      created.push(month);
    }
    return created;
  }

  function payloadOf(tx: LedgerTransaction): TracePayload | undefined {
    if (tx.validationCode !== 'VALID' || tx.event?.name !== TRACE_EVENT_NAME) return undefined;
    try {
      return parseTracePayload(tx.event.payload);
    } catch (err) {
      // Recorded, not projected: a payload we cannot read must not stop the ledger's history.
      deps.onWarn?.(`unreadable ${TRACE_EVENT_NAME} payload: ${(err as Error).message}`, tx);
      return undefined;
    }
  }

  /** Buffers the rows of one block (already verified); returns its summary. */
  function addBlock(rows: RowBuffer, months: Set<string>, block: LedgerBlock): BlockSummary {
    const bn = block.number.toString();
    const summary: BlockSummary = { blockNumber: block.number, transactions: block.transactions.length, projected: 0, invalid: 0, outboxRows: 0 };
    const outboxBefore = rows.count(T.outbox);
    rows.add(T.blocks, [bn, block.headerHash, block.previousHash, block.dataHash, block.transactions.length]);
    for (const tx of block.transactions) {
      const payload = payloadOf(tx);
      const projects = payload !== undefined && !payload.replayOf;
      if (tx.validationCode !== 'VALID') summary.invalid++;
      if (tx.timestamp && (!summary.lastTxTime || tx.timestamp > summary.lastTxTime)) summary.lastTxTime = tx.timestamp;
      rows.add(T.transactions, [
        tx.txId,
        bn,
        tx.index,
        tx.validationCode,
        tx.type,
        tx.creatorMspId,
        tx.endorserMspIds,
        tx.chaincodeId ?? null,
        payload?.function ?? tx.args[0] ?? null,
        payload?.eventId ?? null,
        projects,
        payload?.replayOf?.txId ?? null,
        tx.timestamp || null,
      ]);
      // A config transaction in a committed block is in force (the orderer validated it; the genesis block carries no flags).
      if (tx.type === 'CONFIG') projectConfigBlock(rows, block, tx);
      if (tx.type !== 'ENDORSER_TRANSACTION') continue;
      const origin: RowOrigin = {
        txId: tx.txId,
        blockNumber: bn,
        txIndex: tx.index,
        creatorMsp: tx.creatorMspId,
        endorserMsps: tx.endorserMspIds,
        time: payload?.recordedAt ?? tx.timestamp,
      };
      let projected;
      if (projects) {
        summary.projected++;
        for (const rec of payload.records) projectRecord(rows, rec, origin);
        const ev = projectEvents(rows, payload.events, payload.eventId, origin);
        ev.months.forEach((m) => months.add(m));
        projectEpcisEvents(rows, payload, origin, tx.timestamp || origin.time);
        projected = { movements: ev.movements, records: payload.records };
      }
      const facts = { txId: tx.txId, blockNumber: bn, txIndex: tx.index, validationCode: tx.validationCode, creatorMsp: tx.creatorMspId, time: tx.timestamp };
      addOutboxMessages(rows, deps.topicPrefix, facts, payload, projected);
    }
    // Outbox rows never collapse (ON CONFLICT DO NOTHING keeps the first), so the count difference is this block's.
    summary.outboxRows = rows.count(T.outbox) - outboxBefore;
    return summary;
  }

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
        created = await ensurePartitions(client, prepared.months);
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
          created = await ensurePartitions(sideClient, months);
          await sideRows.flush(sideClient);
        })();
        const [a, b] = await Promise.allSettled([sideWrite, prepared.rows.flush(client, WRITE_ORDER).then(() => client.query(checkpoint))]);
        if (a.status === 'rejected') throw a.reason;
        if (b.status === 'rejected') throw b.reason;
        await sideClient.query('COMMIT');
        await client.query('COMMIT');
      } else {
        created = await ensurePartitions(client, prepared.months);
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
    created.forEach((m) => partitions.add(m));
    return prepared.summaries;
  }

  return {
    prepare,
    write: (batch) => store(batch.blocks, batch),
    apply: async (block) => (await store([block]))[0],
  };
}

/**
 * Stores batches strictly in order with one write in flight: the next batch
 * is verified and its rows built while the previous one commits. Each batch
 * is verified against the tip the previous batch leaves; its write checks
 * that tip against PostgreSQL again. A batch holding a block that fails
 * verification is stored block by block instead, so every block before the
 * bad one is kept and the error names exactly that block.
 */
export interface PipelinedStore {
  /** Starts storing `blocks` once the write before it committed; rejects with an earlier write's failure. */
  push(blocks: readonly LedgerBlock[]): Promise<void>;
  /** Waits for the write in flight; rejects with its failure. */
  drain(): Promise<void>;
  /** A write is in flight. */
  busy(): boolean;
  /** Resolves when no write is in flight (whether it committed or failed; drain() reports which). */
  idle(): Promise<void>;
}

/** `onFailed` hears of a failed write at once (the failure itself is still reported by the next push or drain). */
export function pipelinedStore(
  projector: BlockProjector,
  after: ChainTip | undefined,
  onStored: (s: BlockSummary) => void,
  onFailed?: (err: unknown) => void,
): PipelinedStore {
  let tip = after;
  let inFlight: Promise<void> | undefined;
  let writing = false;
  const drain = async () => {
    const p = inFlight;
    inFlight = undefined;
    await p;
  };
  return {
    async push(blocks) {
      if (blocks.length === 0) return;
      let prepared: PreparedBatch;
      try {
        prepared = projector.prepare(blocks, tip);
      } catch (err) {
        await drain();
        if (!isFatal(err)) throw err;
        for (const b of blocks) onStored(await projector.apply(b));
        throw err;
      }
      const last = blocks[blocks.length - 1];
      tip = { blockNumber: last.number, headerHash: last.headerHash };
      await drain();
      writing = true;
      const write = projector.write(prepared).then((summaries) => summaries.forEach(onStored));
      const settled = write.finally(() => (writing = false));
      // Surfaced by the next push or drain.
      settled.catch((err: unknown) => onFailed?.(err));
      inFlight = settled;
    },
    drain,
    busy: () => writing,
    idle: () =>
      (inFlight ?? Promise.resolve()).then(
        () => undefined,
        () => undefined,
      ),
  };
}
