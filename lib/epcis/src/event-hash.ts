/**
 * The CBV 2.0 event hash ID (`ni:///sha-256;<hex>?ver=CBV2.0`): an event's
 * canonical pre-hash string, hashed with SHA-256. The pre-hash string lists
 * the event's fields in CBV's canonical property order as `key=value` pairs
 * without separators; list members are sorted; times are UTC with
 * milliseconds; CBV values are web URIs; GS1 identifiers are constrained
 * canonical Digital Links; extension fields are `{namespace}localName`, and
 * the fields the standard orders are followed by the rest (ILMD, business
 * transactions, sources, destinations, extensions) sorted as strings.
 * eventID, recordTime and errorDeclaration are not part of the hash.
 *
 * The repository uses it to identify events captured without an eventID, so
 * that capturing such an event again is recognised as the same event.
 */
import { createHash } from 'node:crypto';
import { toCanonicalDigitalLink } from '../../domain/src';

type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** CURIE prefixes every EPCIS 2.0 document has through GS1's context. */
const DEFAULT_NAMESPACES: Record<string, string> = {
  gs1: 'https://gs1.org/voc/',
  cbv: 'https://ref.gs1.org/cbv/',
  epcis: 'https://ref.gs1.org/epcis/',
  cbvmda: 'urn:epcglobal:cbv:mda:',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
};

/** Fields left out of the hash. */
const IGNORED = new Set(['type', 'eventID', 'recordTime', 'errorDeclaration', '@context', 'comment', 'rdfs:comment']);

/** Bare CBV names of these fields stand for web vocabulary terms. */
const VOCABULARY: Record<string, string> = {
  bizStep: 'https://ref.gs1.org/cbv/BizStep-',
  disposition: 'https://ref.gs1.org/cbv/Disp-',
  set: 'https://ref.gs1.org/cbv/Disp-',
  unset: 'https://ref.gs1.org/cbv/Disp-',
  bizTransactionType: 'https://ref.gs1.org/cbv/BTT-',
  sourceDestType: 'https://ref.gs1.org/cbv/SDT-',
  sensorType: 'https://gs1.org/voc/',
  exception: 'https://gs1.org/voc/',
  component: 'https://ref.gs1.org/cbv/Comp-',
};

const URN_VOCABULARY: Array<[string, string]> = [
  ['urn:epcglobal:cbv:bizstep:', 'https://ref.gs1.org/cbv/BizStep-'],
  ['urn:epcglobal:cbv:disp:', 'https://ref.gs1.org/cbv/Disp-'],
  ['urn:epcglobal:cbv:btt:', 'https://ref.gs1.org/cbv/BTT-'],
  ['urn:epcglobal:cbv:sdt:', 'https://ref.gs1.org/cbv/SDT-'],
  ['urn:epcglobal:cbv:er:', 'https://ref.gs1.org/cbv/ER-'],
];

