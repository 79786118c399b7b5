/**
 * EPCIS events as their capturer wrote them. A document captured through the
 * gateway keeps its business facts (eventTime and offset, eventID,
 * certificationInfo, sensor data, ILMD, extensions) exactly: the gateway
 * passes each event along with the transaction it maps to, and the ledger
 * stores and emits it beside the facts the transaction itself derives.
 *
 * `RecordEvents` is the path for events without a stock effect (aggregation,
 * association, transaction events, observations with instance-level EPCs,
 * inspections, …): it only records them, endorsed like any other transaction.
 * An AggregationEvent also keeps its parent's current contents under
 * `aggregation~<parentID>`, so a pallet (SSCC) can be traced to its lots.
 * Each event must name something the caller owns or holds (event-rules.ts).
 */
import { assertNotAuditor } from './access';
import { fail } from './errors';
import { assertMayRecordEvent } from './event-rules';
import type { Input } from './input';
import { OBJECT_TYPES } from './keys';
import type { HandlerResult } from './submit';
import type { TxEnv } from './tx-env';
import { EPCIS_EVENT_TYPES } from '../../../lib/domain/src';

/** EPCIS 2.0 event types. */
export { EPCIS_EVENT_TYPES };

/** Upper bound of one transaction's captured events, as JSON text. */
const MAX_CAPTURED_CHARS = 512 * 1024;

/** A captured event: an EPCIS 2.0 JSON-LD event object, kept verbatim. */
export type CapturedEvent = Record<string, unknown> & { type: string; eventTime: string };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function finiteOnly(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(finiteOnly);
  if (isPlainObject(v)) return Object.values(v).every(finiteOnly);
  return true;
}

/**
 * The optional `epcisEvents` member of a submitting transaction: the captured
 * events this transaction stands for (an empty list marks a transaction that
 * is part of an event captured with another one). `undefined` when absent.
 */
export function readCapturedEvents(input: Input): CapturedEvent[] | undefined {
  if (!input.has('epcisEvents')) return undefined;
  const list = input.raw('epcisEvents');
  if (!Array.isArray(list) || list.length > 100) throw fail.invalid('epcisEvents', 'must be a list of at most 100 EPCIS events');
  if (JSON.stringify(list).length > MAX_CAPTURED_CHARS) throw fail.invalid('epcisEvents', `must be at most ${MAX_CAPTURED_CHARS} characters of JSON`);
  list.forEach((ev, i) => {
    const at = `epcisEvents[${i}]`;
    if (!isPlainObject(ev)) throw fail.invalid(at, 'must be an EPCIS event object');
    if (!(EPCIS_EVENT_TYPES as readonly string[]).includes(ev.type as string))
      throw fail.invalid(`${at}.type`, `must be one of ${EPCIS_EVENT_TYPES.join(', ')}`);
    if (typeof ev.eventTime !== 'string' || Number.isNaN(Date.parse(ev.eventTime))) throw fail.invalid(`${at}.eventTime`, 'must be a date-time');
    if (typeof ev.eventTimeZoneOffset !== 'string') throw fail.invalid(`${at}.eventTimeZoneOffset`, 'is required');
    if (!finiteOnly(ev)) throw fail.invalid(at, 'must contain only finite numbers');
  });
  return list as CapturedEvent[];
}

/** A CBV 2.0 event hash ID as the gateway computes it; the index keeps its hex digest. */
const EVENT_HASH = /^ni:\/\/\/sha-256;([0-9a-f]{64})\?ver=CBV2\.0$/;

/**
 * The optional `epcisHashes` member: the CBV 2.0 event hash of each captured
 * event that identifies it (error declarations share their event's hash and
 * are left out by the caller), as hex digests. Checked before the handler runs.
 */
export function readCapturedHashes(input: Input): string[] {
  if (!input.has('epcisHashes')) return [];
  const list = input.raw('epcisHashes');
  if (!Array.isArray(list) || list.length > 100) throw fail.invalid('epcisHashes', 'must be a list of at most 100 event hash IDs');
  return list.map((h, i) => {
    const m = typeof h === 'string' ? EVENT_HASH.exec(h) : null;
    if (!m) throw fail.invalid(`epcisHashes[${i}]`, 'must be a CBV 2.0 event hash ID (ni:///sha-256;<hex>?ver=CBV2.0)');
    return m[1];
  });
}

