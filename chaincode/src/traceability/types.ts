/**
 * Shapes of the records kept in world state. Quantities are fixed-scale
 * decimal strings (see quantity.ts); every record is stored as canonical JSON.
 */

export type LocationType = 'farm' | 'cooperative' | 'supplier_site' | 'importer_warehouse' | 'roastery' | 'dc' | 'store';
export const LOCATION_TYPES: readonly LocationType[] = ['farm', 'cooperative', 'supplier_site', 'importer_warehouse', 'roastery', 'dc', 'store'];

export interface Address {
  line1?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country: string;
  phone?: string;
}

export interface LocationRecord {
  docType: 'location';
  gln: string;
  name: string;
  type: LocationType;
  ownerMsp: string;
  companyPrefixLength: number;
  partyGln?: string;
  address: Address;
  sgln: string;
  createdAt: string;
  createdTxId: string;
}

export interface ProductRecord {
  docType: 'product';
  gtin: string;
  description: string;
  unit: string;
  category?: string;
  registeredBy: string;
  createdAt: string;
  createdTxId: string;
}

export interface LotOrigin {
  farm?: string;
  cooperative?: string;
  country?: string;
  region?: string;
  icoMark?: string;
  geolocation?: unknown;
  harvestStart?: string;
  harvestEnd?: string;
  dueDiligenceRef?: string;
}

export interface LotRef {
  gtin: string;
  lotCode: string;
}

export type LotStatus = 'active' | 'recalled';

export interface LotRecord {
  docType: 'lot';
  gtin: string;
  lotCode: string;
  epcClass: string;
  origin?: LotOrigin;
  productionDate?: string;
  expiryDate?: string;
  bestBeforeDate?: string;
  certificates: string[];
  parents: LotRef[];
  commissionedAt: string;
  commissionedBy: string;
  commissionedAtGln: string;
  status: LotStatus;
  recallIds: string[];
  createdTxId: string;
}

export interface StockRecord {
  docType: 'stock';
  gln: string;
  gtin: string;
  lotCode: string;
  quantity: string;
  baseUnits: string;
  /** When stock last came into this position (absent on positions written before it was kept). */
  receivedAt?: string;
  updatedAt: string;
  updatedTxId: string;
}

export interface TransitRecord {
  docType: 'transit';
  shipmentId: string;
  gtin: string;
  lotCode: string;
  quantity: string;
  baseUnits: string;
  updatedAt: string;
  updatedTxId: string;
}

/**
 * `partially_dispatched` / `partially_received` while goods issues or receipts
 * cover only part of the lines; `received` once a final receipt closes it.
 */
export type ShipmentStatus = 'created' | 'partially_dispatched' | 'dispatched' | 'partially_received' | 'received';

export interface ShipmentLine {
  lineNo: number;
  gtin: string;
  lotCode: string;
  /** Purchase-order item this line delivers (DESADV VGPOS). */
  poItem?: string;
  /** Quantity the delivery announces. */
  quantity: string;
  /** Issued so far (goods issues); received and damaged never exceed it. */
  dispatched?: string;
  /** Booked into stock so far, over every receipt. */
  received?: string;
  damaged?: string;
  short?: string;
  over?: string;
}

export interface ShipmentRecord {
  docType: 'shipment';
  shipmentId: string;
  fromGln: string;
  toGln: string;
  senderMsp: string;
  receiverMsp: string;
  carrier?: string;
  ownershipTransfer: 'on_dispatch' | 'on_receipt';
  owner: string;
  possessor: string;
  poId?: string;
  /** The sender's purchase-order reference when no such order is on the ledger. */
  poReference?: string;
  desadv?: string;
  bol?: string;
  lines: ShipmentLine[];
  /** Handling units (SSCC) and what each carries. */
  handlingUnits?: { sscc: string; contents: { gtin: string; lotCode: string; quantity: string }[] }[];
  /** Document dates by the sender's qualifier (DESADV E1EDT13 QUALF). */
  dates?: { qualifier: string; planned?: string; actual?: string }[];
  weights?: { gross?: string; net?: string; unit: string };
  status: ShipmentStatus;
  hasDiscrepancy: boolean;
  endorsers: string[];
  createdAt: string;
  dispatchedAt?: string;
  receivedAt?: string;
  createdTxId: string;
  dispatchedTxId?: string;
  receivedTxId?: string;
  /** Receipts booked so far; each is a `receipt~shipmentId~receiptNo` record. */
  receiptCount?: number;
  closedAt?: string;
  /** When a reversed receipt or goods issue last took quantity off the shipment (ReverseMovement). */
  reopenedAt?: string;
  reopenedTxId?: string;
}

/** One goods receipt against a shipment: exactly what that receipt booked, and where. */
export interface ShipmentReceiptRecord {
  docType: 'shipment_receipt';
  shipmentId: string;
  receiptNo: number;
  gln: string;
  eventId: string;
  lines: { lineNo: number; gtin: string; lotCode: string; received: string; damaged: string }[];
  /** True for the final receipt; short quantities are derived only then. */
  closed: boolean;
  discrepancies: { lineNo: number; gtin: string; lotCode: string; short: string; damaged: string; over: string }[];
  receivedAt: string;
  txId: string;
}

export type OrderStatus = 'open' | 'partial' | 'paid' | 'overpaid';

export interface PaymentTerms {
  chainId: number;
  asset: string;
  decimals: number;
  amount: string;
  amountBaseUnits: string;
  payee: string;
  payer?: string;
  dueDate?: string;
}

/** The agreed terms of an order: `poterms~poId` in the buyer's and the supplier's implicit collections only. */
export interface OrderTermsRecord {
  docType: 'po_terms';
  poId: string;
  buyerMsp: string;
  supplierMsp: string;
  paymentTerms: PaymentTerms;
  /** Random, chosen by the buyer's gateway: the hash on the channel cannot be found by guessing the terms. */
  salt: string;
}

/** One transfer recorded against an order, as the parties keep it privately. */
export interface OrderAccountPayment {
  chainId: number;
  txHash: string;
  logIndex: number | null;
  asset: string;
  from: string;
  to: string;
  amountBaseUnits: string;
}

/** What was paid against an order: `poaccount~poId` in the parties' implicit collections. */
export interface OrderAccountRecord {
  docType: 'po_account';
  poId: string;
  paidBaseUnits: string;
  payments: OrderAccountPayment[];
}

/** The order as the channel keeps it: parties, lines and status; its terms only as a hash. */
export interface PurchaseOrderRecord {
  docType: 'po';
  poId: string;
  buyerMsp: string;
  supplierMsp: string;
  buyerGln?: string;
  supplierGln?: string;
  shipToGln?: string;
  lines: { lineNo: number; gtin: string; quantity: string }[];
  /** Hex SHA-256 of the canonical JSON of the private terms record (Fabric's private-data hash of it). */
  termsHash: string;
  /** After this time any party may purge the terms from the parties' peers (PurgeExpiredTerms). */
  termsRetainUntil: string;
  termsPurgedAt?: string;
  termsPurgedTxId?: string;
  paymentCount: number;
  payments: { chainId: number; txHash: string; logIndex: number | null }[];
  status: OrderStatus;
  overpaid: boolean;
  createdAt: string;
  createdTxId: string;
  updatedAt: string;
}

/** A recorded transfer as the channel keeps it: which transfer settled which order, not how much. */
export interface PaymentRecord {
  docType: 'payment';
  chainId: number;
  txHash: string;
  logIndex: number | null;
  poId: string;
  blockNumber: number;
  blockHash?: string;
  recordedBy: string;
  recordedAt: string;
  recordedTxId: string;
}
