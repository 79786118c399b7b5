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
  return (await lotWhereabouts(ledger, lot)).positions;
}

/**
 * Where a lot is now (`positions`, as lotPositions) and every location that
 * ever held it (`sites`: each location whose stock of it ever changed, the
 * `lotloc` index, kept when the stock is gone), from one read of the index.
 */
export async function lotWhereabouts(
  ledger: Ledger,
  lot: LotRef,
): Promise<{ positions: { gln: string; quantity: string; baseUnits: string }[]; sites: string[] }> {
  const positions = [];
  const sites = [];
  for (const row of await ledger.list(OBJECT_TYPES.lotLocation, [lot.gtin, lot.lotCode])) {
    const gln = split(row.key)[2];
    sites.push(gln);
    const stock = await ledger.get<StockRecord>(ledger.key(OBJECT_TYPES.stock, [gln, lot.gtin, lot.lotCode]));
    if (stock && BigInt(stock.baseUnits) > 0n) positions.push({ gln, quantity: stock.quantity, baseUnits: stock.baseUnits });
  }
  return { positions, sites };
}

/** Total base units of a lot across locations (transit excluded; see transit keys per shipment). */
export function sumPositions(positions: { baseUnits: string }[]): string {
  return formatQuantity(positions.reduce((acc, p) => acc + BigInt(p.baseUnits), 0n));
}
