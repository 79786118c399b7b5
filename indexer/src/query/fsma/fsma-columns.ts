/**
 * The FSMA 204 sortable spreadsheet's columns (one per key data element) and
 * its key to codes and placeholders. Shared by the CSV and XLSX writers.
 */

/** Placeholder for a KDE that the critical tracking event does not have (e.g. ship-to of a transformation). */
export const NOT_APPLICABLE = 'N/A (not part of this CTE)';
/** Placeholder for an optional location fact the ledger holds no value for (e.g. a phone number never registered). */
export const NOT_RECORDED = 'NOT RECORDED';

/** Critical tracking event codes. */
export const CTE_CODES: Record<string, string> = {
  IPK: 'Initial packing: a lot is first given its traceability lot code (EPCIS ObjectEvent ADD, bizStep commissioning)',
  TRF: 'Transformation: input lots consumed, a new traceability lot produced (EPCIS TransformationEvent)',
  SHP: 'Shipping (EPCIS ObjectEvent OBSERVE, bizStep shipping)',
  RCV: 'Receiving (EPCIS ObjectEvent OBSERVE, bizStep receiving)',
};

/** Reference document type codes. */
export const REFERENCE_DOC_CODES: Record<string, string> = {
  BOL: 'Bill of lading',
  ASN: 'Advance shipping notice (despatch advice, DESADV)',
  PO: 'Purchase order',
  WO: 'Work order / production order (batch log)',
  SHIPMENT: 'Shipment record on the ledger (custody chain), when no BOL, ASN or PO was given',
  LEDGER_TX: 'Ledger transaction (the endorsed, committed record of the event), when no business document exists',
};

/** Units of measure (UN/ECE Recommendation 20 codes as registered with the product). */
export const UNIT_CODES: Record<string, string> = {
  KGM: 'kilogram',
  GRM: 'gram',
  TNE: 'tonne',
  LTR: 'litre',
  MLT: 'millilitre',
  H87: 'piece',
  EA: 'each',
  C62: 'one (unit)',
  CS: 'case',
  BG: 'bag',
  BX: 'box',
  LBR: 'pound',
  ONZ: 'ounce',
};

/** Column keys, in spreadsheet order. */
export interface LocationColumns {
  gln: string;
  name: string;
  street: string;
  city: string;
  state: string;
  zip: string;
  country: string;
  phone: string;
}

const LOCATION_FIELDS: Array<[keyof LocationColumns, string]> = [
  ['gln', 'GLN'],
  ['name', 'business name'],
  ['street', 'street address'],
  ['city', 'city'],
  ['state', 'state/region'],
  ['zip', 'ZIP/postal code'],
  ['country', 'country'],
  ['phone', 'phone'],
];

/** One spreadsheet column: its header and what it holds. */
export interface FsmaColumn {
  key: string;
  header: string;
  description: string;
  numeric?: boolean;
}

function locationColumns(prefix: string, header: string, what: string): FsmaColumn[] {
  return LOCATION_FIELDS.map(([k, label]) => ({ key: `${prefix}.${k}`, header: `${header} ${label}`, description: `${what}: ${label}` }));
}

/** Every column of the export. */
export const FSMA_COLUMNS: FsmaColumn[] = [
  { key: 'cte', header: 'CTE', description: 'Critical tracking event code (see CTE codes)' },
  { key: 'cteDescription', header: 'CTE description', description: 'Critical tracking event in words' },
  { key: 'eventDate', header: 'Event date', description: 'Date of the event (ship, receive, transformation completion or packing date), YYYY-MM-DD, UTC' },
  { key: 'eventTime', header: 'Event time (UTC)', description: 'Time of the event, ISO 8601 UTC' },
  { key: 'tlc', header: 'Traceability lot code (TLC)', description: 'GTIN-14 "/" lot code: the lot this row is about (the output lot of a transformation)' },
  { key: 'gtin', header: 'GTIN', description: 'GS1 GTIN-14 of the product' },
  { key: 'lotCode', header: 'Lot code', description: 'Lot (batch) code assigned by the TLC source' },
  { key: 'product', header: 'Product description', description: 'Product description as registered on the ledger' },
  { key: 'quantity', header: 'Quantity', description: 'Quantity of the lot in this event (shipped, received, produced or packed)', numeric: true },
  { key: 'unit', header: 'Unit of measure', description: 'Unit of the quantity (see unit codes)' },
  ...locationColumns(
    'loc',
    'CTE location',
    'Where the event took place (ship-from for shipping, receiving location for receiving, transformation or packing location)',
  ),
  ...locationColumns('from', 'Ship-from / previous source', 'Ship-from location of a shipment; for receiving, the immediate previous source'),
  ...locationColumns('to', 'Ship-to / receiving location', 'Immediate subsequent recipient of a shipment; for receiving, the receiving location'),
  {
    key: 'tlcSourceGln',
    header: 'TLC source reference (GLN)',
    description: 'GLN of the location where the TLC was assigned (initial packing or transformation)',
  },
  { key: 'tlcSourceName', header: 'TLC source business name', description: 'Business name of the TLC source location' },
  {
    key: 'inputs',
    header: 'Transformation inputs (TLC; description; quantity used)',
    description: 'For a transformation: every input lot with its description and the quantity used',
  },
  { key: 'refType', header: 'Reference document type', description: 'Type of the reference document (see reference document codes)' },
  { key: 'refNumber', header: 'Reference document number', description: 'Number of the reference document' },
  { key: 'txId', header: 'Ledger transaction ID', description: 'Fabric transaction that recorded the event (verifiable on any peer)' },
  { key: 'blockNumber', header: 'Block number', description: 'Ledger block of that transaction', numeric: true },
  { key: 'eventId', header: 'EPCIS event ID', description: 'EPCIS 2.0 eventID (GET /epcis/events returns the full event)' },
  { key: 'recordStatus', header: 'Record status', description: '"active", or "error declared: <reason>" when an EPCIS error declaration corrected the record' },
];

/** One exported row, keyed by column key. */
export type FsmaRow = Record<string, string | number>;

/** The key to codes: [section, code or column, meaning] rows. */
export function keyRows(): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  for (const [c, m] of Object.entries(CTE_CODES)) out.push(['CTE code', c, m]);
  for (const [c, m] of Object.entries(REFERENCE_DOC_CODES)) out.push(['Reference document type', c, m]);
  for (const [c, m] of Object.entries(UNIT_CODES)) out.push(['Unit of measure', c, m]);
  out.push(['Placeholder', NOT_APPLICABLE, 'The key data element does not exist for this kind of critical tracking event']);
  out.push(['Placeholder', NOT_RECORDED, 'Optional location master data (street, city, state, ZIP, phone, name) the ledger has no value for']);
  for (const col of FSMA_COLUMNS) out.push(['Column', col.header, col.description]);
  return out;
}
