/**
 * Per-principal token buckets for the query API: each caller may burst up to
 * `burst` requests and is refilled at `ratePerSec`; past it, 429 with
 * Retry-After. The same bucket as the gateway's (gateway/src/http/rate-limit.ts),
 * kept here because services do not import each other; buckets idle long
 * enough to be full again are dropped, so memory stays bounded.
 */

export interface RateLimiterOptions {
  ratePerSec: number;
  burst: number;
  /** Upper bound on tracked callers; the least recently seen are evicted first. */
  maxClients?: number;
  now?: () => number;
}

export interface RateLimiter {
  /** Takes one token; when none is left, says how long until one is. */
  take(clientId: string): { ok: true } | { ok: false; retryAfterSec: number };
}

export function createRateLimiter(opts: RateLimiterOptions): RateLimiter {
  const now = opts.now ?? Date.now;
  const max = opts.maxClients ?? 100_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(clientId) {
      const t = now();
      let b = buckets.get(clientId);
      if (b) {
        buckets.delete(clientId); // re-inserted below: Map order = recency
        b.tokens = Math.min(opts.burst, b.tokens + ((t - b.at) / 1000) * opts.ratePerSec);
        b.at = t;
      } else {
        b = { tokens: opts.burst, at: t };
        if (buckets.size >= max) buckets.delete(buckets.keys().next().value!);
      }
      buckets.set(clientId, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSec: Math.max(1, Math.ceil((1 - b.tokens) / opts.ratePerSec)) };
    },
  };
}
