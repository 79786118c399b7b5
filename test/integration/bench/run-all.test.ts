/**
 * The benchmark runner as docs/benchmarks.md gives it, on the subset the page
 * runs (the one benchmark that starts no devnet): a quick run into a folder
 * of its own, then a second run compared with it. The full `npm run bench`
 * (about 25 minutes) is run by hand.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../fixtures/doc-blocks';
import { DocPage } from '../../fixtures/doc-shell';

describe('docs/benchmarks.md: a quick subset of `npm run bench`, then a run compared with it', function () {
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
