/**
 * Test-side Kafka consumer: reads every topic of a prefix from the beginning
 * (read_committed, kafkajs' default: aborted transactions are never seen) and
 * records each message's CloudEvents id, key, topic and payload in order.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { topicNames } from '../../../indexer/src/projection/outbox-messages';
import { waitFor } from '../../fixtures/wait-for';

export interface Received {
  topic: string;
  partition: number;
  key: string;
  ceId: string;
  headers: Record<string, string>;
  payload: any;
}

export interface TestConsumer {
  readonly received: Received[];
  /** Resolves once `ids` have all been seen (at least once). */
  waitForIds(ids: Iterable<string>, timeoutMs?: number): Promise<void>;
  /** Resolves once no message arrived for `quietMs` (so a late duplicate would have shown). */
  settle(quietMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startConsumer(brokers: string[], prefix: string): Promise<TestConsumer> {
  const kafka = new Kafka({ clientId: 'indexer-test', brokers, logLevel: logLevel.NOTHING });
  const consumer: Consumer = kafka.consumer({ groupId: `indexer-test-${randomUUID()}`, retry: { retries: 20 } });
  const received: Received[] = [];
  const seen = new Set<string>();
  await consumer.connect();
  await consumer.subscribe({ topics: topicNames(prefix), fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
      received.push({ topic, partition, key: message.key!.toString(), ceId: headers.ce_id, headers, payload: JSON.parse(message.value!.toString()) });
      seen.add(headers.ce_id);
    },
  });
  return {
    received,
    async waitForIds(ids, timeoutMs = 120_000) {
      const want = [...ids];
      const missing = () => want.filter((id) => !seen.has(id));
      await waitFor(`${want.length} event ids`, () => missing().length === 0, timeoutMs, 250).catch(() => {
        throw new Error(`${missing().length} of ${want.length} event ids never arrived, e.g. ${missing().slice(0, 3).join(', ')}`);
      });
    },
    async settle(quietMs = 3000) {
      let count = -1;
      while (count !== received.length) {
        count = received.length;
        await new Promise((r) => setTimeout(r, quietMs));
      }
    },
    stop: () => consumer.disconnect(),
  };
}

/** Per key, the order of first arrival must follow the outbox order (`rank`). Returns the violations. */
export function orderViolations(received: Received[], rank: Map<string, number>): string[] {
  const firstSeen = new Set<string>();
  const lastRank = new Map<string, number>();
  const bad: string[] = [];
  for (const m of received) {
    if (firstSeen.has(m.ceId)) continue;
    firstSeen.add(m.ceId);
    const r = rank.get(m.ceId);
    if (r === undefined) continue;
    const k = `${m.topic}|${m.key}`;
    if ((lastRank.get(k) ?? -1) > r) bad.push(`${k}: ${m.ceId} after a later row`);
    lastRank.set(k, r);
  }
  return bad;
}

/** CloudEvents ids received more than once. */
export function duplicates(received: Received[]): string[] {
  const counts = new Map<string, number>();
  for (const m of received) counts.set(m.ceId, (counts.get(m.ceId) ?? 0) + 1);
  return [...counts].filter(([, n]) => n > 1).map(([id]) => id);
}
