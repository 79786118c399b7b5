/**
 * The figures a benchmark reports to `npm run bench`: each script that takes
 * `--json FILE` writes its headline figures there in this shape, and the
 * runner (bench/run-all.ts) prints them as one table and keeps them as JSON.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** One headline figure with the baseline it was measured against in the same run. */
export interface BenchFigure {
  /** Stable name, used to compare two runs, e.g. `chaincode.transfer.c64.txps`. */
  name: string;
  /** What it is, in words, for the table. */
  label: string;
  value: number;
  unit: string;
  /** The goal, when there is one: `value` must be at least (`>=`) or at most (`<=`) `target`. */
  target?: { op: '>=' | '<='; value: number };
  /** The in-run baseline (same machine, same run) and its name. */
  baseline?: { label: string; value: number };
  /** Extra context printed after the row (settings of the run). */
  note?: string;
}

/** value / baseline, or undefined without a usable baseline. */
export function ratioOf(f: BenchFigure): number | undefined {
  if (!f.baseline || !Number.isFinite(f.baseline.value) || f.baseline.value === 0) return undefined;
  return f.value / f.baseline.value;
}

/** Whether the figure meets its target (undefined without one). */
export function meetsTarget(f: BenchFigure): boolean | undefined {
  if (!f.target) return undefined;
  return f.target.op === '>=' ? f.value >= f.target.value : f.value <= f.target.value;
}

/**
 * Writes the figures of one script where `--json` asked for them; no-op without a path. `details` are
 * further measurements of the run (not headline figures), kept beside them for the pages that quote the run.
 */
export function writeFigures(file: string | undefined, bench: string, figures: BenchFigure[], details?: Record<string, number | string | boolean>): void {
  if (!file) return;
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, JSON.stringify({ bench, at: new Date().toISOString(), figures, ...(details ? { details } : {}) }, null, 2) + '\n');
}