const SENSOR_METADATA = ['time', 'startTime', 'endTime', 'deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'bizRules'];
const SENSOR_REPORT = [
  'type',
  'exception',
  'deviceID',
  'deviceMetadata',
  'rawData',
  'dataProcessingMethod',
  'time',
  'microorganism',
  'chemicalSubstance',
  'value',
  'component',
  'stringValue',
  'booleanValue',
  'hexBinaryValue',
  'uriValue',
  'minValue',
  'maxValue',
  'meanValue',
  'sDev',
  'percRank',
  'percValue',
  'uom',
  'coordinateReferenceSystem',
];
const EPC_LISTS = new Set(['epcList', 'inputEPCList', 'childEPCs', 'outputEPCList']);
const QUANTITY_LISTS = new Set(['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']);
/** CBV 2.0's canonical order of the fields it orders; everything else follows, sorted. */
const ORDER = [
  'eventTime',
  'eventTimeZoneOffset',
  'certificationInfo',
  'parentID',
  'epcList',
  'inputEPCList',
  'childEPCs',
  'quantityList',
  'childQuantityList',
  'inputQuantityList',
  'outputEPCList',
  'outputQuantityList',
  'action',
  'transformationID',
  'bizStep',
  'disposition',
  'persistentDisposition',
  'readPoint',
  'bizLocation',
  'sensorElementList',
];

const QUANTITY_FIELDS = ['epcClass', 'quantity', 'uom'];
const ID_FIELDS = ['id'];
const PERSISTENT_FIELDS = ['set', 'unset'];
const ORDER_SET = new Set(ORDER);
const SENSOR_ELEMENT_PARTS: ReadonlySet<string> = new Set(['sensorMetadata', 'sensorReport']);
const NOTHING: ReadonlySet<string> = new Set();
/** Field sets of the order lists above (a fixed handful of constants, so the cache stays small). */
const ORDER_SETS = new Map<string[], Set<string>>();
const setOf = (order: string[]) => {
  let set = ORDER_SETS.get(order);
  if (!set) ORDER_SETS.set(order, (set = new Set(order)));
  return set;
};
/** Sorted by UTF-16 code units: the order of Array.prototype.sort without a comparator, for strings. */
const sorted = (l: string[]) => [...l].sort();

/** The namespaces a document's @context declares (prefix → IRI), over the defaults. */
export function contextNamespaces(context: Json): Record<string, string> {
  const out: Record<string, string> = { ...DEFAULT_NAMESPACES };
  for (const c of Array.isArray(context) ? context : [context]) {
    if (!isObj(c)) continue;
    for (const [k, v] of Object.entries(c)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** A time in UTC with exactly three decimals, rounding the rest. */
export function canonicalTime(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(text.trim());
  if (!m) return text.trim();
  const micros = Number(((m[2] ?? '') + '000000').slice(0, 6));
  const ms = Math.round(micros / 1000);
  const base = Date.parse(`${m[1]}${m[3] === 'Z' ? 'Z' : m[3]}`);
  if (Number.isNaN(base)) return text.trim();
  return new Date(base + ms).toISOString();
}

/** A number without trailing zeros or exponent where JSON had none. */
function canonicalNumber(text: string): string | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? String(n) : undefined;
}

/** Options of the hash. */
export interface EventHashOptions {
  /** Top-level fields a repository added itself (e.g. its own annotations), left out as given (`prefix:name`). */
  ignoreFields?: string[];
}

class PreHash {
  constructor(
    private readonly ns: Record<string, string>,
    private readonly ignore: Set<string> = new Set(),
  ) {}

  /** `prefix:local` → `{namespace}local` when the prefix is declared. */
  key(k: string): string {
    const i = k.indexOf(':');
    if (i <= 0 || k.startsWith('http')) return k;
    const ns = this.ns[k.slice(0, i)];
    return ns ? `{${ns}}${k.slice(i + 1)}` : k;
  }

  value(v: Json, vocabulary?: string, time = false): string {
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (typeof v !== 'string') return '';
    let t = v.trim();
    if (time) return canonicalTime(t);
    if (vocabulary && /^[A-Za-z0-9_]+$/.test(t)) return VOCABULARY[vocabulary] + t;
    // URNs, CURIEs and Digital Links all hold a colon; most other values (codes, quantities) need only the number check.
    if (!t.includes(':')) return canonicalNumber(t) ?? t;
    for (const [urn, web] of URN_VOCABULARY) if (t.startsWith(urn)) return web + t.slice(urn.length);
    const curie = /^([A-Za-z][\w.-]*):(.+)$/.exec(t);
    if (curie && this.ns[curie[1]] && !/^(urn|https?)$/.test(curie[1])) t = this.ns[curie[1]] + curie[2];
    const n = canonicalNumber(t);
    if (n !== undefined) return n;
    return toCanonicalDigitalLink(t) ?? t;
  }

  pair(k: string, v: Json, vocabulary?: string, time = false): string {
    const s = this.value(v, vocabulary, time);
    return s === '' ? '' : `${k}=${s}`;
  }

  /** A field outside the canonical order, added to `out`: `{ns}name=value`, or its name and its members sorted. */
  generic(k: string, v: Json, out: string[]): void {
    if (Array.isArray(v)) {
      for (const e of v) this.generic(k, e, out);
      return;
    }
    const name = this.key(k);
    if (isObj(v)) {
      out.push(name + this.members(v, IGNORED));
      return;
    }
    const s = this.value(v);
    out.push(s === '' ? name : `${name}=${s}`);
  }

  /** The members of an object not in `skip`, each as {@link generic} writes it, sorted and joined. */
  members(o: Obj, skip: ReadonlySet<string>, only?: (k: string) => boolean): string {
    const parts: string[] = [];
    for (const k of Object.keys(o)) if (!skip.has(k) && (!only || only(k))) this.generic(k, o[k], parts);
    return parts.sort().join('');
  }

  /** Fields in a given order, then the object's extension fields (namespaced) sorted. */
  ordered(o: Obj, order: string[], vocab: Record<string, string> = {}): string {
    const out: string[] = [];
    for (const f of order) {
      const v = o[f];
      if (v === undefined || v === null) continue;
      const time = /time/i.test(f) && !/offset/i.test(f);
      for (const e of Array.isArray(v) ? sorted(v.map((x) => this.pair(f, x, vocab[f], time))) : [this.pair(f, v, vocab[f], time)]) out.push(e);
    }
    const known = setOf(order);
    return out.join('') + this.members(o, IGNORED, (k) => !known.has(k) && k.includes(':'));
  }

  typedList(list: Json, valueField: string, vocab: string): string {
    if (!Array.isArray(list)) return '';
    const items = list.filter(isObj).map((e) => `${e.type !== undefined ? this.pair('type', e.type, vocab) : ''}${this.pair(valueField, e[valueField])}`);
    return sorted(items).join('');
  }

  field(f: string, v: Json): string {
    if (EPC_LISTS.has(f)) return Array.isArray(v) && v.length > 0 ? f + sorted(v.map((e) => this.pair('epc', e))).join('') : '';
    if (QUANTITY_LISTS.has(f)) {
      if (!Array.isArray(v) || v.length === 0) return '';
      return f + sorted(v.filter(isObj).map((q) => `quantityElement${this.ordered(q, QUANTITY_FIELDS)}`)).join('');
    }
    if (f === 'readPoint' || f === 'bizLocation') return isObj(v) ? f + this.ordered(v, ID_FIELDS) : '';
    if (f === 'persistentDisposition') return isObj(v) ? f + this.ordered(v, PERSISTENT_FIELDS, { set: 'set', unset: 'unset' }) : '';
    if (f === 'sensorElementList') {
      if (!Array.isArray(v)) return '';
      const elements = v.filter(isObj).map((el) => {
        const meta = isObj(el.sensorMetadata) ? `sensorMetadata${this.ordered(el.sensorMetadata, SENSOR_METADATA)}` : '';
        const reports = Array.isArray(el.sensorReport)
          ? sorted(
              el.sensorReport
                .filter(isObj)
                .map((r) => `sensorReport${this.ordered(r, SENSOR_REPORT, { type: 'sensorType', exception: 'exception', component: 'component' })}`),
            ).join('')
          : '';
        const rest = this.members(el, SENSOR_ELEMENT_PARTS, (k) => k.includes(':'));
        return `sensorElement${meta}${reports}${rest}`;
      });
      return elements.length > 0 ? f + sorted(elements).join('') : '';
    }
    const vocab = f === 'bizStep' || f === 'disposition' ? f : undefined;
    if (Array.isArray(v)) return sorted(v.map((x) => this.pair(f, x, vocab))).join('');
    return this.pair(f, v, vocab, f === 'eventTime');
  }

  rest(ev: Obj): string {
    const known = ORDER_SET;
    const parts: string[] = [];
    for (const [k, v] of Object.entries(ev)) {
      if (known.has(k) || IGNORED.has(k) || this.ignore.has(k)) continue;
      if (k === 'bizTransactionList') parts.push(`${k}${this.typedList(v, 'bizTransaction', 'bizTransactionType')}`);
      else if (k === 'sourceList') parts.push(`${k}${this.typedList(v, 'source', 'sourceDestType')}`);
      else if (k === 'destinationList') parts.push(`${k}${this.typedList(v, 'destination', 'sourceDestType')}`);
      else if (k === 'ilmd' && isObj(v)) parts.push(`ilmd${this.members(v, NOTHING)}`);
      else this.generic(k, v, parts);
    }
    return sorted(parts.filter((p) => p !== '')).join('');
  }
}

/** The CBV 2.0 pre-hash string of an EPCIS 2.0 JSON-LD event; `context` is the document's @context. */
export function eventPreHash(event: Obj, context?: Json, opts: EventHashOptions = {}): string {
  if (typeof event.type !== 'string') throw new Error('an EPCIS event needs a type');
  const p = new PreHash(contextNamespaces(context), new Set(opts.ignoreFields ?? []));
  return `eventType=${event.type}${ORDER.map((f) => (event[f] === undefined || event[f] === null ? '' : p.field(f, event[f]))).join('')}${p.rest(event)}`;
}

/** The event hash ID `ni:///sha-256;<hex>?ver=CBV2.0` of an EPCIS 2.0 JSON-LD event. */
export function eventHashId(event: Obj, context?: Json, opts: EventHashOptions = {}): string {
  return `ni:///sha-256;${createHash('sha256')
    .update(eventPreHash(event, context, opts), 'utf8')
    .digest('hex')}?ver=CBV2.0`;
}
