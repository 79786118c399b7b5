import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { uniqueGln, uniqueGtin } from '../../integration/chaincode/ledger-fixtures';
import { startGatewayFixture, type GatewayFixture } from './gateway-fixture';
import { waitFor } from '../../fixtures/wait-for';

const S = 'SupplierMSP';

/** SGLN with a 7-digit company prefix (the converter must read the split from the URI). */
const sgln = (gln: string) => `urn:epc:id:sgln:${gln.slice(0, 7)}.${gln.slice(7, 12)}.0`;
/** LGTIN class: indicator digit moves to the front of the item reference. */
const lgtin = (gtin: string, lot: string) => `urn:epc:class:lgtin:${gtin.slice(1, 8)}.${gtin[0]}${gtin.slice(8, 13)}.${encodeURIComponent(lot)}`;
const dl = (gtin: string, lot: string) => `https://id.gs1.org/01/${gtin}/10/${encodeURIComponent(lot)}`;

describe('EPCIS capture on the real devnet (PostgreSQL jobs, ledger stock)', function () {
  this.timeout(300_000);
  let fx: GatewayFixture;
  let auth: string;
  const gln = { farm: uniqueGln(S), roastery: uniqueGln(S) };
  const gtin = { green: uniqueGtin(S), roasted: uniqueGtin(S) };
  const lot = { green: `GB-${randomUUID().slice(0, 8)}`, roasted: `RB-${randomUUID().slice(0, 8)}` };
  const desadv = `DES-${randomUUID().slice(0, 8)}`;
  const api = () => request(fx.gateways[S].url);
  const t = { eventTime: '2024-05-01T10:00:00Z', eventTimeZoneOffset: '+02:00' };

  const document = () => ({
    '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2024-05-01T12:00:00Z',
    epcisBody: {
      eventList: [
        // No eventID: the gateway derives one from the event's content.
        {
          ...t,
          type: 'ObjectEvent',
          action: 'ADD',
          bizStep: 'commissioning',
          bizLocation: { id: sgln(gln.farm) },
          quantityList: [{ epcClass: dl(gtin.green, lot.green), quantity: 500, uom: 'KGM' }],
          ilmd: { 'cbvmda:countryOfOrigin': 'CO' },
        },
        {
          ...t,
          type: 'ObjectEvent',
          eventID: `urn:uuid:${randomUUID()}`,
          action: 'OBSERVE',
          bizStep: 'shipping',
          disposition: 'in_transit',
          bizTransactionList: [{ type: 'desadv', bizTransaction: `urn:epcglobal:cbv:bt:${gln.farm}:${desadv}` }],
          sourceList: [{ type: 'location', source: sgln(gln.farm) }],
          destinationList: [{ type: 'location', destination: sgln(gln.roastery) }],
          quantityList: [{ epcClass: lgtin(gtin.green, lot.green), quantity: 200, uom: 'KGM' }],
        },
        {
          ...t,
          type: 'ObjectEvent',
          action: 'OBSERVE',
          bizStep: 'receiving',
          bizLocation: { id: sgln(gln.roastery) },
          bizTransactionList: [{ type: 'desadv', bizTransaction: `urn:epcglobal:cbv:bt:${gln.farm}:${desadv}` }],
          quantityList: [{ epcClass: dl(gtin.green, lot.green), quantity: 198, uom: 'KGM' }],
        },
        {
          ...t,
          type: 'TransformationEvent',
          bizLocation: { id: sgln(gln.roastery) },
          bizTransactionList: [{ type: 'prodorder', bizTransaction: `urn:epcglobal:cbv:bt:${gln.roastery}:WO-1` }],
          inputQuantityList: [{ epcClass: dl(gtin.green, lot.green), quantity: 100, uom: 'KGM' }],
          outputQuantityList: [{ epcClass: dl(gtin.roasted, lot.roasted), quantity: 84, uom: 'KGM' }],
        },
      ],
    },
  });
  const doc = document();

  async function capture(body: object): Promise<{ status: number; job?: Record<string, any>; body: any }> {
    const res = await api().post('/epcis/capture').set('Authorization', auth).set('Content-Type', 'application/ld+json').send(JSON.stringify(body));
    if (res.status !== 202) return { status: res.status, body: res.body };
    expect(res.headers.location).to.equal(`/epcis/capture/${res.body.captureID}`);
    const job = await waitFor(
      'the capture job to finish',
      async () => {
        const j = (await api().get(res.headers.location).set('Authorization', auth).expect(200)).body;
        return j.running ? undefined : j;
      },
      150_000,
      250,
    );
    return { status: 202, job, body: res.body };
  }

  async function stock(g: string): Promise<Record<string, number>> {
    const res = await api().get(`/locations/${g}/stock`).set('Authorization', auth).expect(200);
    const out: Record<string, number> = {};
    for (const p of res.body.positions as Array<{ gtin: string; lotCode: string; quantity: string }>) out[`${p.gtin}/${p.lotCode}`] = Number(p.quantity);
    return out;
  }

  before(async () => {
    fx = await startGatewayFixture([S]);
    auth = `Bearer ${await fx.token(S, ['supplier'], 'epcis-connector')}`;
    await api()
      .post('/locations')
      .set('Authorization', auth)
      .send({ gln: gln.farm, name: 'Farm', type: 'farm', address: { country: 'CO' } })
      .expect(201);
    await api()
      .post('/locations')
      .set('Authorization', auth)
      .send({ gln: gln.roastery, name: 'Roastery', type: 'roastery', address: { country: 'DE' } })
      .expect(201);
    await api().post('/products').set('Authorization', auth).send({ gtin: gtin.green, description: 'Green beans', unit: 'KGM' }).expect(201);
    await api().post('/products').set('Authorization', auth).send({ gtin: gtin.roasted, description: 'Roasted beans', unit: 'KGM' }).expect(201);
  });
  after(async () => {
    await fx?.stop();
  });

  it('commissioning + shipping + receiving + transformation produce the right stock on the ledger', async () => {
    const { job } = await capture(doc);
    expect(job, JSON.stringify(job)).to.include({ status: 'success', eventCount: 4, transactionCount: 5, committed: 5 });
    expect(await stock(gln.farm)).to.deep.equal({ [`${gtin.green}/${lot.green}`]: 300 });
    expect(await stock(gln.roastery)).to.deep.equal({ [`${gtin.green}/${lot.green}`]: 98, [`${gtin.roasted}/${lot.roasted}`]: 84 });
    const shipment = (await api().get(`/shipments/${desadv}`).set('Authorization', auth).expect(200)).body.shipment;
    expect(shipment).to.deep.include({ status: 'received', fromGln: gln.farm, toGln: gln.roastery, desadv, hasDiscrepancy: true });
    const trace = (await api().get(`/lots/${gtin.roasted}/${lot.roasted}`).set('Authorization', auth).expect(200)).body;
    expect(JSON.stringify(trace)).to.contain(lot.green);
  });

  it('re-posting the same document has no second effect', async () => {
    const before = { farm: await stock(gln.farm), roastery: await stock(gln.roastery) };
    const { job, body } = await capture(JSON.parse(JSON.stringify(doc)));
    // Every event is recognised as already on the ledger (by eventID, or by its hash): nothing is submitted.
    expect(body.alreadyCaptured).to.deep.equal([0, 1, 2, 3]);
    expect(job).to.include({ status: 'success', committed: 0 });
    expect({ farm: await stock(gln.farm), roastery: await stock(gln.roastery) }).to.deep.equal(before);
  });

  it('a bad document writes nothing (schema errors 400, preflight failures 422); an event the ledger cannot book is recorded, not refused', async () => {
    const fresh = `GB-${randomUUID().slice(0, 8)}`;
    const commission = {
      ...t,
      type: 'ObjectEvent',
      action: 'ADD',
      bizStep: 'commissioning',
      bizLocation: { id: sgln(gln.farm) },
      quantityList: [{ epcClass: dl(gtin.green, fresh), quantity: 10 }],
    };
    const wrap = (...eventList: object[]) => ({ ...doc, epcisBody: { eventList } });

    const schema = await capture(wrap(commission, { ...commission, bizStep: 7 }));
    expect(schema.status).to.equal(400);
    expect(schema.body.errors[0].field).to.equal('epcisBody.eventList[1].bizStep');

    // Valid EPCIS whose location the ledger cannot book: recorded as a plain event, and the job says why.
    const elsewhere = `GB-${randomUUID().slice(0, 8)}`;
    const unbookable = await capture(
      // A GLN within the supplier's prefix that nobody registered: the supplier may record there, but nothing is booked.
      wrap({ ...commission, quantityList: [{ epcClass: dl(gtin.green, elsewhere), quantity: 1 }], bizLocation: { id: sgln(uniqueGln(S)) } }),
    );
    expect(unbookable.status, JSON.stringify(unbookable.body)).to.equal(202);
    expect(unbookable.job).to.include({ status: 'success' });
    expect(unbookable.job!.transactions.map((x: { fn: string }) => x.fn)).to.deep.equal(['RecordEvents']);
    expect(unbookable.job!.recordedWithoutStockEffect[0]).to.include({ eventIndex: 0 });
    expect(unbookable.job!.recordedWithoutStockEffect[0].reason).to.match(/^recorded without a stock movement: bizLocation\.id: /);
    await api().get(`/lots/${gtin.green}/${elsewhere}`).set('Authorization', auth).expect(404);

    const stranger = uniqueGln('RetailerMSP');
    const shipToUnknown = { ...doc.epcisBody.eventList[1], eventID: undefined, destinationList: [{ type: 'location', destination: sgln(stranger) }] };
    const preflight = await capture(
      wrap(commission, shipToUnknown, {
        ...commission,
        quantityList: [
          { epcClass: dl(gtin.green, fresh), quantity: 1, uom: 'KGM' },
          { epcClass: dl(gtin.roasted, fresh), quantity: 1, uom: 'H87' },
        ],
      }),
    );
    // A unit other than the product's contradicts the ledger (422); a destination the ledger does not know only keeps
    // that shipment from being booked, so it is not among the refusal's reasons.
    expect(preflight.status).to.equal(422);
    expect(preflight.body.errors.map((e: { field: string }) => e.field)).to.deep.equal(['epcisBody.eventList[2].quantityList[1].uom']);

    await api().get(`/lots/${gtin.green}/${fresh}`).set('Authorization', auth).expect(404);
    expect(await stock(gln.farm)).to.deep.equal({ [`${gtin.green}/${lot.green}`]: 300 });
  });
});
