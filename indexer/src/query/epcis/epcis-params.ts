/**
 * Parsing of the GS1 EPCIS 2.0 REST binding's query parameters for
 * `GET /epcis/events`. Every parameter is checked; an unknown, repeated or
 * malformed one is a 400 that names it. Lists are comma-separated (a `|` is
 * accepted too) and mean OR; different parameters combine with AND.
 */
import { badRequest } from '../http-errors';
import { filterFingerprint } from './page-token';

/** EPCIS 2.0 event types. */
export const EVENT_TYPES = ['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent'] as const;

/** Default and largest page size. */
export const PER_PAGE_DEFAULT = 30;
export const PER_PAGE_MAX = 1000;

/** EPC class matches: exact URIs and URI prefixes (from a trailing `*` or an idpat). */
export interface ClassMatch {
  exact: string[];
  prefixes: string[];
}

/** A typed list filter such as `EQ_bizTransaction_po` or `EQ_source_location`. */
export interface TypedFilter {
  type: string;
  values: string[];
}

/** The parsed query. */
export interface EventQuery {
  eventTypes?: string[];
  geEventTime?: Date;
  ltEventTime?: Date;
  geRecordTime?: Date;
  ltRecordTime?: Date;
  bizSteps?: string[];
  dispositions?: string[];
  bizLocations?: string[];
  epcClass?: ClassMatch;
  anyEpcClass?: ClassMatch;
  bizTransactions: TypedFilter[];
  sources: TypedFilter[];
  destinations: TypedFilter[];
  perPage: number;
  nextPageToken?: string;
  /** Fingerprint of every filter (not paging), bound into page tokens. */
  fingerprint: string;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]+$/;
const TYPE_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const BIZSTEP_PREFIXES = ['urn:epcglobal:cbv:bizstep:', 'https://ref.gs1.org/cbv/BizStep-'];
const DISP_PREFIXES = ['urn:epcglobal:cbv:disp:', 'https://ref.gs1.org/cbv/Disp-'];

/** Splits a list value; empty items are malformed. */
export function splitList(name: string, raw: string): string[] {
  const items = raw.split(/[,|]/).map((s) => s.trim());
  if (items.length === 0 || items.length > 100 || items.some((s) => s === '')) {
    throw badRequest(`${name} must be a comma-separated list of 1 to 100 non-empty values`, name);
  }
  return [...new Set(items)];
}

function time(name: string, raw: string): Date {
  const d = new Date(raw);
  if (!ISO_TIME.test(raw) || Number.isNaN(d.getTime())) throw badRequest(`${name} must be an ISO 8601 date-time with a time zone, e.g. 2025-03-01T00:00:00Z`, name);
  return d;
}

/** A CBV term given short (`shipping`), as a URN or as a GS1 web URI; returns the short name. */
export function cbvTerm(name: string, raw: string, prefixes: string[]): string {
  let v = raw;
  for (const p of prefixes) if (v.startsWith(p)) v = v.slice(p.length);
  if (/^[a-z][a-z_]{1,63}$/.test(v)) return v;
  if (URI.test(raw)) return raw;
  throw badRequest(`${name}: "${raw}" is neither a CBV name nor a URI`, name);
}

function uris(name: string, raw: string): string[] {
  const list = splitList(name, raw);
  for (const u of list) if (!URI.test(u)) throw badRequest(`${name}: "${u}" is not a URI`, name);
  return list;
}

/** GTIN-14 check digit of its first 13 digits. */
function checkDigit(body13: string): string {
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += Number(body13[12 - i]) * (i % 2 === 0 ? 3 : 1);
  return String((10 - (sum % 10)) % 10);
}

/** GTIN-14 of an EPC company prefix and an item reference that starts with the indicator digit. */
function gtinOf(prefix: string, itemRef: string): string | undefined {
  if (!/^\d+$/.test(prefix) || !/^\d+$/.test(itemRef) || prefix.length + itemRef.length !== 13) return undefined;
  const body = itemRef[0] + prefix + itemRef.slice(1);
  return body + checkDigit(body);
}

/**
 * One MATCH_ value as stored (GS1 Digital Link lot classes): an LGTIN URN is
 * converted, `urn:epc:idpat:sgtin:<prefix>.<itemRef>.*` and a trailing `*`
 * become prefixes.
 */
