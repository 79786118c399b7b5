/**
 * The one retry helper: retries only errors that say they are retriable
 * (ServiceError.retriable), with capped exponential backoff and jitter.
 */
import { ServiceError } from '../errors';

export interface RetryOptions {
  /** Total attempts, including the first. */
  attempts: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called before each wait, e.g. to log or count. */
  onRetry?: (err: ServiceError, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
}

export function isRetriable(err: unknown): err is ServiceError {
  return err instanceof ServiceError && err.retriable;
}

/** Backoff before attempt n+1 (n ≥ 1): base·2^(n-1), capped, with ±50% jitter so retries spread out. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(d * (0.5 + Math.random()));
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isRetriable(err) || attempt >= opts.attempts || opts.signal?.aborted) throw err;
      const delay = backoffMs(attempt, opts.baseDelayMs ?? 50, opts.maxDelayMs ?? 2000);
      opts.onRetry?.(err, attempt, delay);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
