/**
 * Every captured document is checked against GS1's EPCIS 2.0 JSON schema (the
 * files under `gs1-json-schema/`, unchanged copies of GS1's) and against the
 * CBV rules a schema cannot express, before anything is mapped or submitted.
 * A refusal is a 400 whose errors name the event (index and eventID) and the
 * field in the document's own terms: a JSON path for JSON-LD, an element path
 * for XML (see {@link xmlFieldPath}).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { invalidInput, type FieldError } from '../../../../lib/platform/src';
import documentSchema from './gs1-json-schema/EPCIS-Document-JSON-Schema.json';
import eventSchema from './gs1-json-schema/EPCIS-Event-JSON-Schema.json';
import rootSchema from './gs1-json-schema/EPCIS-JSON-Schema-root.json';
import aggregationEvent from './gs1-json-schema/schemas/AggregationEvent-JSON-Schema.json';
import associationEvent from './gs1-json-schema/schemas/AssociationEvent-JSON-Schema.json';
import objectEvent from './gs1-json-schema/schemas/ObjectEvent-JSON-Schema.json';
import transactionEvent from './gs1-json-schema/schemas/TransactionEvent-JSON-Schema.json';
import transformationEvent from './gs1-json-schema/schemas/TransformationEvent-JSON-Schema.json';
import bizStep from './gs1-json-schema/schemas/bizStep-JSON-Schema.json';
import bizTransactionType from './gs1-json-schema/schemas/bizTransaction-type-JSON-Schema.json';
import component from './gs1-json-schema/schemas/component-JSON-Schema.json';
import definitions from './gs1-json-schema/schemas/definitions-JSON-Schema.json';
import disposition from './gs1-json-schema/schemas/disposition-JSON-Schema.json';
import errorReason from './gs1-json-schema/schemas/error-reason-JSON-Schema.json';
import eventDefinitions from './gs1-json-schema/schemas/event-definitions-JSON-Schema.json';
import measurementType from './gs1-json-schema/schemas/measurement-type-JSON-Schema.json';
import sensorAlertType from './gs1-json-schema/schemas/sensor-alert-type-JSON-Schema.json';
import sourceDestType from './gs1-json-schema/schemas/source-dest-type-JSON-Schema.json';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const SCHEMAS: Obj[] = [
  documentSchema,
  eventSchema,
  rootSchema,
  aggregationEvent,
  associationEvent,
  objectEvent,
  transactionEvent,
  transformationEvent,
  bizStep,
  bizTransactionType,
  component,
  definitions,
  disposition,
  errorReason,
  eventDefinitions,
  measurementType,
  sensorAlertType,
  sourceDestType,
];

/** The bare CBV words a vocabulary schema lists (its `enum`), so the CBV check reads the same lists as the schema. */
function cbvWords(schema: Obj): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObj(v))
      for (const [k, c] of Object.entries(v)) {
        if (k === 'enum' && Array.isArray(c)) out.push(...c.map(String));
        else walk(c);
      }
  };
  walk(schema.definitions);
  return out;
}

/** CBV vocabularies: their URN and web URI prefixes, and the words they hold. */
const VOCABULARIES = {
  bizStep: { urn: 'urn:epcglobal:cbv:bizstep:', web: 'https://ref.gs1.org/cbv/BizStep-', words: new Set(cbvWords(bizStep)), name: 'business step' },
  disposition: { urn: 'urn:epcglobal:cbv:disp:', web: 'https://ref.gs1.org/cbv/Disp-', words: new Set(cbvWords(disposition)), name: 'disposition' },
  btt: { urn: 'urn:epcglobal:cbv:btt:', web: 'https://ref.gs1.org/cbv/BTT-', words: new Set(cbvWords(bizTransactionType)), name: 'business transaction type' },
  sdt: { urn: 'urn:epcglobal:cbv:sdt:', web: 'https://ref.gs1.org/cbv/SDT-', words: new Set(cbvWords(sourceDestType)), name: 'source/destination type' },
  er: { urn: 'urn:epcglobal:cbv:er:', web: 'https://ref.gs1.org/cbv/ER-', words: new Set(cbvWords(errorReason)), name: 'error reason' },
};
type Vocabulary = (typeof VOCABULARIES)[keyof typeof VOCABULARIES];

