/**
 * The benchmark runner as docs/benchmarks.md gives it: `npm run bench` as
 * written, with the environment choosing the one benchmark that starts no
 * devnet, quick (the full run measures the machine for about 25 minutes);
 * then the page's subset run into a folder of its own, and a second run
 * compared with it.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../fixtures/doc-blocks';
import { DocPage } from '../../fixtures/doc-shell';

describe('docs/benchmarks.md: `npm run bench` on the benchmarks its environment chooses, a quick subset, then a run compared with it', function () {
  this.timeout(300_000);
  const page = new DocPage('docs/benchmarks.md', __filename);
  // The page's folders, under the repository's bench-results/ (ignored by git): a reader's are set aside and put back.
  const results = path.join(repoRoot(), 'bench-results');
  const trial = path.join(results, 'trial');
  const aside = `${trial}.before-test-${process.pid}`;
  const written: string[] = [];
  let hadResults = false;

  before(() => {
    hadResults = fs.existsSync(results);
    if (fs.existsSync(trial)) fs.renameSync(trial, aside);
  });
  after(async () => {
    await page.close();
    for (const dir of hadResults ? [trial, ...written] : [results]) fs.rmSync(dir, { recursive: true, force: true });
    if (fs.existsSync(aside)) fs.renameSync(aside, trial);
  });

  it('runs `npm run bench` as written, on the benchmarks the environment chooses', async () => {
    const output = await page.next({ ...process.env, BENCH_ONLY: 'epcis-hash', BENCH_QUICK: '1' });
    const out = /logs and results in (\S+)/.exec(output)?.[1];
    if (out) written.push(out);
    expect(output).to.include('benchmarks: epcis-hash;');
    expect(out, output).to.be.a('string');
    const summary = JSON.parse(fs.readFileSync(path.join(out!, 'summary.json'), 'utf8')) as { quick: boolean; rows: Array<{ figure?: { name: string } }> };
    expect(summary.quick).to.equal(true);
    expect(summary.rows.length).to.be.greaterThan(0);
  });

  it('writes the subset quick run, then a run with a column comparing each figure with it', async () => {
    const output = await page.next(process.env);
    const summary = JSON.parse(fs.readFileSync(path.join(trial, 'summary.json'), 'utf8')) as { quick: boolean; rows: Array<{ figure?: { name: string } }> };
    expect(summary.quick).to.equal(true);
    const names = summary.rows.map((r) => r.figure?.name);
    expect(names.length).to.be.greaterThan(0);
    expect(names.every((n) => typeof n === 'string' && n.startsWith('epcis.'))).to.equal(true);

    // The second run's own folder, named by its time.
    const second = output.slice(output.lastIndexOf('benchmarks: epcis-hash;'));
    const out = /logs and results in (\S+)/.exec(second)?.[1];
    if (out) written.push(out);
    expect(out, second).to.be.a('string');
    expect(out).to.not.equal(trial);
    expect(second).to.match(/previous run/);
    // Every figure of the first run has its value beside the new one, and their ratio.
    expect(second).to.match(/µs \(\d+\.\d+x\)/);
  });
});
