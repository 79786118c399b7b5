import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { createIndexer, type Indexer } from '../../../indexer/src/main';
import { createPool } from '../../../indexer/src/db/pool';
import { dropSchema } from '../../../indexer/src/db/migrate';
import { EVENT_CONTRACT, RETAINED_ONLY_TYPES } from '../../../indexer/src/events/event-messages';
import { createMessageChecker, type MessageChecker } from '../../../indexer/src/events/message-checker';
import { toKafkaMessage, type OutboxRow } from '../../../indexer/src/sinks/kafka/cloud-events';
import type { KafkaBroker } from '../../../network/src/services/kafka-broker';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { AUDITOR, RETAILER, SUPPLIER, closeAll, connectAll, eventId, rejection, submitJson, type Orgs } from '../chaincode/ledger-fixtures';
import { cleanUp, startAll } from '../../fixtures/start-all';
import { startConsumer } from './kafka-consumer';
import { ledgerTip, runChain, setUpChain, testConfig, testKafka, testLog, testPostgres, waitFor, waitForBlock, type Chain } from './harness';

const BOTH = [SUPPLIER, RETAILER];
const PAYEE = `0x${'ab'.repeat(20)}`;

/**
 * Beyond the harness's chain, a write of every other kind the indexer
 * publishes: a lot updated by a shipment's expiry date, a shipment
 * dispatched and received in parts, an order and its payment, a sales batch,
 * an attestation, an error declaration, a recall and an invalidated
 * transaction. Chains that share no keys run side by side.
 */
async function runEveryKind(orgs: Orgs, c: Chain): Promise<void> {
  const s = orgs[SUPPLIER];
  const r = orgs[RETAILER];
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const commission = (lotCode: string, quantity: string) =>
    submitJson(s, 'CommissionLot', { eventId: eventId(), gln: c.gln.roastery, gtin: c.gtin.roasted, lotCode, quantity });

  const partsThenRecall = async () => {
    const lot = `EC-${tag}`;
    const shipmentId = `${c.shipmentId}-P`;
    await commission(lot, '100');
    const line = { gtin: c.gtin.roasted, lotCode: lot, quantity: '40', expiryDate: '2027-06-30' };
    await submitJson(s, 'CreateShipment', { eventId: eventId(), shipmentId, fromGln: c.gln.roastery, toGln: c.gln.dc, lines: [line] }, BOTH);
    await submitJson(s, 'DispatchShipment', { eventId: eventId(), shipmentId, lines: [{ lineNo: 1, quantity: '30' }] }, BOTH);
    await submitJson(r, 'ReceiveShipment', { eventId: eventId(), shipmentId, lines: [{ lineNo: 1, received: '10' }], close: false }, BOTH);
    await submitJson(s, 'DeclareRecall', {
      eventId: eventId(),
      recallId: `RC-${tag}`,
      reason: 'Foreign matter',
      lots: [{ gtin: c.gtin.roasted, lotCode: lot }],
    });
  };
  const orderAndPayment = async () => {
    const poId = `PO-${tag}`;
    // The terms go as transient data to both parties' implicit collections, which both parties' peers endorse.
    const terms = { paymentTerms: { chainId: 31337, asset: 'native', decimals: 18, amount: '1.5', payee: PAYEE }, salt: randomBytes(16).toString('hex') };
    await r.submit({
      contract: 'traceability',
      fn: 'CreatePurchaseOrder',
      args: [JSON.stringify({ eventId: eventId(), poId, supplierMsp: SUPPLIER, lines: [{ gtin: c.gtin.roasted, quantity: '10' }] })],
      transient: { terms: Buffer.from(JSON.stringify(terms)) },
      endorsingOrgs: BOTH,
    });
    // Recorded by the payee (the order's supplier), whose peer the order's key-level policy names; it passes the
    // terms as its own peer holds them, and the transfer, as transient data.
    const held = JSON.parse((await s.evaluate({ contract: 'traceability', fn: 'GetPurchaseOrder', args: [poId] })).toString()).terms;
    await s.submit({
      contract: 'traceability',
      fn: 'RecordPayment',
      args: [JSON.stringify({ eventId: eventId(), poId, chainId: 31337, txHash: `0x${randomBytes(32).toString('hex')}`, blockNumber: 7 })],
      transient: {
        terms: Buffer.from(JSON.stringify(held)),
        payment: Buffer.from(JSON.stringify({ asset: 'native', from: `0x${'cd'.repeat(20)}`, to: PAYEE, amountBaseUnits: '1500000000000000000' })),
      },
      endorsingOrgs: BOTH,
    });
  };
  const sales = () =>
    submitJson(r, 'RecordSales', {
      eventId: eventId(),
      gln: c.gln.store,
      batchId: `B-${tag}`,
      merkleRoot: 'ef'.repeat(32),
      receiptCount: 2,
      lines: [{ gtin: c.gtin.roasted, lotCode: c.roastLot, quantity: '2' }],
    });
  const attestation = () =>
    submitJson(s, 'RecordAttestation', {
      eventId: eventId(),
      attestationId: `AT-${tag}`,
      subjectKey: `lot~${c.gtin.green}~${c.greenLot}`,
      result: 'pass',
      statement: 'Cupping score 86',
    });
  // The supplier lets the retailer make lots of its GTIN, then withdraws it: two licence records.
  const licence = async () => {
    await submitJson(s, 'GrantLicence', { eventId: eventId(), gtin: c.gtin.green, licenseeMsp: RETAILER });
    await submitJson(s, 'RevokeLicence', { eventId: eventId(), gtin: c.gtin.green, licenseeMsp: RETAILER });
  };
  const errorDeclaration = async () => {
    const lot = `EA-${tag}`;
    const wrong = eventId();
    await commission(lot, '10');
    await submitJson(s, 'AdjustStock', { eventId: wrong, gln: c.gln.roastery, reason: 'damage', lines: [{ gtin: c.gtin.roasted, lotCode: lot, delta: '-1' }] });
    await submitJson(s, 'DeclareError', { eventId: eventId(), targetEventId: wrong, reason: 'incorrect_data' });
  };
  // Supplier + auditor satisfy the chaincode's policy but not the shipment key's (both parties): invalidated at commit.
  const invalidated = async () => {
    const lot = `EI-${tag}`;
    const shipmentId = `${c.shipmentId}-I`;
    await commission(lot, '5');
    const lines = [{ gtin: c.gtin.roasted, lotCode: lot, quantity: '5' }];
    await submitJson(s, 'CreateShipment', { eventId: eventId(), shipmentId, fromGln: c.gln.roastery, toGln: c.gln.dc, lines }, BOTH);
    const err = await rejection(submitJson(s, 'DispatchShipment', { eventId: eventId(), shipmentId }, [SUPPLIER, AUDITOR]));
    expect(err.code).to.equal('ENDORSEMENT_POLICY_FAILURE');
  };
  await Promise.all([partsThenRecall(), orderAndPayment(), sales(), attestation(), licence(), errorDeclaration(), invalidated()]);
}

