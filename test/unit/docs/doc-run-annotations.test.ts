import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commandsOf, docBlocks, docFiles, parseDocRun, repoRoot, SHELL_LANGS, type DocRun } from '../../fixtures/doc-blocks';
import { DocPage, inTestBlocks, PageTerminal, testSourceOf } from '../../fixtures/doc-shell';

/**
 * Every code block of the README and docs/ says what it is, and every shell
 * block says how the suite runs it (docs/testing.md, "Commands in the docs"):
 * `devnet` blocks run in test/e2e/docs/, an `in-test` block is run by the test
 * it names (which opens the page with `new DocPage(page, __filename)`: that
 * runs every block of the page annotated for it, and fails when one was not
 * run), a `covered-by` test must hold the block's commands, and a `manual`
 * block gives its reason.
 */
describe('doc-run annotations of the README and docs/', () => {
  const root = repoRoot();
  const blocks = docFiles().flatMap((f) => docBlocks(f));
  const shell = blocks.filter((b) => SHELL_LANGS.includes(b.lang));

  it('finds shell blocks', () => {
    expect(shell.length).to.be.greaterThan(10);
  });

  it('every code block names its language (`text` for diagrams and listings)', () => {
    expect(blocks.filter((b) => b.lang === '').map((b) => `${b.file}:${b.line}`)).to.deep.equal([]);
  });

  it('an annotation stands only above a shell block', () => {
    expect(blocks.filter((b) => b.annotation !== undefined && !SHELL_LANGS.includes(b.lang)).map((b) => `${b.file}:${b.line}`)).to.deep.equal([]);
  });

  /** The block's annotation, read, or why it cannot be. */
  const readRun = (annotation: string | undefined): { run?: DocRun; problem?: string } => {
    try {
      return { run: annotation === undefined ? undefined : parseDocRun(annotation) };
    } catch (err) {
      return { problem: (err as Error).message };
    }
  };

  for (const block of shell) {
    const { run, problem } = readRun(block.annotation);
    const how =
      run?.kind === 'devnet'
        ? `run against the devnet${run.background ? ', in the background' : ''}`
        : run?.kind === 'in-test'
          ? `run by ${run.test} against its network`
          : run?.kind === 'covered-by'
            ? `covered by ${run.test}`
            : run?.kind === 'manual'
              ? `not run: ${run.reason}`
              : 'NOT ANNOTATED';
    it(`${block.file}:${block.line} (${block.heading}): ${how}`, () => {
      expect(problem, `${block.file}:${block.line}`).to.equal(undefined);
      expect(run, `${block.file}:${block.line} needs a <!-- doc-run: … --> line right above its fence (docs/testing.md)`).to.not.equal(undefined);
      if (run?.kind === 'covered-by') {
        const file = path.join(root, run.test);
        expect(fs.existsSync(file), `${run.test} exists`).to.equal(true);
        const source = fs.readFileSync(file, 'utf8');
        for (const command of commandsOf(block.text)) expect(source, `${run.test} runs "${command}"`).to.include(command);
      }
      if (run?.kind === 'in-test') {
        const file = path.join(root, run.test);
        expect(fs.existsSync(file), `${run.test} exists`).to.equal(true);
        expect(fs.readFileSync(file, 'utf8'), `${run.test} runs the blocks of ${block.file} annotated for it`).to.include(
          `new DocPage('${block.file}', __filename)`,
        );
        for (const p of [run.expect, run.background].filter((x): x is string => x !== undefined))
          expect(() => new RegExp(p), `${block.file}:${block.line}: /${p}/`).to.not.throw();
      }
      if (run?.kind === 'devnet') {
        const patterns = [run.expect, run.background].filter((p): p is string => p !== undefined);
        for (const p of patterns) expect(() => new RegExp(p), `${block.file}:${block.line}: /${p}/`).to.not.throw();
      }
    });
  }

  it('parses the four kinds and refuses anything else', () => {
    expect(parseDocRun('devnet')).to.deep.equal({ kind: 'devnet', expect: undefined, background: undefined });
    expect(parseDocRun('devnet expect="\\"eventId\\""')).to.deep.include({ expect: '"eventId"' });
    expect(parseDocRun('covered-by test/e2e/start-and-demo.test.ts')).to.deep.equal({ kind: 'covered-by', test: 'test/e2e/start-and-demo.test.ts' });
    expect(parseDocRun('in-test test/integration/network/fabric-ca.test.ts')).to.deep.equal({
      kind: 'in-test',
      test: 'test/integration/network/fabric-ca.test.ts',
      expect: undefined,
      background: undefined,
    });
    expect(parseDocRun('in-test test/a.test.ts expect="re-enrolled"')).to.deep.include({ expect: 're-enrolled' });
    expect(() => parseDocRun('in-test docs/fabric-ca.md')).to.throw(/not a test file/);
    expect(parseDocRun('in-test test/a.test.ts background="users: "')).to.deep.include({ background: 'users: ' });
    expect(() => parseDocRun('in-test test/a.test.ts wait="x"')).to.throw(/unknown option/);
    expect(parseDocRun('manual reason="needs a Docker engine for the test-network"')).to.deep.include({ kind: 'manual' });
    expect(() => parseDocRun('manual')).to.throw(/reason/);
    expect(() => parseDocRun('skip')).to.throw(/unknown kind/);
    expect(() => parseDocRun('devnet wait="x"')).to.throw(/unknown option/);
    expect(() => parseDocRun('covered-by docs/gateway.md')).to.throw(/not a test file/);
  });

  it('a test opening a page runs exactly the blocks annotated for it, and closing it before they ran fails', async () => {
    const test = 'test/integration/network/fabric-ca.test.ts';
    const compiled = path.join(root, 'dist', 'test', 'integration', 'network', 'fabric-ca.test.js');
    expect(testSourceOf(compiled)).to.equal(test);
    const annotated = docBlocks('docs/fabric-ca.md').filter((b) => b.annotation?.startsWith(`in-test ${test}`));
    expect(annotated.length).to.be.greaterThan(0);
    const page = new DocPage('docs/fabric-ca.md', compiled);
    expect(page.blocks.map((b) => b.line)).to.deep.equal(annotated.map((b) => b.line));
    expect(inTestBlocks('docs/fabric-ca.md', 'test/e2e/start-and-demo.test.ts')).to.deep.equal([]);
    const closed = await page.close().then(
      () => 'closed',
      (err: Error) => err.message,
    );
    expect(closed).to.match(/were not run: docs\/fabric-ca\.md:\d+/);
    expect(() => new DocPage('docs/fabric-ca.md', path.join(root, 'dist', 'test', 'e2e', 'start-and-demo.test.js'))).to.throw(/no block annotated/);
  });

  it("a page's next block has the variables and functions its earlier blocks set, as in one terminal", async () => {
    const terminal = new PageTerminal();
    const block = (line: number, text: string) => ({ file: 'docs/x.md', heading: 'x', lang: 'sh', text, line });
    const ctx = { root, env: { ...process.env } };
    try {
      await terminal.run(block(1, 'GREETING=hello\nexport TARGET=world\nsay() { echo "$GREETING, $1 ($TARGET)"; }'), ctx);
      expect(await terminal.run(block(5, 'say reader\nTARGET=again'), ctx)).to.equal('hello, reader (world)\n');
      expect(await terminal.run(block(9, 'say twice'), ctx)).to.equal('hello, twice (again)\n');
    } finally {
      await terminal.close();
    }
  });
});
