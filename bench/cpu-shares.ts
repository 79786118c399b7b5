/**
 * CPU time per process over a measured window, from /proc: where the cores
 * went while a benchmark ran (peers, orderers, chaincode servers, the client).
 * The machine's total busy time is read too, so "everything else" shows what
 * other work shared the cores.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface NamedPid {
  name: string;
  pid: number;
}

export interface CpuShare {
  name: string;
  /** CPU seconds the process used in the window (user + system). */
  seconds: number;
  /** Share of the machine's busy time in the window. */
  share: number;
  /** Cores the process kept busy on average. */
  cores: number;
}

const TICKS_PER_SECOND = 100;

function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime are fields 14-17 of the line, 12-15 after the name.
    return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  } catch {
    return 0;
  }
}

function machineTicks(): { busy: number } {
  const cpuLine = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [, ...nums] = cpuLine.trim().split(/\s+/);
  const v = nums.map(Number);
  const idle = v[3] + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle };
}

/** Starts a window; `stop()` returns each process's CPU seconds and share, largest first. */
export function startCpuWindow(processes: NamedPid[]): { stop(): CpuShare[] } {
  const before = processes.map((p) => processTicks(p.pid));
  const selfBefore = process.cpuUsage();
  const machineBefore = machineTicks();
  const t0 = process.hrtime.bigint();
  return {
    stop() {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const busy = (machineTicks().busy - machineBefore.busy) / TICKS_PER_SECOND;
      const self = process.cpuUsage(selfBefore);
      const rows: CpuShare[] = processes.map((p, i) => {
        const seconds = (processTicks(p.pid) - before[i]) / TICKS_PER_SECOND;
        return { name: p.name, seconds, share: 0, cores: 0 };
      });
      rows.push({ name: 'benchmark client (this process)', seconds: (self.user + self.system) / 1e6, share: 0, cores: 0 });
      const accounted = rows.reduce((a, r) => a + r.seconds, 0);
      rows.push({ name: 'everything else on the machine', seconds: Math.max(0, busy - accounted), share: 0, cores: 0 });
      const total = Math.max(busy, accounted);
      for (const r of rows) {
        r.share = total > 0 ? r.seconds / total : 0;
        r.cores = wall > 0 ? r.seconds / wall : 0;
      }
      return rows.sort((a, b) => b.seconds - a.seconds);
    },
  };
}

/** Prints a CPU window as a table (machine cores for scale). */
export function printCpuShares(title: string, rows: CpuShare[]): void {
  console.log(`\n${title} (${cpus().length} cores)`);
  console.log('process                                  cpu s   share   cores');
  for (const r of rows) {
    console.log(`${r.name.padEnd(38)} ${r.seconds.toFixed(1).padStart(7)} ${(r.share * 100).toFixed(1).padStart(6)}%  ${r.cores.toFixed(2).padStart(6)}`);
  }
}