let compiled: ValidateFunction | undefined;
/** GS1's root schema, compiled once (ajv 8, formats checked). */
function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(ajv);
    for (const s of SCHEMAS) ajv.addSchema(s);
    compiled = ajv.getSchema(String(rootSchema.$id))!;
  }
  return compiled;
}

/** `/epcisBody/eventList/1/quantityList/0` → `epcisBody.eventList[1].quantityList[0]`. */
function jsonPath(pointer: string, extra?: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

const VOCAB_FIELDS: Record<string, string> = { bizStep: 'business step', disposition: 'disposition', reason: 'error reason', type: 'CBV type' };

/** What the object at a pointer is, in words: `a quantityList element`, `readPoint`. */
function owner(pointer: string): string {
  const parts = pointer.split('/');
  const last = parts.pop() ?? '';
  return /^\d+$/.test(last) ? `a ${parts.pop() ?? 'list'} element` : last || 'the document';
}

/** GS1's schema errors, reduced to one per field: the alternatives of an `anyOf` are reported as one problem. */
function schemaErrors(errors: ErrorObject[]): Array<{ pointer: string; extra?: string; message: string }> {
  const relevant = errors.filter((e) => !['if', 'then', 'allOf'].includes(e.keyword));
  const out = new Map<string, { pointer: string; extra?: string; message: string }>();
  const add = (pointer: string, extra: string | undefined, message: string) => {
    const k = `${pointer}|${extra ?? ''}`;
    if (!out.has(k)) out.set(k, { pointer, extra, message });
  };
  // Paths with an error below them: an anyOf there failed because of that deeper error, which is the one to report.
  const deeper = (p: string) => relevant.some((e) => e.instancePath.startsWith(`${p}/`));
  const anyOfAt = new Set(relevant.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const e of relevant) {
    const p = e.instancePath;
    if (anyOfAt.has(p) && e.keyword !== 'propertyNames' && e.keyword !== 'additionalProperties') {
      if (deeper(p)) continue;
      const alternatives = relevant.filter((x) => x.instancePath === p);
      const missing = alternatives.filter((x) => x.keyword === 'required').map((x) => String(x.params.missingProperty));
      const enums = alternatives.find((x) => x.keyword === 'enum');
      const field = p.split('/').pop() ?? '';
      if (missing.length > 0 && missing.length === alternatives.filter((x) => x.keyword !== 'anyOf').length)
        add(p, missing[0], `is required: this event needs one of ${missing.join(', ')}`);
      else if (enums)
        add(
          p,
          undefined,
          `is neither a CBV 2.0 ${VOCAB_FIELDS[field] ?? 'term'} (a bare word such as ${(enums.params.allowedValues as string[]).slice(0, 3).join(', ')}) nor a URI`,
        );
      else add(p, undefined, alternatives.find((x) => x.keyword !== 'anyOf')?.message ?? 'is not valid here');
      continue;
    }
    if (e.keyword === 'propertyNames') continue;
    if (e.keyword === 'format' && e.schemaPath.endsWith('/propertyNames/format')) continue;
    if (e.keyword === 'required') add(p, String(e.params.missingProperty), 'is required');
    else if (e.keyword === 'additionalProperties') add(p, String(e.params.additionalProperty), `is not a field of ${owner(p)}`);
    else add(p, undefined, e.message ?? 'is not valid');
  }
  // A field name that is neither EPCIS's nor a namespaced extension (`prefix:name`, a URI).
  for (const e of relevant.filter((x) => x.keyword === 'propertyNames'))
    add(
      e.instancePath,
      String(e.params.propertyName),
      'is not a field EPCIS defines here; a user field needs a namespace (a prefix declared in @context, e.g. ex:name)',
    );
  return [...out.values()];
}

/** CBV terms written as CBV URIs must be CBV terms: a schema accepts any URI there. */
function cbvErrors(doc: Obj): Array<{ pointer: string; message: string }> {
  const out: Array<{ pointer: string; message: string }> = [];
  const body = isObj(doc.epcisBody) ? doc.epcisBody : {};
  const events = Array.isArray(body.eventList) ? body.eventList : [];
  const check = (pointer: string, v: unknown, voc: Vocabulary) => {
    if (typeof v !== 'string') return;
    const prefix = v.startsWith(voc.urn) ? voc.urn : v.startsWith(voc.web) ? voc.web : undefined;
    if (prefix && !voc.words.has(v.slice(prefix.length)))
      out.push({ pointer, message: `${v} is in CBV's ${voc.name} namespace but is not a CBV 2.0 ${voc.name}` });
    // A bare word stands for a CBV term; anything else must be a URI (scheme and colon).
    else if (!v.includes(':') && !voc.words.has(v)) out.push({ pointer, message: `"${v}" is neither a CBV 2.0 ${voc.name} nor a URI` });
  };
  events.forEach((ev, i) => {
    if (!isObj(ev)) return;
    const at = `/epcisBody/eventList/${i}`;
    check(`${at}/bizStep`, ev.bizStep, VOCABULARIES.bizStep);
    check(`${at}/disposition`, ev.disposition, VOCABULARIES.disposition);
    const pd = isObj(ev.persistentDisposition) ? ev.persistentDisposition : {};
    for (const k of ['set', 'unset'])
      if (Array.isArray(pd[k])) (pd[k] as unknown[]).forEach((v, j) => check(`${at}/persistentDisposition/${k}/${j}`, v, VOCABULARIES.disposition));
    const typed = (list: string, voc: Vocabulary) => {
      if (Array.isArray(ev[list])) (ev[list] as unknown[]).forEach((e, j) => isObj(e) && check(`${at}/${list}/${j}/type`, e.type, voc));
    };
    typed('bizTransactionList', VOCABULARIES.btt);
    typed('sourceList', VOCABULARIES.sdt);
    typed('destinationList', VOCABULARIES.sdt);
    if (isObj(ev.errorDeclaration)) check(`${at}/errorDeclaration/reason`, ev.errorDeclaration.reason, VOCABULARIES.er);
  });
  return out;
}

const DATE_TIME = /^\d{4}-(1[0-2]|0[1-9])-(3[01]|0[1-9]|[12]\d)T(2[0-3]|[01]\d):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))$/;
const OFFSET = /^[+-]((0\d|1[0-3]):[0-5]\d|14:00)$/;

