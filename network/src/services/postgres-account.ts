/**
 * Where a local PostgreSQL server runs when it must run under its own OS
 * account.
 *
 * PostgreSQL refuses to run as root, so as root the server runs as the system
 * user `postgres`. That account must be able to read its binaries and
 * libraries and own its data directory, yet a checkout usually sits in a
 * folder only its owner can enter (root's home, any `mktemp -d` folder). Rather
 * than loosen the user's folders, everything the account needs goes into a
 * service folder made for it: the binaries are copied once per release into
 * `<serviceDir>/runtime/<release>` (root-owned, world-readable), and each run
 * folder's cluster lives in `<serviceDir>/clusters/<key>` (owned by the account,
 * mode 700). The run folder records where its cluster is, so wiping the run
 * folder can remove it too.
 *
 * As any other user the server runs as that user, from the installed package,
 * with its data in the run folder, as before.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCommand } from '../run-command';

/** Service folder used as root unless POSTGRES_SERVICE_DIR names another. */
export const DEFAULT_SERVICE_DIR = '/var/lib/coffee-trace/postgres';

/** Name of the file in a run folder's PostgreSQL state folder that names its cluster outside the run folder. */
export const CLUSTER_POINTER = 'cluster-dir';

/** An OS account by number. */
export interface OsIds {
  uid: number;
  gid: number;
}

/** The PostgreSQL programs the server is started with. */
export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** Where and as whom the server runs. */
export interface PostgresRuntime {
  bins: PostgresBinaries;
  /** The cluster's data directory. */
  dataDir: string;
  /** A folder the server's account can enter: working directory and scratch files. */
  workDir: string;
  /** The account to drop to; absent when we run the server as ourselves. */
  ids?: OsIds;
}

/** A precondition the machine does not meet, said in one line with what to do. */
export class PostgresPreconditionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PostgresPreconditionError';
  }
}

export interface RuntimeOptions {
  /** The binaries as installed (in node_modules). */
  installed: PostgresBinaries;
  /** The run folder's PostgreSQL state folder (pid, logs and, when not root, the data). */
  home: string;
  port: number;
  /** Account the server runs as when we are root. */
  osUser: string;
  /** Service folder for root; default POSTGRES_SERVICE_DIR or DEFAULT_SERVICE_DIR. */
  serviceDir?: string;
  log: (msg: string) => void;
}

/** Runs `command args` as `ids` (via setpriv, which execs in place) when given, else as ourselves. */
export function asUser(ids: OsIds | undefined, command: string, args: string[]): { command: string; args: string[] } {
  if (!ids) return { command, args };
  return { command: 'setpriv', args: [`--reuid=${ids.uid}`, `--regid=${ids.gid}`, '--clear-groups', '--', command, ...args] };
}

/** The uid and gid of `name`, creating it as a system user when it does not exist (root only). */
async function osAccount(name: string, log: (msg: string) => void): Promise<OsIds> {
  const lookup = async (): Promise<OsIds> => ({
    uid: Number((await runCommand('id', ['-u', name], { step: `look up user ${name}` })).trim()),
    gid: Number((await runCommand('id', ['-g', name], { step: `look up user ${name}` })).trim()),
  });
  try {
    return await lookup();
  } catch {
    log(`creating system user ${name} to run PostgreSQL (it refuses to run as root)`);
    await runCommand('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', name], {
      step: `create system user ${name}`,
    });
    return lookup();
  }
}

/** The first folder on the way to `dir` (inclusive, as far as it exists) that other users cannot enter. */
export function firstClosedFolder(dir: string): string | undefined {
  let cur = path.resolve(dir);
  const chain: string[] = [];
  for (;;) {
    chain.unshift(cur);
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  for (const d of chain) {
    let st: fs.Stats;
    try {
      st = fs.statSync(d);
    } catch {
      return undefined; // the rest does not exist yet and is created with mode 755
    }
    if ((st.mode & 0o001) === 0) return d;
  }
  return undefined;
}

/** The release of the installed binaries (the platform package's version), for the runtime folder's name. */
function release(installed: PostgresBinaries): string {
  const pkgDir = path.dirname(path.dirname(path.dirname(installed.postgres)));
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { name?: string; version?: string };
    if (pkg.version) return pkg.version.replace(/[^A-Za-z0-9._-]/g, '_');
  } catch {
    /* fall through to a content-derived name */
  }
  const st = fs.statSync(installed.postgres);
  return `build-${st.size}-${Math.trunc(st.mtimeMs)}`;
}

