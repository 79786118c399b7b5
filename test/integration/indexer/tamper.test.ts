import { expect } from 'chai';
import { createIndexer } from '../../../indexer/src/main';
import { createPool } from '../../../indexer/src/db/pool';
import { dropSchema } from '../../../indexer/src/db/migrate';
import { verifyStoredChain } from '../../../indexer/src/ops/verify';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { SUPPLIER, closeAll, connectAll, eventId, submitJson, uniqueGln, type Orgs } from '../chaincode/ledger-fixtures';
import { testConfig, testLog, testPostgres, waitForBlock, ledgerTip } from './harness';

describe('indexer: a tampered stored block stops indexing', function () {
  this.timeout(300_000);
  let pg: PostgresServer;
  let orgs: Orgs;
  let cfg: ReturnType<typeof testConfig>;

  before(async () => {
    pg = testPostgres();
    await pg.start();
    orgs = await connectAll();
    cfg = testConfig({ databaseUrl: pg.connectionString });
  });

  after(async () => {
    closeAll(orgs);
    const admin = createPool({ connectionString: pg.connectionString, schema: 'public' });
    await dropSchema(admin, cfg.schema).catch(() => undefined);
    await admin.end();
    await pg?.stop();
  });

  it('detects a changed header hash, refuses the next block loudly and keeps its checkpoint', async () => {
    const first = createIndexer(cfg, { log: testLog(), http: false });
    await first.start();
    await submitJson(orgs[SUPPLIER], 'RegisterLocation', {
      eventId: eventId(),
      gln: uniqueGln(SUPPLIER),
      type: 'roastery',
      name: 'r',
      address: { country: 'DE' },
    });
    const height = await ledgerTip(orgs);
    await waitForBlock(first.pool, height - 1n);
    await first.stop();

    const pool = createPool({ connectionString: pg.connectionString, schema: cfg.schema });
    try {
      const cp = (await pool.query('SELECT block_number FROM checkpoint')).rows[0].block_number;
      expect((await verifyStoredChain(pool)).differences).to.deep.equal([]);
      // Someone rewrites the stored tip's header hash (e.g. to hide a substituted block).
      await pool.query("UPDATE blocks SET header_hash = decode(repeat('ab', 32), 'hex') WHERE block_number = $1", [cp]);
      const stored = await verifyStoredChain(pool);
      expect(stored.differences.join('\n')).to.match(new RegExp(`block ${cp}: stored header hash does not match`));

      const second = createIndexer(cfg, { log: testLog(), http: false });
      await second.start();
      await submitJson(orgs[SUPPLIER], 'RegisterLocation', {
        eventId: eventId(),
        gln: uniqueGln(SUPPLIER),
        type: 'roastery',
        name: 'r2',
        address: { country: 'DE' },
      });
      let failure: any;
      await second.done.catch((e) => (failure = e));
      await second.stop();
      expect(failure?.code).to.equal('BLOCK_VERIFICATION_FAILED');
      expect(failure.message).to.match(/previous hash .* differs from the stored header hash/);
      expect((await pool.query('SELECT block_number FROM checkpoint')).rows[0].block_number).to.equal(cp);
    } finally {
      await pool.end();
    }
  });
});