/**
 * Records each hash not yet indexed as naming this transaction's eventId, so
 * the same event captured again in another binding or under another eventID
 * is recognised (`GetEventByHash`). The index is the recording organisation's
 * own (`epcishash~<msp>~<hex>`): one member's capture never stands in for
 * another's, nor tells it what another member recorded. The first recording of
 * a hash wins.
 */
export async function indexCapturedHashes(env: TxEnv, hashes: string[], eventId: string): Promise<void> {
  for (const hex of hashes) {
    const key = env.ledger.key(OBJECT_TYPES.epcisHash, [env.mspId, hex]);
    if (!(await env.ledger.get(key))) await env.ledger.put(key, { docType: 'epcishash', eventHash: `ni:///sha-256;${hex}?ver=CBV2.0`, eventId });
  }
}

/** Current contents of an aggregation parent, as kept on the ledger. */
export interface AggregationRecord {
  docType: 'aggregation';
  parentID: string;
  childEPCs: string[];
  childQuantityList: Array<Record<string, unknown>>;
  /** The member whose first ADD packed it (absent on records from before it was kept). */
  packedBy?: string;
  updatedBy: string;
  updatedTxId: string;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
const objects = (v: unknown): Array<Record<string, unknown>> => (Array.isArray(v) ? v.filter(isPlainObject) : []);

/** Applies an AggregationEvent to its parent's contents: ADD packs, DELETE unpacks (all when no child is named). */
async function aggregate(env: TxEnv, ev: CapturedEvent, at: string): Promise<string | undefined> {
  const parentID = ev.parentID;
  if (typeof parentID !== 'string' || parentID.length === 0 || parentID.length > 512) return undefined;
  if (ev.action !== 'ADD' && ev.action !== 'DELETE') return undefined;
  if (parentID.includes('\u0000')) throw fail.invalid(`${at}.parentID`, 'must not contain NUL');
  const key = env.ledger.key(OBJECT_TYPES.aggregation, [parentID]);
  const prior = await env.ledger.get<AggregationRecord>(key);
  const epcs = new Set(prior?.childEPCs ?? []);
  const quantities = new Map((prior?.childQuantityList ?? []).map((q) => [String(q.epcClass), q]));
  const childEPCs = strings(ev.childEPCs);
  const childQuantities = objects(ev.childQuantityList);
  if (ev.action === 'ADD') {
    childEPCs.forEach((e) => epcs.add(e));
    childQuantities.forEach((q) => quantities.set(String(q.epcClass), q));
  } else if (childEPCs.length === 0 && childQuantities.length === 0) {
    epcs.clear();
    quantities.clear();
  } else {
    childEPCs.forEach((e) => epcs.delete(e));
    childQuantities.forEach((q) => quantities.delete(String(q.epcClass)));
  }
  const record: AggregationRecord = {
    docType: 'aggregation',
    parentID,
    childEPCs: [...epcs].sort(),
    childQuantityList: [...quantities.keys()].sort().map((k) => quantities.get(k)!),
    packedBy: prior ? (prior.packedBy ?? prior.updatedBy) : env.mspId,
    updatedBy: env.mspId,
    updatedTxId: env.txId,
  };
  await env.ledger.put(key, record);
  return parentID;
}

/** RecordEvents: captured events with no stock effect; the auditor's organisation records none. */
export async function recordEvents(env: TxEnv, input: Input): Promise<HandlerResult> {
  assertNotAuditor(env, 'record supply-chain events');
  const events = readCapturedEvents(input);
  if (!events || events.length === 0) throw fail.invalid('epcisEvents', 'must hold at least one EPCIS event');
  const aggregations: string[] = [];
  for (const [i, ev] of events.entries()) {
    await assertMayRecordEvent(env, ev, `epcisEvents[${i}]`);
    if (ev.type !== 'AggregationEvent') continue;
    const parent = await aggregate(env, ev, `epcisEvents[${i}]`);
    if (parent) aggregations.push(parent);
  }
  return { recorded: events.length, ...(aggregations.length > 0 ? { aggregations } : {}) };
}
