/**
 * Backup and restore of the services' databases with `network backup` and
 * `network restore` (pg_dump / pg_restore, custom format): the gateway's and
 * the indexer's databases are dumped while both run, then dropped and
 * restored into new, empty databases. The restored gateway still proves every
 * POS receipt; the restored indexer resumes from its checkpoint and Kafka
 * holds every event exactly once.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import pino from 'pino';
import request from 'supertest';
import { loadGatewayConfig } from '../../../gateway/src/config';
import { start as startGateway, type RunningGateway } from '../../../gateway/src/main';
import { createIndexer, type Indexer } from '../../../indexer/src/main';
import { createPool } from '../../../indexer/src/db/pool';
import { devnetLedgerEnv } from '../../../network/src/connection-files';
import { runCommand } from '../../../network/src/run-command';
import type { KafkaBroker } from '../../../network/src/services/kafka-broker';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { sharedDevnet } from '../../fixtures/test-devnet';
import { cleanUp, startAll } from '../../fixtures/start-all';
import { RETAILER, closeAll, connectAll, uniqueGln, uniqueGtin, type Orgs } from '../chaincode/ledger-fixtures';
import { duplicates, startConsumer, type TestConsumer } from '../indexer/kafka-consumer';
import { ledgerTip, servicesConfig, testConfig, testKafka, testLog, testPostgres, unique, waitFor } from '../indexer/harness';

const CLI = path.resolve(__dirname, '..', '..', '..', 'network', 'src', 'cli.js');

/** The same server, another database. */
function databaseUrl(base: string, database: string): string {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
}

