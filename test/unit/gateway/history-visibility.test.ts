import { expect } from 'chai';
import request from 'supertest';
import { createTestGateway, FOREIGN_GLN, type TestGateway } from './fakes';

/** GET /history reads any key: an order's history must not be open to roles that may not read the order. */
describe('GET /history of order-level keys', () => {
  let t: TestGateway;
  before(async () => {
    t = await createTestGateway();
  });
  after(() => t.close());

  const history = async (key: string, roles: Parameters<TestGateway['token']>[0]) =>
    request(t.gateway.app)
      .get(`/history?key=${encodeURIComponent(key)}`)
      .set('Authorization', `Bearer ${await t.token(roles)}`);

  it('is invisible (404) to an inventory reader, for purchase orders and payments alike', async () => {
    for (const key of ['po~PO-1', 'payment~1~0xabc~0']) {
      const res = await history(key, ['inventory-reader']);
      expect(res.status, key).to.equal(404);
      expect(res.body.code, key).to.equal('NOT_FOUND');
    }
  });

  it('is answered to finance, and other keys stay open to every reader', async () => {
    expect((await history('po~PO-1', ['finance'])).status).to.equal(200);
    expect((await history('shipment~SH-1', ['inventory-reader'])).status).to.equal(200);
  });
});

describe("the gateway's record reads, scoped to its organisation", () => {
  let t: TestGateway;
  before(async () => {
    t = await createTestGateway();
  });
  after(() => t.close());

  const read = async (path: string, roles: Parameters<TestGateway['token']>[0]) =>
    request(t.gateway.app)
      .get(path)
      .set('Authorization', `Bearer ${await t.token(roles)}`);

  it("answers 404 for another member's shipment, purchase order and location stock", async () => {
    for (const [path, roles] of [
      ['/shipments/SH-FOREIGN', ['supplier']],
      ['/purchase-orders/PO-FOREIGN', ['finance']],
      [`/locations/${FOREIGN_GLN}/stock`, ['supplier']],
    ] as const) {
      const res = await read(path, [...roles]);
      expect(res.status, path).to.equal(404);
      expect(res.body.code, path).to.equal('NOT_FOUND');
    }
  });

  it('answers its own, and the auditor everything', async () => {
    expect((await read('/shipments/SH-1', ['supplier'])).status).to.equal(200);
    expect((await read('/purchase-orders/PO-1', ['finance'])).status).to.equal(200);
    expect((await read(`/locations/${FOREIGN_GLN}/stock`, ['auditor'])).status).to.equal(200);
    expect((await read('/shipments/SH-FOREIGN', ['auditor'])).status).to.equal(200);
  });
});
