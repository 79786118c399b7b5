import { expect } from 'chai';
import request from 'supertest';
import { ROLES, type Role } from '../../../lib/domain/src/roles';
import { createMemoryCaptureStore } from '../../../gateway/src/adapters/epcis/capture-store';
import { createEpcisCapture } from '../../../gateway/src/adapters/epcis/epcis-routes';
import { createMemoryProofStore } from '../../../gateway/src/adapters/pos/proof-store';
import { posRoutes } from '../../../gateway/src/adapters/pos/pos-routes';
import { sapRoutes } from '../../../gateway/src/adapters/sap/sap-routes';
import { createTestGateway, GLN_STORE, SAP_MAPPINGS, type TestGateway } from './fakes';
import { GLN_A, GLN_B, GTIN, SAMPLES } from './samples';

// The EPCIS capture routes and their sample requests (samples.ts predates them).
const epcis = createEpcisCapture({ store: createMemoryCaptureStore(), autoStart: false });
const EPCIS_DOC = {
  '@context': 'https://ref.gs1.org/standards/epcis/epcis-context.jsonld',
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2024-05-01T10:00:00Z',
  epcisBody: {
    eventList: [
      {
        type: 'ObjectEvent',
        eventTime: '2024-05-01T10:00:00Z',
        eventTimeZoneOffset: '+00:00',
        action: 'ADD',
        bizStep: 'commissioning',
        bizLocation: { id: 'urn:epc:id:sgln:4000001.00000.0' },
        quantityList: [{ epcClass: `https://id.gs1.org/01/${GTIN}/10/L1`, quantity: 5 }],
      },
    ],
  },
};
SAMPLES.epcisCapture ??= { method: 'post', path: '/epcis/capture', body: EPCIS_DOC, contentType: 'application/ld+json' };
SAMPLES.epcisCaptureOptions ??= { method: 'options', path: '/epcis/capture' };
SAMPLES.getEpcisCapture ??= { method: 'get', path: '/epcis/capture/00000000-0000-4000-8000-000000000000' };

/**
 * The expected matrix, written out independently of the route table: a
 * change to who may do what must change this table too.
 */
const ALL = 'supplier retailer-ops pos sap auditor inventory-reader finance admin';
const READ = 'supplier retailer-ops sap auditor inventory-reader finance admin';
const EXPECTED: Record<string, string> = {
  registerLocation: 'supplier retailer-ops admin',
  registerProduct: 'supplier retailer-ops admin',
  commissionLot: 'supplier retailer-ops admin',
  transformLots: 'supplier retailer-ops admin',
  createShipment: 'supplier retailer-ops sap admin',
  dispatchShipment: 'supplier retailer-ops sap admin',
  receiveShipment: 'supplier retailer-ops sap admin',
  transferStock: 'supplier retailer-ops sap admin',
  adjustStock: 'supplier retailer-ops sap admin',
  createPurchaseOrder: 'retailer-ops sap admin',
  declareRecall: 'supplier retailer-ops admin',
  declareError: 'supplier retailer-ops sap admin',
  recordAttestation: 'auditor admin',
  getLot: READ,
  getLotTrace: READ,
  getShipment: READ,
  getStock: READ,
  getPurchaseOrder: 'supplier retailer-ops sap auditor finance admin',
  getEvent: READ,
  getHistory: READ,
  getSubmission: ALL,
  sapIdoc: 'sap admin',
  posSales: 'pos admin',
  posReceiptProof: 'pos retailer-ops auditor admin',
  epcisCapture: 'supplier retailer-ops sap admin',
  getEpcisCapture: 'supplier retailer-ops sap admin',
  epcisCaptureOptions: 'supplier retailer-ops sap admin',
};
const PUBLIC = ['healthz', 'readyz', 'metrics', 'openapi'];

