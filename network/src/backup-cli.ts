/**
 * `network backup` and `network restore`: the services' PostgreSQL schemas
 * (gateway, indexer) of DATABASE_URL, or of the devnet's local PostgreSQL
 * (`npm start`'s, port base + 700). A local server that is not running is
 * started for the command and stopped again afterwards.
 */
import * as path from 'node:path';
import type { DevnetConfig } from './config';
import { backupSchemas, restoreSchemas } from './services/postgres-backup';
import { createPostgres } from './services/postgres';
import { findPostgresTools } from './services/postgres-tools';

export type Log = (msg: string) => void;

/** The schemas `npm start`'s services keep their tables in. */
export const SERVICE_SCHEMAS = ['gateway', 'indexer'];

export interface BackupCommand {
  /** DATABASE_URL of the services; default the devnet's local server. */
  databaseUrl?: string;
  /** Default {@link SERVICE_SCHEMAS}. */
  schemas?: string[];
}

/** Runs `fn` against the given database, or the devnet's local server (started for it when stopped). */
async function onDatabase<T>(cfg: DevnetConfig, databaseUrl: string | undefined, log: Log, fn: (url: string) => Promise<T>): Promise<T> {
  if (databaseUrl) return fn(databaseUrl);
  const local = createPostgres({ cfg, log });
  const wasRunning = local.pid() !== undefined;
  await local.start();
  try {
    return await fn(local.connectionString);
  } finally {
    if (!wasRunning) await local.stop();
  }
}

/** Writes a backup to `to` (default <runDir>/backups/<time>); returns the folder. */
export async function backupCommand(cfg: DevnetConfig, opts: BackupCommand & { to?: string }, log: Log): Promise<string> {
  const dir = path.resolve(opts.to ?? path.join(cfg.runDir, 'backups', new Date().toISOString().replace(/[:.]/g, '-')));
  const tools = await findPostgresTools(cfg.root);
  log(`pg_dump ${tools.major} from ${tools.from}`);
  await onDatabase(cfg, opts.databaseUrl, log, (databaseUrl) => backupSchemas({ databaseUrl, schemas: opts.schemas ?? SERVICE_SCHEMAS, dir, tools, log }));
  return dir;
}

/** Restores the backup in `from`; returns the schemas restored. */
export async function restoreCommand(cfg: DevnetConfig, opts: BackupCommand & { from: string; dropExisting?: boolean }, log: Log): Promise<string[]> {
  const tools = await findPostgresTools(cfg.root);
  log(`pg_restore ${tools.major} from ${tools.from}`);
  return onDatabase(cfg, opts.databaseUrl, log, (databaseUrl) =>
    restoreSchemas({ databaseUrl, dir: path.resolve(opts.from), schemas: opts.schemas, dropExisting: opts.dropExisting, tools, log }),
  );
}
