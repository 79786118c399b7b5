/**
 * CaptureStore on PostgreSQL: table `gateway.epcis_captures`, one row per
 * capture job. Commands and results are JSON arrays on the row: a job is
 * written once and advanced by the one worker holding its lease.
 */
import type { CaptureJob, CaptureStore } from './capture-store';
import { isoTime, migrateGateway, storePool, type StoreDb } from '../../db';

function toJob(r: Record<string, any>): CaptureJob {
  return {
    id: r.id,
    mspId: r.msp_id,
    clientId: r.client_id,
    status: r.status,
    eventCount: r.event_count,
    commands: r.commands,
    nextIndex: r.next_index,
    results: r.results,
    errors: r.errors,
    attempts: r.attempts,
    createdAt: isoTime(r.created_at)!,
    updatedAt: isoTime(r.updated_at)!,
    finishedAt: isoTime(r.finished_at),
  };
}

/** Opens a pool on `connectionString`; call migrate() before use. */
export function createPgCaptureStore(opts: StoreDb): CaptureStore {
  const { pool, owned } = storePool(opts, 4);

  return {
    migrate: () => migrateGateway(pool),
    async create(j) {
      await pool.query(`INSERT INTO gateway.epcis_captures (id, msp_id, client_id, status, event_count, commands) VALUES ($1, $2, $3, 'running', $4, $5)`, [
        j.id,
        j.mspId,
        j.clientId,
        j.eventCount,
        JSON.stringify(j.commands),
      ]);
    },
    async get(id) {
      const { rows } = await pool.query('SELECT * FROM gateway.epcis_captures WHERE id = $1', [id]);
      return rows[0] ? toJob(rows[0]) : undefined;
    },
    async claimNext(mspId, leaseMs) {
      const { rows } = await pool.query(
        `UPDATE gateway.epcis_captures SET attempts = attempts + 1, locked_until = now() + make_interval(secs => $2), updated_at = now()
         WHERE id = (
           SELECT id FROM gateway.epcis_captures
           WHERE msp_id = $1 AND status = 'running' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
           ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [mspId, leaseMs / 1000],
      );
      return rows[0] ? toJob(rows[0]) : undefined;
    },
    async advance(id, result, leaseMs) {
      await pool.query(
        `UPDATE gateway.epcis_captures SET next_index = next_index + 1, results = results || $2::jsonb,
           locked_until = now() + make_interval(secs => $3), updated_at = now() WHERE id = $1`,
        [id, JSON.stringify([result]), leaseMs / 1000],
      );
    },
    async finish(id, status, errors) {
      await pool.query(
        `UPDATE gateway.epcis_captures SET status = $2, errors = $3, locked_until = NULL, updated_at = now(), finished_at = now() WHERE id = $1`,
        [id, status, JSON.stringify(errors)],
      );
    },
    async release(id, delayMs, error) {
      await pool.query(
        `UPDATE gateway.epcis_captures SET locked_until = NULL, next_attempt_at = now() + make_interval(secs => $2),
           errors = COALESCE($3::jsonb, errors), updated_at = now() WHERE id = $1`,
        [id, delayMs / 1000, error ? JSON.stringify([error]) : null],
      );
    },
    async close() {
      if (owned) await pool.end();
    },
  };
}
