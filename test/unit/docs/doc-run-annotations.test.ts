import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commandsOf, docBlocks, docFiles, parseDocRun, repoRoot, SHELL_LANGS, type DocRun } from '../../fixtures/doc-blocks';

/**
 * Every code block of the README and docs/ says what it is, and every shell
 * block says how the suite runs it (docs/testing.md, "Commands in the docs"):
 * `devnet` blocks run in test/e2e/docs/, a `covered-by` test must hold the
 * block's commands, and a `manual` block gives its reason.
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
      if (run?.kind === 'devnet') {
        const patterns = [run.expect, run.background].filter((p): p is string => p !== undefined);
        for (const p of patterns) expect(() => new RegExp(p), `${block.file}:${block.line}: /${p}/`).to.not.throw();
      }
    });
  }

  it('parses the three kinds and refuses anything else', () => {
    expect(parseDocRun('devnet')).to.deep.equal({ kind: 'devnet', expect: undefined, background: undefined });
    expect(parseDocRun('devnet expect="\\"eventId\\""')).to.deep.include({ expect: '"eventId"' });
    expect(parseDocRun('covered-by test/e2e/start-and-demo.test.ts')).to.deep.equal({ kind: 'covered-by', test: 'test/e2e/start-and-demo.test.ts' });
    expect(parseDocRun('manual reason="needs a Docker engine for the test-network"')).to.deep.include({ kind: 'manual' });
    expect(() => parseDocRun('manual')).to.throw(/reason/);
    expect(() => parseDocRun('skip')).to.throw(/unknown kind/);
    expect(() => parseDocRun('devnet wait="x"')).to.throw(/unknown option/);
    expect(() => parseDocRun('covered-by docs/gateway.md')).to.throw(/not a test file/);
  });
});
