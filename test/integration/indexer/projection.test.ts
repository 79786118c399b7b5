import { expect } from 'chai';
import type { Pool } from 'pg';
import { createIndexer, type Indexer } from '../../../indexer/src/main';
import { createPool } from '../../../indexer/src/db/pool';
import { dropSchema } from '../../../indexer/src/db/migrate';
import { runVerify } from '../../../indexer/src/ops/verify';
import { runRebuild } from '../../../indexer/src/ops/rebuild';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { AUDITOR, RETAILER, SUPPLIER, closeAll, connectAll, eventId, queryJson, rejection, submitJson, type Orgs } from '../chaincode/ledger-fixtures';
import { queryApi, runChain, setUpChain, testConfig, testLog, testPostgres, waitForBlock, type Chain, ledgerTip } from './harness';

describe('indexer: projection of committed blocks into PostgreSQL', function () {
  this.timeout(300_000);
  let pg: PostgresServer;
  let orgs: Orgs;
  let indexer: Indexer;
  let pool: Pool;
  let chain: Chain;
  const config = () => testConfig({ databaseUrl: pg.connectionString });
  let cfg: ReturnType<typeof config>;

  before(async () => {
    pg = testPostgres();
    await pg.start();
    orgs = await connectAll();
    cfg = config();
    indexer = createIndexer(cfg, { log: testLog() });
    await indexer.start();
    pool = indexer.pool;
    chain = await setUpChain(orgs);
    await runChain(orgs, chain);
    await waitForBlock(pool, chain.lastBlock);
  });

  after(async () => {
    await indexer?.stop();
    closeAll(orgs);
    const admin = createPool({ connectionString: pg.connectionString, schema: 'public' });
    await dropSchema(admin, cfg.schema).catch(() => undefined);
    await admin.end();
    await pg?.stop();
  });

  it('stores every block from 0 and every transaction with its validation code, in one chain', async () => {
    const blocks = await pool.query('SELECT block_number FROM blocks ORDER BY block_number');
    expect(blocks.rows[0].block_number).to.equal('0');
    expect(blocks.rows.map((r) => BigInt(r.block_number))).to.deep.equal(blocks.rows.map((_, i) => BigInt(i)));
    const txs = await pool.query('SELECT tx_id, validation_code, projected, block_number FROM transactions WHERE tx_id = ANY($1)', [chain.txIds]);
    expect(txs.rowCount).to.equal(chain.txIds.length);
    for (const t of txs.rows) expect(t).to.include({ validation_code: 'VALID', projected: true });
  });

  it('projects stock, lots with lineage, the shipment with its custody chain, each row with tx_id and block_number', async () => {
    const stock = await pool.query('SELECT gln, quantity, tx_id, block_number FROM stock_levels WHERE gtin = $1 AND lot_code = $2 ORDER BY quantity', [
      chain.gtin.roasted,
      chain.roastLot,
    ]);
    const byGln = Object.fromEntries(stock.rows.map((r) => [r.gln, r.quantity]));
    expect(byGln).to.deep.include({ [chain.gln.dc]: '380.000', [chain.gln.store]: '120.000' });
    for (const r of stock.rows) expect(chain.txIds).to.include(r.tx_id);
    const lineage = await pool.query('SELECT * FROM lot_lineage WHERE child_gtin = $1 AND child_lot_code = $2', [chain.gtin.roasted, chain.roastLot]);
    expect(lineage.rows).to.have.length(1);
    expect(lineage.rows[0]).to.include({ parent_gtin: chain.gtin.green, parent_lot_code: chain.greenLot });
    const custody = await pool.query('SELECT status, possessor FROM custody_events WHERE shipment_id = $1 ORDER BY block_number, tx_index', [chain.shipmentId]);
    expect(custody.rows.map((r) => r.status)).to.deep.equal(['created', 'dispatched', 'received']);
    const moves = await pool.query('SELECT count(*)::int AS n, count(DISTINCT tx_id)::int AS t FROM stock_movements WHERE lot_code IN ($1, $2)', [
      chain.greenLot,
      chain.roastLot,
    ]);
    expect(moves.rows[0].n).to.be.greaterThan(6);
    const parts = await pool.query("SELECT count(*)::int AS n FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhparent WHERE c.relname = 'stock_movements'");
    expect(parts.rows[0].n).to.be.at.least(1);
  });

  it('records an invalid transaction (ENDORSEMENT_POLICY_FAILURE) with its code and projects nothing of it', async () => {
    const s = orgs[SUPPLIER];
    const lot = `X-${chain.roastLot}`;
    await submitJson(s, 'CommissionLot', { eventId: eventId(), gln: chain.gln.roastery, gtin: chain.gtin.roasted, lotCode: lot, quantity: '10' });
    const sid = `${chain.shipmentId}-X`;
    await submitJson(
      s,
      'CreateShipment',
      {
        eventId: eventId(),
        shipmentId: sid,
        fromGln: chain.gln.roastery,
        toGln: chain.gln.dc,
        lines: [{ gtin: chain.gtin.roasted, lotCode: lot, quantity: '10' }],
      },
      [SUPPLIER, RETAILER],
    );
    // Supplier + auditor satisfy MAJORITY but not the shipment key's policy (both parties): invalidated at commit.
    const err = await rejection(submitJson(s, 'DispatchShipment', { eventId: eventId(), shipmentId: sid }, [SUPPLIER, AUDITOR]));
    expect(err.code).to.equal('ENDORSEMENT_POLICY_FAILURE');
    const txId = err.details?.txId ?? /transaction (\w+)/.exec(err.message)?.[1];
    expect(txId).to.be.a('string');
    const height = await ledgerTip(orgs);
    await waitForBlock(pool, height - 1n);
    const tx = await pool.query('SELECT validation_code, projected FROM transactions WHERE tx_id = $1', [txId]);
    expect(tx.rows).to.deep.equal([{ validation_code: 'ENDORSEMENT_POLICY_FAILURE', projected: false }]);
    for (const table of ['stock_movements', 'custody_events', 'trace_events', 'transit_levels']) {
      const n = await pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE tx_id = $1`, [txId]);
      expect(n.rows[0].n, table).to.equal(0);
    }
    expect((await pool.query('SELECT status FROM shipments WHERE shipment_id = $1', [sid])).rows[0].status).to.equal('created');
    const out = await pool.query('SELECT topic, ce_type FROM outbox WHERE tx_id = $1', [txId]);
    expect(out.rows).to.deep.equal([{ topic: `${cfg.topicPrefix}.transactions`, ce_type: 'supplychain.transaction.invalidated.v1' }]);
  });

  it('records MVCC conflicts of concurrent transfers from the same position as invalid, never projected', async () => {
    const r = orgs[RETAILER];
    const line = [{ gtin: chain.gtin.roasted, lotCode: chain.roastLot, quantity: '1' }];
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => submitJson(r, 'TransferStock', { eventId: eventId(), fromGln: chain.gln.dc, toGln: chain.gln.store, lines: line })),
    );
    const height = await ledgerTip(orgs);
    await waitForBlock(pool, height - 1n);
    const failed = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected').map((x) => x.reason);
    const ok = results.filter((x) => x.status === 'fulfilled').length;
    for (const e of failed) {
      expect(e.code).to.equal('MVCC_READ_CONFLICT');
      const row = await pool.query('SELECT validation_code, projected FROM transactions WHERE tx_id = $1', [e.details.txId]);
      expect(row.rows).to.deep.equal([{ validation_code: 'MVCC_READ_CONFLICT', projected: false }]);
      expect((await pool.query('SELECT count(*)::int AS n FROM stock_movements WHERE tx_id = $1', [e.details.txId])).rows[0].n).to.equal(0);
    }
    console.log(`      (${ok} transfers valid, ${failed.length} MVCC_READ_CONFLICT)`);
    const dc = await pool.query('SELECT quantity FROM stock_levels WHERE gln = $1 AND gtin = $2 AND lot_code = $3', [
      chain.gln.dc,
      chain.gtin.roasted,
      chain.roastLot,
    ]);
    expect(dc.rows[0].quantity).to.equal(`${380 - ok}.000`);
  });

  it('answers the query API: inventory, low stock, pending orders, lot, shipment, movements, traces', async () => {
    const api = await queryApi(indexer);
    const inv = await api.get(`/inventory?gln=${chain.gln.store}`).expect(200);
    expect(inv.body.items.map((i: any) => i.lot_code)).to.include(chain.roastLot);
    await api
      .get('/inventory?gln=nope')
      .expect(400)
      .expect('content-type', /problem\+json/);
    await api.put(`/reorder-points/${chain.gln.store}/${chain.gtin.roasted}`).send({ reorderPoint: '1000' }).expect(200);
    const low = await api.get('/inventory/low-stock').expect(200);
    expect(low.body.items.find((i: any) => i.gln === chain.gln.store)).to.include({ gtin: chain.gtin.roasted, reorder_point: '1000.000' });
    const pending = await api.get('/orders/pending').expect(200);
    expect(pending.body.items.map((i: any) => i.id)).to.include(`${chain.shipmentId}-X`);
    const lot = await api.get(`/lots/${chain.gtin.roasted}/${chain.roastLot}`).expect(200);
    expect(lot.body.parents[0]).to.include({ gtin: chain.gtin.green, lot_code: chain.greenLot });
    await api.get(`/lots/${chain.gtin.roasted}/NOPE`).expect(404);
    const sh = await api.get(`/shipments/${chain.shipmentId}`).expect(200);
    expect(sh.body.custodyChain.map((e: any) => e.status)).to.deep.equal(['created', 'dispatched', 'received']);
    for (const e of sh.body.custodyChain) expect(e.tx_id).to.be.a('string') && expect(e.block_number).to.match(/^\d+$/);
    const pages: any[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api
        .get(`/movements?gtin=${chain.gtin.roasted}&lotCode=${chain.roastLot}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .expect(200);
      pages.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    const all = await pool.query('SELECT count(*)::int AS n FROM stock_movements WHERE gtin = $1 AND lot_code = $2', [chain.gtin.roasted, chain.roastLot]);
    expect(pages).to.have.length(all.rows[0].n);
    expect(new Set(pages.map((m) => m.movement_id)).size).to.equal(pages.length);
    const up = await api.get(`/lots/${chain.gtin.roasted}/${chain.roastLot}/trace/upstream`).expect(200);
    expect(up.body.origins).to.have.length(1);
    expect(up.body.origins[0]).to.include({ gtin: chain.gtin.green, lot_code: chain.greenLot });
    expect(up.body.origins[0].tx_id).to.be.a('string');
    const down = await api.get(`/lots/${chain.gtin.green}/${chain.greenLot}/trace/downstream`).expect(200);
    const holders = down.body.holdings.filter((h: any) => h.lot_code === chain.roastLot).map((h: any) => h.gln);
    expect(holders).to.include.members([chain.gln.dc, chain.gln.store]);
    for (const h of down.body.holdings) expect(h.block_number).to.match(/^\d+$/);
    const health = await api.get('/health').expect(200);
    expect(health.body.status).to.equal('ok');
    const metrics = await api.get('/metrics').expect(200);
    expect(metrics.text)
      .to.match(/indexer_checkpoint_block \d+/)
      .and.match(/indexer_blocks_total \d+/);
  });

  it('verify finds no difference between PostgreSQL and world state', async () => {
    const lines: string[] = [];
    const report = await runVerify(cfg, { out: (l) => lines.push(l) });
    expect(report.differences, lines.join('\n')).to.deep.equal([]);
    expect(report.lotsChecked).to.be.at.least(2);
    // The store's stock matches what the chaincode reports.
    const ws = await queryJson(orgs[AUDITOR], 'GetStock', chain.gln.store);
    expect(ws.total).to.match(/^12\d\.000$/);
  });

  it('rebuild from block 0 into a fresh schema equals the live schema', async () => {
    const lines: string[] = [];
    const result = await runRebuild(cfg, { out: (l) => lines.push(l) });
    console.log(lines.map((l) => `      ${l}`).join('\n'));
    expect(result.equal, lines.join('\n')).to.equal(true);
    const admin = createPool({ connectionString: pg.connectionString, schema: 'public' });
    // The indexes dropped for the bulk load are all back, as the migrations define them.
    const indexes = async (schema: string) =>
      (
        await admin.query<{ def: string }>("SELECT replace(indexdef, schemaname || '.', '') AS def FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname", [
          schema,
        ])
      ).rows.map((r) => r.def);
    const live = await indexes(cfg.schema);
    expect(live.length).to.be.greaterThan(20);
    expect(await indexes(result.targetSchema)).to.deep.equal(live);
    await dropSchema(admin, result.targetSchema);
    await admin.end();
  });
});
