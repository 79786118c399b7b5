import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../fixtures/doc-blocks';

/**
 * docs/benchmarks.md records the retail run (its table) and docs/capacity-plan.md
 * quotes it: the figures both give must be the same, so the two pages can only
 * change together, from one run.
 */
describe('the retail run in benchmarks.md and capacity-plan.md', () => {
  const read = (page: string) => fs.readFileSync(path.join(repoRoot(), 'docs', page), 'utf8').replace(/\s+/g, ' ');
  const num = (s: string) => Number(s.replace(/,/g, ''));
  const grab = (page: string, text: string, re: RegExp): string[] => {
    const m = re.exec(text);
    expect(m, `${page}: ${re}`).to.not.equal(null);
    return m!.slice(1);
  };

  const bench = read('benchmarks.md');
  const [probeTxps, probeLines] = grab('benchmarks.md', bench, /\| baseline probe: [^|]*\| ([\d.]+) tx\/s ≈ ([\d,]+) lines\/s \|/);
  const [offeredUploads, offeredLines] = grab('benchmarks.md', bench, /\| offered \| ([\d,]+) uploads\/s, [\d.,]+ receipts\/s, ([\d,]+) lines\/s/);
  const [ledgerTxps, batches, lines] = grab(
    'benchmarks.md',
    bench,
    /\| booked \| [\d,]+ store batches in [\d,]+ roll-up transactions: \*\*([\d.]+) ledger tx\/s\*\*, ([\d.]+) store batches\/s, [\d.]+ receipts\/s, \*\*([\d.]+) lines\/s\*\*/,
  );

  const plan = read('capacity-plan.md');
  const [planBatches, planLines, planTxps, planProbe, planProbeLines, ratio] = grab(
    'capacity-plan.md',
    plan,
    /booked \*\*([\d.]+) store batches a second \(([\d.]+) lines\/s\)\*\* in ([\d.]+) transactions a second, against \*\*([\d.]+) `RecordSales` a second \(([\d,]+) lines\/s\)\*\* for one transaction per store batch in the same run \(([\d.]+)×\)/,
  );
  const [planUploads, planOffered] = grab('capacity-plan.md', plan, /The stores offered ([\d,]+) uploads a second \(([\d,]+) lines\/s\)/);

  it('the roll-up booked the same store batches, lines and transactions a second', () => {
    expect([planBatches, planLines, planTxps]).to.deep.equal([batches, lines, ledgerTxps]);
  });

  it('the same baseline probe', () => {
    expect([planProbe, planProbeLines]).to.deep.equal([probeTxps, probeLines]);
  });

  it('the same offered load', () => {
    expect([planUploads, planOffered]).to.deep.equal([offeredUploads, offeredLines]);
  });

  it("the capacity plan's ratio is booked store batches over the probe's RecordSales", () => {
    expect(num(ratio)).to.equal(Number((num(batches) / num(probeTxps)).toFixed(2)));
  });
});
