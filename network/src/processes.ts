/**
 * Native processes of a devnet: started detached with their output in a log
 * file, remembered by PID file, checked for health, and stopped by PID.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';

/** How to start one long-running process. */
export interface ProcessSpec {
  /** Unique name, used for the PID file and the log file. */
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** How to tell it is ready. */
  health: { kind: 'http'; url: string } | { kind: 'tcp'; host: string; port: number };
  /** Signal that asks it to shut down cleanly (default SIGTERM); kept in the PID file. */
  stopSignal?: NodeJS.Signals;
}

/** A started (or found running) process. */
export interface ProcessInfo {
  name: string;
  pid: number;
  logFile: string;
  alive: boolean;
  stopSignal: NodeJS.Signals;
}

/** Raised when a process does not come up; names the process and its log. */
export class ProcessStartError extends Error {
  constructor(
    readonly processName: string,
    readonly logFile: string,
    reason: string,
  ) {
    super(`${processName} failed to start: ${reason}. See its log: ${logFile}`);
    this.name = 'ProcessStartError';
  }
}

/** Starts, finds and stops the processes of one devnet. */
export interface ProcessManager {
  start(spec: ProcessSpec, timeoutMs?: number): Promise<ProcessInfo>;
  /** Sends the process its stop signal, waits, then SIGKILL after `timeoutMs`. */
  stop(name: string, timeoutMs?: number): Promise<boolean>;
  stopAll(): Promise<string[]>;
  list(): ProcessInfo[];
  get(name: string): ProcessInfo | undefined;
  logFile(name: string): string;
}

/** True when a process with this PID exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z';
  } catch {
    return true;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One health probe: an HTTP 200 or an accepted TCP connection. */
export function probe(health: ProcessSpec['health']): Promise<boolean> {
  return new Promise((resolve) => {
    if (health.kind === 'http') {
      const req = http.get(health.url, { timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => {
        req.destroy();
        resolve(false);
      });
    } else {
      const sock = net.connect({ host: health.host, port: health.port });
      sock.setTimeout(1000);
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
      sock.once('timeout', () => {
        sock.destroy();
        resolve(false);
      });
    }
  });
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Creates a process manager keeping PID files in `pidDir` and logs in `logDir`. */
export function createProcessManager(opts: { pidDir: string; logDir: string }): ProcessManager {
  const pidFile = (name: string) => path.join(opts.pidDir, `${name}.pid`);
  const logFile = (name: string) => path.join(opts.logDir, `${name}.log`);

  function get(name: string): ProcessInfo | undefined {
    let raw: string;
    try {
      raw = fs.readFileSync(pidFile(name), 'utf8').trim();
    } catch {
      return undefined;
    }
    const [pidText, signal] = raw.split(/\s+/);
    const pid = Number(pidText);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const stopSignal = (signal && signal.startsWith('SIG') ? signal : 'SIGTERM') as NodeJS.Signals;
    return { name, pid, logFile: logFile(name), alive: isAlive(pid), stopSignal };
  }

  function list(): ProcessInfo[] {
    if (!fs.existsSync(opts.pidDir)) return [];
    return fs
      .readdirSync(opts.pidDir)
      .filter((f) => f.endsWith('.pid'))
      .map((f) => get(f.slice(0, -4)))
      .filter((p): p is ProcessInfo => p !== undefined);
  }

  async function start(spec: ProcessSpec, timeoutMs = 60_000): Promise<ProcessInfo> {
    const running = get(spec.name);
    if (running?.alive) return running;
    fs.mkdirSync(opts.pidDir, { recursive: true });
    fs.mkdirSync(opts.logDir, { recursive: true });
    const log = logFile(spec.name);
    const fd = fs.openSync(log, 'a');
    fs.writeSync(fd, `\n--- ${new Date().toISOString()} starting ${spec.command} ${spec.args.join(' ')}\n`);
    const child = spawn(spec.command, spec.args, {
      env: spec.env,
      cwd: spec.cwd,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    fs.closeSync(fd);
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    child.unref();
    if (child.pid === undefined) {
      throw new ProcessStartError(spec.name, log, `could not spawn ${spec.command}: ${String(await spawnError)}`);
    }
    const stopSignal = spec.stopSignal ?? 'SIGTERM';
    fs.writeFileSync(pidFile(spec.name), `${child.pid} ${stopSignal}\n`);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!isAlive(child.pid)) {
        throw new ProcessStartError(spec.name, log, `exited during start-up\n${tail(log, 15)}`);
      }
      if (await probe(spec.health)) return { name: spec.name, pid: child.pid, logFile: log, alive: true, stopSignal };
      await sleep(250);
    }
    throw new ProcessStartError(spec.name, log, `not healthy after ${timeoutMs} ms\n${tail(log, 15)}`);
  }

  async function stop(name: string, timeoutMs = 10_000): Promise<boolean> {
    const info = get(name);
    if (!info) return false;
    let stopped = false;
    if (info.alive) {
      // Signal the whole process group: the process was started as its leader.
      const signal = (sig: NodeJS.Signals) => {
        try {
          process.kill(-info.pid, sig);
        } catch {
          try {
            process.kill(info.pid, sig);
          } catch {
            /* already gone */
          }
        }
      };
      signal(info.stopSignal);
      const deadline = Date.now() + timeoutMs;
      while (isAlive(info.pid) && Date.now() < deadline) await sleep(100);
      if (isAlive(info.pid)) {
        signal('SIGKILL');
        while (isAlive(info.pid)) await sleep(50);
      }
      stopped = true;
    }
    fs.rmSync(pidFile(name), { force: true });
    return stopped;
  }

  async function stopAll(): Promise<string[]> {
    const stopped: string[] = [];
    // Stop in reverse start order: clients of a service go before the service.
    const all = list().sort((a, b) => fs.statSync(pidFile(b.name)).mtimeMs - fs.statSync(pidFile(a.name)).mtimeMs);
    for (const p of all) if (await stop(p.name)) stopped.push(p.name);
    return stopped;
  }

  return { start, stop, stopAll, list, get, logFile };
}
