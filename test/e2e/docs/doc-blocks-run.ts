/**
 * The shell blocks of the README and docs/ marked `<!-- doc-run: devnet … -->`,
 * run as written against the `npm start` of the end-to-end test (after its
 * demo), with the environment a reader has there: the port base and run folder
 * of that `npm start` exported as FABRIC_PORT_BASE and FABRIC_RUN_DIR, the
 * repository as the working folder. The convention is in docs/testing.md.
 *
 * A page's blocks run in order, in one reader's terminal (test/fixtures/doc-shell.ts):
 * the shell variables a block sets are there for the next one. A
 * `background="REGEX"` block is started the way a reader starts a long-running
 * service in a second terminal, is ready when its output matches, and is
 * stopped by its process group's PID when the page is done, also when a block
 * failed.
 */
import { docBlocks, docFiles, parseDocRun, SHELL_LANGS } from '../../fixtures/doc-blocks';
import { blockTitle, PageTerminal, type DocRunContext, type RunnableBlock } from '../../fixtures/doc-shell';

export type { DocRunContext } from '../../fixtures/doc-shell';

/** The blocks the suite runs against the devnet, page by page, in page order. */
export function devnetBlocks(): Array<{ file: string; blocks: RunnableBlock[] }> {
  return docFiles()
    .map((file) => {
      const blocks: RunnableBlock[] = [];
      for (const b of docBlocks(file)) {
        if (!SHELL_LANGS.includes(b.lang) || b.annotation === undefined) continue;
        const run = parseDocRun(b.annotation);
        if (run.kind === 'devnet') blocks.push({ ...b, expect: run.expect, background: run.background });
      }
      return { file, blocks };
    })
    .filter((p) => p.blocks.length > 0);
}

/** Registers one describe per page with devnet blocks; `ctx()` is read when they run. */
export function describeDocBlocks(ctx: () => DocRunContext): void {
  describe('docs: shell blocks run as written', function () {
    this.timeout(900_000);
    for (const page of devnetBlocks()) {
      describe(page.file, () => {
        const terminal = new PageTerminal();
        // Long-running services of the page are stopped also when a block failed.
        after(() => terminal.close());
        for (const block of page.blocks) {
          it(`${blockTitle(block)}${block.background ? ' [background]' : ''}`, async () => {
            await terminal.run(block, ctx());
          });
        }
      });
    }
  });
}