/**
 * Rules of EPCIS 2.0 itself that the XML binding's XSD leaves open and the
 * JSON schema states: an ObjectEvent names what it is about, times are
 * date-times with an offset. (Element structure is checked on the XML itself.)
 */
function xmlRules(doc: Obj): Array<{ pointer: string; extra?: string; message: string }> {
  const out: Array<{ pointer: string; extra?: string; message: string }> = [];
  const events = (isObj(doc.epcisBody) && Array.isArray(doc.epcisBody.eventList) ? doc.epcisBody.eventList : []) as unknown[];
  events.forEach((ev, i) => {
    if (!isObj(ev)) return;
    const at = `/epcisBody/eventList/${i}`;
    const has = (k: string) => Array.isArray(ev[k]) && (k === 'epcList' || (ev[k] as unknown[]).length > 0);
    if (ev.type === 'ObjectEvent' && !has('epcList') && !has('quantityList') && !(has('sensorElementList') && isObj(ev.readPoint)))
      out.push({ pointer: at, extra: 'epcList', message: 'is required: an ObjectEvent needs epcList or quantityList (or sensorElementList with readPoint)' });
    for (const f of ['eventTime', 'recordTime'])
      if (ev[f] !== undefined && !(typeof ev[f] === 'string' && DATE_TIME.test(ev[f])))
        out.push({ pointer: `${at}/${f}`, message: 'must be a date-time with a time zone' });
    if (ev.eventTime === undefined) out.push({ pointer: at, extra: 'eventTime', message: 'is required' });
    if (typeof ev.eventTimeZoneOffset !== 'string' || !OFFSET.test(ev.eventTimeZoneOffset))
      out.push({ pointer: at, extra: 'eventTimeZoneOffset', message: 'is required as ±hh:mm' });
  });
  return out;
}

