/**
 * The EPCIS 2.0 XML binding, read side: an XML document becomes the JSON-LD
 * document the rest of capture works on (so an event captured as XML and as
 * JSON-LD is one event with one hash). Standard fields keep their names;
 * extension elements and attributes keep their namespace through a prefix
 * declared in the document's @context (XML prefix → namespace IRI). Query
 * results are written as XML by xml-writer.ts.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { invalidInput } from '../../platform/src';
import { EPCIS_EVENT_TYPES } from '../../domain/src';
import { isObj, list, TYPED_LISTS, type Obj, type XNode } from './xml-nodes';

const EVENT_TYPES: readonly string[] = EPCIS_EVENT_TYPES;
const EPC_LISTS: Record<string, string> = { epcList: 'epc', childEPCs: 'epc', inputEPCList: 'epc', outputEPCList: 'epc' };
const QUANTITY_LISTS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'];
const NUMERIC_REPORT = new Set(['value', 'minValue', 'maxValue', 'meanValue', 'sDev', 'percRank', 'percValue']);
/** Namespaces GS1's JSON-LD context already names; their prefixes are kept rather than declared again. */
const KNOWN_NS: Record<string, string> = { 'urn:epcglobal:cbv:mda': 'cbvmda', 'urn:epcglobal:cbv:mda:': 'cbvmda', 'https://gs1.org/voc/': 'gs1' };
const EPCIS_NS = new Set(['urn:epcglobal:epcis:xsd:2', 'urn:epcglobal:epcis:xsd:1', 'urn:epcglobal:epcis-query:xsd:2', 'urn:epcglobal:epcis-query:xsd:1']);
const LIST_ELEMENTS = [
  'epc',
  'quantityElement',
  'bizTransaction',
  'source',
  'destination',
  'sensorElement',
  'sensorReport',
  'correctiveEventID',
  'set',
  'unset',
  'certificationInfo',
  ...EVENT_TYPES,
];

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  processEntities: false,
  htmlEntities: false,
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => LIST_ELEMENTS.includes(name.replace(/^.*:/, '')),
});

const local = (name: string) => name.replace(/^.*:/, '');
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : isObj(v) && typeof v['#text'] === 'string' ? v['#text'] : undefined);

/** XML writes CBV values as URNs; the JSON-LD binding (and GS1's JSON schema) as bare names. */
function bare(v: unknown, vocabulary: string): unknown {
  const urn = `urn:epcglobal:cbv:${vocabulary}:`;
  return typeof v === 'string' && v.startsWith(urn) ? v.slice(urn.length) : v;
}

function child(node: XNode, name: string): unknown {
  const key = Object.keys(node).find((k) => local(k) === name && !k.startsWith('@_'));
  return key === undefined ? undefined : node[key];
}

/** Stands in the prefix map for the XML Schema instance namespace (xsi), whose attributes are not event data. */
const XSI = '\u0000xsi';
const isXsi = (qname: string, prefixes: Map<string, string>) => qname.includes(':') && prefixes.get(qname.slice(0, qname.indexOf(':'))) === XSI;

/** Converts one XML value (element content or attribute) of an extension. */
function extensionValue(v: unknown, prefixes: Map<string, string>): unknown {
  if (Array.isArray(v)) return v.map((e) => extensionValue(e, prefixes));
  if (!isObj(v)) return v ?? '';
  const out: Obj = {};
  for (const [k, c] of Object.entries(v)) {
    // xsi:type and friends annotate the XML value's type; they are not data of the event (JSON-LD has no counterpart).
    if (k === '#text' || isXsi(k.replace(/^@_/, ''), prefixes)) continue;
    out[jsonName(k.replace(/^@_/, ''), prefixes)] = extensionValue(c, prefixes);
  }
  return Object.keys(out).length === 0 ? (text(v) ?? '') : out;
}

/** An XML qualified name as a JSON-LD key: `prefix:local` with the prefix mapped as the document declares it. */
function jsonName(qname: string, prefixes: Map<string, string>): string {
  const i = qname.indexOf(':');
  if (i < 0) return qname;
  return `${prefixes.get(qname.slice(0, i)) ?? qname.slice(0, i)}:${qname.slice(i + 1)}`;
}

function extensions(node: XNode, standard: Set<string>, prefixes: Map<string, string>, out: Obj): void {
  for (const [k, v] of Object.entries(node)) {
    const name = k.replace(/^@_/, '');
    if (k === '#text' || name.startsWith('xmlns') || standard.has(local(name)) || !name.includes(':') || isXsi(name, prefixes)) continue;
    out[jsonName(name, prefixes)] = extensionValue(v, prefixes);
  }
}

