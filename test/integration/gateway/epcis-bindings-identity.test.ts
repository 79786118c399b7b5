import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { eventHashId, xmlToEpcisDocument } from '../../../lib/epcis/src';
import { captureIdentity } from '../../../gateway/src/adapters/epcis/event-ids';
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
  /** The events an XML query by eventID (or hash) answers, read as a capture document would be. */
  async function queryXml(id: string): Promise<Ev> {
    await t.eventsById(id);
    const res = await t.query().get('/epcis/events').query({ EQ_eventID: id }).set('Accept', 'application/xml').expect(200);
    return xmlToEpcisDocument(
      res.text
        .replace(/epcisq:EPCISQueryDocument/g, 'epcis:EPCISDocument')
        .replace(/<\/?epcisq:QueryResults>|<queryName>[^<]*<\/queryName>|<\/?resultsBody>/g, ''),
    ) as Ev;
  }
  const hashesOf = (doc: Ev) => (doc.epcisBody.eventList as Ev[]).map((e) => eventHashId(e, doc['@context']));
  /** What the ledger's hash index identifies each event by (a declaration: its event's hash and the declaration). */
  const identitiesOf = (doc: Ev) => (doc.epcisBody.eventList as Ev[]).map((e) => captureIdentity(eventHashId(e, doc['@context']), e));

  type Doc = { xml?: string; json?: Ev };
  const parsed = (d: Doc): Ev => (d.xml !== undefined ? xmlToEpcisDocument(d.xml) : d.json!);
  const send = (d: Doc) => (d.xml !== undefined ? captureXml(d.xml) : t.capture(d.json!));

  /**
   * Captures the documents of one binding, then those of the other; every event of the second whose CBV 2.0
   * canonical form (hash) is one of the first's must be acknowledged as already captured and stored once.
   * Returns how many such events there were.
   */
  async function both(firsts: Doc[], seconds: Doc[], name: string, strict: boolean): Promise<number> {
    const firstHashes = new Set<string>();
    for (const d of firsts) {
      const a = await send(d);
      if (a.status === 422 && !strict) {
        // GS1's files of one binding sometimes reuse an eventID for different events: the later file is refused, naming both.
        for (const e of a.body.errors as Array<{ message: string }>) expect(e.message, name).to.match(/already names a different event on the ledger/);
        continue;
      }
      expect(a.status, `${name}: ${JSON.stringify(a.body)}`).to.equal(202);
      expect(a.job!.status, `${name}: ${JSON.stringify(a.job!.errors)}`).to.equal('success');
      identitiesOf(parsed(d)).forEach((h) => firstHashes.add(h));
    }
    let matched = 0;
    for (const d of seconds) {
      const hashes = identitiesOf(parsed(d));
      const declares = (parsed(d).epcisBody.eventList as Ev[]).map((e) => e.errorDeclaration !== undefined);
      const same = hashes.map((h, i) => [h, i] as const).filter(([h]) => firstHashes.has(h));
      if (strict) expect(same.length, `${name}: every event is in both bindings`).to.equal(hashes.length);
      matched += same.length;
      const b = await send(d);
      if (b.status !== 202) {
        // Only a genuinely different event under an eventID the first binding used may be refused, naming both.
        expect(b.status, `${name}: ${JSON.stringify(b.body)}`).to.equal(422);
        expect(strict, `${name}: ${JSON.stringify(b.body)}`).to.equal(false);
        for (const e of b.body.errors as Array<{ field: string; message: string }>) {
          expect(e.message, name).to.match(/already names a different event on the ledger: the stored event has hash .* this one ni:/);
          expect(firstHashes.has(hashes[Number(/eventList\[(\d+)\]/.exec(e.field)![1])]), `${name}: ${e.field}`).to.equal(false);
        }
        continue;
      }
      expect(b.job!.status, `${name}: ${JSON.stringify(b.job!.errors)}`).to.equal('success');
      // Acknowledged as the same event, not stored again: one stored event per hash.
      for (const [h, i] of same) {
        expect(b.body.alreadyCaptured, `${name}[${i}]`).to.include(i);
        // One stored event (a declaration about it, which shares its hash, is a record of its own).
        if (!declares[i])
          expect(
            (await t.eventsById(h)).filter((e) => e.errorDeclaration === undefined),
            `${name}[${i}] ${h}`,
          ).to.have.length(1);
      }
    }
    return matched;
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
          // GS1 reuses eventIDs across files: each pair gets ids of its own.
          const xml = own(xmlText, years, `${order}|${x}`, ids);
          const jsons = jsonTexts.map((j) => ({ json: JSON.parse(own(j, years, `${order}|${x}`, ids)) as Ev }));
          matched += order === 'XML then JSON-LD' ? await both([{ xml }], jsons, x, false) : await both(jsons, [{ xml }], x, false);
        }
        // GS1's files do not always hold the same events in both bindings (another type, another read point, a namespace
        // with or without a trailing slash, a declaration naming its corrective event by UUID in one and by hash in the
        // other); the 13 that do (9.6.1: 1, TransactionEvent: 1, sensor data: 4, AssociationEvent: 7) are one event each.
        expect(matched).to.be.greaterThanOrEqual(13);
      });
    }
  });

  describe('documents with sensor data, extensions, error declarations and microsecond times (test/fixtures/epcis-bindings)', () => {
    /** The fixture pair made unique to this run (EPC serials, lots, order and event ids), identically in both bindings. */
    const pair = (tag: string) => {
      const run = `${Date.now().toString(36)}${tag}`;
      const hex = createHash('sha256').update(run).digest('hex').slice(0, 8);
      const read = (f: string) =>
        fs
          .readFileSync(path.join(fixturesDir(), 'epcis-bindings', f), 'utf8')
          .split('RUNUUID0')
          .join(hex)
          .split('RUN')
          .join(run);
      return { xml: read('sensor-extensions.xml'), json: JSON.parse(read('sensor-extensions.jsonld')) as Ev };
    };

    it('XML then JSON-LD: each event is stored once, the second capture acknowledged; queried in the other binding it is the same event', async () => {
      const { xml, json } = pair('a');
      expect(hashesOf(json)).to.deep.equal(hashesOf(xmlToEpcisDocument(xml)));
      expect(await both([{ xml }], [{ json }], 'own document', true)).to.equal(3);
      // Captured as XML, queried as JSON-LD and as XML: extensions and sensor data come back as the same event.
      for (const h of hashesOf(json)) {
        const [stored] = await t.eventsById(h);
        expect(eventHashId(stored, stored['@context'] ?? json['@context']), 'JSON-LD query').to.equal(h);
        const asXml = await t.query().get('/epcis/events').query({ EQ_eventID: stored.eventID }).set('Accept', 'application/xml').expect(200);
        // The query document's events, read as a capture document would be.
        const back = xmlToEpcisDocument(
          asXml.text
            .replace(/epcisq:EPCISQueryDocument/g, 'epcis:EPCISDocument')
            .replace(/<\/?epcisq:QueryResults>|<queryName>[^<]*<\/queryName>|<\/?resultsBody>/g, ''),
        );
        expect(hashesOf(back), `XML query ${h}`).to.deep.equal([h]);
      }
      // A genuinely different event under the same eventID is still refused, naming both.
      const changed = { ...json, epcisBody: { eventList: [{ ...json.epcisBody.eventList[1], disposition: 'damaged' }] } };
      const refused = await t.capture(changed);
      expect(refused.status).to.equal(422);
      expect(refused.body.errors[0].field).to.equal('epcisBody.eventList[0].eventID');
      expect(refused.body.errors[0].message).to.match(/already names a different event on the ledger: the stored event has hash ni:.*this one ni:/);
    });

    it('JSON-LD then XML, then an error declaration in each binding: the declaration is recorded once, its event stays one', async () => {
      const { xml, json } = pair('b');
      expect(await both([{ json }], [{ xml }], 'own document, reversed', true)).to.equal(3);
      const declared = { ...json.epcisBody.eventList[1], errorDeclaration: { declarationTime: '2005-04-06T00:00:00.000000Z', reason: 'incorrect_data' } };
      const d = await t.capture({ ...json, epcisBody: { eventList: [declared] } });
      expect(d.status, JSON.stringify(d.body)).to.equal(202);
      expect(d.body.alreadyCaptured).to.deep.equal([]);
      expect(d.job!.status, JSON.stringify(d.job!.errors)).to.equal('success');
      expect(d.job!.transactions.map((x: Ev) => x.fn)).to.deep.equal(['DeclareError']);
      // The same declaration written in XML (another time spelling, the CBV URN) is acknowledged as the same.
      const xmlDecl = xml.replace(
        /(<eventID>[^<]+<\/eventID>)/,
        '$1<errorDeclaration><declarationTime>2005-04-05T18:00:00-06:00</declarationTime><reason>urn:epcglobal:cbv:er:incorrect_data</reason></errorDeclaration>',
      );
      const again = await captureXml(xmlDecl);
      expect(again.status, JSON.stringify(again.body)).to.equal(202);
      expect(again.body.alreadyCaptured).to.deep.equal([0, 1, 2]);
      const rows = await t.eventsById(json.epcisBody.eventList[1].eventID as string);
      expect(rows.filter((e) => e.errorDeclaration === undefined)).to.have.length(1);
      expect(rows.filter((e) => e.errorDeclaration !== undefined)).to.have.length(1);
      // Captured as JSON-LD, queried as XML: the events (extensions, sensor data, ILMD) and the declaration read back the same.
      for (const [i, h] of hashesOf(json).entries()) {
        const back = await queryXml(i === 1 ? (json.epcisBody.eventList[1].eventID as string) : h);
        expect(hashesOf(back), `XML query ${h}`).to.include(h);
        if (i !== 1) continue;
        const decl = (back.epcisBody.eventList as Ev[]).find((e) => e.errorDeclaration !== undefined);
        expect(decl?.errorDeclaration).to.deep.equal({ declarationTime: '2005-04-06T00:00:00.000000Z', reason: 'incorrect_data' });
      }
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