/** The element that holds the members of a JSON-LD list in the XML binding. */
const XML_ITEMS: Record<string, string> = {
  epcList: 'epc',
  childEPCs: 'epc',
  inputEPCList: 'epc',
  outputEPCList: 'epc',
  quantityList: 'quantityElement',
  childQuantityList: 'quantityElement',
  inputQuantityList: 'quantityElement',
  outputQuantityList: 'quantityElement',
  bizTransactionList: 'bizTransaction',
  sourceList: 'source',
  destinationList: 'destination',
  sensorElementList: 'sensorElement',
  correctiveEventIDs: 'correctiveEventID',
};
/** Members written as XML attributes: of sensor data, and the type of a business transaction, source or destination. */
const ATTRIBUTE_PARENTS = new Set(['sensorMetadata', 'sensorReport', 'bizTransaction', 'source', 'destination']);

/**
 * A JSON pointer into the JSON-LD form of an XML document, as the element path
 * of the XML document: `EPCISDocument/EPCISBody/EventList/ObjectEvent[2]/quantityList/quantityElement[1]/uom`
 * (positions count from 1 among siblings of one name, as in XPath; attributes are `@name`).
 */
export function xmlFieldPath(doc: Obj, pointer: string, extra?: string): string {
  const parts = pointer.split('/').slice(1);
  if (extra !== undefined) parts.push(extra);
  if (parts[0] !== 'epcisBody' || parts[1] !== 'eventList' || parts[2] === undefined) return `EPCISDocument/${parts.join('/')}`;
  const events = ((doc.epcisBody as Obj).eventList as Obj[]) ?? [];
  const i = Number(parts[2]);
  const type = String(events[i]?.type ?? 'event');
  const nth = events.slice(0, i + 1).filter((e) => e?.type === type).length;
  const out = ['EPCISDocument', 'EPCISBody', 'EventList', `${type}[${nth}]`];
  let parent = '';
  for (let k = 3; k < parts.length; k++) {
    const p = parts[k];
    const next = parts[k + 1];
    if (XML_ITEMS[p] && next !== undefined && /^\d+$/.test(next)) {
      out.push(p, `${XML_ITEMS[p]}[${Number(next) + 1}]`);
      parent = XML_ITEMS[p];
      k++;
    } else if (/^\d+$/.test(p)) {
      out[out.length - 1] = `${out[out.length - 1]}[${Number(p) + 1}]`;
    } else if (ATTRIBUTE_PARENTS.has(parent) && (parent.startsWith('sensor') || p === 'type')) {
      out.push(`@${p}`);
    } else {
      out.push(p);
      parent = p;
    }
  }
  return out.join('/');
}

/** Which event a field belongs to, in words: `event 1 (eventID urn:uuid:…)`. */
function eventLabel(doc: Obj, pointer: string): string {
  const m = /^\/epcisBody\/eventList\/(\d+)/.exec(pointer);
  if (!m) return '';
  const ev = ((doc.epcisBody as Obj).eventList as Obj[])[Number(m[1])];
  const id = typeof ev?.eventID === 'string' ? `, eventID ${ev.eventID}` : '';
  return ` (event ${m[1]}${id})`;
}

/**
 * Throws a 400 naming every field of `doc` that breaks GS1's EPCIS 2.0 JSON
 * schema (JSON-LD documents) or EPCIS's own rules (XML documents, read into
 * JSON-LD), or a CBV rule. `binding` says how to name fields: `json` as JSON
 * paths (`epcisBody.eventList[1].bizStep`), `xml` as element paths of the XML
 * document the JSON-LD form was read from.
 */
export function assertEpcisValid(doc: unknown, binding: 'json' | 'xml' = 'json'): void {
  const found: Array<{ pointer: string; extra?: string; message: string }> = [];
  const d = isObj(doc) ? doc : {};
  // The JSON schema is the JSON-LD binding's; an XML document answers to the XSD (its structure, checked on the XML) and to EPCIS's rules.
  if (binding === 'json') {
    const validate = validator();
    if (!validate(doc)) found.push(...schemaErrors(validate.errors ?? []));
  } else found.push(...xmlRules(d));
  found.push(...cbvErrors(d));
  if (found.length === 0) return;
  const byField = new Map<string, FieldError>();
  for (const { pointer, extra, message } of found) {
    const field = binding === 'xml' ? xmlFieldPath(d, pointer, extra) : jsonPath(pointer, extra);
    if (!byField.has(field)) byField.set(field, { field, message: `${message}${eventLabel(d, pointer)}` });
  }
  const errors = [...byField.values()];
  throw invalidInput(errors, 400, 'INVALID_EPCIS');
}
