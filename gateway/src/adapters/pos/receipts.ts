/**
 * POS receipts from ARTS POSLog XML or the JSON form, normalised to one
 * shape. Cancelled transactions and voided lines are kept in the receipt
 * (they are part of what is hashed and proven) but move no stock.
 */
import { CUSTOM_FORMATS } from '../../http/validation';
import { invalidInput, type FieldError } from '../../../../lib/platform/src';
import { asArray, parseSafeXml, textOf } from '../xml/safe-xml';

export interface ReceiptLine {
  gtin: string;
  quantity: string;
  kind: 'sale' | 'return';
  lotCode?: string;
  voided?: boolean;
}

export interface Receipt {
  storeId: string;
  receiptId: string;
  at?: string;
  cancelled?: boolean;
  /** Why a POSLog transaction moves no stock besides cancellation: training, suspended, voided, … */
  state?: string;
  /** Where the store id stands in the source document (POSLog element path), for errors. */
  storeField?: string;
  /** Per line, its element path in the source document (the Quantity element), for errors. */
  linePaths?: string[];
  lines: ReceiptLine[];
}

/** JSON form: `{receipts:[{storeId, receiptId, at?, cancelled?, lines:[{gtin, quantity, kind?, lotCode?, voided?}]}]}`. */
export const POS_JSON_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['receipts'],
  properties: {
    receipts: {
      type: 'array',
      minItems: 1,
      maxItems: 50_000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['storeId', 'receiptId', 'lines'],
        properties: {
          storeId: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
          receiptId: { type: 'string', pattern: '^[A-Za-z0-9._:/-]{1,128}$' },
          at: { type: 'string', maxLength: 64 },
          cancelled: { type: 'boolean' },
          lines: {
            type: 'array',
            minItems: 1,
            maxItems: 500,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['gtin', 'quantity'],
              properties: {
                gtin: { type: 'string', format: 'gtin' },
                quantity: { type: 'string', format: 'quantity' },
                kind: { type: 'string', enum: ['sale', 'return'] },
                lotCode: { type: 'string', pattern: '^[!"%&\'()*+,\\-./0-9:;<=>?A-Z_a-z]{1,20}$' },
                voided: { type: 'boolean' },
              },
            },
          },
        },
      },
    },
  },
};

const flag = (node: Record<string, unknown>, name: string) => {
  const v = node[`@_${name}`] ?? textOf(node[name]);
  return v === true || v === 'true' || v === '1';
};

/**
 * RetailTransaction/@TransactionStatus values that mean the sale happened.
 * ARTS also writes Cancelled, Voided, Suspended (parked, maybe resumed under
 * another transaction) and others; none of those moves stock.
 */
const FINISHED = new Set(['Finished', 'Totaled', 'Tendered']);

/** Why a transaction moves no stock, or undefined when it does. */
function inert(tx: Record<string, unknown>, rt: Record<string, unknown>): string | undefined {
  if (flag(tx, 'TrainingModeFlag')) return 'training';
  if (flag(tx, 'CancelFlag') || flag(rt, 'CancelFlag')) return 'cancelled';
  if (flag(tx, 'SuspendFlag') || flag(rt, 'SuspendFlag')) return 'suspended';
  const status = (rt['@_TransactionStatus'] ?? textOf(rt.TransactionStatus)) as string | undefined;
  if (status !== undefined && !FINISHED.has(String(status))) return String(status).toLowerCase();
  return undefined;
}

/**
 * Reads ARTS POSLog (v6) transactions; errors name the element path as
 * XPath (`/POSLog/Transaction[2]/RetailTransaction/LineItem[1]/Sale/ItemID`).
 * Store: BusinessUnit/UnitID; item: ItemID (a GTIN); quantity: Quantity;
 * lot: LotNumber; state: Transaction/@CancelFlag, @TrainingModeFlag,
 * RetailTransaction/@TransactionStatus, LineItem/@VoidFlag.
 */
export function parsePosLog(xml: string): Receipt[] {
  const doc = parseSafeXml(xml, { arrays: ['Transaction', 'LineItem'] });
  const root = doc.POSLog as Record<string, unknown> | undefined;
  if (!root) throw invalidInput([{ field: '/POSLog', message: 'root element POSLog is required' }], 422, 'UNSUPPORTED_DOCUMENT');
  const errors: FieldError[] = [];
  const receipts: Receipt[] = [];
  asArray(root.Transaction as Record<string, unknown>[]).forEach((tx, i) => {
    const at = `/POSLog/Transaction[${i + 1}]`;
    const storeId = textOf((tx.BusinessUnit as Record<string, unknown> | undefined)?.UnitID);
    const rt = (tx.RetailTransaction ?? {}) as Record<string, unknown>;
    const receiptId = textOf(tx.TransactionID) ?? [textOf(tx.WorkstationID), textOf(tx.SequenceNumber)].filter(Boolean).join('-');
    if (!storeId) errors.push({ field: `${at}/BusinessUnit/UnitID`, message: 'is required' });
    if (!receiptId) errors.push({ field: `${at}/TransactionID`, message: 'or WorkstationID and SequenceNumber are required' });
    const lines: ReceiptLine[] = [];
    const linePaths: string[] = [];
    asArray(rt.LineItem as Record<string, unknown>[]).forEach((li, j) => {
      const kind = li.Sale ? 'sale' : li.Return ? 'return' : undefined;
      if (!kind) return; // tenders, totals, discounts move no stock
      const item = (li.Sale ?? li.Return) as Record<string, unknown>;
      const field = `${at}/RetailTransaction/LineItem[${j + 1}]/${kind === 'sale' ? 'Sale' : 'Return'}`;
      const gtin = textOf(item.ItemID) ?? textOf(item.POSIdentity);
      const quantity = textOf(item.Quantity) ?? '1';
      if (!gtin || !CUSTOM_FORMATS.gtin(gtin)) errors.push({ field: `${field}/ItemID`, message: 'must be a GTIN with a valid check digit' });
      if (!CUSTOM_FORMATS.quantity(quantity)) errors.push({ field: `${field}/Quantity`, message: 'must be a positive decimal with at most 3 decimals' });
      lines.push({ gtin: gtin ?? '', quantity, kind, lotCode: textOf(item.LotNumber), voided: flag(li, 'VoidFlag') || undefined });
      linePaths.push(`${field}/Quantity`);
    });
    const state = inert(tx, rt);
    // Every inert state is kept in the proven receipt as cancelled (it moves no stock); the reason is kept beside it.
    receipts.push({
      storeId: storeId ?? '',
      storeField: `${at}/BusinessUnit/UnitID`,
      linePaths,
      receiptId,
      at: textOf(tx.BeginDateTime),
      ...(state ? { cancelled: true, ...(state !== 'cancelled' ? { state } : {}) } : {}),
      lines,
    });
  });
  if (receipts.length === 0) errors.push({ field: '/POSLog/Transaction', message: 'at least one transaction is required' });
  if (errors.length) throw invalidInput(errors, 422, 'INVALID_DOCUMENT');
  return receipts;
}
