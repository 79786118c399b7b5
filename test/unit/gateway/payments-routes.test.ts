import { expect } from 'chai';
import request from 'supertest';
import { ROLES, type Role } from '../../../lib/domain/src/roles';
import { paymentsRoutes } from '../../../gateway/src/payments/payments-routes';
import type { ClaimView, PaymentsService } from '../../../gateway/src/payments/payments-service';
import { createTestGateway, type TestGateway } from './fakes';

/** A payments service that records what the routes ask of it. */
function fakeService(status: ClaimView['status']) {
  const claims: Array<{ poId: string; chainId: number; txHash: string; actor?: string }> = [];
  const view = (c: { poId: string; chainId: number; txHash: string }): ClaimView =>
    ({ id: '7', mspId: 'SupplierMSP', ...c, status, transfers: [], ledgerTxIds: [], checks: 1, createdAt: '', expiresAt: '' }) as ClaimView;
  const service: PaymentsService = {
    async claim(c) {
      claims.push(c);
      return view(c);
    },
    get: async (id) => (id === '7' ? view({ poId: 'PO-1', chainId: 1, txHash: `0x${'a'.repeat(64)}` }) : undefined),
    listForOrder: async (poId) => [view({ poId, chainId: 1, txHash: `0x${'a'.repeat(64)}` })],
    checkDue: async () => 0,
    start: () => undefined,
    stop: async () => undefined,
  };
  return { service, claims };
}

const EXPECTED: Record<string, string[]> = {
  claimPayment: ['finance', 'admin'],
  listPaymentClaims: ['retailer-ops', 'auditor', 'finance', 'admin'],
  getPaymentClaim: ['retailer-ops', 'auditor', 'finance', 'admin'],
};
const TX = `0x${'b'.repeat(64)}`;

describe('gateway payments routes', function () {
  this.timeout(30_000);
  let t: TestGateway;
  let fake: ReturnType<typeof fakeService>;
  const tokens = new Map<Role, string>();

  before(async () => {
    fake = fakeService('pending');
    t = await createTestGateway({ extraRoutes: [paymentsRoutes({ service: fake.service })] });
    for (const r of ROLES) tokens.set(r, await t.token([r], `user-${r}`));
  });
  after(() => t.close());

  const call = (op: string, role: Role) => {
    const auth = { Authorization: `Bearer ${tokens.get(role)}` };
    if (op === 'claimPayment') return request(t.gateway.app).post('/purchase-orders/PO-1/payments').set(auth).send({ chainId: 31337, txHash: TX });
    if (op === 'listPaymentClaims') return request(t.gateway.app).get('/purchase-orders/PO-1/payments').set(auth);
    return request(t.gateway.app).get('/payments/7').set(auth);
  };

  for (const [op, allowed] of Object.entries(EXPECTED)) {
    it(`${op}: allows ${allowed.join(', ')} and denies every other role`, async () => {
      for (const role of ROLES) {
        const res = await call(op, role);
        if (allowed.includes(role)) expect(res.status, `${role}`).to.be.oneOf([200, 202]);
        else expect(res.status, `${role}`).to.equal(403);
      }
    });
  }

  it('answers 202 with a Location for a pending claim and passes the JWT subject as the actor', async () => {
    const res = await call('claimPayment', 'finance');
    expect(res.status).to.equal(202);
    expect(res.headers.location).to.equal('/payments/7');
    expect(fake.claims.at(-1)).to.deep.include({ poId: 'PO-1', chainId: 31337, txHash: TX, actor: 'user-finance' });
  });

  it('names the bad field of a claim and never calls the service', async () => {
    const before = fake.claims.length;
    const auth = { Authorization: `Bearer ${tokens.get('finance')}` };
    const bad = await request(t.gateway.app).post('/purchase-orders/PO-1/payments').set(auth).send({ chainId: 'one', txHash: '0x12' });
    expect(bad.status).to.equal(400);
    const fields = (bad.body.errors as Array<{ field: string }>).map((e) => e.field);
    expect(fields).to.include.members(['chainId', 'txHash']);
    const extra = await request(t.gateway.app).post('/purchase-orders/PO-1/payments').set(auth).send({ chainId: 1, txHash: TX, amount: 5 });
    expect(extra.status).to.equal(400);
    expect(fake.claims.length).to.equal(before);
  });

  it('answers 404 for an unknown claim id', async () => {
    const res = await request(t.gateway.app)
      .get('/payments/99')
      .set({ Authorization: `Bearer ${tokens.get('finance')}` });
    expect(res.status).to.equal(404);
    expect(res.headers['content-type']).to.match(/problem\+json/);
    expect(res.body.code).to.equal('NOT_FOUND');
  });

  it('lists the payment routes in the OpenAPI document', () => {
    const doc = t.gateway.openapi() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).to.include.members(['/purchase-orders/{poId}/payments', '/payments/{claimId}']);
  });
});
