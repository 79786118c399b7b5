import { expect } from 'chai';
import request from 'supertest';
import { provenanceRoutes } from '../../../auditor/src/provenance-routes';
import { ROLES, type Role } from '../../../gateway/src/auth/roles';
import { createTestGateway, type TestGateway } from './fakes';

const ALLOWED: Record<string, Role[]> = {
  '/provenance/lots/07612345100012/L1': ['auditor', 'retailer-ops', 'supplier', 'admin'],
  [`/provenance/transactions/${'a'.repeat(64)}`]: ['auditor', 'retailer-ops', 'supplier', 'finance', 'admin'],
};

describe('gateway provenance routes', function () {
  this.timeout(30_000);
  let t: TestGateway;
  const tokens = new Map<Role, string>();

  before(async () => {
    t = await createTestGateway({ extraRoutes: [provenanceRoutes()] });
    for (const r of ROLES) tokens.set(r, await t.token([r], `user-${r}`));
  });
  after(() => t.close());

  for (const [path, allowed] of Object.entries(ALLOWED)) {
    it(`GET ${path.replace(/a{64}/, '{txId}')}: denies every role but ${allowed.join(', ')}`, async () => {
      for (const role of ROLES) {
        const res = await request(t.gateway.app).get(path).set({ Authorization: `Bearer ${tokens.get(role)}` });
        if (allowed.includes(role)) expect(res.status, role).to.not.be.oneOf([401, 403]);
        else expect(res.status, role).to.equal(403);
      }
    });
  }

  it('names a malformed GTIN or transaction id', async () => {
    const auth = { Authorization: `Bearer ${tokens.get('auditor')}` };
    const lot = await request(t.gateway.app).get('/provenance/lots/123/L1').set(auth);
    expect(lot.status).to.equal(400);
    expect(lot.body.errors[0].field).to.equal('gtin');
    const tx = await request(t.gateway.app).get('/provenance/transactions/xyz').set(auth);
    expect(tx.status).to.equal(400);
    expect(tx.body.errors[0].field).to.equal('txId');
  });
});
