import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createPool } from '../../../indexer/src/db/pool';
import { dropSchema } from '../../../indexer/src/db/migrate';
import { runVerify } from '../../../indexer/src/ops/verify';
import type { KafkaBroker } from '../../../network/src/services/kafka-broker';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { devnetLedgerEnv } from '../../../network/src/connection-files';
import { sharedDevnet } from '../../fixtures/test-devnet';
import { AUDITOR, SUPPLIER, closeAll, connectAll, eventId, submitJson, type Orgs } from '../chaincode/ledger-fixtures';
import { duplicates, startConsumer } from './kafka-consumer';
import { cleanUp, startAll } from '../../fixtures/start-all';
import { servicesConfig, setUpChain, testConfig, testKafka, testPostgres, unique, waitFor, ledgerTip } from './harness';

const KILLS = Number(process.env.INDEXER_TEST_KILLS ?? 20);
const CLI = path.resolve(__dirname, '..', '..', '..', 'indexer', 'src', 'cli.js');

describe('indexer: exactly once under kill -9', function () {
  this.timeout(900_000);
  let pg: PostgresServer;
  let broker: KafkaBroker;
  let orgs: Orgs;
  let child: ChildProcess | undefined;
  const schema = unique('kill');
  const prefix = `${unique('kill')}.supplychain`;
  const logFile = path.join(servicesConfig().runDir, `indexer-${schema}.log`);

  before(async () => {
    pg = testPostgres();
    broker = testKafka();
    await startAll([pg, broker]);
    orgs = await connectAll();
  });

  after(() =>
    cleanUp([
      () => {
        if (child?.exitCode === null) child.kill('SIGKILL');
      },
      () => closeAll(orgs),
      async () => {
        const admin = createPool({ connectionString: pg.connectionString, schema: 'public' });
        await dropSchema(admin, schema).catch(() => undefined);
        await admin.end();
      },
      () => broker?.stop(),
      () => pg?.stop(),
    ]),
  );

  function startChild(): ChildProcess {
    const devnet = sharedDevnet();
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const out = fs.openSync(logFile, 'a');
    const c = spawn(process.execPath, [CLI, 'run'], {
      stdio: ['ignore', out, out],
      env: {
        ...process.env,
        DATABASE_URL: pg.connectionString,
        INDEXER_SCHEMA: schema,
        KAFKA_BROKERS: broker.brokers.join(','),
        INDEXER_TOPIC_PREFIX: prefix,
        ...devnetLedgerEnv(devnet, AUDITOR),
        INDEXER_OWNER_ROLE: 'auditor',
        INDEXER_HTTP_PORT: '0',
        INDEXER_POLL_MS: '200',
        INDEXER_RETRY_DELAY_MS: '300',
        INDEXER_OUTBOX_BATCH: '50',
        LOG_LEVEL: 'info',
      },
    });
    fs.closeSync(out);
    return c;
  }

  const exited = (c: ChildProcess) =>
    new Promise<number | null>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve(c.exitCode) : c.once('exit', (code) => resolve(code))));

  it(`every committed transaction appears once in PostgreSQL and once in Kafka after ${KILLS} kill -9`, async () => {
    const chain = await setUpChain(orgs);
    const s = orgs[SUPPLIER];
    const lots = [0, 1, 2].map((i) => `E${i}-${chain.greenLot}`);
    const committed: string[] = [...chain.txIds];
    for (const lot of lots)
      committed.push(
        (await submitJson(s, 'CommissionLot', { eventId: eventId(), gln: chain.gln.coop, gtin: chain.gtin.green, lotCode: lot, quantity: '100000' })).commit
          .txId,
      );

    let loading = true;
    const load = Promise.all(
      lots.map(async (lot, i) => {
        for (let n = 0; loading; n++) {
          const [from, to] = n % 2 === 0 ? [chain.gln.coop, chain.gln.roastery] : [chain.gln.roastery, chain.gln.coop];
          const r = await submitJson(s, 'TransferStock', {
            eventId: eventId(`x${i}`),
            fromGln: from,
            toGln: to,
            lines: [{ gtin: chain.gtin.green, lotCode: lot, quantity: '5' }],
          });
          committed.push(r.commit.txId);
        }
      }),
    );

    const pool = createPool({ connectionString: pg.connectionString, schema });
    const checkpoint = async () => {
      try {
        return BigInt((await pool.query('SELECT block_number FROM checkpoint')).rows[0]?.block_number ?? -1);
      } catch {
        return -1n;
      }
    };
    try {
      const progress: bigint[] = [];
      for (let k = 0; k < KILLS; k++) {
        const before = await checkpoint();
        child = startChild();
        // Each kill lands while the indexer works: after it stored a block, at a random point
        // of the next blocks and outbox batches (however slowly a loaded machine starts it).
        await waitFor('the indexer to store a block', async () => (await checkpoint()) > before, 120_000);
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 2000)));
        child.kill('SIGKILL');
        await exited(child);
        progress.push(await checkpoint());
      }
      console.log(`      (checkpoints after each kill: ${progress.join(' ')})`);
      expect(new Set(progress).size, 'kills at distinct checkpoints').to.be.greaterThan(KILLS / 2);
      loading = false;
      await load;

      child = startChild();
      const height = await ledgerTip(orgs);
      await waitFor('the indexer to catch up', async () => (await checkpoint()) >= height - 1n, 180_000);
      await waitFor(
        'an empty outbox',
        async () => Number((await pool.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL')).rows[0].n) === 0,
        180_000,
      );
      // SIGTERM drains and exits cleanly.
      child.kill('SIGTERM');
      expect(await exited(child)).to.equal(0);

      const rows = await pool.query<{ tx_id: string; n: number; valid: number }>(
        "SELECT tx_id, count(*)::int AS n, count(*) FILTER (WHERE validation_code = 'VALID' AND projected)::int AS valid FROM transactions WHERE tx_id = ANY($1) GROUP BY tx_id",
        [committed],
      );
      expect(rows.rowCount).to.equal(committed.length);
      for (const r of rows.rows) expect(r, r.tx_id).to.include({ n: 1, valid: 1 });
      const dupMoves = await pool.query('SELECT movement_id FROM stock_movements GROUP BY movement_id HAVING count(*) > 1');
      expect(dupMoves.rowCount).to.equal(0);

      const outbox = (await pool.query<{ event_id: string }>('SELECT event_id FROM outbox')).rows.map((r) => r.event_id);
      const consumer = await startConsumer(broker.brokers, prefix);
      try {
        await consumer.waitForIds(outbox);
        await consumer.settle();
        const txIds = new Set(consumer.received.filter((m) => m.topic === `${prefix}.transactions`).map((m) => m.ceId));
        for (const id of committed) expect(txIds.has(id), id).to.equal(true);
        console.log(
          `      (${committed.length} transactions committed during ${KILLS} kills; ${outbox.length} outbox rows; ${consumer.received.length} Kafka messages)`,
        );
        expect(duplicates(consumer.received)).to.deep.equal([]);
        expect(consumer.received.length).to.equal(outbox.length);
      } finally {
        await consumer.stop();
      }
      const report = await runVerify({ ...testConfig({ databaseUrl: pg.connectionString }), schema }, {});
      expect(report.differences).to.deep.equal([]);
    } finally {
      await pool.end();
    }
  });
});
