import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { canonicalJson } from '../../../chaincode/src/traceability/canonical-json';
import { AUDITOR, GLN, GTIN, Harness, RETAILER, SUPPLIER, eid, expectTraceError, seedMasterData } from './harness';

const USDC = '0x3C499c542cEF5E3811e1192ce70d8cC03d5c3359';
const PAYEE = '0x1111111111111111111111111111111111111111';
const PAYER = '0x2222222222222222222222222222222222222222';
const SALT = 'a1'.repeat(16);
const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const collection = (msp: string) => `_implicit_org_${msp}`;
const termsKey = (poId: string) => `\u0000poterms\u0000${poId}\u0000`;
const accountKey = (poId: string) => `\u0000poaccount\u0000${poId}\u0000`;

describe('traceability contract: purchase orders and payments', () => {
  let h: Harness;

  const order = (poId: string, amount = '1500.50', extra: Record<string, unknown> = {}, request: Record<string, unknown> = {}) =>
    h.submit(
      RETAILER,
      'CreatePurchaseOrder',
      {
        eventId: eid(),
        poId,
        supplierMsp: SUPPLIER,
        supplierGln: GLN.roastery,
        shipToGln: GLN.dc,
        lines: [{ gtin: GTIN.roasted, quantity: '100' }],
        ...request,
      },
      { terms: { paymentTerms: { chainId: 137, asset: USDC, decimals: 6, amount, payee: PAYEE, ...extra }, salt: SALT } },
    );

  /** What the supplier's gateway reads from its own peer and passes along: the terms and the account so far. */
  const copies = async (poId: string) => {
    const q = await h.query(SUPPLIER, 'GetPurchaseOrder', poId);
    return { terms: q.terms, ...(q.account ? { account: q.account } : {}) };
  };

  const pay = async (poId: string, n: number, amountBaseUnits: string, extra: Record<string, unknown> = {}, transfer: Record<string, unknown> = {}) =>
    h.submit(
      SUPPLIER,
      'RecordPayment',
      { eventId: eid('pay'), poId, chainId: 137, txHash: hash(n), logIndex: 3, blockNumber: 5000000 + n, ...extra },
      { ...(await copies(poId)), payment: { asset: USDC, from: PAYER, to: PAYEE, amountBaseUnits, ...transfer } },
    );

  beforeEach(async () => {
    h = new Harness();
    await seedMasterData(h);
  });

  it('keeps the terms in both parties’ implicit collections and only their hash on the channel', async () => {
    const out = await order('PO-1');
    const { order: po } = out.result;
    expect(po).to.not.have.property('paymentTerms');
    expect(po.status).to.equal('open');
    // Nothing commercial in the block: arguments, result, event and world state carry no amount or payee.
    const publicText = [
      out.raw,
      ...out.stub.events.map((e) => e.payload.toString('utf8')),
      ...[...out.stub.writes.values()].map((v) => v?.toString('utf8')),
    ].join('\n');
    expect(publicText).to.include('PO-1');
    expect(publicText).to.not.include('1500.5').and.not.include('1500500000').and.not.include(PAYEE.slice(2)).and.not.include(SALT);
    for (const msp of [RETAILER, SUPPLIER]) {
      const stored = h.world.privateData.get(collection(msp))!.get(termsKey('PO-1'))!.toString('utf8');
      expect(JSON.parse(stored).paymentTerms).to.include({ amount: '1500.500000', amountBaseUnits: '1500500000', asset: USDC.toLowerCase(), payee: PAYEE });
      // The hash on the channel is the SHA-256 of the canonical JSON of the private record, as Fabric keeps it.
      expect(sha256(stored)).to.equal(po.termsHash);
      expect(h.world.privateHashes.get(collection(msp))!.get(termsKey('PO-1'))!.toString('hex')).to.equal(po.termsHash);
    }
    expect(h.world.privateData.has(collection(AUDITOR))).to.equal(false);
  });

  it('answers the terms to the parties from their own collection, the public record to anyone else', async () => {
    const created = await order('PO-1');
    const asSupplier = await h.query(SUPPLIER, 'GetPurchaseOrder', 'PO-1');
    expect(asSupplier.terms.paymentTerms.amount).to.equal('1500.500000');
    expect(sha256(canonicalJson(asSupplier.terms))).to.equal(created.result.termsHash);
    const asAuditor = await h.query(AUDITOR, 'GetPurchaseOrder', 'PO-1');
    expect(asAuditor.order.termsHash).to.equal(created.result.termsHash);
    expect(asAuditor).to.not.have.property('terms');
  });

  it('refuses terms in the arguments (they would land in the block) and requires them as transient data', async () => {
    await expectTraceError(
      () =>
        h.submit(RETAILER, 'CreatePurchaseOrder', {
          eventId: eid(),
          poId: 'PO-A',
          supplierMsp: SUPPLIER,
          lines: [{ gtin: GTIN.roasted, quantity: '1' }],
          paymentTerms: { chainId: 137, asset: USDC, decimals: 6, amount: '1', payee: PAYEE },
        }),
      'INVALID_ARGUMENT',
      'paymentTerms',
    );
    await expectTraceError(
      () => h.submit(RETAILER, 'CreatePurchaseOrder', { eventId: eid(), poId: 'PO-A', supplierMsp: SUPPLIER, lines: [{ gtin: GTIN.roasted, quantity: '1' }] }),
      'INVALID_ARGUMENT',
      'paymentTerms',
    );
    await expectTraceError(() => order('PO-A', '1', {}, {}).then(() => order('PO-A')), 'DUPLICATE', 'poId');
    await expectTraceError(
      () =>
        h.submit(
          RETAILER,
          'CreatePurchaseOrder',
          { eventId: eid(), poId: 'PO-B', supplierMsp: SUPPLIER, lines: [{ gtin: GTIN.roasted, quantity: '1' }] },
          { terms: { paymentTerms: { chainId: 137, asset: USDC, decimals: 6, amount: '1', payee: PAYEE }, salt: 'short' } },
        ),
      'INVALID_ARGUMENT',
      'salt',
    );
  });

  it('treats other terms under the same eventId as a conflict, the same terms as a replay', async () => {
    const request = { eventId: 'po-same', poId: 'PO-R', supplierMsp: SUPPLIER, lines: [{ gtin: GTIN.roasted, quantity: '1' }] };
    const terms = { paymentTerms: { chainId: 137, asset: USDC, decimals: 6, amount: '1', payee: PAYEE }, salt: SALT };
    const first = await h.submit(RETAILER, 'CreatePurchaseOrder', request, { terms });
    const again = await h.submit(RETAILER, 'CreatePurchaseOrder', request, { terms });
    expect(again.result.txId).to.equal(first.result.txId);
    await expectTraceError(
      () => h.submit(RETAILER, 'CreatePurchaseOrder', request, { terms: { ...terms, paymentTerms: { ...terms.paymentTerms, amount: '2' } } }),
      'CONFLICT',
      'eventId',
    );
  });

  it('follows payments: partial, then paid, then overpaid, with the amounts in the parties’ account only', async () => {
    await order('PO-1');
    const p1 = await pay('PO-1', 1, '500000000');
    expect(p1.result.order.status).to.equal('partial');
    expect(p1.raw).to.not.include('500000000');
    expect(p1.result.payment).to.not.have.property('amountBaseUnits');
    const p2 = await pay('PO-1', 2, '1000500000');
    expect(p2.result.order).to.include({ status: 'paid', overpaid: false });
    const p3 = await pay('PO-1', 3, '1');
    expect(p3.result.order).to.include({ status: 'overpaid', overpaid: true, paymentCount: 3 });
    const account = (await h.query(RETAILER, 'GetPurchaseOrder', 'PO-1')).account;
    expect(account.paidBaseUnits).to.equal('1500500001');
    expect(account.payments.map((p: { amountBaseUnits: string }) => p.amountBaseUnits)).to.deep.equal(['500000000', '1000500000', '1']);
  });

  it('accepts the private copies only when they hash to what the channel keeps', async () => {
    await order('PO-1');
    await pay('PO-1', 1, '500000000');
    const { terms, account } = await copies('PO-1');
    const base = { eventId: eid('pay'), poId: 'PO-1', chainId: 137, txHash: hash(2), logIndex: 3, blockNumber: 1 };
    const payment = { asset: USDC, from: PAYER, to: PAYEE, amountBaseUnits: '1' };
    // A supplier claiming the order is worth less than agreed, or that less was paid so far.
    const cheaper = { ...terms, paymentTerms: { ...terms.paymentTerms, amountBaseUnits: '1' } };
    await expectTraceError(() => h.submit(SUPPLIER, 'RecordPayment', base, { terms: cheaper, account, payment }), 'CONFLICT', 'terms');
    await expectTraceError(
      () => h.submit(SUPPLIER, 'RecordPayment', base, { terms, account: { ...account, paidBaseUnits: '0' }, payment }),
      'CONFLICT',
      'account',
    );
    await expectTraceError(() => h.submit(SUPPLIER, 'RecordPayment', base, { terms, payment }), 'INVALID_ARGUMENT', 'account');
    await expectTraceError(() => h.submit(SUPPLIER, 'RecordPayment', { ...base, ...payment }, { terms, account, payment }), 'INVALID_ARGUMENT', 'asset');
  });

  it('rejects the same (chainId, txHash, logIndex) a second time with DUPLICATE, even for another order', async () => {
    await order('PO-1');
    await order('PO-2');
    await pay('PO-1', 7, '100');
    await expectTraceError(() => pay('PO-2', 7, '100'), 'DUPLICATE', 'txHash');
    await expectTraceError(() => pay('PO-1', 7, '100', { txHash: hash(7).toUpperCase().replace('0X', '0x') }), 'DUPLICATE', 'txHash');
    // Another log of the same transaction is a different payment.
    const other = await pay('PO-2', 7, '100', { logIndex: 4 });
    expect(other.result.order.status).to.equal('partial');
    const po2 = await h.query(AUDITOR, 'GetPurchaseOrder', 'PO-2');
    expect(po2.order.paymentCount).to.equal(1);
  });

  it('rejects payments that do not match the terms, naming the field', async () => {
    await order('PO-1', '10', { payer: PAYER });
    await expectTraceError(() => pay('PO-1', 1, '1', { chainId: 1 }), 'INVALID_ARGUMENT', 'chainId');
    await expectTraceError(() => pay('PO-1', 1, '1', {}, { to: PAYER }), 'INVALID_ARGUMENT', 'to');
    await expectTraceError(() => pay('PO-1', 1, '1', {}, { from: PAYEE }), 'INVALID_ARGUMENT', 'from');
    await expectTraceError(() => pay('PO-1', 1, '1', { logIndex: undefined }, { asset: 'native' }), 'INVALID_ARGUMENT', 'asset');
    await expectTraceError(() => pay('PO-1', 1, '1.5'), 'INVALID_ARGUMENT', 'amountBaseUnits');
    await expectTraceError(
      () =>
        h.submit(
          SUPPLIER,
          'RecordPayment',
          { eventId: eid(), poId: 'PO-9', chainId: 137, txHash: hash(1), logIndex: 3, blockNumber: 1 },
          { payment: { asset: USDC, from: PAYER, to: PAYEE, amountBaseUnits: '1' } },
        ),
      'NOT_FOUND',
      'poId',
    );
  });

  it('keys native-coin payments without a log index', async () => {
    await h.submit(
      RETAILER,
      'CreatePurchaseOrder',
      { eventId: eid(), poId: 'PO-N', supplierMsp: SUPPLIER, lines: [{ gtin: GTIN.roasted, quantity: '1' }] },
      { terms: { paymentTerms: { chainId: 1, asset: 'native', decimals: 18, amount: '0.5', payee: PAYEE }, salt: SALT } },
    );
    await expectTraceError(() => pay('PO-N', 1, '1', { chainId: 1 }, { asset: 'native' }), 'INVALID_ARGUMENT', 'logIndex');
    const out = await pay('PO-N', 1, '500000000000000000', { chainId: 1, logIndex: undefined }, { asset: 'native' });
    expect(out.result.order.status).to.equal('paid');
    expect(out.events[0].records.map((r: any) => r.key)).to.deep.equal([`payment~1~${hash(1)}~native`, 'po~PO-N']);
  });

  it('settles only on the payee’s word: the buyer may not record a payment, and the order names the payee’s endorsement', async () => {
    const created = await order('PO-1');
    const policy = [...created.stub.validationParameters].find(([key]) => key.includes('PO-1'))?.[1];
    expect(policy, 'the order carries a key-level endorsement policy').to.not.equal(undefined);
    expect(policy!.toString('latin1')).to.include(SUPPLIER).and.not.include(RETAILER);
    const request = { eventId: eid(), poId: 'PO-1', chainId: 137, txHash: hash(1), logIndex: 3, blockNumber: 1 };
    const transient = { ...(await copies('PO-1')), payment: { asset: USDC, from: PAYER, to: PAYEE, amountBaseUnits: '1500500000' } };
    const byBuyer = await expectTraceError(() => h.submit(RETAILER, 'RecordPayment', request, transient), 'FORBIDDEN', 'poId');
    expect(byBuyer.message).to.include('payee SupplierMSP');
    expect((await h.query(AUDITOR, 'GetPurchaseOrder', 'PO-1')).order.status).to.equal('open');
    h.setMember('OtherMSP', ['carrier']);
    await expectTraceError(() => h.submit('OtherMSP', 'RecordPayment', request, transient), 'FORBIDDEN', 'poId');
    await expectTraceError(() => h.submit(AUDITOR, 'RecordPayment', request, transient), 'FORBIDDEN');
    expect((await pay('PO-1', 1, '1500500000')).result.order.status).to.equal('paid');
  });

  it('validates order input: supplier location must belong to the supplier, amounts respect token decimals', async () => {
    await expectTraceError(() => order('PO-X', '1', {}, { supplierGln: GLN.dc }), 'INVALID_ARGUMENT', 'supplierGln');
    await expectTraceError(() => order('PO-Y', '1.0000001'), 'INVALID_ARGUMENT', 'paymentTerms.amount');
    await expectTraceError(() => order('PO-Y', '1', { payee: '0x12' }), 'INVALID_ARGUMENT', 'paymentTerms.payee');
    await order('PO-Z');
    await expectTraceError(() => order('PO-Z'), 'DUPLICATE', 'poId');
  });

  it('purges the terms and the account from both parties’ collections after the retention period; the hashes stay', async () => {
    const created = await order('PO-P', '10', {}, { termsRetentionSeconds: 5 });
    await pay('PO-P', 1, '4');
    const termsHash = created.result.termsHash;
    // Each harness transaction is one second later: too early still.
    await expectTraceError(() => h.submit(SUPPLIER, 'PurgeExpiredTerms', { eventId: eid('purge'), poIds: ['PO-P'] }), 'CONFLICT', 'poIds[0]');
    expect((await h.query(SUPPLIER, 'ListExpiredTerms', '10')).orders).to.deep.equal([]);
    for (let i = 0; i < 4; i++) await h.query(RETAILER, 'GetPurchaseOrder', 'PO-P');
    const due = await h.query(SUPPLIER, 'ListExpiredTerms', '10');
    expect(due.orders).to.deep.equal([{ counterpartyMsp: RETAILER, poId: 'PO-P', retainUntil: created.result.order.termsRetainUntil }]);
    // A member that is not a party cannot purge (nor see) the order.
    h.setMember('OtherMSP', ['supplier']);
    await expectTraceError(() => h.submit('OtherMSP', 'PurgeExpiredTerms', { eventId: eid('purge'), poIds: ['PO-P'] }), 'NOT_FOUND', 'poIds[0]');
    const purged = await h.submit(SUPPLIER, 'PurgeExpiredTerms', { eventId: eid('purge'), poIds: ['PO-P'] });
    expect(purged.result.purged).to.deep.equal(['PO-P']);
    for (const msp of [RETAILER, SUPPLIER]) {
      expect(h.world.privateData.get(collection(msp))!.has(termsKey('PO-P'))).to.equal(false);
      expect(h.world.privateData.get(collection(msp))!.has(accountKey('PO-P'))).to.equal(false);
      expect(h.world.privateHashes.get(collection(msp))!.get(termsKey('PO-P'))!.toString('hex')).to.equal(termsHash);
    }
    const after = await h.query(RETAILER, 'GetPurchaseOrder', 'PO-P');
    expect(after.order.termsHash).to.equal(termsHash);
    expect(after.order.termsPurgedAt).to.be.a('string');
    expect(after.order.termsPurgedTxId).to.equal(purged.stub.txId);
    expect(after).to.not.have.property('terms');
    expect((await h.query(RETAILER, 'ListExpiredTerms', '10')).orders).to.deep.equal([]);
    // A second purge is a no-op; a payment can no longer be checked against the terms.
    expect((await h.submit(RETAILER, 'PurgeExpiredTerms', { eventId: eid('purge'), poIds: ['PO-P'] })).result.alreadyPurged).to.deep.equal(['PO-P']);
    await expectTraceError(
      () =>
        h.submit(
          SUPPLIER,
          'RecordPayment',
          { eventId: eid(), poId: 'PO-P', chainId: 137, txHash: hash(9), logIndex: 3, blockNumber: 1 },
          { payment: { asset: USDC, from: PAYER, to: PAYEE, amountBaseUnits: '1' } },
        ),
      'CONFLICT',
      'poId',
    );
  });
});
