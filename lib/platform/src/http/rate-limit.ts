/**
 * Per-client token buckets, for the gateway and the query API alike: each client may burst up to `burst` requests and
 * is refilled at `ratePerSec`. Buckets idle long enough to be full again are
 * dropped, so memory stays bounded by active clients.
 */

export interface RateLimiterOptions {
  ratePerSec: number;
  burst: number;
  /** Upper bound on tracked clients; the least recently seen are evicted first. */
  maxClients?: number;
  now?: () => number;
}

export interface RateLimiter {
  /** Takes one token; when none is left, says how long until one is. */
  take(clientId: string): { ok: true } | { ok: false; retryAfterSec: number };
  /**
   * Charges `count` more tokens to an admitted request (a document that turns
   * into many ledger transactions). The bucket may go below zero: the
   * document is not cut in half, the client's next requests wait instead.
   */
  charge(clientId: string, count: number): void;
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
        buckets.delete(clientId); // re-insert below keeps Map order = recency
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
    charge(clientId, count) {
      const b = buckets.get(clientId);
      if (b && count > 0) b.tokens -= count;
    },
  };
}
