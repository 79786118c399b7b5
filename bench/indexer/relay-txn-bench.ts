/**
 * The outbox relay's Kafka transactions back to back, as under a steady block
 * load: each one sends a batch of messages, records the relay's position and
 * commits. Run with kafkajs' default retry settings (the baseline) and with the
 * relay's own (`RELAY_RETRY`), alternately, against one real broker (port base
 * 44000 + 800, started and stopped here), and prints per-transaction p50/p99
 * and the ratio. A transaction started while the coordinator still completes
 * the previous commit is refused with CONCURRENT_TRANSACTIONS and retried: how
 * soon is what this measures.
 *
 *   node dist/bench/indexer/relay-txn-bench.js [--transactions 200] [--messages 30] [--rounds 2]
 */
import { parseArgs } from 'node:util';
import { Kafka, logLevel, Partitioners, type RetryOptions } from 'kafkajs';
import { ensureTopics, RELAY_RETRY } from '../../indexer/src/sinks/kafka/outbox-relay';
import { benchKafka, deleteBenchTopics, pct } from './bench-env';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      transactions: { type: 'string', default: '200' },
      messages: { type: 'string', default: '30' },
      rounds: { type: 'string', default: '2' },
    },
  });
  const n = Number(values.transactions);
  const perTxn = Number(values.messages);
  const broker = benchKafka();
  await broker.start();
  try {
    const kafka = new Kafka({ brokers: broker.brokers, clientId: 'relay-txn-bench', logLevel: logLevel.NOTHING });
    const run = Date.now().toString(36);
    const topic = `relaytxn.${run}.messages`;
    const position = `relaytxn.${run}.position`;
    await ensureTopics(kafka, [topic], 3, [position]);
    const payload = 'x'.repeat(1500);

    /** `n` transactions back to back; returns each one's milliseconds, sorted. */
    async function transactions(name: string, retry: RetryOptions): Promise<number[]> {
      const producer = kafka.producer({
        transactionalId: `${position}.${name}`,
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry,
      });
      await producer.connect();
      const took: number[] = [];
      try {
        for (let i = 0; i < n; i++) {
          const t0 = Date.now();
          const txn = await producer.transaction();
          const messages = Array.from({ length: perTxn }, (_, j) => ({ key: `k${(i * perTxn + j) % 97}`, value: payload }));
          await txn.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] });
          await txn.sendOffsets({
            consumerGroupId: `${position}.${name}`,
            topics: [{ topic: position, partitions: [{ partition: 0, offset: String(i + 1) }] }],
          });
          await txn.commit();
          took.push(Date.now() - t0);
        }
      } finally {
        await producer.disconnect();
      }
      return took.sort((a, b) => a - b);
    }

    const show = (label: string, v: number[]) =>
      console.log(`${label.padEnd(34)} ${v.length} transactions  p50 ${pct(v, 50)} ms  p99 ${pct(v, 99)} ms  max ${v[v.length - 1]} ms`);
    console.log(`${n} back-to-back transactions of ${perTxn} messages (1.5 KB) and the position, per round; one broker on this machine`);
    for (let r = 1; r <= Number(values.rounds); r++) {
      const defaults = await transactions(`defaults-${r}`, { retries: 5 });
      const relay = await transactions(`relay-${r}`, RELAY_RETRY);
      show(`round ${r}: kafkajs retry defaults`, defaults);
      show(`round ${r}: the relay's retry`, relay);
      console.log(
        `round ${r}: p50 ratio ${(pct(relay, 50) / pct(defaults, 50)).toFixed(2)}x, p99 ratio ${(pct(relay, 99) / pct(defaults, 99)).toFixed(2)}x (relay / defaults)`,
      );
    }
    await deleteBenchTopics(broker.brokers, [topic, position]);
  } finally {
    await broker.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
