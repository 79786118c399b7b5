/**
 * The outbox relay: publishes outbox rows to Kafka in id order with an
 * idempotent producer (acks all) and marks them published only after the
 * broker acknowledged them. While Kafka is unreachable rows simply wait; a
 * failed batch is sent again from its first row, so per-key order holds and
 * delivery is at-least-once with stable CloudEvents ids.
 */
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Pool } from 'pg';
import { byTopic, type OutboxRow } from './cloud-events';

/** Dependencies of {@link createOutboxRelay}. */
export interface OutboxRelayDeps {
  pool: Pool;
  kafka: Kafka;
  /** Topics to create at start. */
  topics: string[];
  partitions: number;
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
export async function ensureTopics(kafka: Kafka, topics: string[], partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: partitions })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

export function createOutboxRelay(deps: OutboxRelayDeps): OutboxRelay {
  let stopping = false;
  let producer: Producer | undefined;
  let wakeUp: (() => void) | undefined;
  let pendingWake = false;
  let loop: Promise<void> | undefined;
  let backoff = 500;

  /** Waits `ms`; new rows cut the wait short unless we are backing off after a failure. */
  const pause = (ms: number, wakeable = true) =>
    new Promise<void>((resolve) => {
      if ((wakeable && pendingWake) || stopping) return resolve();
      const t = setTimeout(() => { wakeUp = undefined; resolve(); }, ms);
      wakeUp = () => {
        if (!wakeable && !stopping) return;
        clearTimeout(t);
        wakeUp = undefined;
        resolve();
      };
    });

  async function connect(): Promise<Producer> {
    await ensureTopics(deps.kafka, deps.topics, deps.partitions);
    // One request in flight: with idempotence this keeps every partition in send order.
    const p = deps.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 5 } });
    await p.connect();
    deps.log.info({ topics: deps.topics.length }, 'outbox relay connected to Kafka');
    return p;
  }

  /** Sends one batch; returns the number of rows published. */
  async function publishBatch(p: Producer): Promise<number> {
    const r = await deps.pool.query<OutboxRow>(
      `SELECT id, event_id, topic, message_key, ce_type, ce_subject, ce_time, payload::text AS payload
         FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1`,
      [deps.batchSize],
    );
    if (r.rows.length === 0) return 0;
    await p.sendBatch({ acks: -1, topicMessages: byTopic(r.rows, deps.source) });
    await deps.pool.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [r.rows.map((row) => row.id)]);
    return r.rows.length;
  }

  async function run(): Promise<void> {
    while (!stopping) {
      try {
        producer ??= await connect();
        pendingWake = false;
        const n = await publishBatch(producer);
        backoff = 500;
        if (n > 0) deps.onPublished?.(n);
        if (n < deps.batchSize) await pause(deps.idleMs ?? 500);
      } catch (err) {
        deps.onError?.(err);
        deps.log.warn({ err: (err as Error).message, retryInMs: backoff }, 'outbox relay cannot publish; rows wait in the outbox');
        // A fresh producer after a failure: the old one's sequence state may no longer match the broker's.
        await producer?.disconnect().catch(() => undefined);
        producer = undefined;
        await pause(backoff, false);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  return {
    start() {
      loop ??= run();
    },
    async stop() {
      stopping = true;
      wakeUp?.();
      await loop;
      if (producer) {
        // Drain: what is committed now goes out before we close (bounded, Kafka may be down).
        const p = producer;
        await Promise.race([
          (async () => { while ((await publishBatch(p)) > 0); })().catch(() => undefined),
          new Promise((r) => setTimeout(r, 5000)),
        ]);
        await p.disconnect().catch(() => undefined);
        producer = undefined;
      }
    },
    wake() {
      pendingWake = true;
      wakeUp?.();
    },
    connected: () => producer !== undefined,
  };
}
