/**
 * The structure EPCIS 2.0's XSD (EPCglobal-epcis-2_0.xsd) gives an XML capture
 * document, checked without an XSD validator: every EPCIS element is one the
 * XSD allows where it stands and comes in the order of the XSD's sequence,
 * `action` is one of ADD, OBSERVE, DELETE, and anything else is an extension
 * in a namespace of its own (XSD `any ##other`), after the standard elements.
 * Values are checked afterwards on the JSON-LD form against GS1's JSON schema.
 * Problems name the element by its path in the document.
 */
import { XMLParser } from 'fast-xml-parser';
import { stripDoctype, xmlToEpcisDocument } from '../../../../lib/epcis/src';
import { invalidInput, type FieldError } from '../../../../lib/platform/src';

type Node = Record<string, unknown>;

/** Content models: allowed EPCIS child elements in XSD order; `other` says whether foreign-namespace elements may follow. */
interface Model {
  sequence: string[];
  /** Elements that may repeat (XSD maxOccurs > 1). */
  repeat?: string[];
  /** Order does not matter (XSD choice maxOccurs unbounded). */
  anyOrder?: boolean;
  other?: boolean;
  /** Elements without a namespace are not allowed at all (ILMD: user fields only). */
  foreignOnly?: boolean;
}

const BASE = ['eventTime', 'recordTime', 'eventTimeZoneOffset', 'eventID', 'errorDeclaration', 'certificationInfo', 'baseExtension'];
const TAIL = ['bizStep', 'disposition', 'readPoint', 'bizLocation'];
const LISTS = ['sourceList', 'destinationList', 'sensorElementList', 'persistentDisposition'];

const EVENTS: Record<string, string[]> = {
  ObjectEvent: [...BASE, 'epcList', 'action', ...TAIL, 'bizTransactionList', 'quantityList', ...LISTS, 'ilmd', 'extension'],
  AggregationEvent: [...BASE, 'parentID', 'childEPCs', 'action', ...TAIL, 'bizTransactionList', 'childQuantityList', ...LISTS, 'extension'],
  TransactionEvent: [...BASE, 'bizTransactionList', 'parentID', 'epcList', 'action', ...TAIL, 'quantityList', ...LISTS, 'extension'],
  TransformationEvent: [
    ...BASE,
    'inputEPCList',
    'inputQuantityList',
    'outputEPCList',
    'outputQuantityList',
    'transformationID',
    ...TAIL,
    'bizTransactionList',
    ...LISTS,
    'ilmd',
    'extension',
  ],
  AssociationEvent: [...BASE, 'parentID', 'childEPCs', 'childQuantityList', 'action', ...TAIL, 'bizTransactionList', ...LISTS, 'extension'],
};

const MODELS: Record<string, Model> = {
  EPCISDocument: { sequence: ['EPCISHeader', 'EPCISBody', 'extension'], other: true },
  EPCISBody: { sequence: ['EventList', 'extension'], other: true },
  EventList: { sequence: [...Object.keys(EVENTS), 'extension'], anyOrder: true, repeat: [...Object.keys(EVENTS), 'extension'], other: false },
  epcList: { sequence: ['epc'], repeat: ['epc'] },
  childEPCs: { sequence: ['epc'], repeat: ['epc'] },
  inputEPCList: { sequence: ['epc'], repeat: ['epc'] },
  outputEPCList: { sequence: ['epc'], repeat: ['epc'] },
  quantityList: { sequence: ['quantityElement'], repeat: ['quantityElement'] },
  childQuantityList: { sequence: ['quantityElement'], repeat: ['quantityElement'] },
  inputQuantityList: { sequence: ['quantityElement'], repeat: ['quantityElement'] },
  outputQuantityList: { sequence: ['quantityElement'], repeat: ['quantityElement'] },
  quantityElement: { sequence: ['epcClass', 'quantity', 'uom'] },
  readPoint: { sequence: ['id', 'extension'], other: true },
  bizLocation: { sequence: ['id', 'extension'], other: true },
  bizTransactionList: { sequence: ['bizTransaction'], repeat: ['bizTransaction'] },
  sourceList: { sequence: ['source'], repeat: ['source'] },
  destinationList: { sequence: ['destination'], repeat: ['destination'] },
  sensorElementList: { sequence: ['sensorElement', 'extension'], repeat: ['sensorElement'] },
  sensorElement: { sequence: ['sensorMetadata', 'sensorReport', 'extension'], repeat: ['sensorReport'], other: true },
  persistentDisposition: { sequence: ['unset', 'set'], repeat: ['unset', 'set'] },
  errorDeclaration: { sequence: ['declarationTime', 'reason', 'correctiveEventIDs', 'extension'], anyOrder: true, other: true },
  correctiveEventIDs: { sequence: ['correctiveEventID'], repeat: ['correctiveEventID'] },
  ilmd: { sequence: ['extension'], other: true, foreignOnly: true },
};
for (const [name, sequence] of Object.entries(EVENTS)) MODELS[name] = { sequence, repeat: ['certificationInfo'], other: true };

const ACTIONS = ['ADD', 'OBSERVE', 'DELETE'];
const EPCIS_NS = /^urn:epcglobal:epcis(-query)?:xsd:[12]$/;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

