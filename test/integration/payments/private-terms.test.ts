import { expect } from 'chai';
import { createHash, randomUUID } from 'node:crypto';
import type { LedgerClient } from '../../../lib/fabric/src';
import { canonicalJson } from '../../../chaincode/src/traceability/canonical-json';
import { createTermsPurger } from '../../../gateway/src/payments/terms-purger';
import { createEndorsementResolver } from '../../../gateway/src/submission/endorsement';
import { transientBuffers, withPrivateTerms } from '../../../gateway/src/submission/private-terms';
import { connectDevnet } from '../../../network/src/connect-devnet';
import { sharedDevnet } from '../../fixtures/test-devnet';
import { waitFor } from '../../fixtures/wait-for';
import { uniqueGtin } from '../chaincode/ledger-fixtures';

const PAYEE = '0x5e11e7000000000000000000000000000000beef';
const RETENTION_SECONDS = 4;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('purchase order terms in private data: the parties’ peers only, a hash on the channel, purged after retention', function () {
  this.timeout(180_000);
  let retailer: LedgerClient;
  let supplier: LedgerClient;
  let auditor: LedgerClient;
  const gtin = uniqueGtin('RetailerMSP');
  const poId = `PO-PRIV-${randomUUID().slice(0, 8)}`;
  // An amount no other record of the devnet carries, to look for in the block.
  const amount = '7351.246813';
  let salt = '';
  let txId = '';

  const read = async (client: LedgerClient) =>
    JSON.parse((await client.evaluate({ contract: 'traceability', fn: 'GetPurchaseOrder', args: [poId] })).toString());

  before(async () => {
    retailer = await connectDevnet(sharedDevnet(), 'RetailerMSP');
    supplier = await connectDevnet(sharedDevnet(), 'SupplierMSP');
    auditor = await connectDevnet(sharedDevnet(), 'AuditorMSP');
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
    expect(endorsingOrgs).to.include.members(['RetailerMSP', 'SupplierMSP']);
    const res = await retailer.submit({
      contract: 'traceability',
      fn: cmd.fn,
      args: [JSON.stringify({ ...cmd.body, eventId: cmd.eventId, actor: cmd.actor })],
      transient: transientBuffers(cmd),
      endorsingOrgs,
    });
    txId = res.txId;
  });

  after(() => {
    retailer?.close();
    supplier?.close();
    auditor?.close();
  });

  it('keeps the terms out of the block every member stores: no amount, payee or salt, only the hash', async () => {
    const block = await auditor.blockByTxId(txId);
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
    const asAuditor = await read(auditor);
    expect(asAuditor.order.poId).to.equal(poId);
    expect(asAuditor).to.not.have.property('terms');
    expect(JSON.stringify(asAuditor)).to.not.include(amount);
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
