/**
 * World-state key layout. Keys are composite keys; outside the contract they
 * are written in the readable form `type~attr~attr` (the table in DESIGN.md §4),
 * which GetHistory accepts and every event reports.
 */

export const OBJECT_TYPES = {
  location: 'location',
  product: 'product',
  lot: 'lot',
  stock: 'stock',
  transit: 'transit',
  shipment: 'shipment',
  /** one goods receipt of a shipment: `receipt~shipmentId~receiptNo` */
  receipt: 'receipt',
  event: 'event',
  po: 'po',
  payment: 'payment',
  recall: 'recall',
  sales: 'sales',
  /** one region's roll-up of store sales batches: `regionsales~region~rollupId` */
  regionSales: 'regionsales',
  /** the lot a store last sold of a product: where a return without a lot goes back to. */
  lastSold: 'lastsold',
  attestation: 'attestation',
  /** index: lot → locations that ever held it (recall scope without a full scan). */
  lotLocation: 'lotloc',
  /** index: parent lot → child lot (downstream trace). */
  lotChild: 'lotchild',
  /** index: original event → error declarations about it. */
  correction: 'correction',
  /** how much of one submission's lot a reversal took back: `reversal~eventId~gtin~lotCode` */
  reversal: 'reversal',
  /** an aggregation parent (pallet SSCC, case) → its current contents. */
  aggregation: 'aggregation',
  /** a GTIN owner's licence to another member to make lots of it: `licence~gtin~licenseeMsp`. */
  licence: 'licence',
  /** index: an organisation's captured EPCIS events by CBV 2.0 event hash → the eventId that recorded it (one event in any binding). */
  epcisHash: 'epcishash',
  /** index: a party's orders whose private terms are still kept, `termsexp~mspId~poId` → when they may be purged. */
  termsExpiry: 'termsexp',
} as const;

export type ObjectType = (typeof OBJECT_TYPES)[keyof typeof OBJECT_TYPES];

const NS = '\u0000';

/** Same layout as ChaincodeStub.createCompositeKey, usable without a stub. */
export function compositeKey(objectType: string, attributes: readonly string[]): string {
  return `${NS}${objectType}${NS}${attributes.map((a) => `${a}${NS}`).join('')}`;
}

/** `\u0000stock\u0000a\u0000b\u0000` → `stock~a~b`. Simple keys pass through. */
export function readableKey(key: string): string {
  if (!key.startsWith(NS)) return key;
  return key.slice(1, -1).split(NS).join('~');
}

/** `stock~a~b` → composite key; a key already in composite form passes through. */
export function keyFromReadable(readable: string): { objectType: string; attributes: string[] } | undefined {
  const text = readable.startsWith(NS) ? readableKey(readable) : readable;
  const parts = text.split('~');
  if (parts.length < 2 || parts.some((p) => p.length === 0)) return undefined;
  return { objectType: parts[0], attributes: parts.slice(1) };
}
