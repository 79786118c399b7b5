/**
 * Whose facts an indexer lets out. Two suppliers sell to one retailer; the
 * same committed blocks are projected by supplier 2's indexer and by the
 * auditor's. Supplier 2's topics carry its own trade and none of supplier 1's,
 * the auditor's carry both, exactly once, and the relay never waits on what it
 * withholds. Supplier 2's query API refuses a supplier-1 token (403).
 */
import type { Server } from 'node:http';
import { expect } from 'chai';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import { dropSchema, migrate } from '../../../indexer/src/db/migrate';
import { createPool } from '../../../indexer/src/db/pool';
import { outboxPositionTopic, topicNames } from '../../../indexer/src/projection/outbox-messages';
import { createBlockProjector } from '../../../indexer/src/projection/project-block';
import { createQueryApp } from '../../../indexer/src/query/app';
import { createIndexerMetrics } from '../../../indexer/src/query/metrics';
import { checkOwnerRole } from '../../../indexer/src/owner-role';
import { bindToOwner, ownerBinding, ownerView } from '../../../indexer/src/query/owner-binding';
import { createOutboxRelay, type OutboxRelay } from '../../../indexer/src/sinks/kafka/outbox-relay';
import type { IndexerConfig } from '../../../indexer/src/config';
import type { LedgerBlock, LedgerConfig } from '../../../lib/fabric/src';
import { createDevIssuer, createJwtVerifier, type DevIssuer } from '../../../lib/platform/src';
import type { KafkaBroker } from '../../../network/src/services/kafka-broker';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { cleanUp, startAll } from '../../fixtures/start-all';
import { testKafka, testLog, testPostgres, unique, waitFor } from './harness';
import { duplicates, startConsumer, type TestConsumer } from './kafka-consumer';
import { chainBlocks, R, S1, S2, supplierTrade, type SupplierFacts } from './two-suppliers';

const AUDITOR = 'AuditorMSP';

/** The parts of an indexer's configuration that decide whose facts it lets out. */
function ownerConfig(mspId: string, ownerRole: IndexerConfig['ownerRole'], topicPrefix: string) {
  return {
    ownerRole,
    topicPrefix,
    ledger: { mspId } as LedgerConfig,
    auth: { orgClaim: 'org', requireOrg: false } as IndexerConfig['auth'],
  };
}

/** One indexer's database and relay: a schema of its own, topics of its own. */
interface Projected {
  schema: string;
  prefix: string;
  pool: Pool;
  relay?: OutboxRelay;
  consumer?: TestConsumer;
  tip: LedgerBlock;
}

