/**
 * Numbered SQL migrations, the one way every service changes its tables:
 * `NNN_name.sql` files applied in order, each in its own transaction, once per
 * schema, recorded in that schema's `schema_migrations`. An advisory lock per
 * schema keeps processes that start together (several gateways on one
 * database) from applying the same file twice.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Pool } from 'pg';

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  file: string;
}

/** Schema names are interpolated into SQL, so only plain lower-case identifiers pass. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,50}$/;

/** Numbered migration files of `dir`, in order; two files with one number are refused. */
export function listMigrations(dir: string): Migration[] {
  const found = fs
    .readdirSync(dir)
    .map((f) => /^(\d{3})_([a-z0-9_]+)\.sql$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ version: Number(m[1]), name: m[2], file: path.join(dir, m[0]) }))
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < found.length; i++) {
    if (found[i].version === found[i - 1].version) {
      throw new Error(
        `two migrations numbered ${String(found[i].version).padStart(3, '0')} in ${dir}: ${path.basename(found[i - 1].file)}, ${path.basename(found[i].file)}`,
      );
    }
  }
  return found;
}

/** The first of `candidates` that exists: a migrations folder seen from the source tree or from dist/. */
export function findMigrationsDir(what: string, candidates: string[]): string {
  const found = candidates.find((d) => fs.existsSync(d));
  if (!found) throw new Error(`${what} migrations not found (looked in ${candidates.join(', ')})`);
  return found;
}

/**
 * Creates `schema` if needed and applies the migrations of `dir` it has not
 * had yet. Returns the versions applied now.
 */
export async function applyMigrations(opts: { pool: Pool; schema: string; dir: string }): Promise<number[]> {
  const { pool, schema } = opts;
  if (!SCHEMA_NAME.test(schema)) throw new Error(`schema name "${schema}" must be a plain lower-case identifier`);
  const migrations = listMigrations(opts.dir);
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`SET search_path = ${schema}, public`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    for (const m of migrations) {
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
    await client.query('RESET search_path').catch(() => undefined);
    client.release();
  }
  return applied;
}
