import { expect } from 'chai';
import { randomBytes, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { LedgerClient } from '../../../lib/fabric/src';
import { connectDevnet } from '../../../network/src/connect-devnet';
import { createChainRegistry, type ChainRegistry } from '../../../gateway/src/payments/chain-registry';
import { createPgClaimStore, type ClaimStore } from '../../../gateway/src/payments/claim-store';
import { createPaymentsService, type PaymentsService } from '../../../gateway/src/payments/payments-service';
import { createPaymentVerifier } from '../../../gateway/src/payments/verifier';
import { LOCAL_CHAIN_ID } from '../../../network/src/services/anvil';
import { createPostgres, type PostgresServer } from '../../../network/src/services/postgres';
import { startTestChain, type TestChain } from '../../fixtures/evm-chain';
import { SHARED_PORT_BASE, sharedDevnet, testDevnetConfig } from '../../fixtures/test-devnet';
import { uniqueGtin } from '../chaincode/ledger-fixtures';
import { waitFor } from '../../fixtures/wait-for';

const USD = (n: number) => BigInt(n) * 1_000_000n;
const PG_PORT_BASE = Number(process.env.PAYMENTS_TEST_PG_PORT_BASE ?? SHARED_PORT_BASE + 3000);

describe('payments service: claims verified on anvil and recorded on the ledger', function () {
  this.timeout(120_000);
  let chain: TestChain;
  let pg: PostgresServer;
  let store: ClaimStore;
  let registry: ChainRegistry;
  let retailer: LedgerClient;
  let supplier: LedgerClient;
  const gtin = uniqueGtin('RetailerMSP');

  // Claims are taken by the payee's gateway (the supplier's): only it records payments of its orders.
  const newService = (o: { expiryMs?: number; ledger?: LedgerClient } = {}): PaymentsService =>
    createPaymentsService({ ledger: supplier, verifier: createPaymentVerifier({ registry }), store, recheckMs: 100, pollMs: 100, ...o });

  async function createOrder(amount: string): Promise<string> {
    const poId = `PO-${randomUUID().slice(0, 8)}`;
    // The terms travel as transient data into both parties' implicit collections, endorsed by both.
    const terms = {
      paymentTerms: { chainId: LOCAL_CHAIN_ID, asset: chain.usdAddress, decimals: 6, amount, payee: chain.payee },
      salt: randomBytes(16).toString('hex'),
    };
    await retailer.submit({
      contract: 'traceability',
      fn: 'CreatePurchaseOrder',
      args: [JSON.stringify({ eventId: `po-${poId}`, poId, supplierMsp: 'SupplierMSP', lines: [{ gtin, quantity: '10' }] })],
      transient: { terms: Buffer.from(JSON.stringify(terms)) },
      endorsingOrgs: ['RetailerMSP', 'SupplierMSP'],
    });
    return poId;
  }

  /** The order as the buyer's own peer answers it: status on the channel, the amount paid from the parties' private account. */
  async function ledgerOrder(poId: string): Promise<{ status: string; paidBaseUnits: string }> {
    const out = JSON.parse((await retailer.evaluate({ contract: 'traceability', fn: 'GetPurchaseOrder', args: [poId] })).toString());
    return { status: out.order.status, paidBaseUnits: out.account?.paidBaseUnits ?? '0' };
  }

  async function pay(amount: bigint): Promise<string> {
    const tx = await chain.usd.transfer(chain.payee, amount);
    await tx.wait();
    return tx.hash as string;
  }

  before(async () => {
    chain = await startTestChain(testDevnetConfig(SHARED_PORT_BASE));
    const pgCfg = testDevnetConfig(PG_PORT_BASE);
    pg = createPostgres({ cfg: { ...pgCfg, runDir: path.join(pgCfg.root, 'network', 'run', `payments-pg-${PG_PORT_BASE}`) }, database: 'payments_test' });
    await pg.stop();
    await pg.start();
    store = createPgClaimStore({ connectionString: pg.connectionString });
    await store.migrate();
    registry = createChainRegistry([
      {
        chainId: LOCAL_CHAIN_ID,
        name: 'local',
        rpcUrl: chain.anvil.rpcUrl,
        finality: { kind: 'confirmations', blocks: 3 },
        tokens: [{ address: chain.usdAddress, symbol: 'TUSD', decimals: 6 }],
      },
    ]);
    retailer = await connectDevnet(sharedDevnet(), 'RetailerMSP');
    supplier = await connectDevnet(sharedDevnet(), 'SupplierMSP');
    await retailer.submit({
      contract: 'traceability',
      fn: 'RegisterProduct',
      args: [JSON.stringify({ eventId: `p-${gtin}`, gtin, description: 'Green coffee', unit: 'KGM' })],
    });
  });

  after(async () => {
    retailer?.close();
    supplier?.close();
    registry?.close();
    await store?.close();
    await pg?.stop();
    await chain?.stop();
  });

  it('keeps a claim pending until final, then records it on the ledger and the order reads paid', async () => {
    const service = newService();
    const poId = await createOrder('100');
    const txHash = await pay(USD(100));
    const first = await service.claim({ poId, chainId: LOCAL_CHAIN_ID, txHash, actor: 'finance-1' });
    expect(first.status).to.equal('pending');
    expect((await ledgerOrder(poId)).status).to.equal('open');
    await chain.mine(3);
    await new Promise((r) => setTimeout(r, 150)); // the claim's next check is due 100 ms after the last
    expect(await service.checkDue()).to.be.at.least(1);
    const done = (await service.get(first.id))!;
    expect(done.status).to.equal('paid');
    expect(done.ledgerTxIds).to.have.length(1);
    expect(await ledgerOrder(poId)).to.include({ status: 'paid', paidBaseUnits: USD(100).toString() });
  });

  it('follows partial payments to paid', async () => {
    const service = newService();
    const poId = await createOrder('100');
    const a = await pay(USD(60));
    await chain.mine(3);
    expect((await service.claim({ poId, chainId: LOCAL_CHAIN_ID, txHash: a })).status).to.equal('partial');
    const b = await pay(USD(40));
    await chain.mine(3);
    const second = await service.claim({ poId, chainId: LOCAL_CHAIN_ID, txHash: b });
    expect(second.status).to.equal('paid');
    expect(second.order?.status).to.equal('paid');
  });

  it('lets the ledger refuse the same transfer claimed for a second order', async () => {
    const service = newService();
    const first = await createOrder('25');
    const second = await createOrder('25');
    const txHash = await pay(USD(25));
    await chain.mine(3);
    expect((await service.claim({ poId: first, chainId: LOCAL_CHAIN_ID, txHash })).status).to.equal('paid');
    const again = await service.claim({ poId: second, chainId: LOCAL_CHAIN_ID, txHash });
    expect(again.status).to.equal('rejected');
    expect(again.reason).to.match(/already records/);
    expect((await ledgerOrder(second)).status).to.equal('open');
  });

  it('finishes a pending claim after a restart, from the claims table', async () => {
    const poId = await createOrder('10');
    const txHash = await pay(USD(10));
    const before = newService();
    const claim = await before.claim({ poId, chainId: LOCAL_CHAIN_ID, txHash });
    expect(claim.status).to.equal('pending');
    await before.stop();
    await chain.mine(3);
    const after = newService();
    after.start();
    try {
      const now = await waitFor(
        'the claim to leave pending',
        async () => {
          const c = await after.get(claim.id);
          return c && c.status !== 'pending' ? c : undefined;
        },
        20_000,
        100,
      );
      expect(now.status).to.equal('paid');
    } finally {
      await after.stop();
    }
  });

  it('keeps an unknown transaction hash pending, then expires it', async () => {
    const service = newService({ expiryMs: 1000 });
    const poId = await createOrder('5');
    const claim = await service.claim({ poId, chainId: LOCAL_CHAIN_ID, txHash: `0x${randomBytes(32).toString('hex')}` });
    expect(claim.status).to.equal('pending');
    await new Promise((r) => setTimeout(r, 1100));
    await service.checkDue();
    const later = (await service.get(claim.id))!;
    expect(later.status).to.equal('expired');
    expect(later.reason).to.match(/not found/);
  });

  it("refuses a claim at the buyer's gateway and stores nothing: the payee verifies and records", async () => {
    const atBuyer = newService({ ledger: retailer });
    const poId = await createOrder('7');
    const txHash = await pay(USD(7));
    await chain.mine(3);
    let err: any;
    await atBuyer.claim({ poId, chainId: LOCAL_CHAIN_ID, txHash }).catch((e) => (err = e));
    expect(err?.httpStatus).to.equal(403);
    expect(err?.message).to.include('SupplierMSP');
    expect(await atBuyer.listForOrder(poId)).to.deep.equal([]);
    expect((await ledgerOrder(poId)).status).to.equal('open');
    expect((await newService().claim({ poId, chainId: LOCAL_CHAIN_ID, txHash })).status).to.equal('paid');
  });

  it('answers 404 for an unknown order and stores nothing', async () => {
    const service = newService();
    let err: any;
    await service.claim({ poId: 'PO-NOPE', chainId: LOCAL_CHAIN_ID, txHash: `0x${'ab'.repeat(32)}` }).catch((e) => (err = e));
    expect(err?.httpStatus).to.equal(404);
    expect(await service.listForOrder('PO-NOPE')).to.deep.equal([]);
  });

  it("never answers another organisation's claims, though the gateways share one database", async () => {
    const service = newService({ expiryMs: 60_000 });
    const poId = await createOrder('5');
    const claim = await service.claim({ poId, chainId: LOCAL_CHAIN_ID, txHash: `0x${randomBytes(32).toString('hex')}` });
    expect((await service.get(claim.id))?.id).to.equal(claim.id);
    // The buyer's (retailer's) gateway over the same claim store: the payee's claim is not found, by id or by order.
    const buyer = createPaymentsService({
      ledger: { ...supplier, mspId: 'RetailerMSP' },
      verifier: createPaymentVerifier({ registry }),
      store,
      recheckMs: 100,
      pollMs: 100,
    });
    expect(await buyer.get(claim.id)).to.equal(undefined);
    expect(await buyer.listForOrder(poId)).to.deep.equal([]);
  });
});
