/**
 * `npm run bench`: runs the benchmarks one after another (each on its own
 * devnet and services, each stopping what it started), collects the headline
 * figures each writes with `--json`, and prints one table: figure, value,
 * target, the in-run baseline and the ratio to it. The table and its JSON are
 * written to bench-results/<time>/ (summary.txt, summary.json, one log per
 * benchmark), so two runs can be compared with `--compare`.
 *
 *   npm run bench [-- --only chaincode,replay] [--skip retail] [--quick]
 *                 [--retail-minutes 10] [--compare bench-results/<time>/summary.json] [--out DIR]
 *
 * --quick shortens the long runs (retail 2 minutes, lag 30 s, a smaller ledger) for a trial.
 * BENCH_ONLY, BENCH_SKIP and BENCH_QUICK=1 in the environment are the defaults of --only, --skip and
 * --quick, for a scheduler that runs `npm run bench` as it is and chooses the benchmarks by environment.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { meetsTarget, ratioOf, type BenchFigure } from './summary';

interface Step {
  name: string;
  what: string;
  /** Scripts under dist/bench run in order; the last writes the figures (`--json` is appended). */
  runs: Array<{ script: string; args: string[]; figures?: boolean }>;
}

function steps(opts: { quick: boolean; retailMinutes: number }): Step[] {
  const q = opts.quick;
  return [
    { name: 'epcis-hash', what: 'CBV 2.0 event hash', runs: [{ script: 'epcis/hash-bench.js', args: ['--rounds', q ? '50' : '200'], figures: true }] },
    {
      name: 'chaincode',
      what: 'TransferStock vs probe:Put, both clients',
      runs: [{ script: 'chaincode/transfer-bench.js', args: ['--count', q ? '300' : '600', '--concurrency', '64'], figures: true }],
    },
    {
      name: 'replay',
      what: 'indexer rebuild vs the Deliver stream alone',
      runs: [
        // Built once: a ledger that already holds the blocks is left as it is.
        { script: 'indexer/build-ledger.js', args: ['--blocks', q ? '300' : '2000'] },
        { script: 'indexer/replay-bench.js', args: ['--blocks', q ? '300' : '2000'], figures: true },
      ],
    },
    {
      name: 'lag',
      what: 'commit-to-PostgreSQL and commit-to-Kafka lag at concurrency 64',
      runs: [{ script: 'indexer/lag-bench.js', args: ['--concurrency', '64', '--seconds', q ? '30' : '60', '--warmup', '10'], figures: true }],
    },
    {
      name: 'retail',
      what: '17,000 stores POS sales, rolled up per region',
      runs: [{ script: 'retail/retail-bench.js', args: ['--minutes', String(q ? Math.min(2, opts.retailMinutes) : opts.retailMinutes)], figures: true }],
    },
    { name: 'payments', what: 'payment verification on anvil', runs: [{ script: 'payments/verify-bench.js', args: [], figures: true }] },
  ];
}

function runScript(file: string, args: string[], log: NodeJS.WritableStream): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on('close', (code) => resolve(code ?? 1));
    // Ctrl-C reaches the child too (same process group); it stops what it started.
  });
}

interface Row {
  step: string;
  figure?: BenchFigure;
  failed?: string;
}

const fmt = (v: number | undefined, unit = '') => {
  if (v === undefined || !Number.isFinite(v)) return '—';
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(digits)}${unit ? ' ' + unit : ''}`;
};

/** The summary table, with a column comparing each figure to a previous run when given. */
export function formatTable(rows: Row[], previous?: Map<string, number>): string {
  const head = ['figure', 'value', 'target', 'met', 'in-run baseline', 'ratio', ...(previous ? ['previous run'] : [])];
  const body = rows.map((r) => {
    if (!r.figure) return [`${r.step}: FAILED (${r.failed ?? 'no figures'})`, '', '', '', '', '', ...(previous ? [''] : [])];
    const f = r.figure;
    const met = meetsTarget(f);
    const prev = previous?.get(f.name);
    return [
      f.label,
      fmt(f.value, f.unit),
      f.target ? `${f.target.op} ${fmt(f.target.value, f.unit)}` : '',
      met === undefined ? '' : met ? 'yes' : 'NO',
      f.baseline ? `${fmt(f.baseline.value, f.unit)} (${f.baseline.label})` : '',
      ratioOf(f) === undefined ? '' : `${ratioOf(f)!.toFixed(2)}x`,
      ...(previous ? [prev === undefined ? '' : `${fmt(prev, f.unit)} (${(f.value / prev).toFixed(2)}x)`] : []),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string', default: process.env.BENCH_ONLY || undefined },
      skip: { type: 'string', default: process.env.BENCH_SKIP || undefined },
      quick: { type: 'boolean', default: process.env.BENCH_QUICK === '1' },
      'retail-minutes': { type: 'string', default: '10' },
      compare: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const root = path.resolve(__dirname, '..', '..');
  const only = values.only?.split(',');
  const skip = values.skip?.split(',') ?? [];
  const all = steps({ quick: values.quick, retailMinutes: Number(values['retail-minutes']) });
  const unknown = [...(only ?? []), ...skip].filter((n) => !all.some((s) => s.name === n));
  if (unknown.length) {
    console.error(`no benchmark named ${unknown.join(', ')} (--only/--skip, BENCH_ONLY/BENCH_SKIP); known: ${all.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }
  const chosen = all.filter((s) => (!only || only.includes(s.name)) && !skip.includes(s.name));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = path.resolve(values.out ?? path.join(root, 'bench-results', stamp));
  mkdirSync(out, { recursive: true });
  console.log(`benchmarks: ${chosen.map((s) => s.name).join(', ')}; logs and results in ${out}`);

  const rows: Row[] = [];
  for (const step of chosen) {
    const log = createWriteStream(path.join(out, `${step.name}.log`));
    const started = Date.now();
    process.stdout.write(`- ${step.name}: ${step.what} ... `);
    let failed: string | undefined;
    const figuresFile = path.join(out, `${step.name}.json`);
    for (const run of step.runs) {
      const file = path.join(root, 'dist', 'bench', run.script);
      if (!existsSync(file)) {
        failed = `${run.script} is not built`;
        break;
      }
      const code = await runScript(file, [...run.args, ...(run.figures ? ['--json', figuresFile] : [])], log);
      if (code !== 0) {
        failed = `${run.script} exited with ${code}; see ${step.name}.log`;
        break;
      }
    }
    log.end();
    console.log(`${failed ? 'failed' : 'done'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (!failed && existsSync(figuresFile)) {
      const { figures } = JSON.parse(readFileSync(figuresFile, 'utf8')) as { figures: BenchFigure[] };
      for (const figure of figures) rows.push({ step: step.name, figure });
    } else rows.push({ step: step.name, failed: failed ?? 'wrote no figures' });
  }

  let previous: Map<string, number> | undefined;
  if (values.compare) {
    const prev = JSON.parse(readFileSync(values.compare, 'utf8')) as { rows: Row[] };
    previous = new Map(prev.rows.filter((r) => r.figure).map((r) => [r.figure!.name, r.figure!.value]));
  }
  const table = formatTable(rows, previous);
  console.log(`\n${table}\n`);
  writeFileSync(path.join(out, 'summary.txt'), table + '\n');
  writeFileSync(path.join(out, 'summary.json'), JSON.stringify({ at: new Date().toISOString(), quick: values.quick, rows }, null, 2) + '\n');
  console.log(`written: ${path.join(out, 'summary.txt')} and summary.json`);
  if (rows.some((r) => r.failed)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
