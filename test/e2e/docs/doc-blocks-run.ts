/**
 * The shell blocks of the README and docs/ marked `<!-- doc-run: devnet … -->`,
 * run as written against the `npm start` of the end-to-end test (after its
 * demo), with the environment a reader has there: the port base and run folder
 * of that `npm start` exported as FABRIC_PORT_BASE and FABRIC_RUN_DIR, the
 * repository as the working folder. The convention is in docs/testing.md.
 *
 * A page's blocks run in order, in one reader's terminal: the shell variables
 * a block sets are there for the next one. A `background="REGEX"` block is
 * started the way a reader starts a long-running service in a second terminal,
 * is ready when its output matches, and is stopped by its process group's PID
 * when the page is done, also when a block failed.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { docBlocks, docFiles, parseDocRun, SHELL_LANGS, type DocBlock } from '../../fixtures/doc-blocks';

/** Where the blocks run: the repository and the reader's environment. */
export interface DocRunContext {
  root: string;
  env: NodeJS.ProcessEnv;
}

/** A block marked `doc-run: devnet`, with its options. */
type DevnetBlock = DocBlock & { expect?: string; background?: string };

/** The blocks the suite runs against the devnet, page by page, in page order. */
export function devnetBlocks(): Array<{ file: string; blocks: DevnetBlock[] }> {
  return docFiles()
    .map((file) => {
      const blocks: DevnetBlock[] = [];
      for (const b of docBlocks(file)) {
        if (!SHELL_LANGS.includes(b.lang) || b.annotation === undefined) continue;
        const run = parseDocRun(b.annotation);
        if (run.kind === 'devnet') blocks.push({ ...b, expect: run.expect, background: run.background });
      }
      return { file, blocks };
    })
    .filter((p) => p.blocks.length > 0);
}

// Before a block: the variables of the page's earlier blocks. After it: every variable it added, for the next.
const PRELUDE = '__known=" $(compgen -v | tr \'\\n\' \' \') "\nif [ -f "$DOC_RUN_STATE" ]; then . "$DOC_RUN_STATE"; fi\n';
const SAVE =
  '\nfor __v in $(compgen -v); do case "$__known" in *" $__v "*) ;; *) case "$__v" in __*) ;; *) declare -p "$__v" ;; esac ;; esac; done > "$DOC_RUN_STATE.next"\n' +
  'mv "$DOC_RUN_STATE.next" "$DOC_RUN_STATE"\n';

function title(b: DocBlock): string {
  return `${b.file}:${b.line} (${b.heading})`;
}

/** Runs `script` with bash -e; resolves with its exit code and output. */
function runScript(script: string, ctx: DocRunContext, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-e', '-c', script], { cwd: ctx.root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      output += `\n[doc-run] still running after ${timeoutMs / 1000} s: stopped`;
      killGroup(child);
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Whether any process of the child's group is still there. */
function groupAlive(child: ChildProcess): boolean {
  try {
    if (!child.pid) return false;
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Registers one describe per page with devnet blocks; `ctx()` is read when they run. */
export function describeDocBlocks(ctx: () => DocRunContext): void {
  describe('docs: shell blocks run as written', function () {
    this.timeout(900_000);
    for (const page of devnetBlocks()) {
      describe(page.file, () => {
        let state = '';
        const background: ChildProcess[] = [];
        let failed = false;

        before(() => {
          state = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'doc-run-')), 'state.sh');
        });
        after(async () => {
          // Long-running services of the page: SIGTERM to the process group (as Ctrl-C in their terminal),
          // then, whatever of the group is left after 60 s, SIGKILL.
          for (const child of background.reverse()) {
            killGroup(child, 'SIGTERM');
            const deadline = Date.now() + 60_000;
            while (groupAlive(child) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
            killGroup(child);
          }
          if (state) fs.rmSync(path.dirname(state), { recursive: true, force: true });
        });

        for (const block of page.blocks) {
          it(`${title(block)}${block.background ? ' [background]' : ''}`, async () => {
            // A reader stops at the first command that fails: the page's later blocks would only fail after it.
            if (failed) throw new Error(`an earlier block of ${page.file} failed, so this one was not run`);
            const c = ctx();
            const env = { ...c.env, DOC_RUN_STATE: state };
            if (block.background) {
              const child = spawn('bash', ['-e', '-c', PRELUDE + block.text], { cwd: c.root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
              background.push(child);
              let output = '';
              child.stdout.on('data', (d: Buffer) => (output += d.toString()));
              child.stderr.on('data', (d: Buffer) => (output += d.toString()));
              const ready = new RegExp(block.background);
              const deadline = Date.now() + 300_000;
              while (!ready.test(output) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
              if (!ready.test(output)) failed = true;
              expect(ready.test(output), `${title(block)} did not print ${ready} (exit ${child.exitCode}):\n${output}`).to.equal(true);
              return;
            }
            const { code, output } = await runScript(PRELUDE + block.text + SAVE, c, env, 600_000);
            if (code !== 0) failed = true;
            expect(code, `${title(block)} exited ${code}:\n${output}`).to.equal(0);
            if (block.expect) expect(output, `${title(block)}: output`).to.match(new RegExp(block.expect));
          });
        }
      });
    }
  });
}