function attributesObject(node: XNode, numeric: Set<string>, prefixes: Map<string, string>): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(node)) {
    if (!k.startsWith('@_')) continue;
    const name = k.slice(2);
    if (name.includes(':')) out[jsonName(name, prefixes)] = v;
    else if (numeric.has(name) && v !== '' && !Number.isNaN(Number(v))) out[name] = Number(v);
    else if (name === 'booleanValue') out[name] = v === 'true';
    else out[name] = v;
  }
  extensions(node, new Set(), prefixes, out);
  return out;
}

const STANDARD = new Set([
  'eventTime',
  'recordTime',
  'eventTimeZoneOffset',
  'eventID',
  'certificationInfo',
  'errorDeclaration',
  'parentID',
  'action',
  'transformationID',
  'bizStep',
  'disposition',
  'persistentDisposition',
  'readPoint',
  'bizLocation',
  'sensorElementList',
  'ilmd',
  'extension',
  'baseExtension',
  ...Object.keys(EPC_LISTS),
  ...QUANTITY_LISTS,
  ...Object.keys(TYPED_LISTS),
]);

function xmlEvent(type: string, node: XNode, prefixes: Map<string, string>): Obj {
  // EPCIS 1.x wrapped newer fields in <extension>/<baseExtension>; 2.0 writes them in place.
  const flat: XNode = { ...node };
  for (const w of ['extension', 'baseExtension']) {
    const inner = child(node, w);
    if (isObj(inner)) Object.assign(flat, inner);
  }
  const ev: Obj = { type };
  const str = (name: string) => text(child(flat, name));
  for (const f of ['eventTime', 'recordTime', 'eventTimeZoneOffset', 'eventID']) if (str(f) !== undefined) ev[f] = str(f);
  const cert = list(child(flat, 'certificationInfo'))
    .map(text)
    .filter((s): s is string => !!s);
  if (cert.length > 0) ev.certificationInfo = cert.length === 1 ? cert[0] : cert;
  const err = child(flat, 'errorDeclaration');
  if (isObj(err)) {
    const decl: Obj = {};
    if (text(child(err, 'declarationTime'))) decl.declarationTime = text(child(err, 'declarationTime'));
    if (text(child(err, 'reason'))) decl.reason = bare(text(child(err, 'reason')), 'er');
    const ids = child(err, 'correctiveEventIDs');
    if (isObj(ids)) decl.correctiveEventIDs = list(child(ids, 'correctiveEventID')).map(text);
    extensions(err, new Set(['declarationTime', 'reason', 'correctiveEventIDs']), prefixes, decl);
    ev.errorDeclaration = decl;
  }
  if (str('parentID') !== undefined) ev.parentID = str('parentID');
  for (const [l, item] of Object.entries(EPC_LISTS)) {
    const n = child(flat, l);
    if (n !== undefined) ev[l] = isObj(n) ? list(child(n, item)).map(text) : [];
  }
  for (const l of QUANTITY_LISTS) {
    const n = child(flat, l);
    if (!isObj(n)) continue;
    ev[l] = list(child(n, 'quantityElement'))
      .filter(isObj)
      .map((q) => {
        const e: Obj = { epcClass: text(child(q, 'epcClass')) };
        const qty = text(child(q, 'quantity'));
        if (qty !== undefined) e.quantity = Number(qty);
        if (text(child(q, 'uom')) !== undefined) e.uom = text(child(q, 'uom'));
        return e;
      });
  }
  for (const f of ['action', 'transformationID']) if (str(f) !== undefined) ev[f] = str(f);
  if (str('bizStep') !== undefined) ev.bizStep = bare(str('bizStep'), 'bizstep');
  if (str('disposition') !== undefined) ev.disposition = bare(str('disposition'), 'disp');
  const pd = child(flat, 'persistentDisposition');
  if (isObj(pd)) {
    const p: Obj = {};
    for (const k of ['set', 'unset']) if (child(pd, k) !== undefined) p[k] = list(child(pd, k)).map((x) => bare(text(x), 'disp'));
    ev.persistentDisposition = p;
  }
  for (const f of ['readPoint', 'bizLocation']) {
    const n = child(flat, f);
    if (!isObj(n)) continue;
    const o: Obj = { id: text(child(n, 'id')) };
    extensions(n, new Set(['id']), prefixes, o);
    ev[f] = o;
  }
  for (const [l, item] of Object.entries(TYPED_LISTS)) {
    const n = child(flat, l);
    if (n === undefined) continue;
    const vocabulary = item === 'bizTransaction' ? 'btt' : 'sdt';
    ev[l] = isObj(n)
      ? list(child(n, item)).map((e) => ({ ...(isObj(e) && e['@_type'] !== undefined ? { type: bare(e['@_type'], vocabulary) } : {}), [item]: text(e) }))
      : [];
  }
  const sensors = child(flat, 'sensorElementList');
  if (isObj(sensors)) {
    ev.sensorElementList = list(child(sensors, 'sensorElement'))
      .filter(isObj)
      .map((se) => {
        const o: Obj = {};
        const meta = child(se, 'sensorMetadata');
        if (isObj(meta)) o.sensorMetadata = attributesObject(meta, new Set(), prefixes);
        const reports = list(child(se, 'sensorReport')).filter(isObj);
        if (reports.length > 0) o.sensorReport = reports.map((r) => attributesObject(r, NUMERIC_REPORT, prefixes));
        extensions(se, new Set(['sensorMetadata', 'sensorReport']), prefixes, o);
        return o;
      });
  }
  const ilmd = child(flat, 'ilmd');
  if (isObj(ilmd)) {
    const o: Obj = {};
    extensions(ilmd, new Set(), prefixes, o);
    ev.ilmd = o;
  }
  extensions(flat, STANDARD, prefixes, ev);
  return ev;
}

