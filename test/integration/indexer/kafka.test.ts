import { expect } from 'chai';
import type { Pool } from 'pg';
import { createIndexer, type Indexer } from '../../../indexer/src/main';
import { createPool } from '../../../indexer/src/db/pool';
import { dropSchema } from '../../../indexer/src/db/migrate';
import type { KafkaBroker } from '../../../network/src/services/kafka-broker';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { SUPPLIER, closeAll, connectAll, eventId, submitJson, type Orgs } from '../chaincode/ledger-fixtures';
import { duplicates, orderViolations, startConsumer } from './kafka-consumer';
import { cleanUp, startAll } from '../../fixtures/start-all';
import { setUpChain, runChain, testConfig, testKafka, testLog, testPostgres, waitFor, waitForBlock, type Chain, ledgerTip } from './harness';

const OUTAGE_MS = Number(process.env.INDEXER_TEST_OUTAGE_MS ?? 30_000);

async function outboxRank(pool: Pool): Promise<Map<string, number>> {
  const r = await pool.query<{ event_id: string; id: string }>('SELECT event_id, id FROM outbox');
  return new Map(r.rows.map((x) => [x.event_id, Number(x.id)]));
}

const pending = async (pool: Pool) => Number((await pool.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL')).rows[0].n);

describe('indexer: Kafka outbox relay', function () {
  this.timeout(600_000);
  let pg: PostgresServer;
  let broker: KafkaBroker;
  let orgs: Orgs;
  let indexer: Indexer;
  let cfg: ReturnType<typeof testConfig>;
  let chain: Chain;

  before(async () => {
    pg = testPostgres();
    broker = testKafka();
    await startAll([pg, broker]);
    orgs = await connectAll();
    cfg = testConfig({ databaseUrl: pg.connectionString, kafka: 'on', kafkaBrokers: broker.brokers.join(',') });
    indexer = createIndexer(cfg, { log: testLog(), http: false });
    await indexer.start();
    chain = await setUpChain(orgs);
  });

  after(() =>
    cleanUp([
      () => indexer?.stop(),
      () => closeAll(orgs),
      async () => {
        if (!cfg) return;
        const admin = createPool({ connectionString: pg.connectionString, schema: 'public' });
        await dropSchema(admin, cfg.schema).catch(() => undefined);
        await admin.end();
      },
      () => broker?.stop(),
      () => pg?.stop(),
    ]),
  );

  it('publishes every outbox row with CloudEvents headers, keyed by aggregate, and marks it published after the ack', async () => {
    await runChain(orgs, chain);
    await waitForBlock(indexer.pool, chain.lastBlock);
    await waitFor('an empty outbox', async () => (await pending(indexer.pool)) === 0);
    const rank = await outboxRank(indexer.pool);
    const consumer = await startConsumer(broker.brokers, cfg.topicPrefix);
    try {
      await consumer.waitForIds(rank.keys());
      const shipment = consumer.received.filter((m) => m.topic === `${cfg.topicPrefix}.shipments` && m.key === chain.shipmentId);
      expect(shipment.map((m) => m.payload.data.status)).to.deep.equal(['created', 'dispatched', 'received']);
      expect(shipment[0].headers).to.include({
        ce_specversion: '1.0',
        ce_source: 'urn:coffee-trace:test',
        ce_subject: chain.shipmentId,
        ce_type: 'supplychain.shipment.created.v1',
      });
      expect(shipment[0].payload.schemaVersion).to.equal(1);
      const lots = consumer.received.filter((m) => m.topic === `${cfg.topicPrefix}.lots`).map((m) => m.key);
      expect(lots).to.include(`${chain.gtin.roasted}/${chain.roastLot}`);
      for (const txId of chain.txIds) expect(rank.has(txId), txId).to.equal(true);
      expect(orderViolations(consumer.received, rank)).to.deep.equal([]);
    } finally {
      await consumer.stop();
    }
  });

  it(`keeps rows in the outbox while Kafka is down (${OUTAGE_MS / 1000} s under load), then publishes all in per-key order`, async () => {
    const s = orgs[SUPPLIER];
    const lots = [0, 1, 2].map((i) => `K${i}-${chain.greenLot}`);
    for (const lot of lots)
      await submitJson(s, 'CommissionLot', { eventId: eventId(), gln: chain.gln.coop, gtin: chain.gtin.green, lotCode: lot, quantity: '100000' });
    await waitFor('an empty outbox', async () => (await pending(indexer.pool)) === 0);

    const t0 = Date.now();
    expect(await broker.stop()).to.equal(true);
    let committed = 0;
    // One worker per lot: the same stock keys move back and forth, so per-key order matters.
    await Promise.all(
      lots.map(async (lot, i) => {
        for (let n = 0; Date.now() - t0 < OUTAGE_MS; n++) {
          const [from, to] = n % 2 === 0 ? [chain.gln.coop, chain.gln.roastery] : [chain.gln.roastery, chain.gln.coop];
          await submitJson(s, 'TransferStock', {
            eventId: eventId(`k${i}`),
            fromGln: from,
            toGln: to,
            lines: [{ gtin: chain.gtin.green, lotCode: lot, quantity: '5' }],
          });
          committed++;
        }
      }),
    );
    const height = await ledgerTip(orgs);
    await waitForBlock(indexer.pool, height - 1n);
    const waiting = await pending(indexer.pool);
    console.log(`      (${committed} transactions during the outage; ${waiting} outbox rows waiting)`);
    expect(waiting).to.be.at.least(committed * 3);

    await broker.start();
    const t1 = Date.now();
    await waitFor('the outbox to drain', async () => (await pending(indexer.pool)) === 0, 180_000);
    console.log(`      (outbox drained ${Date.now() - t1} ms after Kafka came back)`);
    const rank = await outboxRank(indexer.pool);
    const consumer = await startConsumer(broker.brokers, cfg.topicPrefix);
    try {
      await consumer.waitForIds(rank.keys());
      await consumer.settle();
      expect(orderViolations(consumer.received, rank)).to.deep.equal([]);
      console.log(`      (${consumer.received.length} messages consumed, ${rank.size} outbox rows)`);
      expect(duplicates(consumer.received)).to.deep.equal([]);
      expect(consumer.received.length).to.equal(rank.size);
    } finally {
      await consumer.stop();
    }
  });

  it('sends nothing twice when it stopped between the Kafka commit and the PostgreSQL mark', async () => {
    await waitFor('an empty outbox', async () => (await pending(indexer.pool)) === 0);
    await indexer.stop();
    // What a stop right after the Kafka commit leaves: rows in Kafka, not marked here.
    const direct = createPool({ connectionString: pg.connectionString, schema: cfg.schema });
    const unmarked = (await direct.query('UPDATE outbox SET published_at = NULL WHERE id IN (SELECT id FROM outbox ORDER BY id DESC LIMIT 40)')).rowCount;
    await direct.end();
    expect(unmarked).to.be.greaterThan(0);
    indexer = createIndexer(cfg, { log: testLog(), http: false });
    await indexer.start();
    await submitJson(orgs[SUPPLIER], 'CommissionLot', {
      eventId: eventId(),
      gln: chain.gln.coop,
      gtin: chain.gtin.green,
      lotCode: `M-${chain.greenLot}`,
      quantity: '10',
    });
    await waitFor('an empty outbox', async () => (await pending(indexer.pool)) === 0);
    const rank = await outboxRank(indexer.pool);
    const consumer = await startConsumer(broker.brokers, cfg.topicPrefix);
    try {
      await consumer.waitForIds(rank.keys());
      await consumer.settle();
      expect(duplicates(consumer.received)).to.deep.equal([]);
      expect(consumer.received.length).to.equal(rank.size);
    } finally {
      await consumer.stop();
    }
  });
});
