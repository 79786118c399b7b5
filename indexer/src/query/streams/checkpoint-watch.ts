/**
 * One poll of the indexer's checkpoint for every open stream: the live ledger
 * view (SSE) and the EPCIS WebSocket subscriptions learn from it that new
 * blocks are committed, instead of each connection polling PostgreSQL on its
 * own timer. The watch polls only while someone listens.
 */
import type { Pool } from 'pg';

export interface CheckpointWatch {
  /**
   * Calls `fn` with the checkpoint whenever it moves on (first with the
   * current one, as soon as it is known); returns how to stop listening.
   */
  subscribe(fn: (checkpoint: bigint) => void): () => void;
  /** The last checkpoint seen, if any. */
  current(): bigint | undefined;
  /** Listeners now. */
  listeners(): number;
  /** Checkpoint reads so far (one per tick, however many listeners). */
  polls(): number;
  close(): void;
}

export function createCheckpointWatch(opts: { pool: Pick<Pool, 'query'>; pollMs?: number; onError?: (err: unknown) => void }): CheckpointWatch {
  const pollMs = opts.pollMs ?? 250;
  const fns = new Set<(checkpoint: bigint) => void>();
  let timer: NodeJS.Timeout | undefined;
  let last: bigint | undefined;
  let busy = false;
  let polls = 0;

  const notify = (at: bigint, only?: (checkpoint: bigint) => void) => {
    for (const fn of only ? [only] : [...fns]) {
      try {
        fn(at);
      } catch (err) {
        opts.onError?.(err);
      }
    }
  };

  async function tick(): Promise<void> {
    if (busy) return;
    busy = true;
    polls += 1;
    try {
      const cp = (await opts.pool.query<{ block_number: string }>('SELECT block_number FROM checkpoint')).rows[0]?.block_number;
      if (cp === undefined) return;
      const at = BigInt(cp);
      if (last === undefined || at > last) {
        last = at;
        notify(at);
      }
    } catch (err) {
      // A database hiccup: the next tick tries again.
      opts.onError?.(err);
    } finally {
      busy = false;
    }
  }

  function stopTimer(): void {
    if (timer) clearInterval(timer);
    timer = undefined;
    // Nobody watched in between: the next listener waits for a fresh read, not a stale checkpoint.
    last = undefined;
  }

  return {
    subscribe(fn) {
      fns.add(fn);
      if (last !== undefined) notify(last, fn);
      if (!timer) {
        timer = setInterval(() => void tick(), pollMs);
        timer.unref?.();
        void tick();
      }
      return () => {
        fns.delete(fn);
        if (fns.size === 0) stopTimer();
      };
    },
    current: () => last,
    listeners: () => fns.size,
    polls: () => polls,
    close() {
      fns.clear();
      stopTimer();
    },
  };
}
