import { expect } from 'chai';
import { AUDITOR, GLN, GTIN, Harness, RETAILER, SUPPLIER, eid, expectTraceError, seedMasterData } from './harness';

const USDC = '0x3C499c542cEF5E3811e1192ce70d8cC03d5c3359';
const PAYEE = '0x1111111111111111111111111111111111111111';
const PAYER = '0x2222222222222222222222222222222222222222';
const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;

describe('traceability contract: purchase orders and payments', () => {
  let h: Harness;

  const order = (poId: string, amount = '1500.50', extra: Record<string, unknown> = {}) =>
    h.submit(RETAILER, 'CreatePurchaseOrder', {
      eventId: eid(),
      poId,
      supplierMsp: SUPPLIER,
      supplierGln: GLN.roastery,
      shipToGln: GLN.dc,
      lines: [{ gtin: GTIN.roasted, quantity: '100' }],
      paymentTerms: { chainId: 137, asset: USDC, decimals: 6, amount, payee: PAYEE, ...extra },
    });

  const pay = (poId: string, n: number, amountBaseUnits: string, extra: Record<string, unknown> = {}) =>
    h.submit(SUPPLIER, 'RecordPayment', {
      eventId: eid('pay'),
      poId,
      chainId: 137,
      txHash: hash(n),
      logIndex: 3,
      asset: USDC,
      from: PAYER,
      to: PAYEE,
      amountBaseUnits,
      blockNumber: 5000000 + n,
      ...extra,
    });

  const payment = (n: number) => ({
    eventId: eid('pay'),
    chainId: 137,
    txHash: hash(n),
    logIndex: 3,
    asset: USDC,
    from: PAYER,
    to: PAYEE,
    amountBaseUnits: '1500500000',
    blockNumber: 5000000 + n,
  });

  beforeEach(async () => {
    h = new Harness();
    await seedMasterData(h);
  });

  it('stores payment terms in token base units and starts open', async () => {
    const out = await order('PO-1');
    expect(out.result.order.paymentTerms).to.include({ amount: '1500.500000', amountBaseUnits: '1500500000', asset: USDC.toLowerCase(), payee: PAYEE });
    expect(out.result.order.status).to.equal('open');
    const q = await h.query(AUDITOR, 'GetPurchaseOrder', 'PO-1');
    expect(q.order.buyerMsp).to.equal(RETAILER);
  });

  it('follows payments: partial, then paid, then overpaid', async () => {
    await order('PO-1');
    const p1 = await pay('PO-1', 1, '500000000');
    expect(p1.result.order.status).to.equal('partial');
    expect(p1.result.outstanding).to.equal('1000.500000');
    const p2 = await pay('PO-1', 2, '1000500000');
    expect(p2.result.order.status).to.equal('paid');
    expect(p2.result.order.overpaid).to.equal(false);
    const p3 = await pay('PO-1', 3, '1');
    expect(p3.result.order).to.include({ status: 'overpaid', overpaid: true, paymentCount: 3, paidBaseUnits: '1500500001' });
    expect(p3.result.overpaidBy).to.equal('0.000001');
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
    await expectTraceError(() => pay('PO-1', 1, '1', { to: PAYER }), 'INVALID_ARGUMENT', 'to');
    await expectTraceError(() => pay('PO-1', 1, '1', { from: PAYEE }), 'INVALID_ARGUMENT', 'from');
    await expectTraceError(() => pay('PO-1', 1, '1', { asset: 'native', logIndex: undefined }), 'INVALID_ARGUMENT', 'asset');
    await expectTraceError(() => pay('PO-1', 1, '1.5'), 'INVALID_ARGUMENT', 'amountBaseUnits');
    await expectTraceError(() => pay('PO-9', 1, '1'), 'NOT_FOUND', 'poId');
  });

  it('keys native-coin payments without a log index', async () => {
    await h.submit(RETAILER, 'CreatePurchaseOrder', {
      eventId: eid(),
      poId: 'PO-N',
      supplierMsp: SUPPLIER,
      lines: [{ gtin: GTIN.roasted, quantity: '1' }],
      paymentTerms: { chainId: 1, asset: 'native', decimals: 18, amount: '0.5', payee: PAYEE },
    });
    await expectTraceError(() => pay('PO-N', 1, '1', { chainId: 1, asset: 'native' }), 'INVALID_ARGUMENT', 'logIndex');
    const out = await pay('PO-N', 1, '500000000000000000', { chainId: 1, asset: 'native', logIndex: undefined });
    expect(out.result.order.status).to.equal('paid');
    expect(out.events[0].records.map((r: any) => r.key)).to.deep.equal([`payment~1~${hash(1)}~native`, 'po~PO-N']);
  });

  it('settles only on the payee’s word: the buyer may not record a payment, and the order names the payee’s endorsement', async () => {
    const created = await order('PO-1');
    const policy = [...created.stub.validationParameters].find(([key]) => key.includes('PO-1'))?.[1];
    expect(policy, 'the order carries a key-level endorsement policy').to.not.equal(undefined);
    expect(policy!.toString('latin1')).to.include(SUPPLIER).and.not.include(RETAILER);
    const byBuyer = await expectTraceError(() => h.submit(RETAILER, 'RecordPayment', { ...payment(1), poId: 'PO-1' }), 'FORBIDDEN', 'poId');
    expect(byBuyer.message).to.include('payee SupplierMSP');
    expect((await h.query(AUDITOR, 'GetPurchaseOrder', 'PO-1')).order.status).to.equal('open');
    expect((await pay('PO-1', 1, '1500500000')).result.order.status).to.equal('paid');
  });

  it('lets only the payee record a payment; the auditor and non-parties may not', async () => {
    await order('PO-1');
    // A trading member that is neither party of the order.
    h.setMember('OtherMSP', ['carrier']);
    await expectTraceError(
      () =>
        h.submit('OtherMSP', 'RecordPayment', {
          eventId: eid(),
          poId: 'PO-1',
          chainId: 137,
          txHash: hash(1),
          logIndex: 0,
          asset: USDC,
          from: PAYER,
          to: PAYEE,
          amountBaseUnits: '1',
          blockNumber: 1,
        }),
      'FORBIDDEN',
      'poId',
    );
    await expectTraceError(
      () =>
        h.submit(AUDITOR, 'RecordPayment', {
          eventId: eid(),
          poId: 'PO-1',
          chainId: 137,
          txHash: hash(1),
          logIndex: 0,
          asset: USDC,
          from: PAYER,
          to: PAYEE,
          amountBaseUnits: '1',
          blockNumber: 1,
        }),
      'FORBIDDEN',
    );
  });

  it('validates order input: supplier location must belong to the supplier, amounts respect token decimals', async () => {
    await expectTraceError(
      () =>
        h.submit(RETAILER, 'CreatePurchaseOrder', {
          eventId: eid(),
          poId: 'PO-X',
          supplierMsp: SUPPLIER,
          supplierGln: GLN.dc,
          lines: [{ gtin: GTIN.roasted, quantity: '1' }],
          paymentTerms: { chainId: 137, asset: USDC, decimals: 6, amount: '1', payee: PAYEE },
        }),
      'INVALID_ARGUMENT',
      'supplierGln',
    );
    await expectTraceError(() => order('PO-Y', '1.0000001'), 'INVALID_ARGUMENT', 'paymentTerms.amount');
    await expectTraceError(() => order('PO-Y', '1', { payee: '0x12' }), 'INVALID_ARGUMENT', 'paymentTerms.payee');
    await order('PO-Z');
    await expectTraceError(() => order('PO-Z'), 'DUPLICATE', 'poId');
  });
});