describe('operations: backup and restore of the gateway and indexer databases', function () {
  this.timeout(600_000);
  let pg: PostgresServer;
  let broker: KafkaBroker;
  let orgs: Orgs;
  let gateway: RunningGateway | undefined;
  let indexer: Indexer | undefined;
  let consumer: TestConsumer | undefined;
  const tag = randomUUID().slice(0, 8);
  const gwDb = `backup_gw_${tag}`;
  const ixDb = `backup_ix_${tag}`;
  // Beside the services' state, not in /tmp: dumps may be large.
  const work = path.join(servicesConfig().runDir, `backup-${tag}`);
  const prefix = `${unique('bk')}.supplychain`;
  const stores = [uniqueGln(RETAILER), uniqueGln(RETAILER)];
  const gtin = uniqueGtin(RETAILER);
  let gwUrl: string;
  let ixUrl: string;

  const admin = async <T>(fn: (c: Client) => Promise<T>): Promise<T> => {
    const c = new Client({ connectionString: databaseUrl(pg.connectionString, 'postgres') });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  const dropDatabases = () =>
    admin(async (c) => {
      for (const db of [gwDb, ixDb]) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    });
  const network = (...args: string[]) => runCommand(process.execPath, [CLI, ...args], { step: `network ${args[0]}` });

  async function runGateway(): Promise<RunningGateway> {
    const cfg = loadGatewayConfig({
      ...devnetLedgerEnv(sharedDevnet(), RETAILER),
      GATEWAY_PORT: '0',
      DATABASE_URL: gwUrl,
      DEV_ISSUER_KEY_FILE: path.join(work, 'issuer.json'),
      RATE_LIMIT_RPS: '1000',
      RATE_LIMIT_BURST: '1000',
    });
    return startGateway(cfg, { logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
  }

  function runIndexer(): Indexer {
    const cfg = testConfig({ databaseUrl: ixUrl, schema: 'indexer', kafka: 'on', kafkaBrokers: broker.brokers.join(','), topicPrefix: prefix });
    return createIndexer(cfg, { log: testLog(), http: false });
  }

  const token = async () => `Bearer ${await gateway!.devIssuer!.mint({ sub: 'pos-hub', roles: ['retailer-ops', 'pos'], org: RETAILER })}`;

  before(async () => {
    pg = testPostgres();
    broker = testKafka();
    await startAll([pg, broker]);
    fs.mkdirSync(work, { recursive: true });
    gwUrl = databaseUrl(pg.connectionString, gwDb);
    ixUrl = databaseUrl(pg.connectionString, ixDb);
    await dropDatabases();
    await admin(async (c) => {
      for (const db of [gwDb, ixDb]) await c.query(`CREATE DATABASE ${db}`);
    });
    orgs = await connectAll();
  });

  after(() =>
    cleanUp([
      () => consumer?.stop(),
      () => gateway?.stop(),
      () => indexer?.stop(),
      () => closeAll(orgs),
      () => (pg ? dropDatabases() : undefined),
      () => broker?.stop(),
      () => pg?.stop(),
      () => fs.rmSync(work, { recursive: true, force: true }),
    ]),
  );

  it('restored into empty databases, the gateway proves every POS receipt and the indexer resumes from its checkpoint without republishing', async () => {
    gateway = await runGateway();
    const auth = await token();
    const api = () => request(gateway!.url);
    await api().post('/products').set('Authorization', auth).send({ gtin, description: 'Beans 250g', unit: 'H87' }).expect(201);
    for (const [i, gln] of stores.entries()) {
      await api()
        .post('/locations')
        .set('Authorization', auth)
        .send({ gln, name: `Store ${i}`, type: 'store', address: { country: 'DE' } })
        .expect(201);
      await api()
        .post('/lots')
        .set('Authorization', auth)
        .send({ gln, gtin, lotCode: `L-${tag}-${i}`, quantity: '50' })
        .expect(201);
    }
    const receipts = stores.flatMap((gln, s) =>
      [1, 2, 3].map((n) => ({ storeId: gln, receiptId: `${tag}-${s}-${n}`, at: '2026-12-01T10:00:00Z', lines: [{ gtin, quantity: String(n), kind: 'sale' }] })),
    );
    const sold = await api().post('/pos/sales').set('Authorization', auth).send({ receipts });
    expect(sold.status, JSON.stringify(sold.body)).to.equal(201);
    const prove = async (r: { storeId: string; receiptId: string }) =>
      (
        await api()
          .get(`/pos/receipts/${r.storeId}/${r.receiptId}/proof`)
          .set('Authorization', await token())
      ).body;
    for (const r of receipts) expect((await prove(r)).verified, r.receiptId).to.equal(true);

    indexer = runIndexer();
    await indexer.start();
    let backupWindow: [bigint, bigint] = [-1n, -1n];
    let kafkaBefore = 0;
    const pool = createPool({ connectionString: ixUrl, schema: 'indexer' });
    const checkpoint = async () => BigInt((await pool.query('SELECT block_number FROM checkpoint')).rows[0]?.block_number ?? -1);
    const pending = async () => Number((await pool.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL')).rows[0].n);
    try {
      const caughtUp = async () => {
        const tip = await ledgerTip(orgs);
        await waitFor('the indexer at the tip', async () => (await checkpoint()) >= tip - 1n, 180_000);
        await waitFor('an empty outbox', async () => (await pending()) === 0, 120_000);
      };
      await caughtUp();

      // Both services keep running while they are backed up.
      await network('backup', '--to', path.join(work, 'gateway'), '--database-url', gwUrl, '--schemas', 'gateway');
      const beforeDump = await checkpoint();
      await network('backup', '--to', path.join(work, 'indexer'), '--database-url', ixUrl, '--schemas', 'indexer');
      backupWindow = [beforeDump, await checkpoint()];
      const manifest = JSON.parse(fs.readFileSync(path.join(work, 'indexer', 'manifest.json'), 'utf8'));
      expect(manifest.schemas.map((s: { schema: string }) => s.schema)).to.deep.equal(['indexer']);
      expect(
        fs
          .readFileSync(path.join(work, 'indexer', 'indexer.dump'))
          .subarray(0, 5)
          .toString(),
      ).to.equal('PGDMP'); // custom format

      // After the backup: more blocks, indexed and published to Kafka, which the restored indexer will see again.
      const later = stores.map((gln, s) => ({
        storeId: gln,
        receiptId: `${tag}-${s}-later`,
        at: '2026-12-01T11:00:00Z',
        lines: [{ gtin, quantity: '1', kind: 'sale' }],
      }));
      expect((await api().post('/pos/sales').set('Authorization', auth).send({ receipts: later })).status).to.equal(201);
      await caughtUp();
      consumer = await startConsumer(broker.brokers, prefix);
      const published = Number((await pool.query('SELECT count(*) AS n FROM outbox')).rows[0].n);
      await waitFor('every published event in the test consumer', () => consumer!.received.length >= published, 120_000);
      await consumer.settle();
      kafkaBefore = consumer.received.length;
      expect(duplicates(consumer.received)).to.deep.equal([]);

      await gateway.stop();
      gateway = undefined;
      await indexer.stop();
      indexer = undefined;
    } finally {
      await pool.end();
    }

    // The databases are lost; restore goes into new, empty ones (the command creates them).
    await dropDatabases();
    await network('restore', '--from', path.join(work, 'gateway'), '--database-url', gwUrl);
    await network('restore', '--from', path.join(work, 'indexer'), '--database-url', ixUrl);
    // Restoring over a database that holds the schema is refused without --drop-existing.
    const refused = await network('restore', '--from', path.join(work, 'gateway'), '--database-url', gwUrl).then(
      () => '',
      (err: Error) => err.message,
    );
    expect(refused).to.match(/schema gateway of database .* holds \d+ tables: a restore goes into an empty database/);

    gateway = await runGateway();
    for (const r of receipts) {
      const proof = (
        await request(gateway.url)
          .get(`/pos/receipts/${r.storeId}/${r.receiptId}/proof`)
          .set('Authorization', await token())
      ).body;
      expect(proof.verified, `${r.receiptId}: ${JSON.stringify(proof)}`).to.equal(true);
    }

    const restored = createPool({ connectionString: ixUrl, schema: 'indexer' });
    try {
      const from = BigInt((await restored.query('SELECT block_number FROM checkpoint')).rows[0].block_number);
      const tip = await ledgerTip(orgs);
      // The restored checkpoint is the one the indexer had when it was dumped, before the later blocks.
      expect(from >= backupWindow[0] && from <= backupWindow[1], `checkpoint ${from} restored, ${backupWindow.join('..')} at the backup`).to.equal(true);
      expect(from < tip - 1n, `the backup's checkpoint ${from} lies before the ledger's last block ${tip - 1n}`).to.equal(true);
      indexer = runIndexer();
      await indexer.start();
      await waitFor(
        'the restored indexer at the tip',
        async () => BigInt((await restored.query('SELECT block_number FROM checkpoint')).rows[0].block_number) >= tip - 1n,
        180_000,
      );
      await waitFor(
        'an empty outbox after the restore',
        async () => Number((await restored.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL')).rows[0].n) === 0,
        120_000,
      );
      const outbox = (await restored.query<{ event_id: string }>('SELECT event_id FROM outbox')).rows.map((r) => r.event_id);
      await consumer!.waitForIds(outbox);
      await consumer!.settle();
      console.log(
        `      (checkpoint ${from} restored, ledger tip ${tip - 1n}; Kafka: ${kafkaBefore} messages before the restore, ${consumer!.received.length} after)`,
      );
      expect(duplicates(consumer!.received)).to.deep.equal([]);
      expect(consumer!.received.length).to.equal(new Set(outbox).size);
    } finally {
      await restored.end();
    }
  });
});
