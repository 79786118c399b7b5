/**
 * SubmissionStore on PostgreSQL (node-postgres pool, own schema `gateway`).
 */
import type { PoolClient } from 'pg';
import type { IdempotencyBegin, StoredResponse, SubmissionRow, SubmissionStatus, SubmissionStore } from './store';
import { migrateGateway, storePool, withTransaction, type StoreDb } from '../db';

export type PgStoreOptions = StoreDb & {
  /** An in-progress Idempotency-Key older than this is taken over (its request died). */
  staleInProgressMs?: number;
};

function toRow(r: Record<string, any>): SubmissionRow {
  return {
    id: r.id,
    mspId: r.msp_id,
    clientId: r.client_id,
    eventId: r.event_id,
    fn: r.fn,
    command: r.command,
    status: r.status,
    attempts: r.attempts,
    txId: r.tx_id ?? undefined,
    blockNumber: r.block_number === null || r.block_number === undefined ? undefined : Number(r.block_number),
    result: r.result ?? undefined,
    error: r.error ?? undefined,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

function errorJson(err: unknown): unknown {
  if (err && typeof err === 'object' && 'code' in err) {
    const e = err as { code: string; message?: string; httpStatus?: number; details?: unknown };
    return { code: e.code, message: e.message, status: e.httpStatus, details: e.details };
  }
  return { code: 'INTERNAL', message: String((err as Error)?.message ?? err) };
}

export function createPgSubmissionStore(opts: PgStoreOptions): SubmissionStore {
  const { pool, owned } = storePool(opts, 10);
  const staleMs = opts.staleInProgressMs ?? 120_000;

  const tx = <T>(fn: (c: PoolClient) => Promise<T>) => withTransaction(pool, fn);

  return {
    migrate: () => migrateGateway(pool),
    async beginIdempotent(scope, key, requestHash): Promise<IdempotencyBegin> {
      return tx(async (c) => {
        const ins = await c.query(
          `INSERT INTO gateway.idempotency (scope, key, request_hash, state) VALUES ($1, $2, $3, 'in_progress')
           ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
          [scope, key, requestHash],
        );
        if (ins.rowCount === 1) return { state: 'new' };
        const { rows } = await c.query(
          `SELECT request_hash, state, status, headers, body, updated_at < now() - make_interval(secs => $3) AS stale
           FROM gateway.idempotency WHERE scope = $1 AND key = $2 FOR UPDATE`,
          [scope, key, staleMs / 1000],
        );
        const r = rows[0];
        if (!r) return { state: 'in_progress' };
        if (r.request_hash !== requestHash) return { state: 'mismatch' };
        if (r.state === 'done') return { state: 'replay', response: { status: r.status, body: r.body, headers: r.headers ?? undefined } };
        if (r.stale) {
          await c.query('UPDATE gateway.idempotency SET updated_at = now() WHERE scope = $1 AND key = $2', [scope, key]);
          return { state: 'new' };
        }
        return { state: 'in_progress' };
      });
    },
    async completeIdempotent(scope, key, response: StoredResponse) {
      await pool.query(
        `UPDATE gateway.idempotency SET state = 'done', status = $3, headers = $4, body = $5, updated_at = now() WHERE scope = $1 AND key = $2`,
        [scope, key, response.status, JSON.stringify(response.headers ?? {}), JSON.stringify(response.body ?? null)],
      );
    },
    async releaseIdempotent(scope, key) {
      await pool.query(`DELETE FROM gateway.idempotency WHERE scope = $1 AND key = $2 AND state = 'in_progress'`, [scope, key]);
    },
    async enqueue(s) {
      await pool.query(`INSERT INTO gateway.submissions (id, msp_id, client_id, event_id, fn, command, status) VALUES ($1, $2, $3, $4, $5, $6, 'pending')`, [
        s.id,
        s.mspId,
        s.clientId,
        s.command.eventId,
        s.command.fn,
        JSON.stringify(s.command),
      ]);
    },
    async get(id) {
      const { rows } = await pool.query('SELECT * FROM gateway.submissions WHERE id = $1', [id]);
      return rows[0] ? toRow(rows[0]) : undefined;
    },
    async claimNext(mspId, leaseMs) {
      const { rows } = await pool.query(
        `UPDATE gateway.submissions SET status = 'running', attempts = attempts + 1,
           locked_until = now() + make_interval(secs => $2), updated_at = now()
         WHERE id = (
           SELECT id FROM gateway.submissions
           WHERE msp_id = $1 AND next_attempt_at <= now()
             AND (status = 'pending' OR (status = 'running' AND locked_until < now()))
           ORDER BY next_attempt_at, created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [mspId, leaseMs / 1000],
      );
      return rows[0] ? toRow(rows[0]) : undefined;
    },
    async markCommitted(id, o) {
      await pool.query(
        `UPDATE gateway.submissions SET status = 'committed', tx_id = $2, block_number = $3, result = $4, error = NULL,
           locked_until = NULL, updated_at = now() WHERE id = $1`,
        [id, o.txId, o.blockNumber, JSON.stringify(o.result ?? null)],
      );
    },
    async markRetry(id, error, delayMs) {
      await pool.query(
        `UPDATE gateway.submissions SET status = 'pending', error = $2, locked_until = NULL,
           next_attempt_at = now() + make_interval(secs => $3), updated_at = now() WHERE id = $1`,
        [id, JSON.stringify(errorJson(error)), delayMs / 1000],
      );
    },
    async markFailed(id, error) {
      await pool.query(`UPDATE gateway.submissions SET status = 'failed', error = $2, locked_until = NULL, updated_at = now() WHERE id = $1`, [
        id,
        JSON.stringify(errorJson(error)),
      ]);
    },
    async counts(mspId) {
      const { rows } = await pool.query('SELECT status, count(*)::int AS n FROM gateway.submissions WHERE msp_id = $1 GROUP BY status', [mspId]);
      const out: Record<SubmissionStatus, number> = { pending: 0, running: 0, committed: 0, failed: 0 };
      for (const r of rows) out[r.status as SubmissionStatus] = r.n;
      return out;
    },
    async ping() {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (owned) await pool.end();
    },
  };
}
