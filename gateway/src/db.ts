/**
 * The gateway's PostgreSQL plumbing shared by its stores (submissions and
 * idempotency keys, EPCIS capture jobs, payment claims): one pool per store,
 * a transaction helper, and the numbered migrations of its tables.
 */
import * as path from 'node:path';
import { Pool, type PoolClient } from 'pg';
import { applyMigrations, findMigrationsDir } from '../../lib/platform/src';

/** A pool whose idle clients losing their server (a database restart) do not crash the process. */
/** A timestamp column as ISO 8601 text (undefined for NULL). */
export const isoTime = (v: unknown): string | undefined => (v ? new Date(v as string).toISOString() : undefined);

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

/** The gateway's migrations folder, from the source tree or from dist/. */
export function gatewayMigrationsDir(): string {
  return findMigrationsDir('gateway', [path.resolve(__dirname, '..', 'migrations'), path.resolve(__dirname, '..', '..', '..', 'gateway', 'migrations')]);
}

/**
 * Applies the gateway's numbered migrations (`gateway/migrations/NNN_name.sql`)
 * to the schema `gateway`, through the same runner as the indexer's. Every
 * store calls it before use; it is idempotent and safe for gateways starting together.
 */
export async function migrateGateway(pool: Pool): Promise<void> {
  await applyMigrations({ pool, schema: 'gateway', dir: gatewayMigrationsDir() });
}
