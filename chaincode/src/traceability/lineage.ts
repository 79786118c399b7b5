/**
 * Lot lineage and whereabouts through the index keys written by stock
 * changes (`lotloc~gtin~lot~gln`) and lot creation (`lotchild~parent…~child…`).
 */
import { OBJECT_TYPES } from './keys';
import { formatQuantity } from './quantity';
import type { Ledger } from './ledger';
import type { LotRef, StockRecord } from './types';

function split(key: string): string[] {
  return key.slice(1, -1).split('\u0000').slice(1);
}

/** Lots made from `lot`, recursively, in breadth-first order (excluding `lot`). */
export async function descendants(ledger: Ledger, lot: LotRef, limit = 10_000): Promise<LotRef[]> {
  const seen = new Set<string>([`${lot.gtin}/${lot.lotCode}`]);
  const out: LotRef[] = [];
  const queue: LotRef[] = [lot];
  while (queue.length > 0 && out.length < limit) {
    const cur = queue.shift()!;
    for (const row of await ledger.list(OBJECT_TYPES.lotChild, [cur.gtin, cur.lotCode])) {
      const [, , gtin, lotCode] = split(row.key);
      const id = `${gtin}/${lotCode}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const child = { gtin, lotCode };
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Where a lot is now: every location holding a non-zero quantity. */
export async function lotPositions(ledger: Ledger, lot: LotRef): Promise<{ gln: string; quantity: string; baseUnits: string }[]> {
  const out = [];
  for (const row of await ledger.list(OBJECT_TYPES.lotLocation, [lot.gtin, lot.lotCode])) {
    const gln = split(row.key)[2];
    const stock = await ledger.get<StockRecord>(ledger.key(OBJECT_TYPES.stock, [gln, lot.gtin, lot.lotCode]));
    if (stock && BigInt(stock.baseUnits) > 0n) out.push({ gln, quantity: stock.quantity, baseUnits: stock.baseUnits });
  }
  return out;
}

/** Total base units of a lot across locations (transit excluded; see transit keys per shipment). */
export function sumPositions(positions: { baseUnits: string }[]): string {
  return formatQuantity(positions.reduce((acc, p) => acc + BigInt(p.baseUnits), 0n));
}