/** Removes a bare `<!DOCTYPE name>` (it declares nothing); an internal subset or external DTD stays, to be refused. */
export const stripDoctype = (xml: string) => xml.replace(/<!DOCTYPE\s+[A-Za-z_][\w.:-]*\s*>/i, '');

/**
 * Parses an EPCIS 2.0 (or 1.2) XML capture document into the JSON-LD document
 * capture works on. DTDs are refused; a document that is not EPCIS XML is a
 * 400 naming what is missing.
 */
export function xmlToEpcisDocument(xml: string): Obj {
  // A bare `<!DOCTYPE name>` (GS1's own examples carry one) declares nothing; an internal subset or external DTD could define entities.
  xml = stripDoctype(xml);
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw invalidInput([{ field: 'body', message: 'must not contain a DOCTYPE or entity declarations' }]);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw invalidInput([{ field: 'body', message: `is not well-formed XML (line ${valid.err.line}: ${valid.err.msg})` }]);
  const parsed = parser.parse(xml) as XNode;
  const rootKey = Object.keys(parsed).find((k) => local(k) === 'EPCISDocument');
  const root = rootKey ? parsed[rootKey] : undefined;
  if (!isObj(root)) throw invalidInput([{ field: 'EPCISDocument', message: 'the root element must be an EPCIS document (epcis:EPCISDocument)' }]);
  const prefixes = new Map<string, string>();
  const context: Obj = {};
  // Namespaces declared on the root, then those declared further down (an event or extension element may declare its own).
  const declared: Array<[string, unknown]> = [
    ...Object.entries(root).flatMap(([k, v]): Array<[string, unknown]> => (k.startsWith('@_xmlns:') ? [[k.slice(8), v]] : [])),
    ...[...xml.matchAll(/\sxmlns:([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)].map((m): [string, unknown] => [m[1], m[2] ?? m[3]]),
  ];
  for (const [p, v] of declared) {
    if (prefixes.has(p) || typeof v !== 'string') continue;
    if (v === 'http://www.w3.org/2001/XMLSchema-instance') prefixes.set(p, XSI);
    if (EPCIS_NS.has(v) || v === 'http://www.w3.org/2001/XMLSchema-instance') continue;
    const known = KNOWN_NS[v];
    prefixes.set(p, known ?? p);
    if (!known) context[p] = v;
  }
  const body = child(root, 'EPCISBody');
  const eventList = isObj(body) ? child(body, 'EventList') : undefined;
  // The parser groups elements by name; the document's order of events comes from the start tags.
  const queues = new Map<string, Obj[]>();
  const collect = (n: XNode) => {
    for (const [k, v] of Object.entries(n)) {
      if (EVENT_TYPES.includes(local(k)))
        queues.set(local(k), [...(queues.get(local(k)) ?? []), ...list(v).map((e) => xmlEvent(local(k), isObj(e) ? e : {}, prefixes))]);
      else if (local(k) === 'extension' && isObj(v)) collect(v);
    }
  };
  if (isObj(eventList)) collect(eventList);
  const events: Obj[] = [];
  for (const m of xml
    .replace(/<!--[\s\S]*?-->/g, '')
    .matchAll(/<(?:[A-Za-z_][\w.-]*:)?(ObjectEvent|AggregationEvent|TransactionEvent|TransformationEvent|AssociationEvent)[\s>/]/g)) {
    const next = queues.get(m[1])?.shift();
    if (next) events.push(next);
  }
  return {
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', ...(Object.keys(context).length > 0 ? [context] : [])],
    type: 'EPCISDocument',
    schemaVersion: typeof root['@_schemaVersion'] === 'string' && root['@_schemaVersion'].startsWith('1.') ? '2.0' : root['@_schemaVersion'],
    creationDate: root['@_creationDate'],
    epcisBody: { eventList: events },
  };
}
