import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertEpcisValid } from '../../../gateway/src/adapters/epcis/gs1-validation';
import { captureXmlToEpcisDocument } from '../../../gateway/src/adapters/epcis/xml-structure';
import { ServiceError } from '../../../lib/platform/src';
import { fixturesDir, gs1Examples } from '../../fixtures/gs1-epcis';

const INVALID = path.join(fixturesDir(), 'epcis-invalid');
const GS1_XML = path.join(fixturesDir(), 'gs1', 'epcis', 'XML');

/** Validates a document as the capture route does for its binding; the refusal, or undefined. */
function refusal(file: string, text: string): ServiceError | undefined {
  try {
    if (file.endsWith('.xml')) assertEpcisValid(captureXmlToEpcisDocument(text), 'xml');
    else assertEpcisValid(JSON.parse(text), 'json');
    return undefined;
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
}
const errorsOf = (e: ServiceError) => (e.details?.errors ?? []) as Array<{ field: string; message: string }>;

describe('EPCIS 2.0 validation: GS1 JSON schema, XSD structure, CBV', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(INVALID, 'manifest.json'), 'utf8')).documents as Record<string, { field: string; rule: string }>;

  it('covers every rule in both bindings where it applies', () => {
    const rules = (ext: string) =>
      Object.entries(manifest)
        .filter(([f]) => f.endsWith(ext))
        .map(([, m]) => m.rule);
    expect(rules('.jsonld')).to.have.members([
      'bizstep-bare-word',
      'disposition-bare-word',
      'ilmd-without-namespace',
      'quantity-element-unknown-field',
      'object-event-without-epcs',
    ]);
    expect(rules('.xml')).to.include.members([...rules('.jsonld'), 'action-unknown', 'action-near-miss', 'unknown-element', 'elements-out-of-order']);
  });

  for (const [file, { field }] of Object.entries(manifest)) {
    it(`refuses ${file} with a 400 naming ${field} and the event`, () => {
      const e = refusal(file, fs.readFileSync(path.join(INVALID, file), 'utf8'));
      expect(e, file).to.be.instanceOf(ServiceError);
      expect(e!.httpStatus).to.equal(400);
      const hit = errorsOf(e!).find((x) => x.field === field);
      expect(hit, JSON.stringify(errorsOf(e!))).to.not.equal(undefined);
      expect(hit!.message).to.contain('event 1, eventID urn:uuid:6a1c0e8e-0002-4000-8000-000000000002');
      // The valid first event is never blamed.
      expect(errorsOf(e!).every((x) => !/ObjectEvent\[1\]|eventList\[0\]/.test(x.field))).to.equal(true);
    });
  }

  it('a near-miss action says which one was meant', () => {
    const e = refusal('x.xml', fs.readFileSync(path.join(INVALID, 'action-near-miss.xml'), 'utf8'))!;
    expect(errorsOf(e)[0].message).to.contain('did you mean OBSERVE?');
  });

  it("accepts every GS1 example document, JSON-LD and XML, and GS1's bare CBV words", () => {
    const json = gs1Examples().filter((e) => e.doc.type === 'EPCISDocument');
    expect(json.length).to.be.greaterThanOrEqual(40);
    for (const { name, doc } of json) expect(refusal(name, JSON.stringify(doc)), name).to.equal(undefined);
    const xml: string[] = [];
    const walk = (d: string) => {
      for (const f of fs.readdirSync(d)) {
        const p = path.join(d, f);
        if (fs.statSync(p).isDirectory()) walk(p);
        else if (f.endsWith('.xml')) xml.push(p);
      }
    };
    walk(GS1_XML);
    expect(xml.length).to.be.greaterThanOrEqual(20);
    for (const f of xml) {
      const e = refusal(f, fs.readFileSync(f, 'utf8'));
      expect(e && JSON.stringify(errorsOf(e)), f).to.equal(undefined);
    }
  });

  it("a value in CBV's namespace must be a CBV term; a bare word must be CBV's; any other URI is fine", () => {
    const doc = (ev: Record<string, unknown>) => ({
      '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2025-06-01T12:00:00Z',
      epcisBody: {
        eventList: [{ type: 'ObjectEvent', eventTime: '2025-06-01T10:00:00Z', eventTimeZoneOffset: '+00:00', epcList: [], action: 'OBSERVE', ...ev }],
      },
    });
    const fields = (ev: Record<string, unknown>) => {
      try {
        assertEpcisValid(doc(ev));
        return [];
      } catch (err) {
        return errorsOf(err as ServiceError).map((x) => x.field);
      }
    };
    expect(fields({ bizStep: 'https://ref.gs1.org/cbv/BizStep-shippping' })).to.deep.equal(['epcisBody.eventList[0].bizStep']);
    expect(fields({ disposition: 'urn:epcglobal:cbv:disp:sold' })).to.deep.equal(['epcisBody.eventList[0].disposition']);
    expect(fields({ bizTransactionList: [{ type: 'urn:epcglobal:cbv:btt:invoice', bizTransaction: 'urn:example:bt:1' }] })).to.deep.equal([
      'epcisBody.eventList[0].bizTransactionList[0].type',
    ]);
    expect(
      fields({
        bizStep: 'https://ref.gs1.org/cbv/BizStep-shipping',
        disposition: 'https://example.org/disp/dusty',
        bizTransactionList: [{ type: 'inv', bizTransaction: 'urn:example:bt:1' }],
      }),
    ).to.deep.equal([]);
    // GS1's JSON schema keeps CBV's URNs to the XML binding: JSON-LD writes bare words (or web URIs).
    expect(fields({ bizStep: 'urn:epcglobal:cbv:bizstep:shipping' })).to.deep.equal(['epcisBody.eventList[0].bizStep']);
  });
});