/** Copies the installed tree (bin, lib, share) into the service folder once per release. */
function installRuntime(installed: PostgresBinaries, serviceDir: string, log: (msg: string) => void): PostgresBinaries {
  const native = path.dirname(path.dirname(installed.postgres));
  const target = path.join(serviceDir, 'runtime', release(installed));
  const bins = { initdb: path.join(target, 'bin', path.basename(installed.initdb)), postgres: path.join(target, 'bin', path.basename(installed.postgres)) };
  if (fs.existsSync(path.join(target, '.complete'))) return bins;
  log(`installing PostgreSQL ${path.basename(target)} into ${target} for its own account`);
  const tmp = `${target}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
  fs.cpSync(native, tmp, { recursive: true, verbatimSymlinks: true });
  // Readable and, for folders and programs, enterable by every account; writable only by root.
  const open = (p: string): void => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) {
      fs.chmodSync(p, 0o755);
      for (const e of fs.readdirSync(p)) open(path.join(p, e));
    } else {
      fs.chmodSync(p, st.mode & 0o111 ? 0o755 : 0o644);
    }
  };
  open(tmp);
  fs.writeFileSync(path.join(tmp, '.complete'), `${new Date().toISOString()}\n`, { mode: 0o644 });
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(tmp, target);
  return bins;
}

/** Folder name of a run folder's cluster: the port and a digest of the run folder's real path. */
function clusterKey(home: string, port: number): string {
  fs.mkdirSync(home, { recursive: true });
  const digest = createHash('sha256').update(fs.realpathSync(home)).digest('hex').slice(0, 16);
  return `${port}-${digest}`;
}

/**
 * Decides where and as whom the server runs, and puts in place what that
 * account needs. Throws a PostgresPreconditionError naming what to do when the
 * machine does not allow it.
 */
export async function preparePostgresRuntime(opts: RuntimeOptions): Promise<PostgresRuntime> {
  fs.mkdirSync(opts.home, { recursive: true });
  if (process.getuid?.() !== 0) {
    return { bins: opts.installed, dataDir: path.join(opts.home, 'data'), workDir: opts.home };
  }
  const serviceDir = path.resolve(opts.serviceDir ?? process.env.POSTGRES_SERVICE_DIR ?? DEFAULT_SERVICE_DIR);
  const closed = firstClosedFolder(serviceDir);
  if (closed) {
    throw new PostgresPreconditionError(
      `PostgreSQL runs as the system user ${opts.osUser}, which cannot enter ${closed}; set POSTGRES_SERVICE_DIR to a folder every user can enter (default ${DEFAULT_SERVICE_DIR})`,
    );
  }
  const ids = await osAccount(opts.osUser, opts.log);
  fs.mkdirSync(serviceDir, { recursive: true, mode: 0o755 });
  const bins = installRuntime(opts.installed, serviceDir, opts.log);
  const cluster = path.join(serviceDir, 'clusters', clusterKey(opts.home, opts.port));
  const pointer = path.join(opts.home, CLUSTER_POINTER);
  // The run folder owns its cluster: a cluster left behind by a run folder deleted by hand is not reused.
  if (!fs.existsSync(pointer) && fs.existsSync(cluster)) {
    opts.log(`removing ${cluster}, left behind by an earlier run folder at the same place`);
    fs.rmSync(cluster, { recursive: true, force: true });
  }
  fs.mkdirSync(path.dirname(cluster), { recursive: true, mode: 0o755 });
  fs.mkdirSync(cluster, { recursive: true, mode: 0o700 });
  fs.chownSync(cluster, ids.uid, ids.gid);
  fs.chmodSync(cluster, 0o700);
  fs.writeFileSync(pointer, `${cluster}\n`);
  const check = asUser(ids, bins.postgres, ['--version']);
  try {
    await runCommand(check.command, check.args, { step: `run PostgreSQL as ${opts.osUser}` });
  } catch (err) {
    const first =
      String(err instanceof Error ? err.message : err)
        .split('\n')
        .find((l) => l.trim()) ?? '';
    throw new PostgresPreconditionError(
      `PostgreSQL cannot run as the system user ${opts.osUser} from ${path.dirname(bins.postgres)} (${first.trim()}); remove ${path.dirname(path.dirname(bins.postgres))} to reinstall it, or set POSTGRES_SERVICE_DIR`,
    );
  }
  return { bins, dataDir: path.join(cluster, 'data'), workDir: cluster, ids };
}

/**
 * Removes the cluster a run folder's PostgreSQL kept outside it (as root), if
 * any; `home` is that run folder's PostgreSQL state folder. True when one was removed.
 */
export function removeOutsideCluster(home: string): boolean {
  const pointer = path.join(home, CLUSTER_POINTER);
  let cluster: string;
  try {
    cluster = fs.readFileSync(pointer, 'utf8').trim();
  } catch {
    return false;
  }
  // Only ever a cluster folder made by preparePostgresRuntime.
  if (!cluster || path.basename(path.dirname(cluster)) !== 'clusters' || !fs.existsSync(cluster)) return false;
  fs.rmSync(cluster, { recursive: true, force: true });
  fs.rmSync(pointer, { force: true });
  return true;
}
