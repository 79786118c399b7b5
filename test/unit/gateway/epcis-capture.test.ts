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
  bizTransactionList: [{ type: 'desadv', bizTransaction: 'urn:epcglobal:cbv:bt:4000001000005:DES-9' }],
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
  bizTransactionList: [{ type: 'desadv', bizTransaction: 'urn:epcglobal:cbv:bt:4000001000005:DES-9' }],
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
    // GS1's schema and CBV: a bare word that is not CBV, a quantity element field EPCIS does not define.
    const notEpcis = await request(t.gateway.app)
      .post('/epcis/capture')
      .set('Authorization', auth)
      .send(
        doc(commission, {
          ...commission,
          eventID: 'urn:uuid:other',
          bizStep: 'commisioning',
          quantityList: [{ epcClass: CLASS('GB-2'), quantity: 1, unit: 'KGM' }],
        }),
      );
    expect(notEpcis.status).to.equal(400);
    expect(notEpcis.body.errors.map((e: { field: string }) => e.field)).to.have.members([
      'epcisBody.eventList[1].bizStep',
      'epcisBody.eventList[1].quantityList[0].unit',
    ]);
    expect(notEpcis.body.errors[0].message).to.contain('eventID urn:uuid:other');
    expect(store.jobs.size).to.equal(before);
    expect(t.ledger.submitted).to.have.length(0);
  });

  it('what the ledger does not know (a location, a shipment) records the event without stock effect', async () => {
    t.ledger.owners.delete(GLN_B);
    try {
      const res = await request(t.gateway.app)
        .post('/epcis/capture')
        .set('Authorization', auth)
        .send(
          doc(
            { ...commission, eventID: 'urn:uuid:unknowns-1' },
            { ...shipping, eventID: 'urn:uuid:unknowns-2' },
            {
              ...receiving,
              eventID: 'urn:uuid:unknowns-3',
              bizTransactionList: [{ type: 'desadv', bizTransaction: 'urn:epcglobal:cbv:bt:4000001000005:MISSING' }],
              bizLocation: undefined,
            },
          ),
        );
      expect(res.status, JSON.stringify(res.body)).to.equal(202);
      expect(res.body.recordedWithoutStockEffect.map((r: { eventIndex: number }) => r.eventIndex)).to.deep.equal([1, 2]);
      expect(res.body.recordedWithoutStockEffect[0].reason).to.contain(`destinationList[0].destination: location ${GLN_B} is not registered`);
      expect(res.body.recordedWithoutStockEffect[1].reason).to.contain('shipment MISSING is neither on the ledger');
      const job = await settle(res.headers.location);
      expect(job.recordedWithoutStockEffect).to.have.length(2);
      expect(job.transactions.map((x: { fn: string }) => x.fn)).to.deep.equal(['CommissionLot', 'RecordEvents', 'RecordEvents']);
    } finally {
      t.ledger.owners.set(GLN_B, 'SupplierMSP');
    }
  });
  it('a declaration whose corrective events are not on the ledger is recorded as captured, and the job says so', async () => {
    const declared = { ...commission, eventID: 'urn:uuid:declared-1' };
    await settle((await request(t.gateway.app).post('/epcis/capture').set('Authorization', auth).send(doc(declared)).expect(202)).headers.location);
    const declaration = {
      ...declared,
      errorDeclaration: { declarationTime: '2024-05-02T00:00:00Z', reason: 'incorrect_data', correctiveEventIDs: ['urn:uuid:nowhere'] },
    };
    const res = await request(t.gateway.app).post('/epcis/capture').set('Authorization', auth).send(doc(declaration));
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    expect(res.body.recordedWithoutStockEffect).to.have.length(1);
    expect(res.body.recordedWithoutStockEffect[0].reason).to.match(/^declaration recorded without a ledger correction: correctiveEventIDs\[0\]/);
    const job = await settle(res.headers.location);
    expect(job.transactions.map((x: { fn: string }) => x.fn)).to.deep.equal(['RecordEvents']);
    // The same declaration again is the same record: acknowledged, nothing submitted.
    const again = await request(t.gateway.app).post('/epcis/capture').set('Authorization', auth).send(doc(declaration)).expect(202);
    expect(again.body.alreadyCaptured).to.deep.equal([0]);
  });

  it('the preflight refuses an event without stock effect at another member location or outside its prefixes (422)', async () => {
    const inspect = (readPoint: string) => ({
      ...base,
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'inspecting',
      readPoint: { id: readPoint },
      epcList: [],
    });
    const foreign = 'urn:epc:id:sgln:4000001.00077.0';
    t.ledger.owners.set('4000001000777', 'RetailerMSP');
    const res = await request(t.gateway.app)
      .post('/epcis/capture')
      .set('Authorization', auth)
      .send(doc(inspect(foreign), inspect('urn:epc:id:sgln:7612345.00001.0')));
    expect(res.status, JSON.stringify(res.body)).to.equal(422);
    expect(res.body.errors).to.deep.include.members([
      {
        field: 'epcisBody.eventList[0].readPoint.id',
        message: `location 4000001000777 belongs to RetailerMSP; an event without stock effect is recorded only at SupplierMSP's own locations`,
      },
      { field: 'epcisBody.eventList[1].readPoint.id', message: `location 7612345000015 is not registered and lies outside SupplierMSP's GS1 company prefixes` },
    ]);
    expect(t.ledger.submitted).to.have.length(0);
    // An unregistered GLN within its own prefix is its own.
    const own = await request(t.gateway.app)
      .post('/epcis/capture')
      .set('Authorization', auth)
      .send(doc(inspect('urn:epc:id:sgln:4000001.00088.0')));
    expect(own.status, JSON.stringify(own.body)).to.equal(202);
    await settle(own.headers.location);
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

  it('charges the rate limit per ledger transaction: a document of 8 commissionings costs 8 requests', async () => {
    const limited = createEpcisCapture({ store: createMemoryCaptureStore(), pollMs: 20, autoStart: false });
    const t2 = await createTestGateway({ extraRoutes: [limited.routes], rateLimit: { ratePerSec: 0.01, burst: 5 } });
    try {
      for (const k of [GLN_A, GLN_B, GTIN]) t2.ledger.owners.set(k, 'SupplierMSP');
      const who = `Bearer ${await t2.token(['supplier'], 'bulk-capturer')}`;
      const events = Array.from({ length: 8 }, (_, i) => ({ ...commission, quantityList: [{ epcClass: CLASS(`GB-C${i}`), quantity: 5, uom: 'KGM' }] }));
      const first = await request(t2.gateway.app)
        .post('/epcis/capture')
        .set('Authorization', who)
        .send(doc(...events));
      expect(first.status, JSON.stringify(first.body)).to.equal(202);
      expect(first.body.transactionCount).to.equal(8);
      // 5 tokens, 8 charged: the next request waits, whatever it is.
      const next = await request(t2.gateway.app).get(first.headers.location).set('Authorization', who);
      expect(next.status).to.equal(429);
      expect(Number(next.headers['retry-after'])).to.be.at.least(1);
    } finally {
      await limited.stop();
      await t2.close();
    }
  });

  it('is in the OpenAPI document with its schema', async () => {
    const openapi = (await request(t.gateway.app).get('/openapi.json').expect(200)).body;
    expect(openapi.paths['/epcis/capture'].post.requestBody.content['application/json'].schema.$ref).to.equal('#/components/schemas/EpcisCaptureDocument');
    expect(openapi.paths['/epcis/capture/{captureId}'].get['x-roles']).to.deep.equal(['supplier', 'retailer-ops', 'sap', 'admin']);
  });
});
