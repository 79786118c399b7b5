/**
 * Parsing of the GS1 EPCIS 2.0 REST binding's query parameters for
 * `GET /epcis/events`. Every parameter is checked; an unknown, repeated or
 * malformed one is a 400 that names it. Lists are comma-separated (a `|` is
 * accepted too) and mean OR; different parameters combine with AND.
 */
import { badRequest } from '../http-errors';
import { EPCIS_EVENT_TYPES, toCanonicalDigitalLink } from '../../../../lib/domain/src';
import { filterFingerprint } from './page-token';

/** EPCIS 2.0 event types. */
export const EVENT_TYPES = EPCIS_EVENT_TYPES;

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
  epc?: ClassMatch;
  anyEpc?: ClassMatch;
  eventIds?: string[];
  readPoints?: string[];
  actions?: string[];
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
  if (!ISO_TIME.test(raw) || Number.isNaN(d.getTime()))
    throw badRequest(`${name} must be an ISO 8601 date-time with a time zone, e.g. 2025-03-01T00:00:00Z`, name);
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

/**
 * One MATCH_ value in the form the read model keeps identifiers (constrained
 * canonical GS1 Digital Links): an EPC URI, class or Digital Link matches
 * exactly; an `idpat` pattern matches every identifier of its GTIN (or other
 * key); a trailing `*` matches by prefix.
 */
export function classPattern(name: string, raw: string): { exact?: string; prefix?: string } {
  if (raw.startsWith('urn:epc:idpat:')) {
    const dl = toCanonicalDigitalLink(raw);
    if (dl) return { exact: dl, prefix: `${dl}/` };
    throw badRequest(`${name}: "${raw}" is not an EPC pattern this repository reads (urn:epc:idpat:<scheme>:<prefix>.<reference>.*)`, name);
  }
  if (raw.endsWith('*') && raw.length > 1 && URI.test(raw.slice(0, -1)) && !raw.slice(0, -1).includes('*')) return { prefix: raw.slice(0, -1) };
  if (URI.test(raw) && !raw.includes('*')) return { exact: toCanonicalDigitalLink(raw) ?? raw };
  throw badRequest(`${name}: "${raw}" is not an EPC, EPC class URI or pattern`, name);
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
      case 'GE_eventTime':
        q.geEventTime = time(name, value);
        break;
      case 'LT_eventTime':
        q.ltEventTime = time(name, value);
        break;
      case 'GE_recordTime':
        q.geRecordTime = time(name, value);
        break;
      case 'LT_recordTime':
        q.ltRecordTime = time(name, value);
        break;
      case 'EQ_bizStep':
        q.bizSteps = splitList(name, value).map((v) => cbvTerm(name, v, BIZSTEP_PREFIXES));
        break;
      case 'EQ_disposition':
        q.dispositions = splitList(name, value).map((v) => cbvTerm(name, v, DISP_PREFIXES));
        break;
      case 'EQ_bizLocation':
        q.bizLocations = uris(name, value);
        break;
      case 'MATCH_epcClass':
        q.epcClass = classMatch(name, value);
        break;
      case 'MATCH_anyEPCClass':
        q.anyEpcClass = classMatch(name, value);
        break;
      case 'MATCH_epc':
        q.epc = classMatch(name, value);
        break;
      case 'MATCH_anyEPC':
        q.anyEpc = classMatch(name, value);
        break;
      case 'EQ_eventID':
        q.eventIds = splitList(name, value);
        break;
      case 'EQ_readPoint':
        q.readPoints = uris(name, value);
        break;
      case 'EQ_action':
        q.actions = splitList(name, value);
        for (const a of q.actions) if (!['ADD', 'OBSERVE', 'DELETE'].includes(a)) throw badRequest(`EQ_action: "${a}" is not ADD, OBSERVE or DELETE`, name);
        break;
      case 'perPage':
        q.perPage = perPageOf(value);
        break;
      case 'nextPageToken':
        q.nextPageToken = value;
        break;
      default:
        throw badRequest(`unknown query parameter ${name}`, name);
    }
  }
  q.fingerprint = filterFingerprint(canonical.sort().join('&'));
  return q;
}