export function classPattern(name: string, raw: string): { exact?: string; prefix?: string } {
  const lgtin = /^urn:epc:class:lgtin:(\d+)\.(\d+)\.(.+)$/.exec(raw);
  if (lgtin) {
    const gtin = gtinOf(lgtin[1], lgtin[2]);
    if (gtin) return { exact: `https://id.gs1.org/01/${gtin}/10/${lgtin[3]}` };
  }
  const idpat = /^urn:epc:idpat:(?:sgtin|lgtin):(\d+)\.(\d+)\.\*$/.exec(raw);
  if (idpat) {
    const gtin = gtinOf(idpat[1], idpat[2]);
    if (gtin) return { prefix: `https://id.gs1.org/01/${gtin}/10/` };
  }
  if (raw.endsWith('*') && raw.length > 1 && URI.test(raw.slice(0, -1)) && !raw.slice(0, -1).includes('*')) return { prefix: raw.slice(0, -1) };
  if (URI.test(raw) && !raw.includes('*')) return { exact: raw };
  throw badRequest(`${name}: "${raw}" is not an EPC class URI or pattern`, name);
}

function classMatch(name: string, raw: string): ClassMatch {
  const m: ClassMatch = { exact: [], prefixes: [] };
  for (const v of splitList(name, raw)) {
    const p = classPattern(name, v);
    if (p.exact) m.exact.push(p.exact);
    if (p.prefix) m.prefixes.push(p.prefix);
  }
  return m;
}

function perPageOf(raw: string): number {
  if (!/^\d{1,5}$/.test(raw)) throw badRequest(`perPage must be an integer from 1 to ${PER_PAGE_MAX}`, 'perPage');
  const n = Number(raw);
  if (n < 1 || n > PER_PAGE_MAX) throw badRequest(`perPage must be an integer from 1 to ${PER_PAGE_MAX}`, 'perPage');
  return n;
}

/** Parses the raw query (as express gives it) into an {@link EventQuery}. */
export function parseEventQuery(query: Record<string, unknown>): EventQuery {
  const q: EventQuery = { bizTransactions: [], sources: [], destinations: [], perPage: PER_PAGE_DEFAULT, fingerprint: '' };
  const canonical: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (typeof value !== 'string') throw badRequest(`${name} must be given once, as a plain value`, name);
    if (value === '') throw badRequest(`${name} is empty`, name);
    if (name !== 'perPage' && name !== 'nextPageToken') canonical.push(`${name}=${value}`);
    const typed = /^EQ_(bizTransaction|source|destination)_(.+)$/.exec(name);
    if (typed) {
      if (!TYPE_NAME.test(typed[2])) throw badRequest(`${name}: the type "${typed[2]}" is malformed`, name);
      const f = { type: typed[2], values: uris(name, value) };
      if (typed[1] === 'bizTransaction') q.bizTransactions.push(f);
      else if (typed[1] === 'source') q.sources.push(f);
      else q.destinations.push(f);
      continue;
    }
    switch (name) {
      case 'eventType':
        q.eventTypes = splitList(name, value);
        for (const t of q.eventTypes) {
          if (!(EVENT_TYPES as readonly string[]).includes(t)) throw badRequest(`eventType: "${t}" is not one of ${EVENT_TYPES.join(', ')}`, name);
        }
        break;
      case 'GE_eventTime': q.geEventTime = time(name, value); break;
      case 'LT_eventTime': q.ltEventTime = time(name, value); break;
      case 'GE_recordTime': q.geRecordTime = time(name, value); break;
      case 'LT_recordTime': q.ltRecordTime = time(name, value); break;
      case 'EQ_bizStep': q.bizSteps = splitList(name, value).map((v) => cbvTerm(name, v, BIZSTEP_PREFIXES)); break;
      case 'EQ_disposition': q.dispositions = splitList(name, value).map((v) => cbvTerm(name, v, DISP_PREFIXES)); break;
      case 'EQ_bizLocation': q.bizLocations = uris(name, value); break;
      case 'MATCH_epcClass': q.epcClass = classMatch(name, value); break;
      case 'MATCH_anyEPCClass': q.anyEpcClass = classMatch(name, value); break;
      case 'perPage': q.perPage = perPageOf(value); break;
      case 'nextPageToken': q.nextPageToken = value; break;
      default:
        throw badRequest(`unknown query parameter ${name}`, name);
    }
  }
  q.fingerprint = filterFingerprint(canonical.sort().join('&'));
  return q;
}
