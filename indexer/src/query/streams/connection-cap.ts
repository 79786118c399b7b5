/**
 * Open streams per principal: a caller holds at most `maxPerKey` server-sent
 * event streams (and, counted apart, WebSocket streams) at once. Past the cap
 * a new stream is refused with 429 before it starts, so one caller's tabs or
 * scripts cannot hold every socket and database poll of the query API.
 */
import { ServiceError } from '../../../../lib/platform/src';

export interface ConnectionCap {
  /** Takes a slot of `key`; returns how to give it back, or undefined when `key` is at the cap. */
  acquire(key: string): (() => void) | undefined;
  /** Streams `key` holds now. */
  count(key: string): number;
  /** The cap per key. */
  readonly max: number;
}

export function createConnectionCap(opts: { maxPerKey: number }): ConnectionCap {
  const open = new Map<string, number>();
  return {
    max: opts.maxPerKey,
    acquire(key) {
      const n = open.get(key) ?? 0;
      if (n >= opts.maxPerKey) return undefined;
      open.set(key, n + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(key) ?? 1) - 1;
        if (left <= 0) open.delete(key);
        else open.set(key, left);
      };
    },
    count: (key) => open.get(key) ?? 0,
  };
}

/** The 429 a stream past the cap answers (before the stream or the upgrade starts). */
export function tooManyStreams(kind: string, max: number): ServiceError {
  return new ServiceError({
    code: 'TOO_MANY_STREAMS',
    message: `at most ${max} open ${kind} streams per caller; close one first`,
    httpStatus: 429,
    details: { retryAfterSec: 10, limit: max },
  });
}
