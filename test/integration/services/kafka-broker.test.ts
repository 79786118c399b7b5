import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Consumer, type Producer } from 'kafkajs';
import { isAlive } from '../../../network/src/processes';
import { createKafkaBroker, kafkaSource, type KafkaBroker } from '../../../network/src/services/kafka-broker';
import { checkKafkaPrerequisites, parseJavaVersion } from '../../../network/src/services/kafka-classpath';
import { testDevnetConfig } from '../../fixtures/test-devnet';

/** Port base of the service tests; 17000 and 18000 belong to the devnet tests. */
const PORT_BASE = Number(process.env.SERVICES_TEST_PORT_BASE ?? 19000);

describe('local Kafka broker (KRaft, jars from Maven Central)', function () {
  this.timeout(300_000);
  const cfg = testDevnetConfig(PORT_BASE);
  let broker: KafkaBroker;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;

  before(async function () {
    const pre = await checkKafkaPrerequisites(cfg.root);
    if (!pre.ok) throw new Error(pre.problem);
    broker = createKafkaBroker({ cfg });
    const t0 = Date.now();
    await broker.start();
    console.log(`      (broker ready in ${Date.now() - t0} ms, pid ${broker.pid()})`);
  });

  after(async () => {
    await producer?.disconnect().catch(() => undefined);
    await consumer?.disconnect().catch(() => undefined);
    await broker?.stop();
  });

  it('finds Java 17+ and the cached jars, and reads Java versions of both numbering schemes', async () => {
    const pre = await checkKafkaPrerequisites(cfg.root);
    expect(pre).to.include({ ok: true, jarsCached: true });
    expect(pre.javaVersion).to.be.at.least(17);
    expect(parseJavaVersion('openjdk version "17.0.15" 2025-04-15')).to.equal(17);
    expect(parseJavaVersion('java version "1.8.0_402"')).to.equal(8);
    const none = await checkKafkaPrerequisites(cfg.root, { PATH: process.env.PATH, JAVA_HOME: '/nonexistent' });
    expect(none.ok).to.equal(false);
    expect(none.problem).to.match(/^no local Kafka: Java 17 and Maven needed/);
  });

  it('uses KAFKA_BROKERS instead when it is set, starting nothing', async () => {
    const external = await kafkaSource({ cfg, kafkaBrokers: 'kafka-a:9092, kafka-b:9092' });
    expect(external).to.include({ external: true, available: true });
    expect(external.brokers).to.deep.equal(['kafka-a:9092', 'kafka-b:9092']);
    expect(await external.stop()).to.equal(false);
  });

  it('starts idempotently: a second start() keeps the same process', async () => {
    const pid = broker.pid();
    expect(pid).to.be.a('number');
    await broker.start();
    expect(broker.pid()).to.equal(pid);
  });

  it('delivers messages from an idempotent producer (acks all) to a consumer group, in order per key', async () => {
    const kafka = new Kafka({ clientId: 'services-test', brokers: broker.brokers, logLevel: logLevel.WARN });
    const topic = `test.services.${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true })).to.equal(true);
    } finally {
      await admin.disconnect();
    }

    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const sent = Array.from({ length: 60 }, (_, i) => ({ key: `lot-${i % 4}`, value: JSON.stringify({ seq: i }), headers: { ce_id: randomUUID() } }));
    for (let i = 0; i < sent.length; i += 20) {
      await producer.send({ topic, acks: -1, messages: sent.slice(i, i + 20) });
    }

    consumer = kafka.consumer({ groupId: `services-test-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const received: Array<{ key: string; seq: number; ceId: string }> = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${received.length} of ${sent.length} messages consumed`)), 60_000);
      consumer!
        .run({
          eachMessage: async ({ message }) => {
            received.push({
              key: message.key!.toString(),
              seq: (JSON.parse(message.value!.toString()) as { seq: number }).seq,
              ceId: String(message.headers?.ce_id),
            });
            if (received.length === sent.length) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });

    expect(new Set(received.map((r) => r.ceId))).to.deep.equal(new Set(sent.map((s) => s.headers.ce_id)));
    for (const key of ['lot-0', 'lot-1', 'lot-2', 'lot-3']) {
      const seqs = received.filter((r) => r.key === key).map((r) => r.seq);
      expect(seqs).to.deep.equal([...seqs].sort((a, b) => a - b));
      expect(seqs).to.have.length(15);
    }
  });

  it('stops by PID: the process is gone afterwards', async () => {
    await producer?.disconnect();
    await consumer?.disconnect();
    producer = consumer = undefined;
    const pid = broker.pid()!;
    expect(isAlive(pid)).to.equal(true);
    const t0 = Date.now();
    expect(await broker.stop()).to.equal(true);
    console.log(`      (broker stopped in ${Date.now() - t0} ms)`);
    expect(isAlive(pid)).to.equal(false);
    expect(broker.pid()).to.equal(undefined);
  });
});
