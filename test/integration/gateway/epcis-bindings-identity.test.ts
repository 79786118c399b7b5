import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { toCanonicalDigitalLink } from '../../../gateway/src/adapters/epcis/digital-link';
import { eventHashId } from '../../../gateway/src/adapters/epcis/event-hash';
import { xmlToEpcisDocument } from '../../../gateway/src/adapters/epcis/xml-binding';
import { fixturesDir } from '../../fixtures/gs1-epcis';
import { epcisStack, type Captured, type Ev } from './epcis-stack';

const GS1 = path.join(fixturesDir(), 'gs1', 'epcis');
const INVALID = path.join(fixturesDir(), 'epcis-invalid');

/** GS1's example documents that exist in both bindings: the XML file and its JSON-LD counterparts. */
const PAIRS: Array<[string, string[]]> = [
  ['XML/Example_9.6.1-ObjectEvent-2020_06_18a.xml', ['JSON/Example_9.6.1-ObjectEvent.jsonld']],
  ['XML/Example-TransactionEvent-2020_07_03y.xml', ['JSON/Example-TransactionEvents-2020_07_03y.jsonld']],
  ['XML/Example-PersistentDisposition.xml', ['JSON/PersistentDisposition-example.jsonld']],
  ['XML/WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.xml', ['JSON/WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.jsonld']],
  ...['aggregation', 'association', 'object', 'transaction', 'transformation'].map((k): [string, string[]] => [
    `XML/WithFullCombinationOfFields/${k}_event_all_possible_fields.xml`,
    [`JSON/WithFullCombinationOfFields/${k}_event_all_possible_fields.jsonld`],
  ]),
  [
    'XML/WithSensorData/SensorDataExamples.xml',
    fs
      .readdirSync(path.join(GS1, 'JSON', 'WithSensorData'))
      .filter((f) => f.endsWith('.jsonld'))
      .map((f) => `JSON/WithSensorData/${f}`),
  ],
  [
    'XML/AssociationEvent/AssociationEventExamples.xml',
    fs
      .readdirSync(path.join(GS1, 'JSON', 'AssociationEvent'))
      .filter((f) => f.endsWith('.jsonld'))
      .map((f) => `JSON/AssociationEvent/${f}`),
  ],
];

/**
 * The same documents made this run's own, identically in both bindings, so other suites capturing GS1's examples on
 * the same ledger are not affected: years move by a multiple of 400 (the Gregorian calendar repeats) and given
 * eventIDs become UUIDs derived from them.
 */
function own(text: string, years: number, tag: string, ids: string[]): string {
  let out = text.replace(/\b(\d{4})-(\d\d)-(\d\d)T/g, (_, y: string, m: string, d: string) => `${Number(y) + years}-${m}-${d}T`);
  for (const id of ids) {
    const h = createHash('sha256').update(`${tag}|${id}`).digest('hex');
    out = out.split(id).join(`urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`);
  }
  return out;
}

const givenIds = (jsonTexts: string[], xml: string) => [
  ...new Set([
    ...jsonTexts.flatMap((t) => (JSON.parse(t).epcisBody.eventList as Ev[]).map((e) => e.eventID).filter((x): x is string => typeof x === 'string')),
    ...[...xml.matchAll(/<eventID>([^<]+)<\/eventID>/g)].map((m) => m[1].trim()),
  ]),
];