const nameOf = (n: Node) => Object.keys(n).find((k) => k !== ':@');
const childrenOf = (n: Node, name: string) => (Array.isArray(n[name]) ? (n[name] as Node[]) : []);
const textOf = (n: Node, name: string) =>
  childrenOf(n, name)
    .map((c) => (typeof c['#text'] === 'string' || typeof c['#text'] === 'number' ? String(c['#text']) : ''))
    .join('');

/** Edit distance, for a near-miss hint (`OBSERV` → OBSERVE). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

/**
 * Checks an XML capture document's element structure against the EPCIS 2.0
 * XSD's content models; throws a 400 naming each misplaced, unknown or
 * misspelt element (`EPCISDocument/EPCISBody/EventList/ObjectEvent[2]/action`).
 */
export function assertXmlStructure(xml: string): void {
  const errors: FieldError[] = [];
  const roots = parser.parse(xml) as Node[];
  const root = roots.find((n) => nameOf(n)?.replace(/^.*:/, '') === 'EPCISDocument');
  if (!root) return;
  // Prefixes bound to EPCIS's own namespaces: an element with one of them is an EPCIS element, not an extension.
  const epcisPrefixes = new Set<string>();
  const attrs = (root[':@'] ?? {}) as Record<string, string>;
  for (const [k, v] of Object.entries(attrs)) if (k.startsWith('@_xmlns:') && EPCIS_NS.test(v)) epcisPrefixes.add(k.slice(8));
  const local = (q: string) => {
    const i = q.indexOf(':');
    if (i < 0) return { name: q, foreign: false };
    return epcisPrefixes.has(q.slice(0, i)) ? { name: q.slice(i + 1), foreign: false } : { name: q, foreign: true };
  };
  let eventIndex = -1;

  const visit = (node: Node, qname: string, path: string, label: string) => {
    const { name } = local(qname);
    if (name === 'action') {
      const v = textOf(node, qname).trim();
      if (!ACTIONS.includes(v)) {
        const near = ACTIONS.find((a) => a === v.toUpperCase() || distance(a, v.toUpperCase()) <= 2);
        errors.push({
          field: path,
          message: `${v === '' ? 'is empty' : `"${v}" is not an EPCIS action`}: must be one of ${ACTIONS.join(', ')}${near ? ` (did you mean ${near}?)` : ''}${label}`,
        });
      }
      return;
    }
    const model = MODELS[name];
    if (!model) return;
    const kids = childrenOf(node, qname).filter((c) => nameOf(c) !== '#text' && nameOf(c) !== '?xml' && nameOf(c) !== '#comment');
    const seen = new Map<string, number>();
    let position = -1;
    let foreignSeen = false;
    for (const kid of kids) {
      const kq = nameOf(kid)!;
      const { name: kn, foreign } = local(kq);
      seen.set(kq, (seen.get(kq) ?? 0) + 1);
      const isEvent = name === 'EventList' && EVENTS[kn] !== undefined;
      if (isEvent) eventIndex++;
      const kidLabel = isEvent ? ` (event ${eventIndex}${eventIdOf(kid, kq)})` : label;
      const kidPath = `${path}/${kn}[${seen.get(kq)}]`;
      const shown = seen.get(kq) === 1 && !model.repeat?.includes(kn) ? `${path}/${kn}` : kidPath;
      if (foreign) {
        if (!model.other) errors.push({ field: shown, message: `is not allowed here: ${name} holds only EPCIS elements${label}` });
        foreignSeen = true;
        continue;
      }
      const at = model.sequence.indexOf(kn);
      if (at < 0) {
        const hint = model.foreignOnly ? ': ILMD holds only user fields in a namespace of their own (e.g. ex:bestBeforeDate)' : ` in ${name}`;
        errors.push({ field: shown, message: `is not an element EPCIS defines here${hint}${kidLabel}` });
        continue;
      }
      if (!model.anyOrder) {
        if (foreignSeen && kn !== 'extension')
          errors.push({ field: shown, message: `comes after an extension element: EPCIS elements come first, in the XSD's order${kidLabel}` });
        else if (at < position || (at === position && !model.repeat?.includes(kn)))
          errors.push({
            field: shown,
            message: `is out of order: in ${name}, ${kn} comes ${at === position ? 'only once' : `before ${model.sequence[position]}`}${kidLabel}`,
          });
        position = Math.max(position, at);
      }
      visit(kid, kq, shown.endsWith(']') ? shown : `${path}/${kn}`, kidLabel);
    }
  };
  const eventIdOf = (ev: Node, q: string) => {
    const id = childrenOf(ev, q).find((c) => nameOf(c) === 'eventID');
    return id ? `, eventID ${textOf(id, 'eventID').trim()}` : '';
  };
  visit(root, nameOf(root)!, 'EPCISDocument', '');
  if (errors.length > 0) throw invalidInput(errors, 400, 'INVALID_EPCIS');
}

/**
 * A captured XML document: read as JSON-LD (a 400 when it is not EPCIS XML),
 * then its structure checked against the EPCIS 2.0 XSD's content models (a 400
 * naming the element).
 */
export function captureXmlToEpcisDocument(xml: string): Record<string, unknown> {
  const doc = xmlToEpcisDocument(xml);
  assertXmlStructure(stripDoctype(xml));
  return doc;
}
