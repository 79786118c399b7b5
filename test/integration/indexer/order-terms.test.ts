import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { loadLedgerConfig } from '../../../lib/fabric/src';
import { dropSchema } from '../../../indexer/src/db/migrate';
import { createPool } from '../../../indexer/src/db/pool';
import { createIndexer, type Indexer } from '../../../indexer/src/main';
import { createEndorsementResolver } from '../../../gateway/src/submission/endorsement';
import { transientBuffers, withPrivateTerms } from '../../../gateway/src/submission/private-terms';
import { devnetLedgerEnv } from '../../../network/src/connection-files';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { sharedDevnet } from '../../fixtures/test-devnet';
import { AUDITOR, RETAILER, SUPPLIER, closeAll, connectAll, eventId, uniqueGtin, type Orgs } from '../chaincode/ledger-fixtures';
import { testConfig, testLog, testPostgres, waitFor, waitForBlock } from './harness';

const PAYEE = '0x5e11e7000000000000000000000000000000cafe';
const PAYER = '0x5e11e7000000000000000000000000000000f00d';
const TX_HASH = `0x${randomUUID().replace(/-/g, '')}${randomUUID().replace(/-/g, '')}`;

/**
 * Two indexers over the shared devnet: the buyer's (RetailerMSP), a party to
 * the order, and the auditor's, which is not. Each projects what its own peer
 * holds: the buyer's fills the order's and the payment's amounts from its
 * implicit collection; the auditor's keeps the order, its terms hash and the
 * payment without any amount.
 */
describe('indexer: an order’s amounts only in the read model of a party, from its own peer', function () {
  this.timeout(240_000);
  let pg: PostgresServer;
  let orgs: Orgs;
  const indexers: { indexer: Indexer; schema: string }[] = [];
  let buyerPool: Pool;
  let auditorPool: Pool;
  const poId = `PO-IDX-${randomUUID().slice(0, 8)}`;
  let gtin = '';
  let lastBlock = 0n;

  async function startIndexer(msp: string): Promise<Pool> {
    const cfg = testConfig({ databaseUrl: pg.connectionString, ledger: loadLedgerConfig(devnetLedgerEnv(sharedDevnet(), msp)) });
    const indexer = createIndexer(cfg, { log: testLog(), http: false });
    indexers.push({ indexer, schema: cfg.schema });
    await indexer.start();
    return indexer.pool;
  }

  before(async () => {
    pg = testPostgres();
    await pg.start();
    orgs = await connectAll();
    gtin = uniqueGtin(RETAILER);
    await orgs[RETAILER].submit({
      contract: 'traceability',
      fn: 'RegisterProduct',
      args: [JSON.stringify({ eventId: eventId(), gtin, description: 'Green coffee', unit: 'KGM' })],
    });
    // The order as the buyer's gateway submits it: terms in transient data, both parties' peers endorsing.
    const cmd = withPrivateTerms(
      {
        fn: 'CreatePurchaseOrder',
        eventId: eventId('po'),
        actor: 'buyer-1',
        body: {
          poId,
          supplierMsp: SUPPLIER,
          lines: [{ gtin, quantity: '3' }],
          paymentTerms: { chainId: 31337, asset: 'native', decimals: 6, amount: '812.5', payee: PAYEE },
        },
      },
      { retentionSeconds: 3600 },
    );
    await orgs[RETAILER].submit({
      contract: 'traceability',
      fn: cmd.fn,
      args: [JSON.stringify({ ...cmd.body, eventId: cmd.eventId, actor: cmd.actor })],
      transient: transientBuffers(cmd),
      endorsingOrgs: await createEndorsementResolver({ ledger: orgs[RETAILER] }).resolve(cmd.endorsement),
    });
    // A payment as the payee's gateway records it: the terms as its own peer holds them, the transfer, in transient data.
    const { terms } = await waitFor('the supplier’s peer to hold the terms', async () => {
      const a = JSON.parse((await orgs[SUPPLIER].evaluate({ contract: 'traceability', fn: 'GetPurchaseOrder', args: [poId] })).toString());
      return a.terms ? a : undefined;
    });
    const paid = await orgs[SUPPLIER].submit({
      contract: 'traceability',
      fn: 'RecordPayment',
      args: [JSON.stringify({ eventId: eventId('pay'), actor: 'payments', poId, chainId: 31337, txHash: TX_HASH, blockNumber: 7 })],
      transient: {
        terms: Buffer.from(JSON.stringify(terms)),
        payment: Buffer.from(JSON.stringify({ asset: 'native', from: PAYER, to: PAYEE, amountBaseUnits: '500000000' })),
      },
      endorsingOrgs: await createEndorsementResolver({ ledger: orgs[SUPPLIER] }).resolve({ kind: 'orgs', orgs: [SUPPLIER, RETAILER] }),
    });
    lastBlock = paid.blockNumber;
    buyerPool = await startIndexer(RETAILER);
    auditorPool = await startIndexer(AUDITOR);
  });

  after(async () => {
    for (const { indexer } of indexers) await indexer.stop().catch(() => undefined);
    closeAll(orgs);
    if (pg) {
      const admin = createPool({ connectionString: pg.connectionString, schema: 'public' });
      for (const { schema } of indexers) await dropSchema(admin, schema).catch(() => undefined);
      await admin.end();
      await pg.stop();
    }
  });

  const order = async (pool: Pool) =>
    (
      await pool.query(
        `SELECT chain_id::text, asset, amount_base_units::text, paid_base_units::text, payment_count, terms_hash, status FROM purchase_orders WHERE po_id = $1`,
        [poId],
      )
    ).rows[0];
  const payment = async (pool: Pool) => (await pool.query(`SELECT asset, payer, payee, amount_base_units::text FROM payments WHERE po_id = $1`, [poId])).rows;

  it('the buyer’s indexer fills the amounts of its own order and payment from its own peer', async () => {
    const row = await waitFor('the buyer’s indexer to read the terms', async () => {
      const r = await order(buyerPool);
      return r?.amount_base_units && r.payment_count === 1 && r.paid_base_units === '500000000' ? r : undefined;
    });
    expect(row).to.include({ chain_id: '31337', asset: 'native', amount_base_units: '812500000', paid_base_units: '500000000', status: 'partial' });
    expect(row.terms_hash).to.match(/^[0-9a-f]{64}$/);
    const payments = await waitFor('the payment’s amount', async () => {
      const p = await payment(buyerPool);
      return p[0]?.amount_base_units ? p : undefined;
    });
    expect(payments).to.deep.equal([{ asset: 'native', payer: PAYER, payee: PAYEE, amount_base_units: '500000000' }]);
  });

  it('the auditor’s indexer, no party, keeps the order and its terms hash, never an amount', async () => {
    await waitForBlock(auditorPool, lastBlock);
    const row = await order(auditorPool);
    expect(row.payment_count).to.equal(1);
    expect(row.status).to.equal('partial');
    expect(row.terms_hash).to.equal((await order(buyerPool)).terms_hash);
    expect(row).to.include({ chain_id: null, asset: null, amount_base_units: null, paid_base_units: null });
    expect(await payment(auditorPool)).to.deep.equal([{ asset: null, payer: null, payee: null, amount_base_units: null }]);
    // Nothing of the terms anywhere in the auditor's read model of the order.
    const all = (await auditorPool.query(`SELECT row_to_json(o)::text AS t FROM purchase_orders o WHERE po_id = $1`, [poId])).rows[0].t as string;
    expect(all).to.not.include('812500000').and.not.include(PAYEE.slice(2));
  });
});
