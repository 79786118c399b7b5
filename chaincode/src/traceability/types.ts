/**
 * Shapes of the records kept in world state. Quantities are fixed-scale
 * decimal strings (see quantity.ts); every record is stored as canonical JSON.
 */

export type LocationType = 'farm' | 'cooperative' | 'supplier_site' | 'importer_warehouse' | 'roastery' | 'dc' | 'store';
export const LOCATION_TYPES: readonly LocationType[] = [
  'farm',
  'cooperative',
  'supplier_site',
  'importer_warehouse',
  'roastery',
  'dc',
  'store',
];

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

export type ShipmentStatus = 'created' | 'dispatched' | 'received';

export interface ShipmentLine {
  lineNo: number;
  gtin: string;
  lotCode: string;
  quantity: string;
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
  desadv?: string;
  bol?: string;
  lines: ShipmentLine[];
  status: ShipmentStatus;
  hasDiscrepancy: boolean;
  endorsers: string[];
  createdAt: string;
  dispatchedAt?: string;
  receivedAt?: string;
  createdTxId: string;
  dispatchedTxId?: string;
  receivedTxId?: string;
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

export interface PurchaseOrderRecord {
  docType: 'po';
  poId: string;
  buyerMsp: string;
  supplierMsp: string;
  buyerGln?: string;
  supplierGln?: string;
  shipToGln?: string;
  lines: { lineNo: number; gtin: string; quantity: string }[];
  paymentTerms: PaymentTerms;
  paidBaseUnits: string;
  paymentCount: number;
  payments: { chainId: number; txHash: string; logIndex: number | null; amountBaseUnits: string }[];
  status: OrderStatus;
  overpaid: boolean;
  createdAt: string;
  createdTxId: string;
  updatedAt: string;
}

export interface PaymentRecord {
  docType: 'payment';
  chainId: number;
  txHash: string;
  logIndex: number | null;
  poId: string;
  asset: string;
  from: string;
  to: string;
  amountBaseUnits: string;
  blockNumber: number;
  blockHash?: string;
  recordedBy: string;
  recordedAt: string;
  recordedTxId: string;
}
