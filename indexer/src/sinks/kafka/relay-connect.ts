/**
 * Connecting the outbox relay to Kafka: its topics, its transactional
 * producer (one per outbox, fencing earlier instances) and the position it
 * resumes from.
 */
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Pool } from 'pg';

/** What connecting needs (a subset of the relay's dependencies). */
export interface RelayConnectDeps {
  pool: Pool;
  kafka: Kafka;
  topics: string[];
  partitions: number;
  positionTopic: string;
  log: Logger;
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

/** The next outbox id recorded in Kafka by the last committed transaction, 0 when none. */
async function kafkaPosition(kafka: Kafka, group: string, positionTopic: string): Promise<bigint> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId: group, topics: [positionTopic] });
    const offset = BigInt(t?.partitions.find((p) => p.partition === 0)?.offset ?? '-1');
    return offset > 0n ? offset : 0n;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Connects the relay's transactional producer: creates the topics, fences any
 * earlier instance of the same outbox (its open transaction is aborted), and
 * reads where publishing resumes: the later of Kafka's committed position and
 * the rows PostgreSQL marks published (rows Kafka has but PostgreSQL did not
 * mark yet are marked now).
 */
export async function connectRelayProducer(
  deps: RelayConnectDeps,
): Promise<{ producer: Producer; group: string; cursor: bigint; reprojecting?: { above: bigint; upTo: bigint } }> {
  await ensureTopics(deps.kafka, deps.topics, deps.partitions, [deps.positionTopic]);
  const identity = await outboxIdentity(deps.pool);
  const group = `${deps.positionTopic}.${identity}`;
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
  let cursor: bigint;
  let reprojecting: { above: bigint; upTo: bigint } | undefined;
  try {
    // The first transaction registers the transactional id: earlier instances are fenced and
    // their open transaction aborted, so the position read next is final.
    await (await p.transaction()).abort();
    const next = await kafkaPosition(deps.kafka, group, deps.positionTopic);
    const marked = await deps.pool.query<{ last: string | null }>('SELECT max(id)::text AS last FROM outbox WHERE published_at IS NOT NULL');
    const fromMarks = BigInt(marked.rows[0].last ?? '0');
    cursor = next - 1n > fromMarks ? next - 1n : fromMarks;
    // Rows Kafka has but PostgreSQL did not mark yet (a stop between commit and mark).
    if (cursor > fromMarks) {
      await deps.pool.query('UPDATE outbox SET published_at = now() WHERE id <= $1 AND published_at IS NULL', [cursor.toString()]);
      // Kafka holds rows this outbox does not have yet: a database restored from a backup, whose indexer projects
      // the blocks after its checkpoint again. The rows it re-creates up to the position are in Kafka already.
      const newest = BigInt((await deps.pool.query<{ last: string | null }>('SELECT max(id)::text AS last FROM outbox')).rows[0].last ?? '0');
      if (newest < cursor) reprojecting = { above: newest, upTo: cursor };
    }
  } catch (err) {
    await p.disconnect().catch(() => undefined);
    throw err;
  }
  deps.log.info(
    {
      topics: deps.topics.length,
      transactionalId: group,
      resumeAfter: cursor.toString(),
      ...(reprojecting ? { kafkaAheadOfOutbox: reprojecting.upTo.toString() } : {}),
    },
    'outbox relay connected to Kafka',
  );
  return { producer: p, group, cursor, ...(reprojecting ? { reprojecting } : {}) };
}
