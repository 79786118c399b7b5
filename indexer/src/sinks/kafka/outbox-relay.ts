/**
 * The outbox relay: publishes outbox rows to Kafka in id order, exactly once
 * for read_committed consumers.
 *
 * Each batch is one Kafka transaction holding the batch's messages and the
 * relay's position (the next outbox id), stored as the committed offset of a
 * consumer group on a one-partition position topic. Messages and position
 * become visible together or not at all. On (re)connect the relay's
 * transactional id fences any earlier instance and aborts its open
 * transaction, then it resumes from the later of Kafka's position and the
 * rows PostgreSQL already marks published. The PostgreSQL mark follows the
 * Kafka commit (it records when Kafka acknowledged the rows) and only shortens
 * that look-up, so the next batch goes out while it is written (marks are
 * written in order, at most one outstanding). While Kafka is unreachable rows
 * wait; a failed batch is sent again from its first row, so per-key order
 * holds.
 *
 * An indexer owned by a member (`view`) sends of each batch only the rows its
 * owner may see, decided in the batch's read by the query API's rules
 * (query/topic-rules.ts); the position still moves past the whole batch, so a
 * row not sent is passed over once, like a sent one, and never waited for.
 */
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Pool } from 'pg';
import { withRetry } from '../../../../lib/platform/src';
import { byTopic, type OutboxRow } from './cloud-events';
import { outboxVisible } from '../../query/topic-rules';
import { createPublishedMarks } from './published-marks';
import { connectRelayProducer } from './relay-connect';
import { createWakeableWait } from './wakeable-wait';

export { ensureTopics, RELAY_RETRY } from './relay-connect';

/** Dependencies of {@link createOutboxRelay}. */
export interface OutboxRelayDeps {
  pool: Pool;
  kafka: Kafka;
  /** Topics to create at start. */
  topics: string[];
  partitions: number;
  /** One-partition topic whose committed offset (per outbox identity) is the relay's position. */
  positionTopic: string;
  /** CloudEvents `source`. */
  source: string;
  batchSize: number;
  log: Logger;
  /** Poll interval when nothing wakes the relay, ms. */
  idleMs?: number;
  onPublished?: (count: number) => void;
  /** Rows passed over as outside the owner's view. */
  onWithheld?: (count: number) => void;
  /**
   * The owner's view: only rows `org` may see are sent (topics are `<prefix>.<aggregate>`);
   * none: every row (an auditor's indexer).
   */
  view?: { org: string; prefix: string };
  onError?: (err: unknown) => void;
}

export interface OutboxRelay {
  start(): void;
  /** Publishes what is pending now (best effort), then stops. */
  stop(): Promise<void>;
  /** New rows were committed: look now instead of at the next poll. */
  wake(): void;
  /** True once topics exist and a producer is connected. */
  connected(): boolean;
}

