import { expect } from 'chai';
import { createHash, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { LedgerClient } from '../../../lib/fabric/src';
import { canonicalJson } from '../../../chaincode/src/traceability/canonical-json';
import { createTermsPurger } from '../../../gateway/src/payments/terms-purger';
import { createEndorsementResolver } from '../../../gateway/src/submission/endorsement';
import { transientBuffers, withPrivateTerms } from '../../../gateway/src/submission/private-terms';
import { connectDevnet } from '../../../network/src/connect-devnet';
import { loadDevnetConfig } from '../../../network/src/config';
import { devnetDown } from '../../../network/src/devnet';
import { readDevnetInfo } from '../../../network/src/devnet-info';
import { DocPage } from '../../fixtures/doc-shell';
import { waitFor } from '../../fixtures/wait-for';
import { uniqueGtin } from '../chaincode/ledger-fixtures';

/**
 * Its own small devnet (PRIVATE_TERMS_TEST_PORT_BASE, default 26000): the
 * retailer, two suppliers, a carrier and the auditor, so the member that is not
 * a party to the order is a trading partner of the buyer, a second supplier.
 * It is brought up by the command of docs/consortium-operations.md
 * ("Topology") for two suppliers and a carrier, run as written.
 */
const PORT_BASE = Number(process.env.PRIVATE_TERMS_TEST_PORT_BASE ?? 26000);

function privateTermsDevnetConfig() {
  const root = loadDevnetConfig({ portBase: PORT_BASE }).root;
  return loadDevnetConfig({
    portBase: PORT_BASE,
    runDir: path.join(root, 'network', 'run', `test-private-terms-${PORT_BASE}`),
    peerClientAuth: true,
    topology: { suppliers: 2, carriers: 1, orderers: 1, added: [] },
  });
}

const PAYEE = '0x5e11e7000000000000000000000000000000beef';
const RETENTION_SECONDS = 4;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('purchase order terms in private data: the parties’ peers only, a hash on the channel, purged after retention', function () {
  this.timeout(300_000);
  const cfg = privateTermsDevnetConfig();
  const quiet = () => undefined;
  let retailer: LedgerClient;
  let supplier: LedgerClient;
  let supplier2: LedgerClient;
  let auditor: LedgerClient;
  /** The second supplier's own peer (host:port), asked directly. */
  let supplier2Peer = '';
  const gtin = uniqueGtin('RetailerMSP');
  const poId = `PO-PRIV-${randomUUID().slice(0, 8)}`;
  // An amount no other record of the devnet carries, to look for in the block.
  const amount = '7351.246813';
  let salt = '';
  let txId = '';
  // npm run network -- up --suppliers 2 --carriers 1, in a reader's terminal with this devnet's port base and run folder.
  const page = new DocPage('docs/consortium-operations.md', __filename);
  const readerEnv = { ...process.env, FABRIC_PORT_BASE: String(cfg.portBase), FABRIC_RUN_DIR: cfg.runDir, FABRIC_PEER_CLIENT_AUTH: 'true' };

  const read = async (client: LedgerClient) =>
    JSON.parse((await client.evaluate({ contract: 'traceability', fn: 'GetPurchaseOrder', args: [poId] })).toString());

  /** The order as the second supplier's own peer answers it, to the second supplier's identity. */
  const readOnSupplier2Peer = async () =>
    JSON.parse((await supplier2.evaluate({ contract: 'traceability', fn: 'GetPurchaseOrder', args: [poId], peer: supplier2Peer })).toString());

  before(async () => {
    await devnetDown(cfg, { wipe: true }, quiet);
    await page.next(readerEnv);
    const info = readDevnetInfo(cfg.runDir);
    expect(info.orgs.map((o) => o.mspId).sort()).to.deep.equal(['AuditorMSP', 'CarrierMSP', 'RetailerMSP', 'Supplier2MSP', 'SupplierMSP']);
    retailer = await connectDevnet(info, 'RetailerMSP');
    supplier = await connectDevnet(info, 'SupplierMSP');
    supplier2 = await connectDevnet(info, 'Supplier2MSP');
    auditor = await connectDevnet(info, 'AuditorMSP');
    supplier2Peer = supplier2.peers().find((p) => p.mspId === 'Supplier2MSP')!.name;
    await retailer.submit({
      contract: 'traceability',
      fn: 'RegisterProduct',
      args: [JSON.stringify({ eventId: `p-${gtin}`, gtin, description: 'Green coffee', unit: 'KGM' })],
    });
    // The command as the buyer's gateway prepares it: terms moved to transient data with a salt, the supplier named as endorser.
    const cmd = withPrivateTerms(
      {
        fn: 'CreatePurchaseOrder',
        eventId: `po-${poId}`,
        actor: 'buyer-1',
        body: {
          poId,
          supplierMsp: 'SupplierMSP',
          lines: [{ gtin, quantity: '12' }],
          paymentTerms: { chainId: 31337, asset: 'native', decimals: 6, amount, payee: PAYEE },
        },
      },
      { retentionSeconds: RETENTION_SECONDS },
    );
    expect(cmd.body).to.not.have.property('paymentTerms');
    salt = String(cmd.transient!.terms.salt);
    const endorsingOrgs = await createEndorsementResolver({ ledger: retailer }).resolve(cmd.endorsement);
    // Both parties, and a third organisation for the chaincode's MAJORITY (3 of 5): the auditor, never the second supplier.
    expect(endorsingOrgs).to.deep.equal(['AuditorMSP', 'RetailerMSP', 'SupplierMSP']);
    const res = await retailer.submit({
      contract: 'traceability',
      fn: cmd.fn,
      args: [JSON.stringify({ ...cmd.body, eventId: cmd.eventId, actor: cmd.actor })],
      transient: transientBuffers(cmd),
      endorsingOrgs,
    });
    txId = res.txId;
  });

  after(async () => {
    for (const c of [retailer, supplier, supplier2, auditor]) c?.close();
    await devnetDown(cfg, { wipe: process.env.KEEP_TEST_DEVNET !== '1' }, quiet);
    await page.close();
  });

  it('keeps the terms out of the block every member stores: no amount, payee or salt, only the hash', async () => {
    // The block as the second supplier's peer stores it.
    const block = await waitFor('the second supplier’s peer to hold the block', () => supplier2.blockByTxId(txId, supplier2Peer), 20_000, 200);
    const tx = block.transactions.find((t) => t.txId === txId)!;
    expect(tx.validationCode).to.equal('VALID');
    const { order } = await read(auditor);
    // The block does carry the order (the check can find what is there) and its terms hash.
    expect(block.raw.includes(Buffer.from(poId))).to.equal(true);
    expect(block.raw.includes(Buffer.from(order.termsHash))).to.equal(true);
    for (const secret of [amount, PAYEE.slice(2), salt]) expect(block.raw.includes(Buffer.from(secret)), secret).to.equal(false);
  });

  it('answers the terms to the buyer and the supplier from their own peers, and not to a third member on its peer', async () => {
    const asRetailer = await read(retailer);
    const asSupplier = await waitFor(
      'the supplier’s peer to hold the terms',
      async () => ((await read(supplier)).terms ? read(supplier) : undefined),
      20_000,
      200,
    );
    expect(asRetailer.terms.paymentTerms).to.include({ amount, payee: PAYEE });
    expect(asSupplier.terms).to.deep.equal(asRetailer.terms);
    // The second supplier, a member that is no party to the order, asked on its own peer: the order, not its terms.
    const asSupplier2 = await waitFor('the second supplier’s peer to hold the order', readOnSupplier2Peer, 20_000, 200);
    expect(asSupplier2.order.poId).to.equal(poId);
    expect(asSupplier2.order.termsHash).to.equal(asRetailer.order.termsHash);
    expect(asSupplier2).to.not.have.property('terms');
    expect(asSupplier2).to.not.have.property('account');
    const text = JSON.stringify(asSupplier2);
    for (const secret of [amount, '7351246813', PAYEE.slice(2), salt]) expect(text, secret).to.not.include(secret);
  });

  it('lets an auditor check a disclosed copy of the terms against the hash on the channel', async () => {
    const disclosed = (await read(supplier)).terms;
    const { order } = await read(auditor);
    expect(sha256(canonicalJson(disclosed))).to.equal(order.termsHash);
    const altered = { ...disclosed, paymentTerms: { ...disclosed.paymentTerms, amount: '1.000000' } };
    expect(sha256(canonicalJson(altered))).to.not.equal(order.termsHash);
  });

  it('purges the terms from both parties’ peers after the retention period; the hash stays on the channel', async () => {
    const before = (await read(auditor)).order;
    const purger = createTermsPurger({ ledger: retailer, endorsement: createEndorsementResolver({ ledger: retailer }) });
    // Before the retention period ends the order is not due (its retainUntil is RETENTION_SECONDS after creation).
    await waitFor(
      'the order to be due for purging',
      async () => {
        const out = JSON.parse((await retailer.evaluate({ contract: 'traceability', fn: 'ListExpiredTerms', args: ['1000'] })).toString());
        return out.orders.some((o: { poId: string }) => o.poId === poId) || undefined;
      },
      60_000,
      500,
    );
    const run = await purger.runOnce();
    expect(run.failed).to.deep.equal([]);
    expect(run.purged).to.include(poId);
    await purger.stop();
    const asRetailer = await read(retailer);
    expect(asRetailer).to.not.have.property('terms');
    const asSupplier = await waitFor(
      'the supplier’s peer to purge the terms',
      async () => {
        const r = await read(supplier);
        return r.terms ? undefined : r;
      },
      20_000,
      200,
    );
    expect(asSupplier.order.termsPurgedAt).to.be.a('string');
    const after = (await read(auditor)).order;
    expect(after.termsHash).to.equal(before.termsHash);
    expect(after.termsPurgedTxId).to.equal(run.txIds[0]);
  });
});
