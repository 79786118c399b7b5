/**
 * JSON bodies of `POST /pos/sales`, told apart by their shape:
 * - gateway form `{receipts:[…]}` (receipts.ts);
 * - Square orders `{order:{…}}` or `{orders:[…]}` (as RetrieveOrder / BatchRetrieveOrders answer):
 *   `location_id` is the store, `line_items[]` are sales and `returns[].return_line_items[]` are
 *   returns, `catalog_object_id` maps to a GTIN, `quantity` is a decimal string; state CANCELED moves
 *   no stock; non-ITEM line items (custom amounts, gift cards) are skipped; `metadata.lotCode` gives a lot;
 * - Toast orders `{restaurantGuid, order:{…}}` or `{restaurantGuid, orders:[…]}` (Toast scopes orders by
 *   the Toast-Restaurant-External-ID header, so the body names the restaurant): one receipt per
 *   `checks[]` entry, `selections[].item.guid` maps to a GTIN, voided/deleted checks, orders and
 *   selections move no stock. Toast refunds are not read.
 * Schema errors are a 400 naming the field; an unmapped store or catalog id is a 422 naming it.
 */
import { invalidInput, type FieldError } from '../../../../lib/platform/src';
import { CUSTOM_FORMATS, type RequestValidator } from '../../http/validation';
import type { Receipt, ReceiptLine } from './receipts';

export interface PosMappings {
  /** POS store id (Square location id, Toast restaurant GUID) → GLN. */
  stores: Record<string, string>;
  /** Catalog object id (Square catalog_object_id, Toast item guid) → GTIN. */
  catalog: Record<string, string>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const RECEIPT_ID = '^[A-Za-z0-9._:/-]{1,128}$';
const LOT = '^[!"%&\'()*+,\\-./0-9:;<=>?A-Z_a-z]{1,20}$';
const ID = { type: 'string', minLength: 1, maxLength: 192 };
const DATE_OR_NULL = { type: ['string', 'null'], maxLength: 64 };

const squareLine = {
  type: 'object',
  required: ['quantity'],
  properties: {
    catalog_object_id: ID,
    quantity: { type: 'string', pattern: '^\\d{1,15}(\\.\\d{1,5})?$' },
    item_type: { type: 'string' },
    metadata: { type: 'object', properties: { lotCode: { type: 'string', pattern: LOT } } },
  },
};
const squareOrder = {
  type: 'object',
  required: ['id', 'location_id'],
  properties: {
    id: { type: 'string', pattern: RECEIPT_ID },
    location_id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
    state: { type: 'string' },
    created_at: { type: 'string', maxLength: 64 },
    closed_at: { type: 'string', maxLength: 64 },
    line_items: { type: 'array', maxItems: 500, items: squareLine },
    returns: { type: 'array', maxItems: 50, items: { type: 'object', properties: { return_line_items: { type: 'array', maxItems: 500, items: squareLine } } } },
  },
};
const toastOrder = {
  type: 'object',
  required: ['checks'],
  properties: {
    voided: { type: 'boolean' },
    deleted: { type: 'boolean' },
    openedDate: DATE_OR_NULL,
    closedDate: DATE_OR_NULL,
    checks: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        required: ['guid'],
        properties: {
          guid: { type: 'string', pattern: RECEIPT_ID },
          voided: { type: 'boolean' },
          deleted: { type: 'boolean' },
          closedDate: DATE_OR_NULL,
          selections: {
            type: 'array',
            maxItems: 500,
            items: {
              type: 'object',
              required: ['item', 'quantity'],
              properties: {
                item: { type: 'object', required: ['guid'], properties: { guid: ID } },
                quantity: { type: 'number', exclusiveMinimum: 0 },
                voided: { type: 'boolean' },
              },
            },
          },
        },
      },
    },
  },
};
const envelope = (order: object, extra: Obj = {}, required: string[] = []) => ({
  type: 'object',
  required,
  properties: { ...extra, order, orders: { type: 'array', minItems: 1, maxItems: 50_000, items: order } },
});