export function createOutboxRelay(deps: OutboxRelayDeps): OutboxRelay {
  let stopping = false;
  /** Aborted by stop(): no new attempt after a failed one once stopping. */
  const abort = new AbortController();
  let producer: Producer | undefined;
  /** Highest outbox id known to be in Kafka; valid while `producer` is set. */
  let cursor = 0n;
  let group = '';
  /** Ids Kafka already holds that the outbox is still re-creating (after a restore): marked as they appear. */
  let reprojecting: { above: bigint; upTo: bigint } | undefined;
  let loop: Promise<void> | undefined;
  const marks = createPublishedMarks(deps.pool, deps.log);

  const waiter = createWakeableWait(() => stopping);
  const pause = waiter.pause;

  async function connect(): Promise<Producer> {
    await marks.settled();
    const c = await connectRelayProducer(deps);
    group = c.group;
    cursor = c.cursor;
    reprojecting = c.reprojecting;
    return c.producer;
  }

  /** Sends one batch in one Kafka transaction; returns the number of rows published. */
  /** Marks the re-created rows Kafka holds; done once the outbox reaches Kafka's position. */
  async function markReprojected(r: { above: bigint; upTo: bigint }): Promise<{ above: bigint; upTo: bigint } | undefined> {
    const { rows } = await deps.pool.query<{ last: string | null }>(
      `WITH marked AS (UPDATE outbox SET published_at = now() WHERE id > $1 AND id <= $2 AND published_at IS NULL)
       SELECT max(id)::text AS last FROM outbox WHERE id <= $2`,
      [r.above.toString(), r.upTo.toString()],
    );
    const newest = BigInt(rows[0].last ?? '0');
    return newest >= r.upTo ? undefined : { above: newest > r.above ? newest : r.above, upTo: r.upTo };
  }

  /** The next batch of rows after the cursor, each with whether the owner may see it. */
  async function readBatch(): Promise<Array<OutboxRow & { visible: boolean }>> {
    const columns = 'id, event_id, topic, message_key, ce_type, ce_subject, ce_time, payload::text AS payload';
    if (!deps.view) {
      const r = await deps.pool.query<OutboxRow>(`SELECT ${columns} FROM outbox o WHERE id > $1 ORDER BY id LIMIT $2`, [cursor.toString(), deps.batchSize]);
      return r.rows.map((row) => ({ ...row, visible: true }));
    }
    // The batch first, then the rule per row: planned for the batch's rows, the rule's look-ups go by index
    // instead of hashing whole tables once per batch.
    const r = await deps.pool.query<OutboxRow & { visible: boolean }>(
      `WITH batch AS MATERIALIZED (SELECT * FROM outbox WHERE id > $1 ORDER BY id LIMIT $2)
       SELECT ${columns}, ${outboxVisible('o', '$3', '$4')} AS visible FROM batch o ORDER BY id`,
      [cursor.toString(), deps.batchSize, deps.view.org, deps.view.prefix],
    );
    return r.rows;
  }

  /** Sends one batch in one Kafka transaction; returns the number of rows passed (sent or withheld). */
  async function publishBatch(p: Producer): Promise<number> {
    await marks.beforeNextBatch();
    if (reprojecting) reprojecting = await markReprojected(reprojecting);
    const started = Date.now();
    const rows = await readBatch();
    if (rows.length === 0) return 0;
    const last = BigInt(rows[rows.length - 1].id);
    const sent = rows.filter((row) => row.visible);
    const read = Date.now();
    const txn = await p.transaction();
    try {
      if (sent.length > 0) await txn.sendBatch({ acks: -1, topicMessages: byTopic(sent, deps.source) });
      // The position moves past withheld rows too: a batch of none to send still commits it.
      await txn.sendOffsets({
        consumerGroupId: group,
        topics: [{ topic: deps.positionTopic, partitions: [{ partition: 0, offset: (last + 1n).toString() }] }],
      });
      await txn.commit();
    } catch (err) {
      await txn.abort().catch(() => undefined);
      throw err;
    }
    marks.mark(cursor, last, new Date());
    cursor = last;
    if (sent.length > 0) deps.onPublished?.(sent.length);
    if (sent.length < rows.length) deps.onWithheld?.(rows.length - sent.length);
    deps.log.debug(
      { rows: rows.length, sent: sent.length, lastId: last.toString(), readMs: read - started, kafkaMs: Date.now() - read },
      'outbox batch published',
    );
    return rows.length;
  }

  /** Connects when needed and publishes one batch; returns the number of rows published. */
  async function step(): Promise<number> {
    producer ??= await connect();
    waiter.clearWake();
    return publishBatch(producer);
  }

  async function run(): Promise<void> {
    while (!stopping) {
      // Kafka or PostgreSQL out of reach: rows wait in the outbox; retried with growing delays until stopped.
      const n = await withRetry(step, {
        attempts: Infinity,
        baseDelayMs: 500,
        maxDelayMs: 10_000,
        retriable: () => !stopping,
        signal: abort.signal,
        // Not cut short by new rows: only stop() ends a backoff early.
        sleep: (ms) => pause(ms, false),
        onRetry: async (err, _attempt, delayMs) => {
          deps.onError?.(err);
          deps.log.warn({ err: (err as Error).message, retryInMs: delayMs }, 'outbox relay cannot publish; rows wait in the outbox');
          // A fresh producer after a failure: it fences the old one and re-reads the position.
          await producer?.disconnect().catch(() => undefined);
          producer = undefined;
        },
      }).catch(async (err) => {
        // Failed while stopping: no drain through a producer in an unknown state.
        deps.onError?.(err);
        await producer?.disconnect().catch(() => undefined);
        producer = undefined;
        return 0;
      });
      if (n < deps.batchSize) await pause(deps.idleMs ?? 500);
    }
  }
  return {
    start() {
      loop ??= run();
    },
    async stop() {
      stopping = true;
      abort.abort();
      waiter.wakeForStop();
      await loop;
      if (producer) {
        // Drain: what is committed now goes out before we close (bounded, Kafka may be down).
        const p = producer;
        await Promise.race([
          (async () => {
            while ((await publishBatch(p)) > 0);
          })().catch(() => undefined),
          new Promise((r) => setTimeout(r, 5000)),
        ]);
        await p.disconnect().catch(() => undefined);
        producer = undefined;
      }
      await marks.settled();
    },
    wake() {
      waiter.wake();
    },
    connected: () => producer !== undefined,
  };
}
