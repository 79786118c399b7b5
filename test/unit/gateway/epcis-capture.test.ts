import { expect } from 'chai';
import request from 'supertest';
import { createMemoryCaptureStore } from '../../../gateway/src/adapters/epcis/capture-store';
import { createEpcisCapture, type EpcisCapture } from '../../../gateway/src/adapters/epcis/epcis-routes';
import { ServiceError } from '../../../lib/platform/src';
import { createTestGateway, type TestGateway } from './fakes';
import { GLN_A, GLN_B, GTIN } from './samples';

const SGLN_A = 'urn:epc:id:sgln:4000001.00000.0';
const SGLN_B = 'urn:epc:id:sgln:4000001.00001.0';
const CLASS = (lot: string) => `https://id.gs1.org/01/${GTIN}/10/${lot}`;
const base = { eventTime: '2024-05-01T10:00:00Z', eventTimeZoneOffset: '+02:00' };
const doc = (...eventList: object[]) => ({
  '@context': 'https://ref.gs1.org/standards/epcis/epcis-context.jsonld',
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2024-05-01T10:00:00Z',
  epcisBody: { eventList },
});
const commission = {
  ...base,
  type: 'ObjectEvent',
  action: 'ADD',
  bizStep: 'commissioning',
  bizLocation: { id: SGLN_A },
  quantityList: [{ epcClass: CLASS('GB-1'), quantity: 500, uom: 'KGM' }],
};
const shipping = {
  ...base,
  type: 'ObjectEvent',
  action: 'OBSERVE',
  bizStep: 'shipping',
  bizTransactionList: [{ type: 'desadv', bizTransaction: 'DES-9' }],
  sourceList: [{ type: 'location', source: SGLN_A }],
  destinationList: [{ type: 'location', destination: SGLN_B }],
  quantityList: [{ epcClass: CLASS('GB-1'), quantity: 200 }],
};
const receiving = {
  ...base,
  type: 'ObjectEvent',
  action: 'OBSERVE',
  bizStep: 'receiving',
  bizLocation: { id: SGLN_B },
  bizTransactionList: [{ type: 'desadv', bizTransaction: 'DES-9' }],
  quantityList: [{ epcClass: CLASS('GB-1'), quantity: 198 }],
};
const transform = {
  ...base,
  type: 'TransformationEvent',
  bizLocation: { id: SGLN_B },
  inputQuantityList: [{ epcClass: CLASS('GB-1'), quantity: 100 }],
  outputQuantityList: [{ epcClass: CLASS('RB-1'), quantity: 84 }],
};

