/**
 * Stock positions: on hand (`stock~gln~gtin~lot`) and in transit
 * (`transit~shipmentId~gtin~lot`). Every change goes through here, so the
 * non-negative rule and the event line for each change cannot be skipped.
 */
import { fail } from './errors';
import { OBJECT_TYPES, readableKey } from './keys';
import { formatQuantity } from './quantity';
import type { StockLine } from './stock-line';
import type { TxEnv } from './tx-env';
import type { StockRecord, TransitRecord } from './types';

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

/**
 * Applies a signed change to on-hand stock. A result below zero is
 * INSUFFICIENT_STOCK, reported against `field`.
 */
export async function changeStock(
  env: TxEnv,
  pos: { gln: string; gtin: string; lotCode: string },
  delta: bigint,
  field: string,
): Promise<StockLine> {
  const key = stockKey(env, pos.gln, pos.gtin, pos.lotCode);
  const current = await env.ledger.get<StockRecord>(key);
  const before = current ? BigInt(current.baseUnits) : 0n;
  const after = before + delta;
  if (after < 0n) {
    throw fail.insufficient(
      `location ${pos.gln} holds ${formatQuantity(before)} of lot ${pos.gtin}/${pos.lotCode}, ${formatQuantity(-delta)} requested`,
      field,
    );
  }
  const record: StockRecord = {
    docType: 'stock',
    gln: pos.gln,
    gtin: pos.gtin,
    lotCode: pos.lotCode,
    quantity: formatQuantity(after),
    baseUnits: after.toString(),
    updatedAt: env.time,
    updatedTxId: env.txId,
  };
  await env.ledger.put(key, record);
  if (!current) await env.ledger.putIndex(env.ledger.key(OBJECT_TYPES.lotLocation, [pos.gtin, pos.lotCode, pos.gln]));
  return env.noteStockLine({
    key: readableKey(key),
    position: 'on_hand',
    gln: pos.gln,
    gtin: pos.gtin,
    lotCode: pos.lotCode,
    delta: formatQuantity(delta),
    deltaBaseUnits: delta.toString(),
    quantity: record.quantity,
    baseUnits: record.baseUnits,
  });
}

/** Applies a signed change to a shipment's in-transit position. */
export async function changeTransit(
  env: TxEnv,
  pos: { shipmentId: string; gtin: string; lotCode: string },
  delta: bigint,
  field: string,
): Promise<StockLine> {
  const key = transitKey(env, pos.shipmentId, pos.gtin, pos.lotCode);
  const current = await env.ledger.get<TransitRecord>(key);
  const before = current ? BigInt(current.baseUnits) : 0n;
  const after = before + delta;
  if (after < 0n) {
    throw fail.insufficient(`shipment ${pos.shipmentId} carries ${formatQuantity(before)} of lot ${pos.gtin}/${pos.lotCode}`, field);
  }
  const record: TransitRecord = {
    docType: 'transit',
    shipmentId: pos.shipmentId,
    gtin: pos.gtin,
    lotCode: pos.lotCode,
    quantity: formatQuantity(after),
    baseUnits: after.toString(),
    updatedAt: env.time,
    updatedTxId: env.txId,
  };
  await env.ledger.put(key, record);
  return env.noteStockLine({
    key: readableKey(key),
    position: 'in_transit',
    shipmentId: pos.shipmentId,
    gtin: pos.gtin,
    lotCode: pos.lotCode,
    delta: formatQuantity(delta),
    deltaBaseUnits: delta.toString(),
    quantity: record.quantity,
    baseUnits: record.baseUnits,
  });
}

/** Non-empty on-hand positions at a location, optionally for one GTIN, in key order. */
export async function positionsAt(env: TxEnv, gln: string, gtin?: string): Promise<StockRecord[]> {
  const rows = await env.ledger.list<StockRecord>(OBJECT_TYPES.stock, gtin ? [gln, gtin] : [gln]);
  return rows.map((r) => r.value).filter((r) => BigInt(r.baseUnits) > 0n);
}
