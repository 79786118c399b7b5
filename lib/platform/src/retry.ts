/**
 * The one retry helper. Every retry loop in the services goes through
 * {@link withRetry}: capped exponential backoff with jitter, a retriable
 * predicate (by default the error base's `retriable` flag), an attempt budget
 * and/or a deadline, and an abort signal. Callers never nest it: one layer
 * owns the retries of one operation, so the budget is the number written here.
 */
import { ServiceError } from './errors';

/** Options of {@link withRetry}. Give `attempts`, `deadlineMs` or both. */
export interface RetryOptions {
  /** Total attempts, including the first (Infinity: until the deadline, the signal or a non-retriable error). */
  attempts?: number;
  /** Gives up when the next attempt would start later than this many ms after the first one. */
  deadlineMs?: number;
  /** Delay before the second attempt; doubles per attempt up to `maxDelayMs`. Default 50. */
  baseDelayMs?: number;
  /** Upper bound of a delay before jitter. Default 2000. */
  maxDelayMs?: number;
  /** Whether an error may go away on a new attempt. Default: {@link isRetriable}. */
  retriable?: (err: unknown) => boolean;
  /** Called before each wait, e.g. to log, count or reset a connection; awaited. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void | Promise<void>;
  /** Stops retrying: the last error is thrown as soon as the signal aborts. */
  signal?: AbortSignal;
  /** How to wait (tests inject a fake; a caller may pass one its own stop can cut short). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Source of jitter in [0, 1). Default Math.random. */
  random?: () => number;
  /** Clock for the deadline. Default Date.now. */
  now?: () => number;
}

/** True for errors of the error base that say a new attempt may succeed. */
export function isRetriable(err: unknown): err is ServiceError {
  return err instanceof ServiceError && err.retriable;
}

/**
 * Backoff before attempt n+1 (n ≥ 1): base·2^(n-1), capped at `maxMs`, then
 * scaled by a jitter factor in [0.5, 1.5) so clients that failed together do
 * not retry together.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(d * (0.5 + random()));
}

/** Waits `ms`, or less when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `fn` until it succeeds, the error is not retriable, the attempt budget
 * or deadline is spent, or `signal` aborts; then throws the last error.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const attempts = opts.attempts ?? (opts.deadlineMs === undefined ? 3 : Infinity);
  const retriable = opts.retriable ?? isRetriable;
  const now = opts.now ?? Date.now;
  const wait = opts.sleep ?? sleep;
  const started = now();
  for (let attempt = 1; ; attempt++) {
    if (opts.signal?.aborted && attempt === 1) throw opts.signal.reason ?? new Error('aborted');
    try {
      return await fn(attempt);
    } catch (err) {
      if (!retriable(err) || attempt >= attempts || opts.signal?.aborted) throw err;
      const delay = backoffMs(attempt, opts.baseDelayMs ?? 50, opts.maxDelayMs ?? 2000, opts.random);
      if (opts.deadlineMs !== undefined && now() + delay - started > opts.deadlineMs) throw err;
      await opts.onRetry?.(err, attempt, delay);
      await wait(delay, opts.signal);
      if (opts.signal?.aborted) throw err;
    }
  }
}
