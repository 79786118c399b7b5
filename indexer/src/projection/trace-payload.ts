/**
 * The `TraceEvents` chaincode event payload as the traceability contract emits
 * it (see chaincode/src/traceability/submit.ts), parsed defensively: the
 * indexer must record a transaction even when its payload is not what it expects.
 */
import type { StockLine } from '../../../lib/domain/src';

/** One signed change to one stock position: the chaincode's event line, as emitted. */
export type StockLinePayload = StockLine;

/** The `ct:ledger` extension of every EPCIS event. */
export interface LedgerExtension {
  eventId: string;
  function: string;
  mspId: string;
  actor?: string;
  txId: string;
  keys: string[];
  stock: StockLinePayload[];
  detail?: Record<string, unknown>;
}

/** An EPCIS 2.0 event as emitted (JSON-LD form). */
export interface EpcisEventPayload extends Record<string, unknown> {
  type: string;
  eventID: string;
  eventTime: string;
  bizStep?: string;
  disposition?: string;
  bizLocation?: { id: string };
  'ct:ledger'?: LedgerExtension;
}

/** An entity written by the transaction, e.g. `{key: "shipment~S-1", value: {...}}`. */
export interface WrittenRecordPayload {
  key: string;
  value: Record<string, unknown> & { docType?: string };
}

export interface TracePayload {
  eventId: string;
  function: string;
  mspId: string;
  actor?: string;
  recordedAt: string;
  txId: string;
  events: EpcisEventPayload[];
  /**
   * The EPCIS events as captured (present on transactions that record a
   * captured document's events; empty on a second transaction of one event).
   * When present they, not `events`, are the transaction's repository events.
   */
  captured?: Array<Record<string, unknown>>;
  records: WrittenRecordPayload[];
  /** Set when the eventId was seen before: the transaction has no new effect. */
  replayOf?: { txId: string };
}

/** Name of the chaincode event the contract emits once per submitting transaction (the domain library's). */
export { TRACE_EVENT_NAME } from '../../../lib/domain/src';

/** Parses a TraceEvents payload; throws on anything that is not one. */
export function parseTracePayload(bytes: Buffer): TracePayload {
  const v = JSON.parse(bytes.toString('utf8')) as Partial<TracePayload>;
  if (typeof v !== 'object' || v === null) throw new Error('payload is not an object');
  if (typeof v.eventId !== 'string' || typeof v.txId !== 'string' || typeof v.function !== 'string') {
    throw new Error('payload lacks eventId, txId or function');
  }
  if (!Array.isArray(v.events) || !Array.isArray(v.records)) throw new Error('payload lacks events or records');
  return v as TracePayload;
}

/** `shipment~S-1` → {type: 'shipment', attrs: ['S-1']}. */
export function splitKey(key: string): { type: string; attrs: string[] } {
  const [type, ...attrs] = key.split('~');
  return { type, attrs };
}
