import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canonicalTime, eventHashId, eventPreHash, xmlToEpcisDocument } from '../../../lib/epcis/src';
import { captureIdentity } from '../../../gateway/src/adapters/epcis/event-ids';
import { fixturesDir } from '../../fixtures/gs1-epcis';

type Ev = Record<string, any>;
const GS1 = path.join(fixturesDir(), 'gs1', 'epcis');
const hashes = (doc: Ev) => (doc.epcisBody.eventList as Ev[]).map((e) => eventHashId(e, doc['@context']));
const readXml = (f: string) => xmlToEpcisDocument(fs.readFileSync(f, 'utf8')) as Ev;
const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8')) as Ev;

describe('EPCIS event identity: the CBV 2.0 canonical form, whatever the binding', () => {
  it('times: one instant in any offset and precision is one canonical time (UTC, milliseconds)', () => {
    const same = [
      '2005-04-03T20:33:31.116-06:00',
      '2005-04-03T20:33:31.116000-06:00',
      '2005-04-04T02:33:31.116Z',
      '2005-04-04T04:33:31.116+02:00',
      '2005-04-04T02:33:31.1160Z',
      '2005-04-04T02:33:31.116499Z',
    ];
    for (const t of same) expect(canonicalTime(t), t).to.equal('2005-04-04T02:33:31.116Z');
    expect(canonicalTime('2005-04-04T02:33:31.1165Z')).to.equal('2005-04-04T02:33:31.117Z');
    expect(canonicalTime('2005-04-04T02:33:31Z')).to.equal('2005-04-04T02:33:31.000Z');
    expect(canonicalTime('2005-04-04T02:33:31.117Z')).to.not.equal(canonicalTime(same[0]));
  });

  it("the issue's ObjectEvent: GS1's XML and JSON-LD of example 9.6.1 (…116-06:00 vs …116000-06:00) are one event", () => {
    const xml = readXml(path.join(GS1, 'XML', 'Example_9.6.1-ObjectEvent-2020_06_18a.xml'));
    const json = readJson(path.join(GS1, 'JSON', 'Example_9.6.1-ObjectEvent.jsonld'));
    expect(xml.epcisBody.eventList[0].eventTime).to.equal('2005-04-03T20:33:31.116-06:00');
    expect(json.epcisBody.eventList[0].eventTime).to.equal('2005-04-03T20:33:31.116000-06:00');
    expect(hashes(xml)[0]).to.equal(hashes(json)[0]);
    // Its second event really differs: GS1's XML declares the extension namespace without the JSON-LD's trailing slash.
    expect(eventPreHash(xml.epcisBody.eventList[1], xml['@context'])).to.contain('{http://ns.example.com/epcis}myField');
    expect(hashes(xml)[1]).to.not.equal(hashes(json)[1]);
  });

  it('own documents with sensor data, nested extensions, ILMD and microsecond times hash the same in both bindings', () => {
    const sub = (s: string) => s.split('RUNUUID0').join('0123abcd').split('RUN').join('T1');
    const dir = path.join(fixturesDir(), 'epcis-bindings');
    const xml = xmlToEpcisDocument(sub(fs.readFileSync(path.join(dir, 'sensor-extensions.xml'), 'utf8'))) as Ev;
    const json = JSON.parse(sub(fs.readFileSync(path.join(dir, 'sensor-extensions.jsonld'), 'utf8'))) as Ev;
    expect(hashes(xml)).to.have.length(3);
    expect(hashes(xml)).to.deep.equal(hashes(json));
    // Each difference in writing matters to the hash when it changes the event.
    const other = { ...json.epcisBody.eventList[0], 'ex:grade': 'AB' };
    expect(eventHashId(other, json['@context'])).to.not.equal(hashes(json)[0]);
  });

  it('XML type annotations (xsi:type) on extension elements are not event data', () => {
    const xml = (inner: string) =>
      xmlToEpcisDocument(`<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
        xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:ex="https://ns.example.com/epcis/" schemaVersion="2.0" creationDate="2025-01-01T00:00:00Z">
        <EPCISBody><EventList><ObjectEvent><eventTime>2025-01-01T00:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
        <epcList/><action>OBSERVE</action>${inner}</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>`) as Ev;
    const typed = xml('<ex:count xsi:type="xsd:integer">12</ex:count>');
    const plain = xml('<ex:count>12</ex:count>');
    expect(typed.epcisBody.eventList[0]['ex:count']).to.equal('12');
    expect(hashes(typed)).to.deep.equal(hashes(plain));
  });

  it('an error declaration is identified by its event and the declaration, however either is written', () => {
    const ev = {
      type: 'ObjectEvent',
      eventTime: '2025-01-01T00:00:00Z',
      eventTimeZoneOffset: '+00:00',
      epcList: ['urn:epc:id:sgtin:4012345.011111.1'],
      action: 'OBSERVE',
    };
    const h = eventHashId(ev);
    const a = {
      ...ev,
      errorDeclaration: { declarationTime: '2025-01-02T00:00:00.000000Z', reason: 'incorrect_data', correctiveEventIDs: ['urn:uuid:2', 'urn:uuid:1'] },
    };
    const b = {
      ...ev,
      eventTime: '2025-01-01T01:00:00+01:00',
      errorDeclaration: {
        declarationTime: '2025-01-01T19:00:00-05:00',
        reason: 'urn:epcglobal:cbv:er:incorrect_data',
        correctiveEventIDs: ['urn:uuid:1', 'urn:uuid:2'],
      },
    };
    expect(eventHashId(b)).to.equal(h);
    expect(captureIdentity(h, a)).to.equal(captureIdentity(h, b));
    expect(captureIdentity(h, a)).to.not.equal(h);
    expect(captureIdentity(h, ev)).to.equal(h);
    expect(captureIdentity(h, { ...a, errorDeclaration: { ...a.errorDeclaration, reason: 'did_not_occur' } })).to.not.equal(captureIdentity(h, a));
  });

  it("GS1's examples in both bindings: every event the two files both hold has one hash", () => {
    const pairs: Array<[string, string[]]> = [
      ['Example_9.6.1-ObjectEvent-2020_06_18a.xml', ['Example_9.6.1-ObjectEvent.jsonld']],
      ['Example-TransactionEvent-2020_07_03y.xml', ['Example-TransactionEvents-2020_07_03y.jsonld']],
      [
        'WithSensorData/SensorDataExamples.xml',
        fs
          .readdirSync(path.join(GS1, 'JSON', 'WithSensorData'))
          .filter((f) => f.endsWith('.jsonld'))
          .map((f) => `WithSensorData/${f}`),
      ],
      [
        'AssociationEvent/AssociationEventExamples.xml',
        fs
          .readdirSync(path.join(GS1, 'JSON', 'AssociationEvent'))
          .filter((f) => f.endsWith('.jsonld'))
          .map((f) => `AssociationEvent/${f}`),
      ],
    ];
    let matched = 0;
    for (const [x, js] of pairs) {
      const fromJson = new Set(js.flatMap((j) => hashes(readJson(path.join(GS1, 'JSON', j)))));
      matched += hashes(readXml(path.join(GS1, 'XML', x))).filter((h) => fromJson.has(h)).length;
    }
    // 9.6.1: 1, TransactionEvent: 1, sensor data: 4, AssociationEvent: all 8 (the rest differ in GS1's files themselves).
    expect(matched).to.be.greaterThanOrEqual(14);
  });
});
