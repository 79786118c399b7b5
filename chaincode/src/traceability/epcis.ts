/**
 * Builders for EPCIS 2.0-shaped events (JSON-LD form, short CBV names).
 * Each event also carries a `ct:ledger` extension member with the ledger facts
 * the indexer projects: keys written and signed stock deltas in base units.
 */
import type { StockLine } from '../../../lib/domain/src';

export const EPCIS_CONTEXT: readonly unknown[] = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ct: 'urn:coffee-trace:ns:' }];

export type EpcisEventType = 'ObjectEvent' | 'TransformationEvent' | 'TransactionEvent' | 'AggregationEvent';
export type EpcisAction = 'ADD' | 'OBSERVE' | 'DELETE';

export interface QuantityElement {
  epcClass: string;
  /** Optional in EPCIS; absent when only the class matters (e.g. a recall notice). */
  quantity?: number;
  uom?: string;
}

export interface SourceDest {
  type: 'owning_party' | 'possessing_party' | 'location';
  id: string;
}

export interface BizTransaction {
  type: string;
  bizTransaction: string;
}

/** What a transaction handler states about one fact; see {@link buildEpcisEvent}. */
export interface FactSpec {
  type: EpcisEventType;
  action?: EpcisAction;
  bizStep: string;
  disposition?: string;
  quantityList?: QuantityElement[];
  inputQuantityList?: QuantityElement[];
  outputQuantityList?: QuantityElement[];
  transformationID?: string;
  /** SGLN of the place the fact happened (readPoint and bizLocation). */
  location?: string;
  sourceList?: SourceDest[];
  destinationList?: SourceDest[];
  bizTransactionList?: BizTransaction[];
  ilmd?: Record<string, unknown>;
  errorDeclaration?: { declarationTime: string; reason: string; correctiveEventIDs: string[] };
  /** Readable keys of entities this fact wrote (stock keys come from `stock`). */
  keys?: string[];
  stock?: StockLine[];
  /** Extra domain detail for the projection (e.g. discrepancies, recall id). */
  detail?: Record<string, unknown>;
}

export interface EpcisEvent extends Record<string, unknown> {
  type: EpcisEventType;
  eventID: string;
}

/** The EPCIS eventID of the n-th fact of a submitted transaction. */
export function epcisEventId(eventId: string, n: number): string {
  return `urn:coffee-trace:event:${eventId}:${n}`;
}

export function buildEpcisEvent(
  spec: FactSpec,
  meta: { eventId: string; index: number; eventTime: string; txId: string; mspId: string; actor?: string; fn: string },
): EpcisEvent {
  const stock = spec.stock ?? [];
  const keys = [...new Set([...(spec.keys ?? []), ...stock.map((s) => s.key)])];
  const event: EpcisEvent = {
    type: spec.type,
    eventID: epcisEventId(meta.eventId, meta.index),
    eventTime: meta.eventTime,
    eventTimeZoneOffset: '+00:00',
    bizStep: spec.bizStep,
    'ct:ledger': {
      actor: meta.actor,
      eventId: meta.eventId,
      function: meta.fn,
      keys,
      mspId: meta.mspId,
      stock,
      txId: meta.txId,
      ...(spec.detail ? { detail: spec.detail } : {}),
    },
  };
  if (spec.action) event.action = spec.action;
  if (spec.disposition) event.disposition = spec.disposition;
  if (spec.quantityList) event.quantityList = spec.quantityList;
  if (spec.inputQuantityList) event.inputQuantityList = spec.inputQuantityList;
  if (spec.outputQuantityList) event.outputQuantityList = spec.outputQuantityList;
  if (spec.transformationID) event.transformationID = spec.transformationID;
  if (spec.type === 'ObjectEvent' || spec.type === 'TransactionEvent' || spec.type === 'AggregationEvent') {
    if (!spec.action) throw new Error(`${spec.type} requires an action`);
    event.epcList = [];
  }
  if (spec.type === 'TransformationEvent') {
    event.inputEPCList = [];
    event.outputEPCList = [];
  }
  if (spec.location) {
    event.readPoint = { id: spec.location };
    event.bizLocation = { id: spec.location };
  }
  if (spec.sourceList && spec.sourceList.length > 0) {
    event.sourceList = spec.sourceList.map((s) => ({ type: s.type, source: s.id }));
  }
  if (spec.destinationList && spec.destinationList.length > 0) {
    event.destinationList = spec.destinationList.map((d) => ({ type: d.type, destination: d.id }));
  }
  if (spec.bizTransactionList && spec.bizTransactionList.length > 0) event.bizTransactionList = spec.bizTransactionList;
  if (spec.ilmd) event.ilmd = spec.ilmd;
  if (spec.errorDeclaration) event.errorDeclaration = spec.errorDeclaration;
  return event;
}

/** A CBV business-transaction URI: `urn:epcglobal:cbv:bt:<gln>:<id>`. */
export function bizTransactionUri(issuerGln: string, id: string): string {
  return `urn:epcglobal:cbv:bt:${issuerGln}:${id}`;
}
