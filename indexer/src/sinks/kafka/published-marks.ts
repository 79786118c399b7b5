/**
 * PostgreSQL's record of which outbox rows Kafka has: marks written in order
 * after each Kafka commit, at most one outstanding while the next batch goes
 * out. A mark only shortens the look-up on reconnect; Kafka's committed
 * position is the truth.
 */
import type { Logger } from 'pino';
import type { Pool } from 'pg';

export interface PublishedMarks {
  /** Marks rows `from` < id <= `to` published at `at` (when Kafka acknowledged them), after the marks before it. */
  mark(from: bigint, to: bigint, at: Date): void;
  /** Resolves when every mark but the newest is written: a batch waits for it, so at most one mark is outstanding. */
  beforeNextBatch(): Promise<void>;
  /** Resolves when every mark is written (a failure is left to the next connect). */
  settled(): Promise<void>;
}

export function createPublishedMarks(pool: Pool, log: Logger): PublishedMarks {
  /** The marks not yet written, chained in order. */
  let marking: Promise<void> = Promise.resolve();
  /** The chain before the newest mark. */
  let marked: Promise<void> = Promise.resolve();
  return {
    mark(from, to, at) {
      marked = marking;
      marking = marking
        .then(() => pool.query('UPDATE outbox SET published_at = $3 WHERE id > $1 AND id <= $2', [from.toString(), to.toString(), at.toISOString()]))
        .then(
          () => undefined,
          (err: Error) => log.warn({ err: err.message }, 'marking published outbox rows failed; the next connect marks them'),
        );
    },
    beforeNextBatch: () => marked,
    settled: () => marking,
  };
}