describe('EPCIS capture route and jobs (fake ledger, in-memory job store)', function () {
  this.timeout(20_000);
  let t: TestGateway;
  let epcis: EpcisCapture;
  let store: ReturnType<typeof createMemoryCaptureStore>;
  let auth: string;

  before(async () => {
    store = createMemoryCaptureStore();
    epcis = createEpcisCapture({ store, pollMs: 20 });
    t = await createTestGateway({ extraRoutes: [epcis.routes] });
    for (const k of [GLN_A, GLN_B, GTIN]) t.ledger.owners.set(k, 'SupplierMSP');
    auth = `Bearer ${await t.token(['supplier'], 'capturer')}`;
  });
  after(async () => {
    await epcis.stop();
    await t.close();
  });
  beforeEach(() => t.ledger.submitted.splice(0));

  async function settle(location: string, who = auth) {
    for (let i = 0; i < 200; i++) {
      const res = await request(t.gateway.app).get(location).set('Authorization', who).expect(200);
      if (!res.body.running) return res.body;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('capture did not finish');
  }

  it('accepts application/ld+json with 202 + Location and commits every command in order', async () => {
    const res = await request(t.gateway.app)
      .post('/epcis/capture')
      .set('Authorization', auth)
      .set('Content-Type', 'application/ld+json')
      .send(JSON.stringify(doc(commission, shipping, receiving, transform)));
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    expect(res.headers.location).to.equal(`/epcis/capture/${res.body.captureID}`);
    const job = await settle(res.headers.location);
    expect(job).to.include({ status: 'success', success: true, eventCount: 4, transactionCount: 5, committed: 5 });
    expect(t.ledger.submitted.map((s) => s.fn)).to.deep.equal(['CommissionLot', 'CreateShipment', 'DispatchShipment', 'ReceiveShipment', 'TransformLots']);
    const recv = JSON.parse(t.ledger.submitted[3].args![0]);
    expect(recv).to.deep.include({ shipmentId: 'DES-9', lines: [{ lineNo: 1, received: '198' }], actor: 'capturer' });
    expect(t.ledger.submitted[1].endorsingOrgs).to.have.length(2);
    expect(job.transactions.map((x: { eventIndex: number }) => x.eventIndex)).to.deep.equal([0, 1, 1, 2, 3]);
  });

  it('a bad document is a 400 naming each field; nothing is stored or submitted', async () => {
    const bad = doc(
      { ...commission, bizStep: 42 },
      { ...shipping, eventTime: 'yesterday' },
      { ...transform, inputQuantityList: [{ epcClass: CLASS('X'), quantity: -1 }] },
    );
    const res = await request(t.gateway.app)
      .post('/epcis/capture')
      .set('Authorization', auth)
      .send({ ...bad, schemaVersion: '1.2' });
    expect(res.status).to.equal(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).to.include.members([
      'schemaVersion',
      'epcisBody.eventList[0].bizStep',
      'epcisBody.eventList[1].eventTime',
      'epcisBody.eventList[2].inputQuantityList[0].quantity',
    ]);
    const before = store.jobs.size;
    const badLocation = await request(t.gateway.app)
      .post('/epcis/capture')
      .set('Authorization', auth)
      .send(doc(commission, { ...commission, eventID: 'urn:uuid:other', bizLocation: { id: 'urn:epc:id:sgln:4000001.0000.0' } }));
    expect(badLocation.status).to.equal(422);
    expect(badLocation.body.errors[0].field).to.equal('epcisBody.eventList[1].bizLocation.id');
    expect(store.jobs.size).to.equal(before);
    expect(t.ledger.submitted).to.have.length(0);
  });

  it('the preflight names an unknown location and an unknown shipment (422, nothing written)', async () => {
    t.ledger.owners.delete(GLN_B);
    try {
      const res = await request(t.gateway.app)
        .post('/epcis/capture')
        .set('Authorization', auth)
        .send(doc(commission, shipping, { ...receiving, bizTransactionList: [{ type: 'desadv', bizTransaction: 'MISSING' }], bizLocation: undefined }));
      expect(res.status).to.equal(422);
      const fields = res.body.errors.map((e: { field: string }) => e.field);
      expect(fields).to.include.members(['epcisBody.eventList[1].destinationList[0].destination', 'epcisBody.eventList[2].bizTransactionList']);
      expect(t.ledger.submitted).to.have.length(0);
    } finally {
      t.ledger.owners.set(GLN_B, 'SupplierMSP');
    }
  });

  it('a chaincode verdict fails the job, naming the event; committed commands are listed', async () => {
    // The first command commits; the second one meets a chaincode verdict.
    const origSubmit = t.ledger.submit.bind(t.ledger);
    t.ledger.submit = async (req) => {
      if (req.fn === 'TransformLots')
        throw new ServiceError({ code: 'INSUFFICIENT_STOCK', message: 'not enough stock', httpStatus: 422, details: { field: 'inputs[0].quantity' } });
      return origSubmit(req);
    };
    try {
      const res = await request(t.gateway.app)
        .post('/epcis/capture')
        .set('Authorization', auth)
        .send(doc({ ...commission, eventID: 'urn:uuid:fail-1' }, transform));
      expect(res.status).to.equal(202);
      const job = await settle(res.headers.location);
      expect(job).to.include({ status: 'failed', success: false, committed: 1 });
      expect(job.errors[0]).to.deep.include({ eventIndex: 1, fn: 'TransformLots', code: 'INSUFFICIENT_STOCK', field: 'inputs[0].quantity' });
    } finally {
      t.ledger.submit = origSubmit;
    }
  });

  it('a job stored before a restart is resumed by a new worker; another client cannot see it', async () => {
    const other = createMemoryCaptureStore();
    const paused = createEpcisCapture({ store: other, autoStart: false, pollMs: 20 });
    const t2 = await createTestGateway({ extraRoutes: [paused.routes] });
    for (const k of [GLN_A, GLN_B, GTIN]) t2.ledger.owners.set(k, 'SupplierMSP');
    try {
      const who = `Bearer ${await t2.token(['retailer-ops'], 'first')}`;
      const res = await request(t2.gateway.app).post('/epcis/capture').set('Authorization', who).send(doc(commission));
      expect(res.status).to.equal(202);
      expect((await request(t2.gateway.app).get(res.headers.location).set('Authorization', who)).body.status).to.equal('running');
      await request(t2.gateway.app)
        .get(res.headers.location)
        .set('Authorization', `Bearer ${await t2.token(['retailer-ops'], 'second')}`)
        .expect(404);
      paused.worker()!.start();
      for (let i = 0; i < 100 && (await other.get(res.body.captureID))!.status === 'running'; i++) await new Promise((r) => setTimeout(r, 20));
      expect((await other.get(res.body.captureID))!.status).to.equal('success');
      expect(t2.ledger.submitted.map((s) => s.fn)).to.deep.equal(['CommissionLot']);
    } finally {
      await paused.stop();
      await t2.close();
    }
  });

  it('is in the OpenAPI document with its schema', async () => {
    const openapi = (await request(t.gateway.app).get('/openapi.json').expect(200)).body;
    expect(openapi.paths['/epcis/capture'].post.requestBody.content['application/json'].schema.$ref).to.equal('#/components/schemas/EpcisCaptureDocument');
    expect(openapi.paths['/epcis/capture/{captureId}'].get['x-roles']).to.deep.equal(['supplier', 'retailer-ops', 'sap', 'admin']);
  });
});
