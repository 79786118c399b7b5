/**
 * Latency and throughput figures for benchmark scripts.
 */

/** The p-th percentile (0..100) of sorted values, nearest rank. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface RunFigures {
  count: number;
  failed: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** Runs `task(worker, i)` `total` times with `concurrency` workers, timing each call. */
export async function runLoad(
  total: number,
  concurrency: number,
  task: (worker: number, i: number) => Promise<void>,
): Promise<RunFigures & { errors: string[] }> {
  const latencies: number[] = [];
  const errors: string[] = [];
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = next++; i < total; i = next++) {
        const s = process.hrtime.bigint();
        try {
          await task(worker, i);
          latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
        } catch (err) {
          errors.push(err instanceof Error ? err.message.split('\n')[0] : String(err));
        }
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  latencies.sort((a, b) => a - b);
  return {
    count: latencies.length,
    failed: errors.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}
