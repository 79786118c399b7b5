import { expect } from 'chai';
import request from 'supertest';
import { provenanceRoutes } from '../../../gateway/src/http/provenance-routes';
import { ROLES, type Role } from '../../../lib/domain/src/roles';
import { ServiceError } from '../../../lib/platform/src';
import { decodeBlock } from '../../../lib/fabric/src';
import { configBlock, endorserEnvelope, rawBlock, type Signer } from '../../fixtures/ledger-blocks';
import { createTestPki, type TestPki } from '../../fixtures/test-pki';
import { createTestGateway, type TestGateway } from './fakes';

const TX_ID = 'a'.repeat(64);
const UNKNOWN_TX = 'b'.repeat(64);

const ALLOWED: Record<string, Role[]> = {
  '/provenance/lots/07612345100012/L1': ['auditor', 'retailer-ops', 'supplier', 'admin'],
  [`/provenance/transactions/${'a'.repeat(64)}`]: ['auditor', 'retailer-ops', 'supplier', 'finance', 'admin'],
};

describe('gateway provenance routes', function () {
  this.timeout(30_000);
  let t: TestGateway;
  let pki: TestPki;
  const tokens = new Map<Role, string>();

  before(async () => {
    t = await createTestGateway({ extraRoutes: [provenanceRoutes()] });
    for (const r of ROLES) tokens.set(r, await t.token([r], `user-${r}`));
    // A ledger of three blocks: the commissioning of lot L1 in block 5, linked to blocks 6 and 7.
    pki = createTestPki();
    const retailerCa = pki.ca('retailer');
    const supplierCa = pki.ca('supplier');
    const supplier: Signer = { mspId: 'SupplierMSP', id: pki.issue(supplierCa, 'supplier-user') };
    const retailer: Signer = { mspId: 'RetailerMSP', id: pki.issue(retailerCa, 'retailer-peer') };
    const env = endorserEnvelope({ txId: TX_ID, creator: supplier, endorsers: [supplier, retailer], args: ['CommissionLot', '{}'] });
    const b5 = rawBlock(5, Buffer.alloc(32, 1), [env]);
    const b6 = rawBlock(6, b5.headerHash, [endorserEnvelope({ txId: 'c'.repeat(64), creator: retailer, endorsers: [retailer] })]);
    const b7 = rawBlock(7, b6.headerHash, [endorserEnvelope({ txId: 'd'.repeat(64), creator: retailer, endorsers: [retailer] })]);
    const blocks = new Map([
      [5n, b5.raw],
      [6n, b6.raw],
      [7n, b7.raw],
    ]);
    const config = configBlock([
      { mspId: 'SupplierMSP', rootCertPem: supplierCa.certificatePem },
      { mspId: 'RetailerMSP', rootCertPem: retailerCa.certificatePem },
    ]);
    const evaluate = t.ledger.evaluate.bind(t.ledger);
    Object.assign(t.ledger, {
      height: async () => 8n,
      configBlock: async () => config,
      blockByNumber: async (n: bigint) => decodeBlock(blocks.get(n)!),
      blockByTxId: async (txId: string) => {
        if (txId !== TX_ID)
          throw new ServiceError({ code: 'NOT_FOUND', message: `no transaction ${txId} on the ledger`, httpStatus: 404, details: { field: 'txId' } });
        return decodeBlock(b5.raw);
      },
      evaluate: async (req: { fn: string; args?: string[] }) => {
        if (req.fn === 'GetLotTrace') {
          return Buffer.from(
            JSON.stringify({
              lot: { gtin: req.args![0], lotCode: req.args![1], commissionedBy: 'SupplierMSP' },
              positions: [{ gln: '4000001000012', quantity: '60' }],
              ancestors: [],
              descendants: [],
            }),
          );
        }
        // The location of the lot's stock is the gateway's organisation's.
        if (req.fn === 'GetHistory' && req.args![0].startsWith('location~'))
          return Buffer.from(JSON.stringify({ history: [{ value: { ownerMsp: 'SupplierMSP' } }] }));
        if (req.fn === 'GetHistory') return Buffer.from(JSON.stringify({ history: [{ txId: TX_ID }] }));
        return evaluate(req as never);
      },
    });
  });
  after(async () => {
    pki.close();
    await t.close();
  });

  /** What each route answers when it works: the proof of the transaction that wrote the lot. */
  const expectSuccess = (path: string, role: Role, res: request.Response) => {
    expect(res.status, `${role}: ${JSON.stringify(res.body)}`).to.equal(200);
    const proof = path.startsWith('/provenance/lots/') ? res.body.proofs[0] : res.body;
    if (path.startsWith('/provenance/lots/')) {
      expect(res.body.ok, role).to.equal(true);
      expect(res.body.lots).to.deep.equal([
        { direction: 'root', gtin: '07612345100012', lotCode: 'L1', onHand: [{ gln: '4000001000012', quantity: '60' }], txIds: [TX_ID] },
      ]);
      expect(res.body.tip).to.equal('7');
    }
    expect(proof, role).to.deep.include({
      txId: TX_ID,
      blockNumber: '5',
      ok: true,
      inBlock: true,
      dataHashValid: true,
      linkedTo: '7',
      creatorMspId: 'SupplierMSP',
      problems: [],
    });
    expect(proof.endorserMspIds).to.deep.equal(['SupplierMSP', 'RetailerMSP']);
  };

  for (const [path, allowed] of Object.entries(ALLOWED)) {
    it(`GET ${path.replace(/a{64}/, '{txId}')}: denies every role but ${allowed.join(', ')}`, async () => {
      for (const role of ROLES) {
        const res = await request(t.gateway.app)
          .get(path)
          .set({ Authorization: `Bearer ${tokens.get(role)}` });
        if (allowed.includes(role)) expectSuccess(path, role, res);
        else expect(res.status, role).to.equal(403);
      }
    });
  }

  it('answers 404 problem+json for a transaction the ledger does not hold', async () => {
    const res = await request(t.gateway.app)
      .get(`/provenance/transactions/${UNKNOWN_TX}`)
      .set({ Authorization: `Bearer ${tokens.get('auditor')}` });
    expect(res.status).to.equal(404);
    expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(res.body.code).to.equal('NOT_FOUND');
  });

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