describe('indexer: a member’s indexer lets out only its owner’s view', function () {
  this.timeout(300_000);
  let pg: PostgresServer;
  let broker: KafkaBroker;
  let kafka: Kafka;
  const made: Projected[] = [];
  const servers: Server[] = [];
  let issuer: DevIssuer | undefined;
  let one: SupplierFacts;
  let two: SupplierFacts;
  let blocks: LedgerBlock[];

  before(async () => {
    pg = testPostgres();
    broker = testKafka();
    await startAll([pg, broker]);
    kafka = new Kafka({ clientId: 'owner-view-test', brokers: broker.brokers, logLevel: logLevel.NOTHING });
    const a = supplierTrade(S1);
    const b = supplierTrade(S2);
    one = a.facts;
    two = b.facts;
    // Interleaved: supplier 1's and supplier 2's trade alternate block by block.
    blocks = chainBlocks(
      0n,
      Buffer.alloc(32),
      a.txs.flatMap((t, i) => [t, b.txs[i]]),
    );
  });

  after(() =>
    cleanUp([
      ...made.map((p) => async () => {
        await p.consumer?.stop();
        await p.relay?.stop();
        await p.pool.end();
      }),
      ...servers.map((s) => () => new Promise<void>((r) => s.close(() => r()))),
      async () => issuer?.stop(),
      async () => {
        const admin = createPool({ connectionString: pg.connectionString, schema: 'public' });
        for (const p of made) await dropSchema(admin, p.schema).catch(() => undefined);
        await admin.end();
      },
      () => broker?.stop(),
      () => pg?.stop(),
    ]),
  );

  /** Projects `blocks` into a fresh schema as the indexer of `msp` (with `role`) and starts its relay. */
  async function indexerOf(msp: string, role: IndexerConfig['ownerRole']): Promise<Projected> {
    const schema = unique('owner');
    const prefix = `${unique('owner')}.supplychain`;
    const pool = createPool({ connectionString: pg.connectionString, schema });
    await migrate(pool, schema);
    const projector = createBlockProjector({ pool, topicPrefix: prefix });
    for (const b of blocks) await projector.apply(b);
    const p: Projected = { schema, prefix, pool, tip: blocks[blocks.length - 1] };
    made.push(p);
    p.relay = relayOf(p, msp, role);
    // The relay creates the topics as it connects; the consumer reads them from the beginning.
    await waitFor('the relay connected', () => p.relay!.connected(), 60_000);
    p.consumer = await startConsumer(broker.brokers, prefix);
    return p;
  }

  function relayOf(p: Projected, msp: string, role: IndexerConfig['ownerRole']): OutboxRelay {
    const relay = createOutboxRelay({
      pool: p.pool,
      kafka,
      topics: topicNames(p.prefix),
      partitions: 1,
      positionTopic: outboxPositionTopic(p.prefix),
      source: 'urn:coffee-trace:test',
      // Small batches: some hold only rows the owner may not see.
      batchSize: 3,
      log: testLog(),
      idleMs: 100,
      view: ownerView(ownerConfig(msp, role, p.prefix)),
    });
    relay.start();
    return relay;
  }

  const passed = async (pool: Pool) => Number((await pool.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL')).rows[0].n) === 0;
  const ids = (c: TestConsumer) => new Set(c.received.map((m) => m.ceId));

  it('supplier 2’s topics carry its own trade and none of supplier 1’s; the auditor’s carry both', async () => {
    const s2 = await indexerOf(S2, 'member');
    const auditor = await indexerOf(AUDITOR, 'auditor');
    const mine = [...two.messageIds, ...two.txIds];
    const theirs = [...one.messageIds, ...one.txIds];
    await s2.consumer!.waitForIds(mine);
    await auditor.consumer!.waitForIds([...mine, ...theirs]);
    // Every row was passed (sent or withheld): nothing waits in supplier 2's outbox.
    await waitFor('supplier 2’s outbox passed', () => passed(s2.pool), 60_000);
    await s2.consumer!.settle(2000);
    const got = ids(s2.consumer!);
    expect(theirs.filter((id) => got.has(id))).to.deep.equal([]);
    const text = JSON.stringify(s2.consumer!.received.map((m) => [m.key, m.payload]));
    for (const fact of [one.gln, one.lot, one.shipment, one.po, S1]) expect(text, `supplier 2's topics name ${fact}`).not.to.include(fact);
    // Its own: the lot, the shipment (and its stock in transit), the order, its location, its transactions.
    const topics = new Set(s2.consumer!.received.map((m) => m.topic.slice(s2.prefix.length + 1)));
    expect([...topics].sort()).to.deep.equal(['lots', 'master-data', 'purchase-orders', 'shipments', 'stock-movements', 'transactions']);
    expect(s2.consumer!.received.some((m) => m.key === `transit~${two.shipment}~${two.gtin}~${two.lot}`)).to.equal(true);
    expect(duplicates(s2.consumer!.received)).to.deep.equal([]);
    // The auditor's: every outbox row, once.
    const rows = Number((await auditor.pool.query('SELECT count(*) AS n FROM outbox')).rows[0].n);
    await auditor.consumer!.settle(2000);
    expect(ids(auditor.consumer!).size).to.equal(rows);
    expect(duplicates(auditor.consumer!.received)).to.deep.equal([]);
  });

  it('keeps publishing after withheld rows, exactly once across a relay restart', async () => {
    const s2 = made[0];
    await s2.relay!.stop();
    const more = { one: supplierTrade(S1), two: supplierTrade(S2) };
    const next = chainBlocks(s2.tip.number + 1n, s2.tip.headerHash, [...more.one.txs, ...more.two.txs]);
    const projector = createBlockProjector({ pool: s2.pool, topicPrefix: s2.prefix });
    for (const b of next) await projector.apply(b);
    s2.relay = relayOf(s2, S2, 'member');
    await s2.consumer!.waitForIds([...more.two.facts.messageIds, ...more.two.facts.txIds]);
    await waitFor('supplier 2’s outbox passed', () => passed(s2.pool), 60_000);
    await s2.consumer!.settle(2000);
    const got = ids(s2.consumer!);
    expect([...more.one.facts.messageIds, ...more.one.facts.txIds].filter((id) => got.has(id))).to.deep.equal([]);
    expect(duplicates(s2.consumer!.received)).to.deep.equal([]);
  });

  it('supplier 2’s query API refuses a supplier-1 token (403 ORG_MISMATCH); the auditor’s serves it, scoped', async () => {
    issuer = createDevIssuer({ port: 0, audience: 'coffee-trace-gateway' });
    const { jwksUrl, issuer: iss } = await issuer.start();
    const verifier = createJwtVerifier({ jwksUrl: jwksUrl!, issuer: iss!, audience: 'coffee-trace-gateway', algorithms: ['ES256'], orgClaim: 'org' });
    const serve = async (p: Projected, msp: string, role: IndexerConfig['ownerRole']) => {
      const app = createQueryApp({
        pool: p.pool,
        metrics: createIndexerMetrics(),
        verifier: bindToOwner(verifier, ownerBinding(ownerConfig(msp, role, p.prefix))),
        ownerOrg: msp,
      });
      const server = await new Promise<Server>((resolve) => {
        const s = app.listen(0, '127.0.0.1', () => resolve(s));
      });
      servers.push(server);
      const port = (server.address() as { port: number }).port;
      return async (path: string, org: string, roles = ['retailer-ops']) => {
        const token = await issuer!.mint({ sub: `reader@${org}`, roles: roles as never, org });
        return fetch(`http://127.0.0.1:${port}${path}`, { headers: { Authorization: `Bearer ${token}` } });
      };
    };
    const [s2, auditor] = made;
    const atS2 = await serve(s2, S2, 'member');
    const refused = await atS2('/shipments', S1);
    expect(refused.status).to.equal(403);
    const problem = (await refused.json()) as { code: string; detail?: string; message?: string };
    expect(problem.code).to.equal('ORG_MISMATCH');
    expect(JSON.stringify(problem)).to.include(S2).and.include(S1);
    // The auditor role is not served there either: the database holds every public fact.
    expect((await atS2('/shipments', S2, ['auditor'])).status).to.equal(403);
    const own = await atS2(`/shipments/${two.shipment}`, S2);
    expect(own.status).to.equal(200);
    expect((await atS2(`/shipments/${one.shipment}`, S2)).status).to.equal(404);
    const atAuditor = await serve(auditor, AUDITOR, 'auditor');
    expect((await atAuditor(`/shipments/${one.shipment}`, S1)).status).to.equal(200);
    expect((await atAuditor(`/shipments/${two.shipment}`, S1)).status).to.equal(404);
    expect((await atAuditor(`/shipments/${one.shipment}`, R)).status).to.equal(200);
  });

  it('an indexer set to auditor does not start for an organisation the consortium registry lists without that role', async () => {
    const [s2] = made;
    const at = { tx_id: 'tx-registry', block_number: 0 };
    for (const [msp, roles] of [
      [S2, ['supplier']],
      [AUDITOR, ['auditor', 'governance']],
    ] as const) {
      await s2.pool.query('INSERT INTO consortium_members (msp_id, display_name, roles, removed, tx_id, block_number) VALUES ($1, $1, $2, false, $3, $4)', [
        msp,
        roles,
        at.tx_id,
        at.block_number,
      ]);
    }
    const refused = await checkOwnerRole(s2.pool, { ownerRole: 'auditor', ledger: { mspId: S2 } as LedgerConfig }).catch((e: Error) => e);
    expect((refused as Error | undefined)?.message).to.match(
      /INDEXER_OWNER_ROLE: is auditor, but the consortium registry lists Supplier2MSP with the roles supplier/,
    );
    await checkOwnerRole(s2.pool, { ownerRole: 'member', ledger: { mspId: S2 } as LedgerConfig });
    await checkOwnerRole(s2.pool, { ownerRole: 'auditor', ledger: { mspId: AUDITOR } as LedgerConfig });
  });
});
