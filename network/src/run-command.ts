/**
 * Runs a short-lived command (a Fabric CLI call, go, tar) and fails with its
 * output when it exits non-zero.
 */
import { spawn } from 'node:child_process';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Describes the step in the error, e.g. "join peer0.retailer to supplychain". */
  step?: string;
  input?: string;
}

export class CommandError extends Error {
  constructor(
    readonly step: string,
    readonly output: string,
    readonly exitCode: number | null,
  ) {
    super(`${step} failed (exit ${exitCode}):\n${output.trim().split('\n').slice(-20).join('\n')}`);
    this.name = 'CommandError';
  }
}

/** Runs `command args`, resolving with its combined output. */
export function runCommand(command: string, args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (err) => reject(new CommandError(opts.step ?? command, String(err), null)));
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new CommandError(opts.step ?? `${command} ${args.join(' ')}`, out, code));
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}
