/**
 * An indexer over the shared devnet with its own PostgreSQL schema, plus a
 * ledger client per organisation: what tests of the read model start first
 * and stop (dropping the schema) last.
 */
import type { Pool } from 'pg';
import { dropSchema } from '../../../indexer/src/db/migrate';
import { createPool } from '../../../indexer/src/db/pool';
import type { IndexerConfig } from '../../../indexer/src/config';
import { createIndexer, type Indexer } from '../../../indexer/src/main';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { closeAll, connectAll, type Orgs } from '../chaincode/ledger-fixtures';
import { testConfig, testLog, testPostgres } from './harness';

export interface IndexedLedger {
  pg: PostgresServer;
  orgs: Orgs;
  indexer: Indexer;
  pool: Pool;
  cfg: ReturnType<typeof testConfig>;
  stop(): Promise<void>;
}

/** `over`: settings of the indexer that differ from testConfig's (e.g. the webhook allow-list). */
export async function startIndexedLedger(over: Partial<IndexerConfig> = {}): Promise<IndexedLedger> {
  const pg = testPostgres();
  await pg.start();
  const orgs = await connectAll();
  const cfg = testConfig({ ...over, databaseUrl: pg.connectionString });
  const indexer = createIndexer(cfg, { log: testLog() });
  await indexer.start();
  return {
    pg,
    orgs,
    indexer,
    pool: indexer.pool,
    cfg,
    async stop() {
      await indexer.stop();
      closeAll(orgs);
      const admin = createPool({ connectionString: pg.connectionString, schema: 'public' });
      await dropSchema(admin, cfg.schema).catch(() => undefined);
      await admin.end();
      await pg.stop();
    },
  };
}
