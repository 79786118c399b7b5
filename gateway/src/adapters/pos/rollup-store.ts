/**
 * Where POS store batches wait for their region roll-up (PostgreSQL, table
 * `gateway.pos_store_batches`): written when an upload is accepted, claimed
 * by the roll-up worker with `FOR UPDATE SKIP LOCKED` under a lease (several
 * gateways may share the database), and finished as committed (transaction,
 * block, region proof) or refused (the ledger's reason and the field).
 */
import { isoTime, migrateGateway, storePool, type StoreDb } from '../../db';
import type { ProofStep } from './merkle';

export type BatchStatus = 'pending' | 'committed' | 'refused';

/** A store batch as accepted from an upload. */
export interface PendingBatch {
  batchId: string;
  mspId: string;
  gln: string;
  region: string;
  merkleRoot: string;
  receiptCount: number;
  /** RecordSales lines. */
  lines: Array<Record<string, unknown>>;
  /** RecordSales field → source element, to report a refusal in the caller's terms. */
  fields: Record<string, string>;
}

/** Why the ledger refused a store batch. */
export interface BatchRefusal {
  code: string;
  message: string;
  /** The field inside the store batch as the chaincode named it (`lines[0].quantity`). */
  field?: string;
  /** The same field in the uploaded document (POSLog element path or JSON receipt field). */
  sourceField?: string;
}

/** A store batch with where it stands. */
export interface StoredBatch extends PendingBatch {
  status: BatchStatus;
  receivedAt: string;
  attempts: number;
  rollupId?: string;
  regionRoot?: string;
  regionProof?: ProofStep[];
  txId?: string;
  blockNumber?: number;
  finishedAt?: string;
  error?: BatchRefusal;
}

/** How a batch left the queue on the ledger. */
export interface BatchCommit {
  batchId: string;
  rollupId?: string;
  regionRoot?: string;
  regionProof?: ProofStep[];
  txId: string;
  blockNumber?: number;
}

export interface RollupStore {
  migrate(): Promise<void>;
  /** Inserts the batches not yet known; returns the ids that were new (the others are resends). */
  accept(batches: PendingBatch[]): Promise<Set<string>>;
  get(batchId: string): Promise<StoredBatch | undefined>;
  getMany(batchIds: string[]): Promise<StoredBatch[]>;
  /** Leases up to `limit` pending batches of `mspId`, oldest first. */
  claim(mspId: string, limit: number, leaseMs: number): Promise<StoredBatch[]>;
  commit(commits: BatchCommit[]): Promise<void>;
  refuse(batchId: string, error: BatchRefusal): Promise<void>;
  /** Gives batches back to the queue after `delayMs` (a transient ledger failure). */
  release(batchIds: string[], delayMs: number, error?: BatchRefusal): Promise<void>;
  /** Pending batches of `mspId` (the backlog). */
  pendingCount(mspId: string): Promise<number>;
  close(): Promise<void>;
}

function toBatch(r: Record<string, any>): StoredBatch {
  return {
    batchId: r.batch_id,
    mspId: r.msp_id,
    gln: r.store_gln,
    region: r.region,
    merkleRoot: r.merkle_root,
    receiptCount: r.receipt_count,
    lines: r.lines,
    fields: r.fields,
    status: r.status,
    receivedAt: isoTime(r.received_at)!,
    attempts: r.attempts,
    rollupId: r.rollup_id ?? undefined,
    regionRoot: r.region_root ?? undefined,
    regionProof: r.region_proof ?? undefined,
    txId: r.tx_id ?? undefined,
    blockNumber: r.block_number === null || r.block_number === undefined ? undefined : Number(r.block_number),
    finishedAt: isoTime(r.finished_at),
    error: r.error ?? undefined,
  };
}

export function createPgRollupStore(opts: StoreDb): RollupStore {
  const { pool, owned } = storePool(opts, 4);
  return {
    migrate: () => migrateGateway(pool),
    async accept(batches) {
      if (batches.length === 0) return new Set();
      // One statement per upload; a batch id already present (a resend) is left as it stands.
      const { rows } = await pool.query(
        `INSERT INTO gateway.pos_store_batches (batch_id, msp_id, store_gln, region, merkle_root, receipt_count, lines, fields)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::jsonb[], $8::jsonb[])
         ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id`,
        [
          batches.map((b) => b.batchId),
          batches.map((b) => b.mspId),
          batches.map((b) => b.gln),
          batches.map((b) => b.region),
          batches.map((b) => b.merkleRoot),
          batches.map((b) => b.receiptCount),
          batches.map((b) => JSON.stringify(b.lines)),
          batches.map((b) => JSON.stringify(b.fields)),
        ],
      );
      return new Set(rows.map((r) => r.batch_id as string));
    },
    async get(batchId) {
      const { rows } = await pool.query('SELECT * FROM gateway.pos_store_batches WHERE batch_id = $1', [batchId]);
      return rows[0] ? toBatch(rows[0]) : undefined;
    },
    async getMany(batchIds) {
      const { rows } = await pool.query('SELECT * FROM gateway.pos_store_batches WHERE batch_id = ANY($1::text[])', [batchIds]);
      return rows.map(toBatch);
    },
    async claim(mspId, limit, leaseMs) {
      const { rows } = await pool.query(
        `UPDATE gateway.pos_store_batches SET attempts = attempts + 1, locked_until = now() + make_interval(secs => $3)
         WHERE batch_id IN (
           SELECT batch_id FROM gateway.pos_store_batches
           WHERE msp_id = $1 AND status = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
           ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [mspId, limit, leaseMs / 1000],
      );
      return rows.map(toBatch);
    },
    async commit(commits) {
      if (commits.length === 0) return;
      await pool.query(
        `UPDATE gateway.pos_store_batches b SET status = 'committed', rollup_id = c.rollup_id, region_root = c.region_root,
           region_proof = c.region_proof, tx_id = c.tx_id, block_number = c.block_number, locked_until = NULL, finished_at = now(), error = NULL
         FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::bigint[])
           AS c(batch_id, rollup_id, region_root, region_proof, tx_id, block_number)
         WHERE b.batch_id = c.batch_id`,
        [
          commits.map((c) => c.batchId),
          commits.map((c) => c.rollupId ?? null),
          commits.map((c) => c.regionRoot ?? null),
          commits.map((c) => (c.regionProof ? JSON.stringify(c.regionProof) : null)),
          commits.map((c) => c.txId),
          commits.map((c) => c.blockNumber ?? null),
        ],
      );
    },
    async refuse(batchId, error) {
      await pool.query(`UPDATE gateway.pos_store_batches SET status = 'refused', error = $2, locked_until = NULL, finished_at = now() WHERE batch_id = $1`, [
        batchId,
        JSON.stringify(error),
      ]);
    },
    async release(batchIds, delayMs, error) {
      await pool.query(
        `UPDATE gateway.pos_store_batches SET locked_until = NULL, next_attempt_at = now() + make_interval(secs => $2),
           error = COALESCE($3::jsonb, error) WHERE batch_id = ANY($1::text[]) AND status = 'pending'`,
        [batchIds, delayMs / 1000, error ? JSON.stringify(error) : null],
      );
    },
    async pendingCount(mspId) {
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM gateway.pos_store_batches WHERE msp_id = $1 AND status = 'pending'`, [mspId]);
      return rows[0].n as number;
    },
    async close() {
      if (owned) await pool.end();
    },
  };
}
