/**
 * RecordRegionSales: one region's store batches of one interval in a single
 * transaction. Each store batch runs exactly the rules of RecordSales (own
 * store, FEFO depletion, returns, duplicate batch ids) and keeps its own
 * `sales~gln~batchId` record, so a receipt is proven against its store's root
 * as before. The region record `regionsales~region~rollupId` keeps the root
 * over the store batches (recomputed here, and compared with the caller's
 * `regionRoot`), so the store roots are themselves provable parts of it.
 * Errors name the field inside the roll-up: `stores[3].lines[0].quantity`.
 */
import { fail } from './errors';
import type { Input } from './input';
import { OBJECT_TYPES } from './keys';
import { merkleRootOf, storeBatchLeaf } from './merkle-root';
import type { HandlerResult } from './submit';
import { recordStoreSales } from './tx-sales';
import type { TxEnv } from './tx-env';

/** Most store batches in one roll-up: keeps a transaction's read/write set and payload bounded. */
export const MAX_ROLLUP_STORES = 500;

const HEX32 = { pattern: /^(0x)?[0-9a-fA-F]{64}$/, hint: 'must be a 32-byte hex hash' };

export async function recordRegionSales(env: TxEnv, input: Input): Promise<HandlerResult> {
  const region = input.id('region');
  const rollupId = input.id('rollupId');
  const claimed = input.str('regionRoot', HEX32).replace(/^0x/, '').toLowerCase();
  const periodStart = input.optDate('periodStart');
  const periodEnd = input.optDate('periodEnd');
  const regionKey = env.ledger.key(OBJECT_TYPES.regionSales, [region, rollupId]);
  if (await env.ledger.exists(regionKey)) throw fail.duplicate(`roll-up ${rollupId} of region ${region}`, 'rollupId');

  const stores: Array<{ gln: string; batchId: string; merkleRoot: string; receiptCount: number }> = [];
  let soldLines = 0;
  let returnedLines = 0;
  for (const s of input.list('stores', 1, MAX_ROLLUP_STORES)) {
    // A store's batch id repeated inside the roll-up is refused by the same duplicate rule: the first write is visible to the second.
    const out = await recordStoreSales(env, s, { periodStart, periodEnd, extra: { rollup: { region, rollupId } } });
    const b = out.batch as { gln: string; batchId: string; merkleRoot: string; receiptCount: number };
    stores.push({ gln: b.gln, batchId: b.batchId, merkleRoot: b.merkleRoot, receiptCount: b.receiptCount });
    soldLines += out.sold.length;
    returnedLines += out.returned.length;
  }
  const regionRoot = merkleRootOf(stores.map((s) => storeBatchLeaf(s.gln, s.batchId, s.merkleRoot)));
  if (regionRoot !== claimed) throw fail.invalid('regionRoot', `does not match the root over the store batches (${regionRoot})`);
  const record = {
    docType: 'region_sales',
    region,
    rollupId,
    regionRoot,
    periodStart,
    periodEnd,
    storeCount: stores.length,
    receiptCount: stores.reduce((n, s) => n + s.receiptCount, 0),
    stores,
    recordedAt: env.time,
    recordedTxId: env.txId,
  };
  await env.ledger.put(regionKey, record);
  // The result stays small (it is kept in the event record): the store records hold the detail.
  return {
    region,
    rollupId,
    regionRoot,
    storeCount: stores.length,
    receiptCount: record.receiptCount,
    stores: stores.map((s) => ({ gln: s.gln, batchId: s.batchId })),
    soldLines,
    returnedLines,
  };
}
