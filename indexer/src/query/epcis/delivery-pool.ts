/**
 * Runs webhook deliveries concurrently so that one dead or slow receiver does
 * not hold up the others: at most `concurrency` deliveries are in flight, at
 * most `perDestination` to one destination (host and port), and subscriptions
 * that are retrying after a failure take at most `retryShare` of the slots, so
 * healthy subscribers always have room. A destination that did not answer
 * (refused or timed out) is left alone for a back-off that doubles with each
 * such failure (and resets on an answer). One delivery per subscription at a
 * time keeps each subscription's events in order. Items are taken least
 * recently started first, whatever order they are offered in: subscriptions
 * that have nothing to send are offered on every pass in the same order, and
 * taken in that order they would hold a destination's slots on every pass
 * while a subscription behind them (one with events waiting, or one retrying
 * after a failure) never got its turn.
 */

/** What a delivery came to; `unreachable`: the destination did not answer. */
export type DeliveryResult = 'ok' | 'failed' | 'unreachable' | 'skipped';

export interface DeliveryPoolOptions<T> {
  /** Most deliveries in flight; default 8. */
  concurrency?: number;
  /** Most deliveries in flight to one destination; default 2. */
  perDestination?: number;
  /** Most slots that retrying items may hold; default half of `concurrency` (at least 1). */
  retryShare?: number;
  /** First back-off of an unreachable destination, ms (doubling); default 250. */
  baseBackoffMs?: number;
  /** Longest back-off of an unreachable destination, ms; default 10 s. */
  maxBackoffMs?: number;
  /** The item's identity (one delivery per key at a time). */
  key(item: T): string;
  /** The item's destination, e.g. `host:port`. */
  destination(item: T): string;
  /** True when the item failed before (it then counts against `retryShare`). */
  retrying(item: T): boolean;
  /** Delivers one item; `signal` aborts it when the pool stops. Must not throw (a throw counts as `failed`). */
  run(item: T, signal: AbortSignal): Promise<DeliveryResult>;
  /** Called after each delivery ends, e.g. to offer the next page at once. */
  onSettled?(item: T, result: DeliveryResult): void;
  now?: () => number;
}

export interface DeliveryPool<T> {
  /**
   * Starts what the limits allow of `items`, the least recently started first
   * (in the given order among equals); returns how many started.
   */
  offer(items: readonly T[]): number;
  /** Keys of the deliveries in flight. */
  inFlight(): string[];
  /** Resolves when nothing is in flight. */
  idle(): Promise<void>;
  /** Aborts the deliveries in flight and waits for them to end; nothing starts afterwards. */
  stop(): Promise<void>;
}

export function createDeliveryPool<T>(o: DeliveryPoolOptions<T>): DeliveryPool<T> {
  const concurrency = o.concurrency ?? 8;
  const perDestination = o.perDestination ?? 2;
  const retryShare = o.retryShare ?? Math.max(1, Math.floor(concurrency / 2));
  const base = o.baseBackoffMs ?? 250;
  const max = o.maxBackoffMs ?? 10_000;
  const now = o.now ?? Date.now;
  const running = new Map<string, Promise<void>>();
  const perDest = new Map<string, number>();
  const down = new Map<string, { failures: number; until: number }>();
  const abort = new AbortController();
  /** The turn at which each key last started (keys offered or in flight only). */
  const lastTurn = new Map<string, number>();
  let turn = 0;
  let retryingNow = 0;
  let stopped = false;

  function start(item: T, key: string, dest: string, retrying: boolean): void {
    perDest.set(dest, (perDest.get(dest) ?? 0) + 1);
    lastTurn.set(key, ++turn);
    if (retrying) retryingNow++;
    const p = (async () => {
      let result: DeliveryResult;
      try {
        result = await o.run(item, abort.signal);
      } catch {
        result = 'failed';
      }
      if (result === 'unreachable') {
        const failures = (down.get(dest)?.failures ?? 0) + 1;
        down.set(dest, { failures, until: now() + Math.min(max, base * 2 ** Math.min(failures - 1, 20)) });
      } else if (result !== 'skipped') down.delete(dest);
      const n = (perDest.get(dest) ?? 1) - 1;
      if (n > 0) perDest.set(dest, n);
      else perDest.delete(dest);
      if (retrying) retryingNow--;
      running.delete(key);
      o.onSettled?.(item, result);
    })();
    running.set(key, p);
  }

  return {
    offer(items) {
      let started = 0;
      const offered = items.map((item, i) => ({ item, i, key: o.key(item), retrying: o.retrying(item) }));
      // What neither is offered nor runs is forgotten: it starts among the first when offered again.
      const keep = new Set([...offered.map((x) => x.key), ...running.keys()]);
      for (const key of lastTurn.keys()) if (!keep.has(key)) lastTurn.delete(key);
      offered.sort((a, b) => (lastTurn.get(a.key) ?? 0) - (lastTurn.get(b.key) ?? 0) || a.i - b.i);
      for (const { item, key, retrying } of offered) {
        if (stopped || running.size >= concurrency) break;
        const dest = o.destination(item);
        if (running.has(key)) continue;
        if ((perDest.get(dest) ?? 0) >= perDestination) continue;
        if ((down.get(dest)?.until ?? 0) > now()) continue;
        if (retrying && retryingNow >= retryShare) continue;
        start(item, key, dest, retrying);
        started++;
      }
      return started;
    },
    inFlight: () => [...running.keys()],
    async idle() {
      while (running.size > 0) await Promise.all([...running.values()]);
    },
    async stop() {
      stopped = true;
      abort.abort();
      while (running.size > 0) await Promise.all([...running.values()]);
    },
  };
}
