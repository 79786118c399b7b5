/**
 * RecordSales: one store's batch of POS lines. Lines name a lot where the POS
 * knows it; otherwise the lots are depleted first-expiry-first-out (recalled
 * lots are never sold). A return without a lot (tills rarely know it) goes
 * back to the lot this store most recently sold of that product: that is the
 * lot the customer most likely bought, and it keeps recall scope honest
 * (a recall of that lot finds the returned units). The batch keeps the Merkle root and count of its
 * receipts so any receipt can later be proven part of it.
 */
import { requireLot, requireOwnLocation, requireProduct } from './access';
import type { QuantityElement } from './epcis';
import { fail } from './errors';
import { lotQuantity } from './facts';
import type { Input } from './input';
import { OBJECT_TYPES } from './keys';
import { formatQuantity } from './quantity';
import { changeStock, positionsAt } from './stock';
import type { StockLine } from '../../../lib/domain/src';
import type { HandlerResult } from './submit';
import type { TxEnv } from './tx-env';
import type { LotRecord } from './types';

interface Allocation {
  lotCode: string;
  units: bigint;
}

/** Lots at a store for one GTIN in FEFO order: earliest expiry/best-before first, undated last, then lot code. */
async function fefoLots(env: TxEnv, gln: string, gtin: string, field: string): Promise<{ lot: LotRecord; units: bigint }[]> {
  const out: { lot: LotRecord; units: bigint }[] = [];
  for (const pos of await positionsAt(env, gln, gtin)) {
    const lot = await requireLot(env, gtin, pos.lotCode, field);
    if (lot.status === 'recalled') continue;
    out.push({ lot, units: BigInt(pos.baseUnits) });
  }
  const dateOf = (l: LotRecord) => l.expiryDate ?? l.bestBeforeDate ?? '9999-12-31';
  return out.sort((a, b) => (dateOf(a.lot) < dateOf(b.lot) ? -1 : dateOf(a.lot) > dateOf(b.lot) ? 1 : a.lot.lotCode < b.lot.lotCode ? -1 : 1));
}

/** What one store's batch did: the stored batch record and its stock lines. */
export interface StoreSalesOutcome {
  batch: Record<string, unknown>;
  sold: StockLine[];
  returned: StockLine[];
}

/** Extra fields a roll-up writes on each store's batch record (which region transaction carried it). */
export type StoreSalesExtra = Record<string, unknown>;

/**
 * One store's batch, read from `s` (the request itself for RecordSales, or
 * `stores[i]` of a roll-up): every error names the field by its path in the
 * request (`lines[0].quantity`, `stores[3].lines[0].quantity`).
 */
