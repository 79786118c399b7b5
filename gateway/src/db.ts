/**
 * The gateway's PostgreSQL plumbing shared by its stores (submissions and
 * idempotency keys, EPCIS capture jobs, payment claims): one pool per store,
 * a transaction helper, and migrations serialised across gateways that start
 * together on one database.
 */
import { Pool, type PoolClient } from 'pg';

/** A pool whose idle clients losing their server (a database restart) do not crash the process. */
export function createGatewayPool(opts: { connectionString: string; max: number }): Pool {
  const pool = new Pool({ connectionString: opts.connectionString, max: opts.max });
  pool.on('error', () => undefined);
  return pool;
}

/** Runs `fn` inside BEGIN/COMMIT, rolling back when it throws. */
export async function withTransaction<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/** Applies idempotent DDL under a transaction-scoped advisory lock, so concurrent starts do not race. */
export function migrateLocked(pool: Pool, lockId: number, ddl: string): Promise<void> {
  return withTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [lockId]);
    await c.query(ddl);
  });
}