describe('EPCIS: one event in either binding, and invalid EPCIS refused (gateway capture → ledger → indexer query)', function () {
  this.timeout(900_000);
  const t = epcisStack();

  async function captureXml(xml: string): Promise<Captured> {
    const res = await t.api().post('/epcis/capture').set('Authorization', t.auth).set('Content-Type', 'application/xml').send(xml);
    if (res.status !== 202) return { status: res.status, body: res.body };
    return { status: 202, body: res.body, job: await t.finished(res.headers.location) };
  }
  const hashesOf = (doc: Ev) => (doc.epcisBody.eventList as Ev[]).map((e) => eventHashId(e, doc['@context']));

  /** Captures `first` then `second` (each as XML or JSON-LD text); checks the second's events against the first's. */
  async function both(first: { xml?: string; json?: Ev }, second: { xml?: string; json?: Ev }, name: string, strict: boolean) {
    const a = first.xml !== undefined ? await captureXml(first.xml) : await t.capture(first.json!);
    expect(a.status, `${name}: ${JSON.stringify(a.body)}`).to.equal(202);
    expect(a.job!.status, `${name}: ${JSON.stringify(a.job!.errors)}`).to.equal('success');
    const firstDoc = first.xml !== undefined ? xmlToEpcisDocument(first.xml) : first.json!;
    const secondDoc = second.xml !== undefined ? xmlToEpcisDocument(second.xml) : second.json!;
    const firstHashes = new Set(hashesOf(firstDoc));
    const b = second.xml !== undefined ? await captureXml(second.xml) : await t.capture(second.json!);
    const same = hashesOf(secondDoc)
      .map((h, i) => [h, i] as const)
      .filter(([h]) => firstHashes.has(h));
    if (strict) expect(same.length, `${name}: every event is in both bindings`).to.equal(secondDoc.epcisBody.eventList.length);
    if (b.status !== 202) {
      // Only a genuinely different event under an eventID the first binding used may be refused, naming both.
      expect(b.status, `${name}: ${JSON.stringify(b.body)}`).to.equal(422);
      expect(strict, name).to.equal(false);
      for (const e of b.body.errors as Array<{ field: string; message: string }>) {
        expect(e.message, name).to.match(/already names a different event on the ledger: the stored event has hash .* this one ni:/);
        const i = Number(/eventList\[(\d+)\]/.exec(e.field)![1]);
        expect(firstHashes.has(hashesOf(secondDoc)[i]), `${name}[${i}]`).to.equal(false);
      }
      return same.length;
    }
    expect(b.job!.status, `${name}: ${JSON.stringify(b.job!.errors)}`).to.equal('success');
    // Acknowledged as the same event, not stored again: one stored event per hash.
    for (const [h, i] of same) {
      expect(b.body.alreadyCaptured, `${name}[${i}]`).to.include(i);
      expect(await t.eventsById(h), `${name}[${i}] ${h}`).to.have.length(1);
    }
    return same.length;
  }

  describe("GS1's examples in both bindings", () => {
    for (const order of ['XML then JSON-LD', 'JSON-LD then XML'] as const) {
      it(`${order}: an event in both is stored once and the second capture is acknowledged as the same event`, async () => {
        let matched = 0;
        for (const [x, js] of PAIRS) {
          const xmlText = fs.readFileSync(path.join(GS1, x), 'utf8');
          const jsonTexts = js.map((j) => fs.readFileSync(path.join(GS1, j), 'utf8'));
          const ids = givenIds(jsonTexts, xmlText);
          const years = order === 'XML then JSON-LD' ? 400 : 800;
          const xml = own(xmlText, years, order, ids);
          const jsons = jsonTexts.map((j) => JSON.parse(own(j, years, order, ids)) as Ev);
          // The XML file holds every event of its JSON-LD counterparts: one JSON-LD document with all of them.
          const json: Ev = { ...jsons[0], epcisBody: { eventList: jsons.flatMap((d) => d.epcisBody.eventList as Ev[]) } };
          json['@context'] = [...new Map(jsons.flatMap((d) => d['@context'] as unknown[]).map((c) => [JSON.stringify(c), c])).values()];
          matched +=
            order === 'XML then JSON-LD'
              ? await both({ xml }, { json }, `${x} → ${js.length} JSON-LD`, false)
              : await both({ json }, { xml }, `${js[0]} → ${x}`, false);
        }
        // GS1's files do not always hold the same events in both bindings (another type, another read point, a namespace
        // with or without a trailing slash); those that do are one event each.
        expect(matched).to.be.greaterThanOrEqual(20);
      });
    }
  });

  describe('documents with sensor data, extensions, error declarations and microsecond times', () => {
    const run = Date.now().toString(36);
    const epc = (n: number) => `urn:epc:id:sgtin:4012345.011111.${run}${n}`;
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:ex="https://ns.example.com/epcis/" schemaVersion="2.0" creationDate="2025-06-01T12:00:00Z">
  <EPCISBody><EventList>
    <ObjectEvent>
      <eventTime>2005-04-03T20:33:31.116-06:00</eventTime><eventTimeZoneOffset>-06:00</eventTimeZoneOffset>
      <epcList><epc>${epc(1)}</epc><epc>${epc(2)}</epc></epcList>
      <action>OBSERVE</action><bizStep>urn:epcglobal:cbv:bizstep:inspecting</bizStep>
      <readPoint><id>urn:epc:id:sgln:4012345.00005.0</id></readPoint>
      <sensorElementList><sensorElement>
        <sensorMetadata time="2005-04-03T20:30:00.000123-06:00" deviceID="urn:epc:id:giai:4000001.111" ex:calibrated="2005-01-01"/>
        <sensorReport type="gs1:Temperature" value="21.50" uom="CEL" ex:probe="P1"/>
        <sensorReport type="gs1:RelativeHumidity" minValue="40" maxValue="55.5" uom="P1"/>
        <ex:housing>steel</ex:housing>
      </sensorElement></sensorElementList>
      <ex:grade>AA</ex:grade>
      <ex:lab><ex:name>Cupping lab</ex:name><ex:score>86.25</ex:score></ex:lab>
    </ObjectEvent>
    <ObjectEvent>
      <eventTime>2005-04-04T02:33:31Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
      <eventID>urn:uuid:${run.padStart(8, '0').slice(-8)}-0000-4000-8000-000000000001</eventID>
      <epcList><epc>${epc(3)}</epc></epcList>
      <action>OBSERVE</action><bizStep>urn:epcglobal:cbv:bizstep:inspecting</bizStep><disposition>urn:epcglobal:cbv:disp:in_progress</disposition>
    </ObjectEvent>
  </EventList></EPCISBody>
</epcis:EPCISDocument>`;
    const json: Ev = {
      '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://ns.example.com/epcis/' }],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2025-06-02T08:00:00Z',
      epcisBody: {
        eventList: [
          {
            type: 'ObjectEvent',
            eventTime: '2005-04-03T20:33:31.116000-06:00',
            eventTimeZoneOffset: '-06:00',
            action: 'OBSERVE',
            epcList: [epc(2), epc(1)],
            bizStep: 'https://ref.gs1.org/cbv/BizStep-inspecting',
            readPoint: { id: toCanonicalDigitalLink('urn:epc:id:sgln:4012345.00005.0')! },
            sensorElementList: [
              {
                'ex:housing': 'steel',
                sensorReport: [
                  { type: 'gs1:RelativeHumidity', minValue: 40.0, maxValue: 55.5, uom: 'P1' },
                  { type: 'gs1:Temperature', value: 21.5, uom: 'CEL', 'ex:probe': 'P1' },
                ],
                sensorMetadata: { deviceID: 'urn:epc:id:giai:4000001.111', time: '2005-04-04T02:30:00.000Z', 'ex:calibrated': '2005-01-01' },
              },
            ],
            'ex:lab': { 'ex:score': '86.25', 'ex:name': 'Cupping lab' },
            'ex:grade': 'AA',
          },
          {
            type: 'ObjectEvent',
            eventID: `urn:uuid:${run.padStart(8, '0').slice(-8)}-0000-4000-8000-000000000001`,
            eventTime: '2005-04-03T20:33:31.000000-06:00',
            eventTimeZoneOffset: '+00:00',
            epcList: [epc(3)],
            action: 'OBSERVE',
            bizStep: 'inspecting',
            disposition: 'in_progress',
          },
        ],
      },
    };

    it('XML then JSON-LD: each event is stored once, the second capture acknowledged; queried in the other binding it is the same event', async () => {
      expect(hashesOf(json)).to.deep.equal(hashesOf(xmlToEpcisDocument(xml)));
      expect(await both({ xml }, { json }, 'own document', true)).to.equal(2);
      // Captured as XML, queried as JSON-LD (and as XML): extensions and sensor data come back as the same event.
      for (const h of hashesOf(json)) {
        const [stored] = await t.eventsById(h);
        expect(eventHashId(stored, stored['@context'] ?? json['@context'])).to.equal(h);
        const asXml = await t.query().get('/epcis/events').query({ EQ_eventID: stored.eventID }).set('Accept', 'application/xml').expect(200);
        const back = xmlToEpcisDocument(
          asXml.text.replace('epcisq:EPCISQueryDocument', 'epcis:EPCISDocument').replace('/epcisq:EPCISQueryDocument', '/epcis:EPCISDocument'),
        );
        expect(hashesOf(back), h).to.deep.equal([h]);
      }
      // A genuinely different event under the same eventID is still refused, naming both.
      const changed = { ...json, epcisBody: { eventList: [{ ...json.epcisBody.eventList[1], disposition: 'damaged' }] } };
      const refused = await t.capture(changed);
      expect(refused.status).to.equal(422);
      expect(refused.body.errors[0].field).to.equal('epcisBody.eventList[0].eventID');
      expect(refused.body.errors[0].message).to.match(/already names a different event on the ledger: the stored event has hash ni:.*this one ni:/);
    });

    it('JSON-LD then XML, with an error declaration: the declaration is its own record, its event stays one', async () => {
      const shift = (s: string) => s.replace(/2005-04-0/g, '2006-04-0');
      const j = JSON.parse(
        shift(JSON.stringify(json))
          .replace(/000000000001/g, '000000000002')
          .split(run)
          .join(`${run}b`),
      ) as Ev;
      const x = shift(xml)
        .replace(/000000000001/g, '000000000002')
        .split(run)
        .join(`${run}b`);
      expect(await both({ json: j }, { xml: x }, 'own document, reversed', true)).to.equal(2);
      const declared = { ...j.epcisBody.eventList[1], errorDeclaration: { declarationTime: '2006-04-05T00:00:00.000000Z', reason: 'incorrect_data' } };
      const d = await t.capture({ ...j, epcisBody: { eventList: [declared] } });
      expect(d.status, JSON.stringify(d.body)).to.equal(202);
      expect(d.body.alreadyCaptured).to.deep.equal([]);
      expect(d.job!.status, JSON.stringify(d.job!.errors)).to.equal('success');
      // The same declaration in XML is acknowledged as the same.
      const xmlDecl = x.replace(
        /<eventID>([^<]+)<\/eventID>/,
        '<eventID>$1</eventID><errorDeclaration><declarationTime>2006-04-05T00:00:00Z</declarationTime><reason>urn:epcglobal:cbv:er:incorrect_data</reason></errorDeclaration>',
      );
      const again = await captureXml(xmlDecl);
      expect(again.status, JSON.stringify(again.body)).to.equal(202);
      expect(again.body.alreadyCaptured).to.include(1);
    });
  });

  describe('invalid EPCIS (test/fixtures/epcis-invalid)', () => {
    it('every document is refused with a 4xx naming the event and the field; nothing reaches the ledger', async () => {
      const manifest = JSON.parse(fs.readFileSync(path.join(INVALID, 'manifest.json'), 'utf8')).documents as Record<string, { field: string; rule: string }>;
      expect(Object.keys(manifest)).to.have.length.greaterThanOrEqual(14);
      for (const [file, { field }] of Object.entries(manifest)) {
        const text = fs.readFileSync(path.join(INVALID, file), 'utf8');
        const res = await t
          .api()
          .post('/epcis/capture')
          .set('Authorization', t.auth)
          .set('Content-Type', file.endsWith('.xml') ? 'application/xml' : 'application/ld+json')
          .send(text);
        expect(res.status, `${file}: ${res.text}`).to.be.within(400, 499);
        const errors = res.body.errors as Array<{ field: string; message: string }>;
        const hit = errors.find((e) => e.field === field);
        expect(hit, `${file}: ${JSON.stringify(errors)}`).to.not.equal(undefined);
        expect(hit!.message, file).to.contain('event 1, eventID urn:uuid:6a1c0e8e-0002-4000-8000-000000000002');
      }
      // The valid first event of every document was not recorded either.
      expect(await t.eventsById('urn:uuid:6a1c0e8e-0001-4000-8000-000000000001')).to.deep.equal([]);
    });

    it('a schema-valid ObjectEvent without bizLocation is captured; the job says it moved no stock', async () => {
      const lot = `https://id.gs1.org/01/04012345111118/10/L${Date.now().toString(36)}`;
      const r = await t.capture({
        '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
        type: 'EPCISDocument',
        schemaVersion: '2.0',
        creationDate: '2025-06-01T12:00:00Z',
        epcisBody: {
          eventList: [
            {
              type: 'ObjectEvent',
              eventTime: '2025-06-01T10:00:00Z',
              eventTimeZoneOffset: '+00:00',
              action: 'ADD',
              bizStep: 'commissioning',
              quantityList: [{ epcClass: lot, quantity: 5, uom: 'KGM' }],
            },
          ],
        },
      });
      expect(r.status, JSON.stringify(r.body)).to.equal(202);
      expect(r.job!.status, JSON.stringify(r.job!.errors)).to.equal('success');
      expect(r.job!.recordedWithoutStockEffect).to.have.length(1);
      expect(r.job!.recordedWithoutStockEffect[0].reason).to.match(/^recorded without a stock movement: bizLocation\.id: is required/);
      expect(r.job!.transactions.map((x: Ev) => x.fn)).to.deep.equal(['RecordEvents']);
    });
  });
});
