import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../fixtures/doc-blocks';

interface RetailResults {
  figures: Array<{ name: string; value: number }>;
  details: Record<string, number | string | boolean>;
}

/**
 * docs/benchmarks.md records the retail run (its table) and docs/capacity-plan.md
 * quotes it: both must give the figures of the one run in bench/results/retail.json
 * (written by `npm run bench:retail -- --json`), rounded as the pages round them,
 * so the two pages can only change together, from one run.
 */
describe('the retail run in benchmarks.md and capacity-plan.md', () => {
  const root = repoRoot();
  const read = (page: string) => fs.readFileSync(path.join(root, 'docs', page), 'utf8').replace(/\s+/g, ' ');
  const run = JSON.parse(fs.readFileSync(path.join(root, 'bench', 'results', 'retail.json'), 'utf8')) as RetailResults;
  const figure = (name: string) => run.figures.find((f) => f.name === name)!.value;
  const detail = (name: string) => Number(run.details[name]);
  const grab = (page: string, text: string, re: RegExp): string[] => {
    const m = re.exec(text);
    expect(m, `${page}: ${re}`).to.not.equal(null);
    return m!.slice(1).map((x) => x.replace(/,/g, ''));
  };

  /** The run's figures as the pages write them. */
  const expected = {
    probeTxps: detail('probeTxps').toFixed(1),
    probeLines: detail('probeLinesPerSecond').toFixed(0),
    offeredUploads: detail('offeredUploadsPerSecond').toFixed(0),
    offeredLines: detail('offeredLinesPerSecond').toFixed(0),
    ledgerTxps: figure('retail.ledger.txps').toFixed(2),
    batches: detail('storeBatchesPerSecond').toFixed(1),
    lines: figure('retail.lines.ps').toFixed(1),
    ratio: (detail('storeBatchesPerSecond') / detail('probeTxps')).toFixed(2),
  };

  it('benchmarks.md gives the figures of bench/results/retail.json', () => {
    const text = read('benchmarks.md');
    const [probeTxps, probeLines] = grab('benchmarks.md', text, /\| baseline probe: [^|]*\| ([\d.]+) tx\/s ≈ ([\d,]+) lines\/s \|/);
    const [offeredUploads, offeredLines] = grab('benchmarks.md', text, /\| offered \| ([\d,]+) uploads\/s, [\d.,]+ receipts\/s, ([\d,]+) lines\/s/);
    const [ledgerTxps, batches, lines] = grab(
      'benchmarks.md',
      text,
      /\| booked \| [\d,]+ store batches in [\d,]+ roll-up transactions: \*\*([\d.]+) ledger tx\/s\*\*, ([\d.]+) store batches\/s, [\d.]+ receipts\/s, \*\*([\d.]+) lines\/s\*\*/,
    );
    expect({ probeTxps, probeLines, offeredUploads, offeredLines, ledgerTxps, batches, lines, ratio: expected.ratio }).to.deep.equal(expected);
  });

  it('capacity-plan.md quotes the same run', () => {
    const text = read('capacity-plan.md');
    const [batches, lines, ledgerTxps, probeTxps, probeLines, ratio] = grab(
      'capacity-plan.md',
      text,
      /booked \*\*([\d.]+) store batches a second \(([\d.]+) lines\/s\)\*\* in ([\d.]+) transactions a second, against \*\*([\d.]+) `RecordSales` a second \(([\d,]+) lines\/s\)\*\* for one transaction per store batch in the same run \(([\d.]+)×\)/,
    );
    const [offeredUploads, offeredLines] = grab('capacity-plan.md', text, /The stores offered ([\d,]+) uploads a second \(([\d,]+) lines\/s\)/);
    expect({ probeTxps, probeLines, offeredUploads, offeredLines, ledgerTxps, batches, lines, ratio }).to.deep.equal(expected);
  });
});