describe('gateway authorization matrix (every role × every route)', function () {
  this.timeout(60_000);
  let t: TestGateway;
  const tokens = new Map<Role, string>();

  before(async () => {
    t = await createTestGateway({
      extraRoutes: [posRoutes({ proofs: createMemoryProofStore(), stores: { S001: GLN_STORE } }), sapRoutes({ mappings: SAP_MAPPINGS }), epcis.routes],
    });
    t.ledger.owners.set(GLN_A, 'SupplierMSP');
    t.ledger.owners.set(GTIN, 'SupplierMSP'); // the EPCIS sample's product
    t.ledger.owners.set(GLN_B, 'RetailerMSP');
    t.ledger.owners.set('4000001000029', 'RetailerMSP'); // the SAP sample's ship-to DC
    for (const r of ROLES) tokens.set(r, await t.token([r], `user-${r}`));
  });
  after(() => t.close());

  it('covers every route of the gateway', () => {
    const ids = t.gateway.routes.map((r) => r.operationId).filter((id) => !PUBLIC.includes(id));
    expect(ids.sort()).to.deep.equal(Object.keys(EXPECTED).sort());
    for (const id of [...ids, ...PUBLIC]) expect(SAMPLES[id], `sample for ${id}`).to.exist;
  });

  for (const [op, allowedText] of Object.entries(EXPECTED)) {
    for (const role of ROLES) {
      const allowed = allowedText.split(' ').includes(role);
      it(`${op} × ${role} → ${allowed ? 'allow' : 'deny'}`, async () => {
        const s = SAMPLES[op];
        const agent = request(t.gateway.app);
        const req = agent[s.method](s.path).set('Authorization', `Bearer ${tokens.get(role)}`);
        if (s.contentType) req.set('Content-Type', s.contentType);
        const res = s.body === undefined ? await req : await req.send(s.body as object);
        if (allowed) {
          // getSubmission names a submission nobody made: 404 is the allowed outcome.
          const ok =
            op === 'getSubmission' || op === 'posReceiptProof' || op === 'getEpcisCapture'
              ? [404]
              : op === 'epcisCapture'
                ? [202]
                : op === 'epcisCaptureOptions'
                  ? [204]
                  : [200, 201];
          expect(ok, `${res.status} ${JSON.stringify(res.body)}`).to.include(res.status);
        } else {
          expect(res.status, JSON.stringify(res.body)).to.equal(403);
          expect(res.body.code).to.equal('ROLE_FORBIDDEN');
        }
      });
    }
  }

  it('records the JWT subject as the acting user on the ledger', async () => {
    const before = t.ledger.submitted.length;
    const res = await request(t.gateway.app)
      .post('/products')
      .set('Authorization', `Bearer ${tokens.get('supplier')}`)
      .send(SAMPLES.registerProduct.body as object);
    expect(res.status).to.equal(201);
    const arg = JSON.parse(t.ledger.submitted[before].args![0]);
    expect(arg.actor).to.equal('user-supplier');
    expect(arg.eventId).to.match(/^gw-/);
  });

  it("endorses a shipment with both parties' organisations", async () => {
    const before = t.ledger.submitted.length;
    await request(t.gateway.app)
      .post('/shipments')
      .set('Authorization', `Bearer ${tokens.get('supplier')}`)
      .send(SAMPLES.createShipment.body as object)
      .expect(201);
    expect(t.ledger.submitted[before].endorsingOrgs).to.deep.equal(['RetailerMSP', 'SupplierMSP']);
  });

  it('adds a second organisation when both parties are the same org (MAJORITY policy)', async () => {
    t.ledger.owners.set(GLN_B, 'SupplierMSP');
    try {
      const before = t.ledger.submitted.length;
      const body = { ...(SAMPLES.createShipment.body as object), shipmentId: 'SH-same' };
      await request(t.gateway.app)
        .post('/shipments')
        .set('Authorization', `Bearer ${tokens.get('supplier')}`)
        .send(body)
        .expect(201);
      const orgs = t.ledger.submitted[before].endorsingOrgs!;
      expect(orgs).to.have.length(2);
      expect(orgs).to.include('SupplierMSP');
    } finally {
      t.ledger.owners.set(GLN_B, 'RetailerMSP');
    }
  });

  it('public routes need no token', async () => {
    for (const id of PUBLIC) {
      const res = await request(t.gateway.app).get(SAMPLES[id].path);
      expect(res.status, id).to.equal(200);
    }
  });
});