describe('indexer: every published message keeps the event contract (contracts/events)', function () {
  this.timeout(600_000);
  let pg: PostgresServer;
  let broker: KafkaBroker;
  let orgs: Orgs;
  let indexer: Indexer;
  let cfg: ReturnType<typeof testConfig>;
  let checker: MessageChecker;
  let rows: OutboxRow[];

  before(async () => {
    pg = testPostgres();
    broker = testKafka();
    await startAll([pg, broker]);
    orgs = await connectAll();
    cfg = testConfig({ databaseUrl: pg.connectionString, kafka: 'on', kafkaBrokers: broker.brokers.join(',') });
    checker = createMessageChecker({ prefix: cfg.topicPrefix });
    indexer = createIndexer(cfg, { log: testLog(), http: false });
    await indexer.start();
    const chain = await setUpChain(orgs);
    await runChain(orgs, chain);
    await runEveryKind(orgs, chain);
    await waitForBlock(indexer.pool, (await ledgerTip(orgs)) - 1n);
    await waitFor(
      'an empty outbox',
      async () => Number((await indexer.pool.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL')).rows[0].n) === 0,
    );
    rows = (
      await indexer.pool.query<OutboxRow>(
        'SELECT id, event_id, topic, message_key, ce_type, ce_subject, ce_time, payload::text AS payload FROM outbox ORDER BY id',
      )
    ).rows;
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

  it('every outbox row, as the relay sends it, matches its topic, key, headers and message schema; every message type occurs', () => {
    const problems: string[] = [];
    for (const row of rows) {
      const m = toKafkaMessage(row, cfg.eventSource);
      const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)]));
      problems.push(...checker.check({ topic: row.topic, key: String(m.key), headers, value: JSON.parse(String(m.value)) }));
    }
    console.log(`      (${rows.length} outbox rows checked)`);
    expect(problems.slice(0, 20), problems.slice(0, 20).join('\n')).to.deep.equal([]);
    const seen = new Set(rows.map((r) => r.ce_type));
    const unseen = EVENT_CONTRACT.flatMap((t) => Object.keys(t.messages)).filter((type) => !seen.has(type) && !RETAINED_ONLY_TYPES.includes(type));
    expect(unseen, 'message types of the contract the scenario never produced').to.deep.equal([]);
  });

  it('every message consumed from Kafka matches the contract', async () => {
    const consumer = await startConsumer(broker.brokers, cfg.topicPrefix);
    try {
      await consumer.waitForIds(rows.map((r) => r.event_id));
      const problems = consumer.received.flatMap((m) => checker.check({ topic: m.topic, key: m.key, headers: m.headers, value: m.payload }));
      console.log(`      (${consumer.received.length} Kafka messages checked)`);
      expect(consumer.received.length).to.be.at.least(rows.length);
      expect(problems.slice(0, 20), problems.slice(0, 20).join('\n')).to.deep.equal([]);
    } finally {
      await consumer.stop();
    }
  });
});
