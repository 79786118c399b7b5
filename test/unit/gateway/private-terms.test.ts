import { expect } from 'chai';
import { transientBuffers, withPrivateTerms } from '../../../gateway/src/submission/private-terms';
import { createTestGateway } from './fakes';

const TERMS = { chainId: 1, asset: 'native', decimals: 18, amount: '2.5', payee: `0x${'ab'.repeat(20)}` };

describe('gateway: an order’s terms travel as transient data, never in the arguments', () => {
  it('moves paymentTerms into transient "terms" with a fresh salt and names the supplier as endorser', () => {
    const cmd = {
      fn: 'CreatePurchaseOrder' as const,
      eventId: 'e-1',
      actor: 'u',
      body: { poId: 'PO-1', supplierMsp: 'SupplierMSP', lines: [], paymentTerms: TERMS },
    };
    const a = withPrivateTerms(cmd, { retentionSeconds: 60 });
    const b = withPrivateTerms(cmd, { retentionSeconds: 60 });
    expect(a.body).to.deep.equal({ poId: 'PO-1', supplierMsp: 'SupplierMSP', lines: [], termsRetentionSeconds: 60 });
    expect(a.transient?.terms.paymentTerms).to.deep.equal(TERMS);
    expect(a.transient?.terms.salt).to.match(/^[0-9a-f]{32}$/);
    expect(b.transient?.terms.salt).to.not.equal(a.transient?.terms.salt);
    expect(a.endorsement).to.deep.equal({ kind: 'orgs', orgs: ['SupplierMSP'] });
    // Prepared once: a second pass (the submitter after the executor) changes nothing.
    expect(withPrivateTerms(a, { retentionSeconds: 60 })).to.equal(a);
    expect(JSON.parse(transientBuffers(a)!.terms.toString('utf8')).paymentTerms).to.deep.equal(TERMS);
    const other = { fn: 'RegisterProduct' as const, eventId: 'e-2', actor: 'u', body: { gtin: '1' } };
    expect(withPrivateTerms(other, { retentionSeconds: 60 })).to.equal(other);
  });

  it('submits POST /purchase-orders with the terms out of the transaction arguments', async () => {
    const t = await createTestGateway({ termsRetentionSeconds: 120 });
    try {
      const res = await fetchJson(t, '/purchase-orders', {
        poId: 'PO-T1',
        supplierMsp: 'RetailerMSP',
        lines: [{ gtin: '04000001000012', quantity: '5' }],
        paymentTerms: TERMS,
      });
      expect(res.status).to.equal(201);
      const sent = t.ledger.submitted.at(-1)!;
      expect(sent.fn).to.equal('CreatePurchaseOrder');
      expect(sent.args![0]).to.not.include('paymentTerms').and.not.include('2.5').and.not.include('ab'.repeat(20));
      expect(JSON.parse(sent.args![0]).termsRetentionSeconds).to.equal(120);
      expect(JSON.parse(sent.transient!.terms.toString('utf8')).paymentTerms).to.deep.equal(TERMS);
      expect(sent.endorsingOrgs).to.include.members(['RetailerMSP', 'SupplierMSP']);
    } finally {
      await t.close();
    }
  });
});

async function fetchJson(t: Awaited<ReturnType<typeof createTestGateway>>, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const { url } = await t.gateway.start({ host: '127.0.0.1', port: 0 });
  try {
    const token = await t.token(['retailer-ops', 'admin']);
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  } finally {
    await t.gateway.stop();
  }
}
