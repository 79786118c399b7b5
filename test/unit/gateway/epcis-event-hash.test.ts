import { expect } from 'chai';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { eventHashId, eventPreHash } from '../../../lib/epcis/src/event-hash';
import { toCanonicalDigitalLink } from '../../../lib/domain/src/epcis/digital-link';

/** The repository's test/fixtures folder, from the source tree or from dist/. */
export function fixturesDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return path.join(dir, 'test', 'fixtures');
}

const VECTORS = path.join(fixturesDir(), 'gs1', 'event-hash');
type Doc = Record<string, any>;

function eventsOf(doc: Doc): Doc[] {
  return doc.epcisBody?.eventList ?? doc.epcisBody?.queryResults?.resultsBody?.eventList ?? [doc.epcisBody.event];
}

/** A test document may list fields its repository added (`<prefix>:ignoreFields`); the reference leaves them out. */
function ignoreFieldsOf(doc: Doc): string[] | undefined {
  const find = (o: Doc | undefined) => Object.entries(o ?? {}).find(([k]) => k.endsWith(':ignoreFields'))?.[1] as string[] | undefined;
  return find(doc) ?? find(doc.epcisBody?.queryResults);
}

const sha256 = (s: string) => `ni:///sha-256;${createHash('sha256').update(s, 'utf8').digest('hex')}?ver=CBV2.0`;
const lines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l !== '');

describe("EPCIS event hash ID (CBV 2.0) against the reference generator's published vectors", () => {
  const files = fs.readdirSync(VECTORS).filter((f) => f.endsWith('.jsonld') && fs.existsSync(path.join(VECTORS, f.replace(/\.jsonld$/, '.hashes'))));

  it('finds the vectors, most with a pre-hash string that matches its hash', () => {
    expect(files.length).to.be.greaterThanOrEqual(20);
    let checked = 0;
    for (const f of files) {
      const base = f.replace(/\.jsonld$/, '');
      const preFile = path.join(VECTORS, `${base}.prehashes`);
      if (!fs.existsSync(preFile)) continue;
      const hashes = lines(path.join(VECTORS, `${base}.hashes`));
      checked += lines(preFile).filter((p, i) => sha256(p) === hashes[i]).length;
    }
    expect(checked).to.be.greaterThanOrEqual(25);
  });

  for (const f of files) {
    const base = f.replace(/\.jsonld$/, '');
    it(`${base}: every event's hash (and pre-hash string, where published) equals the reference`, () => {
      const doc = JSON.parse(fs.readFileSync(path.join(VECTORS, f), 'utf8')) as Doc;
      const hashes = lines(path.join(VECTORS, `${base}.hashes`));
      const preFile = path.join(VECTORS, `${base}.prehashes`);
      const pre = fs.existsSync(preFile) ? lines(preFile) : [];
      const events = eventsOf(doc);
      expect(events.length).to.equal(hashes.length);
      events.forEach((ev, i) => {
        const opts = { ignoreFields: ignoreFieldsOf(doc) };
        // A few published pre-hash files do not line up with their hash files; a pre-hash line is compared when it is the one hashed.
        if (pre[i] !== undefined && sha256(pre[i]) === hashes[i]) expect(eventPreHash(ev, doc['@context'], opts), `${base}[${i}] pre-hash`).to.equal(pre[i]);
        expect(eventHashId(ev, doc['@context'], opts), `${base}[${i}]`).to.equal(hashes[i]);
      });
    });
  }

  it('key order, whitespace and CBV spelling (short name, URN, web URI) do not change the hash; a value does', () => {
    const a = {
      type: 'ObjectEvent',
      eventTime: '2024-05-01T10:00:00+02:00',
      eventTimeZoneOffset: '+02:00',
      action: 'OBSERVE',
      bizStep: 'shipping',
      epcList: ['urn:epc:id:sgtin:4012345.011111.1', 'urn:epc:id:sgtin:4012345.011111.2'],
    };
    const b = {
      epcList: ['https://id.gs1.org/01/04012345111118/21/2', ' urn:epc:id:sgtin:4012345.011111.1'],
      bizStep: 'urn:epcglobal:cbv:bizstep:shipping',
      action: 'OBSERVE',
      eventTimeZoneOffset: '+02:00',
      eventTime: '2024-05-01T08:00:00.000Z',
      type: 'ObjectEvent',
    };
    expect(eventHashId(a)).to.equal(eventHashId(b));
    expect(eventHashId({ ...a, eventID: 'urn:uuid:1', recordTime: '2025-01-01T00:00:00Z' })).to.equal(eventHashId(a));
    expect(eventHashId({ ...a, bizStep: 'receiving' })).to.not.equal(eventHashId(a));
    expect(eventHashId(a)).to.match(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
  });

  it('EPC URIs become constrained canonical Digital Links', () => {
    expect(toCanonicalDigitalLink('urn:epc:id:sscc:4012345.0000000001')).to.equal('https://id.gs1.org/00/040123450000000016');
    expect(toCanonicalDigitalLink('urn:epc:class:lgtin:4012345.012345.LOT1')).to.equal('https://id.gs1.org/01/04012345123456/10/LOT1');
    expect(toCanonicalDigitalLink('urn:epc:id:sgln:4012345.00005.0')).to.equal('https://id.gs1.org/414/4012345000054');
    expect(toCanonicalDigitalLink('https://example.com/01/04012345123456/10/L1/21/9?x=1')).to.equal('https://id.gs1.org/01/04012345123456/21/9');
    expect(toCanonicalDigitalLink('urn:uuid:6d1b9c1e')).to.equal(undefined);
  });

  it('gives the same answers once conversions are remembered, and after the memo is emptied', () => {
    const sgln = (n: number) => `urn:epc:id:sgln:4012345.${String(n).padStart(5, '0')}.0`;
    const first = Array.from({ length: 12_000 }, (_, n) => toCanonicalDigitalLink(sgln(n)));
    const again = Array.from({ length: 12_000 }, (_, n) => toCanonicalDigitalLink(sgln(n)));
    expect(again).to.deep.equal(first);
    expect(first[5]).to.equal('https://id.gs1.org/414/4012345000054');
    expect(toCanonicalDigitalLink('urn:uuid:6d1b9c1e')).to.equal(undefined);
    expect(toCanonicalDigitalLink('urn:uuid:6d1b9c1e')).to.equal(undefined);
  });
});
