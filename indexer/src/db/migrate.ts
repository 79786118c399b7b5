/**
 * A small migration runner: applies `indexer/migrations/NNN_name.sql` in
 * order, each in its own transaction, once per schema.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Pool } from 'pg';
import { checkSchemaName } from '../config';

/** The migrations folder, from the source tree or from dist/. */
export function migrationsDir(): string {
  const candidates = [path.resolve(__dirname, '..', '..', 'migrations'), path.resolve(__dirname, '..', '..', '..', '..', 'indexer', 'migrations')];
  const found = candidates.find((d) => fs.existsSync(d));
  if (!found) throw new Error(`indexer migrations not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** Numbered migration files, in order. */
export function listMigrations(dir = migrationsDir()): { version: number; name: string; file: string }[] {
  return fs
    .readdirSync(dir)
    .map((f) => /^(\d{3})_([a-z0-9_]+)\.sql$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ version: Number(m[1]), name: m[2], file: path.join(dir, m[0]) }))
    .sort((a, b) => a.version - b.version);
}

/**
 * Creates `schema` if needed and applies missing migrations. An advisory lock
 * keeps two processes from migrating the same schema at once.
 */
export async function migrate(pool: Pool, schema: string): Promise<number[]> {
  checkSchemaName(schema);
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`SET search_path = ${schema}, public`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    for (const m of listMigrations()) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(fs.readFileSync(m.file, 'utf8'));
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${path.basename(m.file)} failed in schema ${schema}: ${(err as Error).message}`, { cause: err });
      }
      applied.push(m.version);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`migrate:${schema}`]).catch(() => undefined);
    client.release();
  }
  return applied;
}

/** Drops a schema and everything in it (rebuild targets, tests). */
export async function dropSchema(pool: Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS ${checkSchemaName(schema)} CASCADE`);
}
