/**
 * Schemas of the ledger records the indexer publishes as message data, one per
 * record type the traceability contract reports in its `TraceEvents` payload.
 * Each schema is checked at compile time against the record type the chaincode
 * writes (chaincode/src/traceability/record-schema-check.ts; the stock line
 * below): a field added, removed or retyped on either side fails the build
 * until the other follows, and the indexer's compatibility gate then judges
 * the change for consumers.
 */
import type { StockLine } from '../contract/stock-line';
import { array, dateTime, described, integer, object, text, type Assert, type FromSchema, type Same } from './json-schema';

/** A 13-digit GLN. */
export const gln = { type: 'string', pattern: '^[0-9]{13}$' } as const;
/** A GTIN, always as 14 digits. */
export const gtin = { type: 'string', pattern: '^[0-9]{14}$' } as const;
/** A GS1 AI(10) lot code. */
export const lotCode = { type: 'string', minLength: 1, maxLength: 20 } as const;
/** A fixed-scale decimal quantity, e.g. `"-12.500"`. */
export const quantity = { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$' } as const;
/** An integer amount in base units, as a decimal string (beyond 2^53). */
export const baseUnits = { type: 'string', pattern: '^-?[0-9]+$' } as const;
const lotRef = object({ gtin, lotCode });

/** One signed change to one stock position (the chaincode's stock line). */
export const stockLineProperties = {
  key: described('Readable ledger key of the position: stock~gln~gtin~lot or transit~shipmentId~gtin~lot', text),
  position: { type: 'string', enum: ['on_hand', 'in_transit'] },
  gln: described('Location of on-hand stock; absent for stock in transit', gln),
  shipmentId: described('Shipment of stock in transit; absent for on-hand stock', text),
  gtin,
  lotCode,
  delta: described('Signed change', quantity),
  deltaBaseUnits: baseUnits,
  quantity: described('Balance after the change', quantity),
  baseUnits,
} as const;
export const stockLine = object(stockLineProperties, ['gln', 'shipmentId']);

export const locationRecord = object(
  {
    docType: { const: 'location' },
    gln,
    name: text,
    type: { type: 'string', enum: ['farm', 'cooperative', 'supplier_site', 'importer_warehouse', 'roastery', 'dc', 'store'] },
    ownerMsp: text,
    companyPrefixLength: integer,
    partyGln: gln,
    address: object({ line1: text, city: text, region: text, postalCode: text, country: text, phone: text }, [
      'line1',
      'city',
      'region',
      'postalCode',
      'phone',
    ]),
    sgln: text,
    createdAt: dateTime,
    createdTxId: text,
  },
  ['partyGln'],
);

export const productRecord = object(
  { docType: { const: 'product' }, gtin, description: text, unit: text, category: text, registeredBy: text, createdAt: dateTime, createdTxId: text },
  ['category'],
);

const lotOrigin = object(
  {
    farm: text,
    cooperative: text,
    country: text,
    region: text,
    icoMark: text,
    geolocation: described('As the supplier sent it (e.g. GeoJSON)', {}),
    harvestStart: text,
    harvestEnd: text,
    dueDiligenceRef: text,
  },
  ['farm', 'cooperative', 'country', 'region', 'icoMark', 'geolocation', 'harvestStart', 'harvestEnd', 'dueDiligenceRef'],
);

export const lotRecord = object(
  {
    docType: { const: 'lot' },
    gtin,
    lotCode,
    epcClass: text,
    origin: lotOrigin,
    productionDate: text,
    expiryDate: text,
    bestBeforeDate: text,
    certificates: array(text),
    parents: array(lotRef),
    commissionedAt: dateTime,
    commissionedBy: text,
    commissionedAtGln: gln,
    status: { type: 'string', enum: ['active', 'recalled'] },
    recallIds: array(text),
    createdTxId: text,
  },
  ['origin', 'productionDate', 'expiryDate', 'bestBeforeDate'],
);

const shipmentLine = object(
  { lineNo: integer, gtin, lotCode, poItem: text, quantity, dispatched: quantity, received: quantity, damaged: quantity, short: quantity, over: quantity },
  ['poItem', 'dispatched', 'received', 'damaged', 'short', 'over'],
);

export const shipmentRecord = object(
  {
    docType: { const: 'shipment' },
    shipmentId: text,
    fromGln: gln,
    toGln: gln,
    senderMsp: text,
    receiverMsp: text,
    carrier: text,
    ownershipTransfer: { type: 'string', enum: ['on_dispatch', 'on_receipt'] },
    owner: text,
    possessor: text,
    poId: text,
    poReference: text,
    desadv: text,
    bol: text,
    lines: array(shipmentLine),
    handlingUnits: array(object({ sscc: text, contents: array(object({ gtin, lotCode, quantity })) })),
    dates: array(object({ qualifier: text, planned: text, actual: text }, ['planned', 'actual'])),
    weights: object({ gross: text, net: text, unit: text }, ['gross', 'net']),
    status: { type: 'string', enum: ['created', 'partially_dispatched', 'dispatched', 'partially_received', 'received'] },
    hasDiscrepancy: { type: 'boolean' },
    endorsers: array(text),
    createdAt: dateTime,
    dispatchedAt: dateTime,
    receivedAt: dateTime,
    createdTxId: text,
    dispatchedTxId: text,
    receivedTxId: text,
    receiptCount: integer,
    closedAt: dateTime,
    reopenedAt: described('When a reversed receipt or goods issue last took quantity off the shipment (ReverseMovement)', dateTime),
    reopenedTxId: text,
  },
  [
    'carrier',
    'poId',
    'poReference',
    'desadv',
    'bol',
    'handlingUnits',
    'dates',
    'weights',
    'dispatchedAt',
    'receivedAt',
    'dispatchedTxId',
    'receivedTxId',
    'receiptCount',
    'closedAt',
    'reopenedAt',
    'reopenedTxId',
  ],
);

export const receiptRecord = object({
  docType: { const: 'shipment_receipt' },
  shipmentId: text,
  receiptNo: integer,
  gln,
  eventId: text,
  lines: array(object({ lineNo: integer, gtin, lotCode, received: quantity, damaged: quantity })),
  closed: { type: 'boolean' },
  discrepancies: array(object({ lineNo: integer, gtin, lotCode, short: quantity, damaged: quantity, over: quantity })),
  receivedAt: dateTime,
  txId: text,
});

const logIndex = described('Log index of a token transfer; null for a native-coin payment', { type: ['integer', 'null'] } as const);

/** A purchase order as written before its terms moved to the parties' private data (`supplychain.po.recorded.v1`). */
export const purchaseOrderRecordV1 = object(
  {
    docType: { const: 'po' },
    poId: text,
    buyerMsp: text,
    supplierMsp: text,
    buyerGln: gln,
    supplierGln: gln,
    shipToGln: gln,
    lines: array(object({ lineNo: integer, gtin, quantity })),
    paymentTerms: object(
      { chainId: integer, asset: text, decimals: integer, amount: text, amountBaseUnits: baseUnits, payee: text, payer: text, dueDate: text },
      ['payer', 'dueDate'],
    ),
    paidBaseUnits: baseUnits,
    paymentCount: integer,
    payments: array(object({ chainId: integer, txHash: text, logIndex, amountBaseUnits: baseUnits })),
    status: { type: 'string', enum: ['open', 'partial', 'paid', 'overpaid'] },
    overpaid: { type: 'boolean' },
    createdAt: dateTime,
    createdTxId: text,
    updatedAt: dateTime,
  },
  ['buyerGln', 'supplierGln', 'shipToGln'],
);

/** A purchase order as the channel keeps it: parties, lines, status and the hash of its private terms (`supplychain.po.recorded.v2`). */
export const purchaseOrderRecord = object(
  {
    docType: { const: 'po' },
    poId: text,
    buyerMsp: text,
    supplierMsp: text,
    buyerGln: gln,
    supplierGln: gln,
    shipToGln: gln,
    lines: array(object({ lineNo: integer, gtin, quantity })),
    termsHash: described('Hex SHA-256 of the canonical JSON of the terms record the parties keep privately', text),
    termsRetainUntil: dateTime,
    termsPurgedAt: dateTime,
    termsPurgedTxId: text,
    paymentCount: integer,
    payments: array(object({ chainId: integer, txHash: text, logIndex })),
    status: { type: 'string', enum: ['open', 'partial', 'paid', 'overpaid'] },
    overpaid: { type: 'boolean' },
    createdAt: dateTime,
    createdTxId: text,
    updatedAt: dateTime,
  },
  ['buyerGln', 'supplierGln', 'shipToGln', 'termsPurgedAt', 'termsPurgedTxId'],
);

/** A payment as written before amounts moved to the parties' private data (`supplychain.payment.recorded.v1`). */
export const paymentRecordV1 = object(
  {
    docType: { const: 'payment' },
    chainId: integer,
    txHash: text,
    logIndex,
    poId: text,
    asset: text,
    from: text,
    to: text,
    amountBaseUnits: baseUnits,
    blockNumber: integer,
    blockHash: text,
    recordedBy: text,
    recordedAt: dateTime,
    recordedTxId: text,
  },
  ['blockHash'],
);

/** A payment as the channel keeps it: which transfer settled which order, not how much (`supplychain.payment.recorded.v2`). */
export const paymentRecord = object(
  {
    docType: { const: 'payment' },
    chainId: integer,
    txHash: text,
    logIndex,
    poId: text,
    blockNumber: integer,
    blockHash: text,
    recordedBy: text,
    recordedAt: dateTime,
    recordedTxId: text,
  },
  ['blockHash'],
);

export const recallRecord = object(
  {
    docType: { const: 'recall' },
    recallId: text,
    reason: text,
    declaredBy: text,
    declaredAt: dateTime,
    declaredTxId: text,
    includeDescendants: { type: 'boolean' },
    lots: array(lotRef),
    affected: array(object({ gtin, lotCode, positions: array(object({ gln, quantity, baseUnits })) })),
    unresolved: described(
      'Positions of the recalled products whose lot is unknown (returns taken back without a lot), for the stores to check',
      array(object({ gtin, lotCode, positions: array(object({ gln, quantity, baseUnits })) })),
    ),
  },
  ['unresolved'],
);

export const correctionRecord = object({
  docType: { const: 'correction' },
  targetEventId: text,
  reason: { type: 'string', enum: ['did_not_occur', 'incorrect_data'] },
  correctiveEventIds: array(text),
  declaredBy: text,
  declaredAt: dateTime,
  declaredTxId: text,
  declarationEventId: text,
});

/** A GTIN owner's licence to another member to make lots of it (`licence~gtin~licenseeMsp`). */
export const licenceRecord = object(
  {
    docType: { const: 'licence' },
    gtin,
    licenseeMsp: text,
    licensorMsp: text,
    status: { type: 'string', enum: ['active', 'revoked'] },
    grantedAt: dateTime,
    grantedTxId: text,
    revokedAt: dateTime,
    revokedTxId: text,
  },
  ['revokedAt', 'revokedTxId'],
);

export const attestationRecord = object(
  {
    docType: { const: 'attestation' },
    attestationId: text,
    subjectKey: text,
    result: { type: 'string', enum: ['pass', 'fail', 'observation'] },
    statement: text,
    evidenceHash: text,
    attestedBy: text,
    attestedAt: dateTime,
    attestedTxId: text,
  },
  ['evidenceHash'],
);

export const salesRecord = object(
  {
    docType: { const: 'sales' },
    gln,
    batchId: text,
    merkleRoot: text,
    receiptCount: integer,
    periodStart: text,
    periodEnd: text,
    lines: array(
      object(
        {
          allocations: array(object({ lotCode, quantity })),
          gtin,
          kind: { type: 'string', enum: ['sale', 'return'] },
          lotCode,
          quantity,
          line: described('A partial batch: the index of the request line this entry booked', integer),
          part: described("A partial batch: which of the line's till quantities (parts) this entry booked", integer),
          resolvedBy: described('A return without a lot: how its lot was found (the lot last sold, the lot held, or the "(unknown)" lot position)', {
            type: 'string',
            enum: ['last_sold', 'held', 'unknown'],
          }),
        },
        ['lotCode', 'line', 'part', 'resolvedBy'],
      ),
    ),
    refused: described(
      'A partial batch: the lines (or parts of lines) the ledger did not book, with its reason',
      array(object({ line: integer, part: integer, code: text, field: text, message: text }, ['part', 'field'])),
    ),
    rollup: described('Set when the batch came in a regional roll-up', object({ region: text, rollupId: text })),
    recordedAt: dateTime,
    recordedTxId: text,
  },
  ['periodStart', 'periodEnd', 'refused', 'rollup'],
);

/** A recall record (the chaincode writes it without a declared type). */
export type RecallRecord = FromSchema<typeof recallRecord>;
/** An error declaration record. */
export type CorrectionRecord = FromSchema<typeof correctionRecord>;
export type LicenceRecord = FromSchema<typeof licenceRecord>;
/** An attestation record. */
export type AttestationRecord = FromSchema<typeof attestationRecord>;
/** One store's sales batch record. */
export type SalesRecord = FromSchema<typeof salesRecord>;

// The stock line is a domain type: checked here. The chaincode's record types are checked beside them.
export type StockLineAgrees = Assert<Same<FromSchema<typeof stockLine>, StockLine>>;