export async function recordStoreSales(
  env: TxEnv,
  s: Input,
  opts: { periodStart?: string; periodEnd?: string; extra?: StoreSalesExtra } = {},
): Promise<StoreSalesOutcome> {
  const gln = s.gln('gln');
  const loc = await requireOwnLocation(env, gln, s.at('gln'), 'record sales');
  if (loc.type !== 'store') throw fail.invalid(s.at('gln'), `location ${gln} is a ${loc.type}, sales are recorded at stores`);
  const batchId = s.id('batchId');
  const merkleRoot = s
    .str('merkleRoot', { pattern: /^(0x)?[0-9a-fA-F]{64}$/, hint: 'must be a 32-byte hex hash' })
    .replace(/^0x/, '')
    .toLowerCase();
  const receiptCount = s.int('receiptCount', 0, 1_000_000_000);
  const periodStart = s.optDate('periodStart') ?? opts.periodStart;
  const periodEnd = s.optDate('periodEnd') ?? opts.periodEnd;
  const salesKey = env.ledger.key(OBJECT_TYPES.sales, [gln, batchId]);
  if (await env.ledger.exists(salesKey)) throw fail.duplicate(`sales batch ${batchId} at ${gln}`, s.at('batchId'));

  const sold: StockLine[] = [];
  const returned: StockLine[] = [];
  const soldQ: QuantityElement[] = [];
  const returnedQ: QuantityElement[] = [];
  const stored: Record<string, unknown>[] = [];
  for (const l of s.list('lines', 1, 5000)) {
    const gtin = l.gtin('gtin');
    await requireProduct(env, gtin, l.at('gtin'));
    const kind = l.oneOf('kind', ['sale', 'return'] as const, 'sale');
    const units = l.quantity('quantity');
    const lotCode = l.has('lotCode') ? l.lotCode('lotCode') : undefined;
    let allocations: Allocation[];
    if (kind === 'return') {
      const lastKey = env.ledger.key(OBJECT_TYPES.lastSold, [gln, gtin]);
      const back = lotCode ?? (await env.ledger.get<{ lotCode: string }>(lastKey))?.lotCode;
      if (!back) throw fail.conflict(`store ${gln} has never sold ${gtin}, so a return without a lot has no lot to go back to`, l.at('lotCode'));
      await requireLot(env, gtin, back, l.at('lotCode'));
      allocations = [{ lotCode: back, units }];
      const line = await changeStock(env, { gln, gtin, lotCode: back }, units, l.at('quantity'));
      returned.push(line);
      returnedQ.push(await lotQuantity(env, gtin, back, units));
    } else {
      if (lotCode) {
        const lot = await requireLot(env, gtin, lotCode, l.at('lotCode'));
        if (lot.status === 'recalled') throw fail.conflict(`lot ${gtin}/${lotCode} is recalled and may not be sold`, l.at('lotCode'));
        allocations = [{ lotCode, units }];
      } else {
        allocations = [];
        let left = units;
        for (const c of await fefoLots(env, gln, gtin, s.at('lines'))) {
          if (left === 0n) break;
          const take = c.units < left ? c.units : left;
          allocations.push({ lotCode: c.lot.lotCode, units: take });
          left -= take;
        }
        if (left > 0n) {
          throw fail.insufficient(`store ${gln} lacks ${formatQuantity(left)} of ${gtin} in sellable lots`, l.at('quantity'));
        }
      }
      for (const a of allocations) {
        sold.push(await changeStock(env, { gln, gtin, lotCode: a.lotCode }, -a.units, l.at('quantity')));
        soldQ.push(await lotQuantity(env, gtin, a.lotCode, a.units));
      }
      const last = allocations.at(-1);
      if (last)
        await env.ledger.put(env.ledger.key(OBJECT_TYPES.lastSold, [gln, gtin]), {
          docType: 'last_sold',
          gln,
          gtin,
          lotCode: last.lotCode,
          updatedTxId: env.txId,
        });
    }
    stored.push({
      allocations: allocations.map((a) => ({ lotCode: a.lotCode, quantity: formatQuantity(a.units) })),
      gtin,
      kind,
      lotCode,
      quantity: formatQuantity(units),
    });
  }

  const batch = {
    docType: 'sales',
    gln,
    batchId,
    merkleRoot,
    receiptCount,
    periodStart,
    periodEnd,
    lines: stored,
    ...opts.extra,
    recordedAt: env.time,
    recordedTxId: env.txId,
  };
  await env.ledger.put(salesKey, batch);
  const detail = { batchId, merkleRoot, receiptCount };
  if (sold.length > 0) {
    env.record({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'retail_selling',
      disposition: 'retail_sold',
      quantityList: soldQ,
      location: loc.sgln,
      keys: [`sales~${gln}~${batchId}`],
      stock: sold,
      detail,
    });
  }
  if (returned.length > 0) {
    env.record({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'receiving',
      disposition: 'returned',
      quantityList: returnedQ,
      location: loc.sgln,
      keys: [`sales~${gln}~${batchId}`],
      stock: returned,
      detail,
    });
  }
  return { batch, sold, returned };
}

export async function recordSales(env: TxEnv, input: Input): Promise<HandlerResult> {
  return { ...(await recordStoreSales(env, input)) };
}