/** Schemas of the vendor shapes, for createRequestValidator. */
export const POS_VENDOR_SCHEMAS = {
  PosSquareOrders: envelope(squareOrder),
  PosToastOrders: envelope(toastOrder, { restaurantGuid: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' } }, ['restaurantGuid']),
};

export type PosJsonShape = 'receipts' | 'square' | 'toast';

/** Which shape a JSON body has, from its fields; undefined when none fits. */
export function detectPosShape(body: unknown): PosJsonShape | undefined {
  if (!isObj(body)) return undefined;
  if ('receipts' in body) return 'receipts';
  const first = Array.isArray(body.orders) ? body.orders[0] : body.order;
  if ('restaurantGuid' in body || (isObj(first) && 'checks' in first)) return 'toast';
  if ('orders' in body || 'order' in body) return 'square';
  return undefined;
}

/** "2", "1.70000" → "2", "1.700"; undefined if not positive or finer than 3 decimals. */
export function posQuantity(raw: string): string | undefined {
  const m = /^(\d{1,15})(?:\.(\d+))?$/.exec(raw);
  if (!m || (m[2] && /[1-9]/.test(m[2].slice(3)))) return undefined;
  const q = m[2] && /[1-9]/.test(m[2]) ? `${m[1]}.${m[2].slice(0, 3).replace(/0+$/, '')}` : m[1];
  return CUSTOM_FORMATS.quantity(q) ? q : undefined;
}

/** Reads any accepted JSON body into receipts (all-or-nothing). */
export function parsePosJson(body: unknown, validator: RequestValidator, maps: PosMappings): Receipt[] {
  const shape = detectPosShape(body);
  if (!shape) {
    throw invalidInput([
      { field: 'receipts', message: 'is required: send {receipts} (gateway form), {order} or {orders} (Square), or {restaurantGuid, order|orders} (Toast)' },
    ]);
  }
  const schema = { receipts: 'PosReceipts', square: 'PosSquareOrders', toast: 'PosToastOrders' }[shape];
  const b = body as Obj;
  const schemaErrors = validator.check(schema, b);
  if (shape !== 'receipts' && 'order' in b && 'orders' in b) schemaErrors.push({ field: 'order', message: 'send either order or orders, not both' });
  if (shape !== 'receipts' && !('order' in b) && !('orders' in b)) schemaErrors.push({ field: 'orders', message: 'is required (or order)' });
  if (schemaErrors.length) throw invalidInput(schemaErrors);
  if (shape === 'receipts') return (b as { receipts: Receipt[] }).receipts;

  const errors: FieldError[] = []; // unmapped codes: 422
  const bad: FieldError[] = []; // malformed values the schema cannot express: 400
  const key = Array.isArray(b.orders) ? 'orders' : 'order';
  const orders = (key === 'orders' ? b.orders : [b.order]) as Obj[];
  const at = (i: number) => (key === 'orders' ? `orders[${i}]` : 'order');
  const store = (id: string, field: string) => {
    if (!(maps.stores[id] ?? (CUSTOM_FORMATS.gln(id) ? id : undefined))) errors.push({ field, message: `store ${id} has no GLN mapping` });
    return id;
  };
  const gtin = (id: string, field: string) => {
    const g = maps.catalog[id] ?? (CUSTOM_FORMATS.gtin(id) ? id : undefined);
    if (!g) errors.push({ field, message: `catalog object ${id} has no GTIN mapping (pos.catalog)` });
    return g ?? '';
  };
  const quantity = (raw: string, field: string) =>
    posQuantity(raw) ?? (bad.push({ field, message: 'must be a positive quantity with at most 3 significant decimals' }), '0');
  const receipts: Receipt[] = [];

  if (shape === 'square') {
    orders.forEach((o, i) => {
      const lines: ReceiptLine[] = [];
      const read = (li: Obj, kind: 'sale' | 'return', field: string) => {
        if (li.item_type !== undefined && li.item_type !== 'ITEM') return; // custom amounts and gift cards are no catalog items
        if (typeof li.catalog_object_id !== 'string') return void bad.push({ field: `${field}.catalog_object_id`, message: 'is required for items' });
        const lotCode = (li.metadata as Obj | undefined)?.lotCode as string | undefined;
        lines.push({
          gtin: gtin(li.catalog_object_id, `${field}.catalog_object_id`),
          quantity: quantity(li.quantity as string, `${field}.quantity`),
          kind,
          ...(lotCode ? { lotCode } : {}),
        });
      };
      ((o.line_items ?? []) as Obj[]).forEach((li, j) => read(li, 'sale', `${at(i)}.line_items[${j}]`));
      ((o.returns ?? []) as Obj[]).forEach((r, k) =>
        ((r.return_line_items ?? []) as Obj[]).forEach((li, j) => read(li, 'return', `${at(i)}.returns[${k}].return_line_items[${j}]`)),
      );
      const when = (o.closed_at ?? o.created_at) as string | undefined;
      receipts.push({
        storeId: store(o.location_id as string, `${at(i)}.location_id`),
        receiptId: o.id as string,
        ...(when ? { at: when } : {}),
        ...(o.state === 'CANCELED' ? { cancelled: true } : {}),
        lines,
      });
    });
  } else {
    const storeId = store(b.restaurantGuid as string, 'restaurantGuid');
    orders.forEach((o, i) => {
      (o.checks as Obj[]).forEach((c, k) => {
        const field = `${at(i)}.checks[${k}]`;
        const lines = ((c.selections ?? []) as Obj[]).map((s, j): ReceiptLine => ({
          gtin: gtin((s.item as Obj).guid as string, `${field}.selections[${j}].item.guid`),
          quantity: quantity(String(s.quantity), `${field}.selections[${j}].quantity`),
          kind: 'sale',
          ...(s.voided === true ? { voided: true } : {}),
        }));
        const cancelled = o.voided === true || o.deleted === true || c.voided === true || c.deleted === true;
        const when = (c.closedDate ?? o.closedDate ?? o.openedDate) as string | undefined;
        receipts.push({ storeId, receiptId: c.guid as string, ...(when ? { at: String(when) } : {}), ...(cancelled ? { cancelled: true } : {}), lines });
      });
    });
  }
  if (bad.length) throw invalidInput(bad);
  if (errors.length) throw invalidInput(errors, 422, 'UNMAPPED_CODE');
  return receipts;
}
