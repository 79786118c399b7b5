/**
 * Backup and restore of the services' PostgreSQL schemas (the gateway's
 * `gateway`, the indexer's `indexer`) with PostgreSQL's own pg_dump and
 * pg_restore, one custom-format archive per schema.
 *
 * pg_dump reads each schema in one repeatable-read transaction, so an archive
 * is consistent while the service keeps writing. pg_restore goes into a
 * schema that does not exist yet (an empty database, or one the operator
 * emptied with `dropExisting`), in one transaction: a failed restore leaves
 * nothing behind.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { runCommand } from '../run-command';
import { checkToolsFit, databaseName, maintenanceUrl, serverMajor, type PostgresTools } from './postgres-tools';

/** What a backup folder holds (manifest.json). */
export interface BackupManifest {
  createdAt: string;
  database: string;
  /** Major version of the server the archives were read from. */
  serverMajor: number;
  schemas: Array<{ schema: string; file: string; bytes: number }>;
}

export const MANIFEST = 'manifest.json';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,50}$/;

function checkSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`schema "${schema}" must match ${SCHEMA_NAME}`);
  return schema;
}

/** The connection string without its password, and the password for PGPASSWORD (kept out of the process list). */
function split(databaseUrl: string): { url: string; env: NodeJS.ProcessEnv } {
  const u = new URL(databaseUrl);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { url: u.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Number of tables in `schema`, or undefined when the schema does not exist. */
async function tablesIn(databaseUrl: string, schema: string): Promise<number | undefined> {
  return withClient(databaseUrl, async (c) => {
    const s = await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (s.rowCount === 0) return undefined;
    const t = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1', [schema]);
    return t.rows[0].n;
  });
}

export interface BackupOptions {
  databaseUrl: string;
  schemas: string[];
  /** Folder to write the archives and manifest.json to (created; must not hold a backup already). */
  dir: string;
  tools: PostgresTools;
  log?: (msg: string) => void;
}

/** Dumps each schema to `<dir>/<schema>.dump` (pg_dump --format=custom) and writes the manifest. */
export async function backupSchemas(opts: BackupOptions): Promise<BackupManifest> {
  const log = opts.log ?? (() => undefined);
  const server = await serverMajor(opts.databaseUrl);
  checkToolsFit(opts.tools, server);
  if (fs.existsSync(path.join(opts.dir, MANIFEST))) throw new Error(`${opts.dir} already holds a backup; name another folder`);
  fs.mkdirSync(opts.dir, { recursive: true });
  const { url, env } = split(opts.databaseUrl);
  const manifest: BackupManifest = { createdAt: new Date().toISOString(), database: databaseName(opts.databaseUrl), serverMajor: server, schemas: [] };
  for (const schema of opts.schemas.map(checkSchema)) {
    if ((await tablesIn(opts.databaseUrl, schema)) === undefined) {
      throw new Error(`database ${manifest.database} has no schema ${schema}: has its service run against it yet?`);
    }
    const file = `${schema}.dump`;
    const partial = path.join(opts.dir, `${file}.partial`);
    await runCommand(opts.tools.pgDump, [`--dbname=${url}`, '--format=custom', `--schema=${schema}`, `--file=${partial}`], {
      env,
      step: `pg_dump of schema ${schema}`,
    });
    fs.renameSync(partial, path.join(opts.dir, file));
    const bytes = fs.statSync(path.join(opts.dir, file)).size;
    manifest.schemas.push({ schema, file, bytes });
    log(`schema ${schema} of ${manifest.database}: ${path.join(opts.dir, file)} (${bytes} bytes)`);
  }
  fs.writeFileSync(path.join(opts.dir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** Reads a backup folder's manifest. */
export function readManifest(dir: string): BackupManifest {
  const file = path.join(dir, MANIFEST);
  if (!fs.existsSync(file)) throw new Error(`${dir} holds no backup (no ${MANIFEST})`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as BackupManifest;
}

export interface RestoreOptions {
  /** Database to restore into; created when it does not exist. */
  databaseUrl: string;
  /** Backup folder written by {@link backupSchemas}. */
  dir: string;
  /** Schemas to restore (default every one in the backup). */
  schemas?: string[];
  /** Drop a schema of the same name that holds tables first (otherwise such a schema stops the restore). */
  dropExisting?: boolean;
  tools: PostgresTools;
  log?: (msg: string) => void;
}

/** Restores the backup's schemas with pg_restore, each in one transaction; returns the schemas restored. */
export async function restoreSchemas(opts: RestoreOptions): Promise<string[]> {
  const log = opts.log ?? (() => undefined);
  const manifest = readManifest(opts.dir);
  const wanted = opts.schemas ?? manifest.schemas.map((s) => s.schema);
  const missing = wanted.filter((w) => !manifest.schemas.some((s) => s.schema === w));
  if (missing.length)
    throw new Error(`the backup in ${opts.dir} holds no schema ${missing.join(', ')} (it holds ${manifest.schemas.map((s) => s.schema).join(', ')})`);
  checkToolsFit(opts.tools, await serverMajor(opts.databaseUrl));
  const database = databaseName(opts.databaseUrl);
  await withClient(maintenanceUrl(opts.databaseUrl), async (c) => {
    const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      log(`creating database ${database}`);
      await c.query(`CREATE DATABASE ${c.escapeIdentifier(database)}`);
    }
  });
  const { url, env } = split(opts.databaseUrl);
  for (const schema of wanted.map(checkSchema)) {
    const tables = await tablesIn(opts.databaseUrl, schema);
    if (tables !== undefined) {
      if (tables > 0 && !opts.dropExisting) {
        throw new Error(
          `schema ${schema} of database ${database} holds ${tables} tables: a restore goes into an empty database; ` +
            'stop the service and pass --drop-existing to replace it, or restore into another database',
        );
      }
      log(`dropping schema ${schema} of ${database} (${tables} tables)`);
      await withClient(opts.databaseUrl, (c) => c.query(`DROP SCHEMA ${schema} CASCADE`));
    }
    const file = path.join(opts.dir, manifest.schemas.find((s) => s.schema === schema)!.file);
    await runCommand(opts.tools.pgRestore, [`--dbname=${url}`, '--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', file], {
      env,
      step: `pg_restore of schema ${schema}`,
    });
    log(`schema ${schema} restored into ${database} from ${file}`);
  }
  return wanted;
}
