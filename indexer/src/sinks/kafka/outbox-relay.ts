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
 */
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Pool } from 'pg';
import { withRetry } from '../../../../lib/platform/src';
import { byTopic, type OutboxRow } from './cloud-events';

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

/** Creates `topics` unless they exist. */
export async function ensureTopics(kafka: Kafka, topics: string[], partitions: number, singles: string[] = []): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = [...topics.map((topic) => ({ topic, numPartitions: partitions })), ...singles.map((topic) => ({ topic, numPartitions: 1 }))];
    const missing = wanted.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** The outbox's identity (migration 006): names the transactional id and the position's group. */
async function outboxIdentity(pool: Pool): Promise<string> {
  const r = await pool.query<{ instance_id: string }>('SELECT instance_id FROM outbox_identity');
  if (r.rowCount !== 1) throw new Error('outbox_identity has no row: the indexer schema is not migrated');
  return r.rows[0].instance_id;
}

/** The relay producer's retries: soon after a busy coordinator, up to about 3 s in all; longer outages are the run loop's. */
export const RELAY_RETRY = { retries: 8, initialRetryTime: 20, maxRetryTime: 1000 };

export function createOutboxRelay(deps: OutboxRelayDeps): OutboxRelay {
  let stopping = false;
  /** Aborted by stop(): no new attempt after a failed one once stopping. */
  const abort = new AbortController();
  let producer: Producer | undefined;
  /** Highest outbox id known to be in Kafka; valid while `producer` is set. */
  let cursor = 0n;
  let group = '';
  let wakeUp: (() => void) | undefined;
  let pendingWake = false;
  let loop: Promise<void> | undefined;
  /** The marks of published rows not yet written, chained in order. */
  let marking: Promise<void> = Promise.resolve();
  /** The chain before the newest mark: a batch waits for it, so at most one mark is outstanding. */
  let marked: Promise<void> = Promise.resolve();

  /**
   * Marks rows `from` < id <= `to` published at `at` (when Kafka acknowledged them), after the marks
   * before it; a failure is left to the next connect.
   */
  function mark(from: bigint, to: bigint, at: Date): void {
    marked = marking;
    marking = marking
      .then(() => deps.pool.query('UPDATE outbox SET published_at = $3 WHERE id > $1 AND id <= $2', [from.toString(), to.toString(), at.toISOString()]))
      .then(
        () => undefined,
        (err: Error) => deps.log.warn({ err: err.message }, 'marking published outbox rows failed; the next connect marks them'),
      );
  }

  /** Waits `ms`; new rows cut the wait short unless we are backing off after a failure. */
  const pause = (ms: number, wakeable = true) =>
    new Promise<void>((resolve) => {
      if ((wakeable && pendingWake) || stopping) return resolve();
      const t = setTimeout(() => {
        wakeUp = undefined;
        resolve();
      }, ms);
      wakeUp = () => {
        if (!wakeable && !stopping) return;
        clearTimeout(t);
        wakeUp = undefined;
        resolve();
      };
    });

  /** The next outbox id recorded in Kafka by the last committed transaction, 0 when none. */
  async function kafkaPosition(): Promise<bigint> {
    const admin = deps.kafka.admin();
    await admin.connect();
    try {
      const [t] = await admin.fetchOffsets({ groupId: group, topics: [deps.positionTopic] });
      const offset = BigInt(t?.partitions.find((p) => p.partition === 0)?.offset ?? '-1');
      return offset > 0n ? offset : 0n;
    } finally {
      await admin.disconnect();
    }
  }

  async function connect(): Promise<Producer> {
    await ensureTopics(deps.kafka, deps.topics, deps.partitions, [deps.positionTopic]);
    await marking;
    const identity = await outboxIdentity(deps.pool);
    group = `${deps.positionTopic}.${identity}`;
    // One request in flight: with idempotence this keeps every partition in send order.
    const p = deps.kafka.producer({
      transactionalId: group,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 30_000,
      createPartitioner: Partitioners.DefaultPartitioner,
      // While the coordinator still completes one commit it answers the next transaction's first send
      // with CONCURRENT_TRANSACTIONS, which kafkajs retries like any failure: after 300 ms by default,
      // the commit-to-Kafka tail under load. Kafka's own client retries that case after 20 ms.
      retry: RELAY_RETRY,
    });
    await p.connect();
    try {
      // The first transaction registers the transactional id: earlier instances are fenced and
      // their open transaction aborted, so the position read next is final.
      await (await p.transaction()).abort();
      const next = await kafkaPosition();
      const marked = await deps.pool.query<{ last: string | null }>('SELECT max(id)::text AS last FROM outbox WHERE published_at IS NOT NULL');
      const fromMarks = BigInt(marked.rows[0].last ?? '0');
      cursor = next - 1n > fromMarks ? next - 1n : fromMarks;
      // Rows Kafka has but PostgreSQL did not mark yet (a stop between commit and mark).
      if (cursor > fromMarks) {
        await deps.pool.query('UPDATE outbox SET published_at = now() WHERE id <= $1 AND published_at IS NULL', [cursor.toString()]);
      }
    } catch (err) {
      await p.disconnect().catch(() => undefined);
      throw err;
    }
    deps.log.info({ topics: deps.topics.length, transactionalId: group, resumeAfter: cursor.toString() }, 'outbox relay connected to Kafka');
    return p;
  }

  /** Sends one batch in one Kafka transaction; returns the number of rows published. */
  async function publishBatch(p: Producer): Promise<number> {
    await marked;
    const started = Date.now();
    const r = await deps.pool.query<OutboxRow>(
      `SELECT id, event_id, topic, message_key, ce_type, ce_subject, ce_time, payload::text AS payload
         FROM outbox WHERE id > $1 ORDER BY id LIMIT $2`,
      [cursor.toString(), deps.batchSize],
    );
    if (r.rows.length === 0) return 0;
    const last = BigInt(r.rows[r.rows.length - 1].id);
    const read = Date.now();
    const txn = await p.transaction();
    try {
      await txn.sendBatch({ acks: -1, topicMessages: byTopic(r.rows, deps.source) });
      await txn.sendOffsets({
        consumerGroupId: group,
        topics: [{ topic: deps.positionTopic, partitions: [{ partition: 0, offset: (last + 1n).toString() }] }],
      });
      await txn.commit();
    } catch (err) {
      await txn.abort().catch(() => undefined);
      throw err;
    }
    mark(cursor, last, new Date());
    cursor = last;
    deps.log.debug({ rows: r.rows.length, lastId: last.toString(), readMs: read - started, kafkaMs: Date.now() - read }, 'outbox batch published');
    return r.rows.length;
  }

  /** Connects when needed and publishes one batch; returns the number of rows published. */
  async function step(): Promise<number> {
    producer ??= await connect();
    pendingWake = false;
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
      if (n > 0) deps.onPublished?.(n);
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
      wakeUp?.();
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
      await marking;
    },
    wake() {
      pendingWake = true;
      wakeUp?.();
    },
    connected: () => producer !== undefined,
  };
}
