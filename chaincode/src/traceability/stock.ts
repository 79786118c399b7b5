/**
 * Stock positions: on hand (`stock~gln~gtin~lot`) and in transit
 * (`transit~shipmentId~gtin~lot`). Every change goes through here, so the
 * non-negative rule and the event line for each change cannot be skipped.
 */
import { fail } from './errors';
import { OBJECT_TYPES, readableKey } from './keys';
import { formatQuantity } from './quantity';
import type { StockLine } from '../../../lib/domain/src';
import type { TxEnv } from './tx-env';
import type { StockRecord, TransitRecord } from './types';

/**
 * The lot code of a "lot unknown" position: units of a product a store took
 * back without knowing their lot (a return of a product it never sold and does
 * not hold). A later count moves them to their lot (AdjustStock); a recall of
 * any lot of that product lists these positions as possibly affected.
 */
export const LOT_UNKNOWN = '(unknown)';

export function stockKey(env: TxEnv, gln: string, gtin: string, lotCode: string): string {
  return env.ledger.key(OBJECT_TYPES.stock, [gln, gtin, lotCode]);
}

export function transitKey(env: TxEnv, shipmentId: string, gtin: string, lotCode: string): string {
  return env.ledger.key(OBJECT_TYPES.transit, [shipmentId, gtin, lotCode]);
}

/** Base units on hand at a location for one lot (0 when no position exists). */
export async function onHand(env: TxEnv, gln: string, gtin: string, lotCode: string): Promise<bigint> {
  const rec = await env.ledger.get<StockRecord>(stockKey(env, gln, gtin, lotCode));
  return rec ? BigInt(rec.baseUnits) : 0n;
}

type Place = { position: 'on_hand'; gln: string } | { position: 'in_transit'; shipmentId: string };

/**
 * Applies a signed change to one position (on hand or in transit), refusing a
 * result below zero with INSUFFICIENT_STOCK against `field`, and notes the
 * event line. `shortage` words the refusal from the quantity there before.
 */
async function changePosition(
  env: TxEnv,
  key: string,
  place: Place,
  lot: { gtin: string; lotCode: string },
  delta: bigint,
  field: string,
  shortage: (before: bigint) => string,
): Promise<{ line: StockLine; created: boolean }> {
  const current = await env.ledger.get<StockRecord | TransitRecord>(key);
  const before = current ? BigInt(current.baseUnits) : 0n;
  const after = before + delta;
  if (after < 0n) throw fail.insufficient(shortage(before), field);
  const where = place.position === 'on_hand' ? { gln: place.gln } : { shipmentId: place.shipmentId };
  const amounts = { quantity: formatQuantity(after), baseUnits: after.toString() };
  // When stock last came in (a receipt, a transfer, a return): which of a store's lots it received most recently.
  const receivedAt = place.position === 'on_hand' ? (delta > 0n ? env.time : (current as StockRecord | undefined)?.receivedAt) : undefined;
  const record = {
    docType: place.position === 'on_hand' ? 'stock' : 'transit',
    ...where,
    gtin: lot.gtin,
    lotCode: lot.lotCode,
    ...amounts,
    ...(receivedAt ? { receivedAt } : {}),
    updatedAt: env.time,
    updatedTxId: env.txId,
  } as StockRecord | TransitRecord;
  await env.ledger.put(key, record);
  const line = env.noteStockLine({
    key: readableKey(key),
    position: place.position,
    ...where,
    gtin: lot.gtin,
    lotCode: lot.lotCode,
    delta: formatQuantity(delta),
    deltaBaseUnits: delta.toString(),
    ...amounts,
  });
  return { line, created: !current };
}

/**
 * Applies a signed change to on-hand stock. A result below zero is
 * INSUFFICIENT_STOCK, reported against `field`.
 */
export async function changeStock(env: TxEnv, pos: { gln: string; gtin: string; lotCode: string }, delta: bigint, field: string): Promise<StockLine> {
  const key = stockKey(env, pos.gln, pos.gtin, pos.lotCode);
  const { line, created } = await changePosition(
    env,
    key,
    { position: 'on_hand', gln: pos.gln },
    pos,
    delta,
    field,
    (before) => `location ${pos.gln} holds ${formatQuantity(before)} of lot ${pos.gtin}/${pos.lotCode}, ${formatQuantity(-delta)} requested`,
  );
  if (created) await env.ledger.putIndex(env.ledger.key(OBJECT_TYPES.lotLocation, [pos.gtin, pos.lotCode, pos.gln]));
  return line;
}

/** Applies a signed change to a shipment's in-transit position. */
export async function changeTransit(env: TxEnv, pos: { shipmentId: string; gtin: string; lotCode: string }, delta: bigint, field: string): Promise<StockLine> {
  const key = transitKey(env, pos.shipmentId, pos.gtin, pos.lotCode);
  const { line } = await changePosition(
    env,
    key,
    { position: 'in_transit', shipmentId: pos.shipmentId },
    pos,
    delta,
    field,
    (before) => `shipment ${pos.shipmentId} carries ${formatQuantity(before)} of lot ${pos.gtin}/${pos.lotCode}`,
  );
  return line;
}

/** Non-empty on-hand positions at a location, optionally for one GTIN, in key order. */
export async function positionsAt(env: TxEnv, gln: string, gtin?: string): Promise<StockRecord[]> {
  const rows = await env.ledger.list<StockRecord>(OBJECT_TYPES.stock, gtin ? [gln, gtin] : [gln]);
  return rows.map((r) => r.value).filter((r) => BigInt(r.baseUnits) > 0n);
}
