/**
 * The read model's migrations: `indexer/migrations/NNN_name.sql`, applied by
 * the shared runner once per schema.
 */
import * as path from 'node:path';
import type { Pool } from 'pg';
import { applyMigrations, findMigrationsDir, listMigrations as listIn, type Migration } from '../../../lib/platform/src';
import { checkSchemaName } from '../config';

/** The migrations folder, from the source tree or from dist/. */
export function migrationsDir(): string {
  return findMigrationsDir('indexer', [
    path.resolve(__dirname, '..', '..', 'migrations'),
    path.resolve(__dirname, '..', '..', '..', '..', 'indexer', 'migrations'),
  ]);
}

/** Numbered migration files, in order. */
export function listMigrations(dir = migrationsDir()): Migration[] {
  return listIn(dir);
}

/** Creates `schema` if needed and applies missing migrations; returns the versions applied now. */
export function migrate(pool: Pool, schema: string): Promise<number[]> {
  return applyMigrations({ pool, schema: checkSchemaName(schema), dir: migrationsDir() });
}

/** Drops a schema and everything in it (rebuild targets, tests). */
export async function dropSchema(pool: Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS ${checkSchemaName(schema)} CASCADE`);
}
