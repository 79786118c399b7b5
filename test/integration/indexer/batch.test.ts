/**
 * Catch-up batching: blocks stored several per PostgreSQL transaction give the
 * same tables as one transaction per block, and a bad block inside a batch
 * still stops indexing on exactly that block, with every block before it kept.
 */
import { expect } from 'chai';
import type { LedgerClient } from '../../../lib/fabric/src';
import { connectDevnet } from '../../../network/src/connect-devnet';
import { dropSchema, migrate } from '../../../indexer/src/db/migrate';
import { createPool } from '../../../indexer/src/db/pool';
import { compareSchemas } from '../../../indexer/src/ops/compare-schemas';
import { createBlockProjector, readTip, type BlockProjectorDeps, type PreparedBatch } from '../../../indexer/src/projection/project-block';
import { createBlockSource } from '../../../indexer/src/source/block-source';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { sharedDevnet } from '../../fixtures/test-devnet';
import { AUDITOR, closeAll, connectAll, type Orgs } from '../chaincode/ledger-fixtures';
import { setUpChain, runChain, testLog, testPostgres, unique, ledgerTip } from './harness';

/** Replays blocks 0..last into a fresh schema through the block source; returns the schema. */
async function replay(
  url: string,
  connect: () => Promise<LedgerClient>,
  last: bigint,
  batchBlocks: number,
  batchSizes: number[],
  writes: Partial<BlockProjectorDeps> = {},
) {
  const schema = unique('batch');
  const pool = createPool({ connectionString: url, schema });
  await migrate(pool, schema);
  const projector = createBlockProjector({ pool, topicPrefix: 'it', ...writes });
  // Records the size of every multi-block write.
  const counting = { ...projector, write: (p: PreparedBatch) => (p.blocks.length > 1 && batchSizes.push(p.blocks.length), projector.write(p)) };
  const source = createBlockSource({ pool, projector: counting, connect, log: testLog(), pollMs: 200, retryDelayMs: 100, stopAfter: last, batchBlocks });
  source.start();
  let error: any;
  await source.done.catch((e) => (error = e));
  return { schema, pool, error };
}

describe('indexer: catch-up batches', function () {
  this.timeout(300_000);
  let pg: PostgresServer;
  let orgs: Orgs;
  const schemas: string[] = [];

  before(async () => {
    pg = testPostgres();
    await pg.start();
    orgs = await connectAll();
    await runChain(orgs, await setUpChain(orgs));
  });

  after(async () => {
    closeAll(orgs);
    const admin = createPool({ connectionString: pg.connectionString, schema: 'public' });
    for (const s of schemas) await dropSchema(admin, s).catch(() => undefined);
    await admin.end();
    await pg?.stop();
  });

  it('stores the same rows in batches as block by block, reading ahead', async () => {
    const last = (await ledgerTip(orgs)) - 1n;
    const connect = () => connectDevnet(sharedDevnet(), AUDITOR);
    const sizes1: number[] = [];
    const sizesN: number[] = [];
    const one = await replay(
      pg.connectionString,
      async () => {
        const c = await connect();
        return { ...c, blocks: (o) => c.blocks({ ...o, readAhead: 1 }) };
      },
      last,
      1,
      sizes1,
    );
    const many = await replay(pg.connectionString, connect, last, 7, sizesN);
    // The large-batch forms on a small ledger: COPY, staging tables and the rebuild's second connection.
    const bulk = await replay(pg.connectionString, connect, last, 7, [], { bulk: true, literalRows: 0, stageFrom: 1 });
    schemas.push(one.schema, many.schema, bulk.schema);
    expect(bulk.error).to.equal(undefined);
    expect(one.error).to.equal(undefined);
    expect(many.error).to.equal(undefined);
    expect(sizes1).to.deep.equal([]);
    expect(Math.max(...sizesN)).to.equal(7);
    const client = await one.pool.connect();
    try {
      const tables = await compareSchemas(client, one.schema, many.schema);
      expect(tables.filter((t) => !t.equal).map((t) => t.table)).to.deep.equal([]);
      const bulkTables = await compareSchemas(client, one.schema, bulk.schema);
      expect(bulkTables.filter((t) => !t.equal).map((t) => t.table)).to.deep.equal([]);
      expect((await readTip(client))?.blockNumber).to.equal(last);
    } finally {
      client.release();
    }
    await one.pool.end();
    await many.pool.end();
    await bulk.pool.end();
  });

  it('stops on exactly the bad block of a batch and keeps the blocks before it', async () => {
    const real = await connectDevnet(sharedDevnet(), AUDITOR);
    const last = (await real.height()) - 1n;
    const bad = last > 10n ? 5n : last - 1n;
    // A peer that serves a block whose previous hash was changed.
    const tampered: LedgerClient = {
      ...real,
      async *blocks(o) {
        for await (const b of real.blocks(o)) yield b.number === bad ? { ...b, previousHash: Buffer.alloc(32, 0xab) } : b;
      },
    };
    const r = await replay(pg.connectionString, async () => tampered, last, 50, []);
    schemas.push(r.schema);
    real.close();
    expect(r.error?.code).to.equal('BLOCK_VERIFICATION_FAILED');
    expect(r.error.message).to.match(new RegExp(`block ${bad} failed verification: previous hash`));
    expect((await readTip(r.pool))?.blockNumber).to.equal(bad - 1n);
    await r.pool.end();
  });
});
