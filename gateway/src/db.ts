/**
 * The gateway's PostgreSQL plumbing shared by its stores (submissions and
 * idempotency keys, EPCIS capture jobs, payment claims): one pool per process
 * shared by every store, a transaction helper, and the numbered migrations of
 * its tables, applied once at start.
 */
import * as path from 'node:path';
import { Pool, type PoolClient } from 'pg';
import { applyMigrations, findMigrationsDir } from '../../lib/platform/src';

/** A timestamp column as ISO 8601 text (undefined for NULL). */
export const isoTime = (v: unknown): string | undefined => (v ? new Date(v as string).toISOString() : undefined);

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

/** How a store reaches PostgreSQL: the process's shared pool, or (a store on its own, in tests) a URL. */
export type StoreDb = { pool: Pool } | { connectionString: string; max?: number };

/** The pool a store uses and whether it owns it (and so ends it on close). */
export function storePool(db: StoreDb, defaultMax: number): { pool: Pool; owned: boolean } {
  if ('pool' in db) return { pool: db.pool, owned: false };
  return { pool: createGatewayPool({ connectionString: db.connectionString, max: db.max ?? defaultMax }), owned: true };
}
