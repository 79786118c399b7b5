import { expect } from 'chai';
import request from 'supertest';
import { uniqueGtin } from '../chaincode/ledger-fixtures';
import { startGatewayFixture, type GatewayFixture } from './gateway-fixture';

/**
 * One identity provider for the consortium (as docker-compose.yml sets it up): a user of one member holds
 * a token the other members' gateways can verify. A gateway submits with its own member's Fabric identity,
 * so it must refuse a token that names another member.
 */
describe('a gateway serves only tokens of its own organisation', function () {
  this.timeout(180_000);
  let fx: GatewayFixture;
  const S = 'SupplierMSP';

  before(async () => {
    fx = await startGatewayFixture([S]);
  });
  after(async () => {
    await fx?.stop();
  });

  const api = () => request(fx.gateways[S].url);
  // Signed by the issuer this gateway trusts, naming the retailer: what the shared provider gives a retailer's user.
  const foreignToken = () => fx.gateways[S].devIssuer!.mint({ sub: 'retailer-user', roles: ['supplier', 'admin'], org: 'RetailerMSP' });

  it('refuses a token of another organisation with 403 naming both, and submits nothing', async () => {
    const gtin = uniqueGtin();
    const res = await api()
      .post('/products')
      .set('Authorization', `Bearer ${await foreignToken()}`)
      .send({ gtin, description: 'Beans under a foreign token', unit: 'KGM' });
    expect(res.status, JSON.stringify(res.body)).to.equal(403);
    expect(res.body.code).to.equal('ORG_MISMATCH');
    expect(res.body.message).to.include('SupplierMSP').and.include('RetailerMSP');
    // Nothing reached the ledger: the product's history is empty when asked with a token of this organisation.
    const own = `Bearer ${await fx.token(S, ['supplier'])}`;
    const history = await api()
      .get(`/history?key=${encodeURIComponent(`product~${gtin.padStart(14, '0')}`)}`)
      .set('Authorization', own);
    expect(history.status, JSON.stringify(history.body)).to.equal(200);
    expect(history.body.history).to.deep.equal([]);
  });

  it('refuses the foreign token on reads and on the console pass-through too', async () => {
    const t = `Bearer ${await foreignToken()}`;
    expect((await api().get('/submissions/00000000-0000-4000-8000-000000000000').set('Authorization', t)).status).to.equal(403);
    expect((await api().get('/console/api/index/inventory').set('Authorization', t)).status).to.equal(403);
  });

  it('serves a token of its own organisation', async () => {
    const res = await api()
      .post('/products')
      .set('Authorization', `Bearer ${await fx.token(S, ['supplier'])}`)
      .send({ gtin: uniqueGtin(), description: 'Own beans', unit: 'KGM' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  });
});
