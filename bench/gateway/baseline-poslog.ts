/**
 * The POSLog reader as it was before transaction states were read
 * (CancelFlag only, internal field paths). Kept for the adapter benchmark's
 * same-run baseline; nothing else uses it.
 */
import { invalidInput, type FieldError } from '../../lib/platform/src';
import { CUSTOM_FORMATS } from '../../gateway/src/http/validation';
import type { Receipt, ReceiptLine } from '../../gateway/src/adapters/pos/receipts';
import { asArray, parseSafeXml, textOf } from '../../gateway/src/adapters/xml/safe-xml';

const flag = (node: Record<string, unknown>, name: string) => {
  const v = node[`@_${name}`] ?? textOf(node[name]);
  return v === true || v === 'true' || v === '1';
};

export function parsePosLogBaseline(xml: string): Receipt[] {
  const doc = parseSafeXml(xml, { arrays: ['Transaction', 'LineItem'] });
  const root = doc.POSLog as Record<string, unknown> | undefined;
  if (!root) throw invalidInput([{ field: 'POSLog', message: 'root element POSLog is required' }], 422, 'UNSUPPORTED_DOCUMENT');
  const errors: FieldError[] = [];
  const receipts: Receipt[] = [];
  asArray(root.Transaction as Record<string, unknown>[]).forEach((tx, i) => {
    const at = `Transaction[${i}]`;
    const storeId = textOf((tx.BusinessUnit as Record<string, unknown> | undefined)?.UnitID);
    const rt = (tx.RetailTransaction ?? {}) as Record<string, unknown>;
    const receiptId = textOf(tx.TransactionID) ?? [textOf(tx.WorkstationID), textOf(tx.SequenceNumber)].filter(Boolean).join('-');
    if (!storeId) errors.push({ field: `${at}.BusinessUnit.UnitID`, message: 'is required' });
    if (!receiptId) errors.push({ field: `${at}.TransactionID`, message: 'or WorkstationID and SequenceNumber are required' });
    const lines: ReceiptLine[] = [];
    asArray(rt.LineItem as Record<string, unknown>[]).forEach((li, j) => {
      const kind = li.Sale ? 'sale' : li.Return ? 'return' : undefined;
      if (!kind) return;
      const item = (li.Sale ?? li.Return) as Record<string, unknown>;
      const field = `${at}.RetailTransaction.LineItem[${j}].${kind === 'sale' ? 'Sale' : 'Return'}`;
      const gtin = textOf(item.ItemID) ?? textOf(item.POSIdentity);
      const quantity = textOf(item.Quantity) ?? '1';
      if (!gtin || !CUSTOM_FORMATS.gtin(gtin)) errors.push({ field: `${field}.ItemID`, message: 'must be a GTIN with a valid check digit' });
      if (!CUSTOM_FORMATS.quantity(quantity)) errors.push({ field: `${field}.Quantity`, message: 'must be a positive decimal with at most 3 decimals' });
      lines.push({ gtin: gtin ?? '', quantity, kind, lotCode: textOf(item.LotNumber), voided: flag(li, 'VoidFlag') || undefined });
    });
    receipts.push({
      storeId: storeId ?? '',
      receiptId,
      at: textOf(tx.BeginDateTime),
      cancelled: flag(tx, 'CancelFlag') || flag(rt, 'CancelFlag') || undefined,
      lines,
    });
  });
  if (errors.length) throw invalidInput(errors, 422, 'INVALID_DOCUMENT');
  return receipts;
}
