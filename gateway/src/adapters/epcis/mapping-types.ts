/**
 * The shapes of EPCIS capture mapping: an event as the mapper reads it, the
 * lots and ledger commands it plans, and the plan the preflight checks.
 */
import type { LedgerCommand } from '../../submission/command';

export interface QuantityElement {
  epcClass: string;
  quantity: number;
  uom?: string;
}
export interface EpcisEvent {
  type: string;
  parentID?: string;
  eventID?: string;
  action?: string;
  bizStep?: string;
  bizLocation?: { id: string };
  epcList?: string[];
  quantityList?: QuantityElement[];
  inputEPCList?: string[];
  outputEPCList?: string[];
  inputQuantityList?: QuantityElement[];
  outputQuantityList?: QuantityElement[];
  bizTransactionList?: Array<{ type?: string; bizTransaction: string }>;
  sourceList?: Array<{ type: string; source: string }>;
  destinationList?: Array<{ type: string; destination: string }>;
  ilmd?: Record<string, unknown>;
  errorDeclaration?: { declarationTime?: string; reason?: string; correctiveEventIDs?: string[] };
}

/** A lot line with the document field it came from. */
export interface MappedLot {
  gtin: string;
  lotCode: string;
  quantity: string;
  field: string;
}

/** One ledger transaction of the plan, in document order. */
export interface PlannedCommand {
  eventIndex: number;
  /** The EPCIS eventID, given or assigned (the event hash ID). */
  eventID: string;
  /** The CBV 2.0 event hash ID. */
  eventHash: string;
  command: LedgerCommand;
  /** Why a stock-moving event is recorded without a stock effect (the facts the ledger needs are missing or not usable). */
  note?: string;
  /** Receiving with a quantityList: the preflight turns these lots into the shipment's line numbers. */
  receipt?: { shipmentId: string; lots: MappedLot[]; field: string };
}

/** The mapped document plus what the preflight must check on the ledger. */
export interface CapturePlan {
  commands: PlannedCommand[];
  /** GLNs the document names; `own` ones must belong to the capturing organisation. */
  locations: Array<{ gln: string; own: boolean; field: string }>;
  products: Array<{ gtin: string; uom?: string; field: string }>;
  purchaseOrders: Array<{ poId: string; field: string }>;
  /** Corrective events that error declarations name (checked when the declared event is on the ledger). */
  events: Array<{ eventId: string; field: string }>;
  /** Events the ledger already holds (same eventID and content, or same hash): nothing to submit for them. */
  alreadyCaptured: number[];
  /** Shipments created by this document, by id. */
  shipments: Map<string, { fromGln: string; toGln: string; lines: MappedLot[] }>;
}

/** One event being mapped: where its fields are, how a problem is reported, how its commands are planned. */
export interface EventMapping {
  ev: EpcisEvent;
  eventID: string;
  plan: CapturePlan;
  /** The document field of the event's field `f`. */
  at(f: string): string;
  /** Records a problem with field `f` of the event. */
  invalid(f: string, message: string): void;
  /** Plans a ledger command of the event (the first carries the captured event). */
  push(command: LedgerCommand, extra?: Partial<PlannedCommand>): void;
}
