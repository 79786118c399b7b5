/**
 * RecordSales: one store's batch of POS lines. Lines name a lot where the POS
 * knows it; otherwise the lots are depleted first-expiry-first-out (recalled
 * lots are never sold). A return without a lot (tills rarely know it) goes
 * back to the lot this store most recently sold of that product: that is the
 * lot the customer most likely bought, and it keeps recall scope honest
 * (a recall of that lot finds the returned units). A store that never sold
 * the product takes it back to the lot it holds (of several, the one it
 * received most recently), and one that holds none to a "lot unknown"
 * position of the product, which a later count or a recall resolves. The
 * batch keeps the Merkle root and count of its receipts so any receipt can
 * later be proven part of it.
 *
 * With `partial`, a line the facts refuse (too little stock, an unknown
 * product, a recalled lot) is not booked and is listed in `refused` with its
 * code and field, and the rest of the batch is booked: a till's receipt is
 * never lost for one line. A line summed from several till lines carries their
 * quantities in `parts`: when the sum is refused for want of stock, the parts
 * are booked one by one in order, as far as the stock goes.
 */
import { requireLot, requireOwnLocation, requireProduct } from './access';
import type { QuantityElement } from './epcis';
import { fail } from './errors';
import { lotQuantity } from './facts';
import type { Input } from './input';
import { OBJECT_TYPES } from './keys';
import { formatQuantity, parseQuantity } from './quantity';
import { changeStock, LOT_UNKNOWN, positionsAt } from './stock';
import { TraceError } from './errors';
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
    if (pos.lotCode === LOT_UNKNOWN) continue; // units of no known lot are not sold from
    const lot = await requireLot(env, gtin, pos.lotCode, field);
    if (lot.status === 'recalled') continue;
    out.push({ lot, units: BigInt(pos.baseUnits) });
  }
  const dateOf = (l: LotRecord) => l.expiryDate ?? l.bestBeforeDate ?? '9999-12-31';
  return out.sort((a, b) => (dateOf(a.lot) < dateOf(b.lot) ? -1 : dateOf(a.lot) > dateOf(b.lot) ? 1 : a.lot.lotCode < b.lot.lotCode ? -1 : 1));
}

/** How a return without a lot found its lot. */
export type ReturnResolution = 'last_sold' | 'held' | 'unknown';

/**
 * The lot a return without a lot goes back to at `gln`: the lot the store last
 * sold of the product; else the lot it holds (of several, the one it received
 * most recently); else the product's "lot unknown" position.
 */
async function returnLot(env: TxEnv, gln: string, gtin: string): Promise<{ lotCode: string; resolvedBy: ReturnResolution }> {
  const last = await env.ledger.get<{ lotCode: string }>(env.ledger.key(OBJECT_TYPES.lastSold, [gln, gtin]));
  if (last) return { lotCode: last.lotCode, resolvedBy: 'last_sold' };
  const held = (await positionsAt(env, gln, gtin)).filter((p) => p.lotCode !== LOT_UNKNOWN);
  if (held.length === 0) return { lotCode: LOT_UNKNOWN, resolvedBy: 'unknown' };
  // Positions written before receipt times were kept fall back to their last change.
  const when = (p: (typeof held)[number]) => p.receivedAt ?? p.updatedAt;
  const latest = held.reduce((a, b) => (when(b) > when(a) || (when(b) === when(a) && b.lotCode > a.lotCode) ? b : a));
  return { lotCode: latest.lotCode, resolvedBy: 'held' };
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
  const partial = s.bool('partial', false);
  const refused: Record<string, unknown>[] = [];
  const lineIns = s.list('lines', 1, 5000);
  for (const [i, l] of lineIns.entries()) {
    const book = async (units: bigint, field: string) => {
      const gtin = l.gtin('gtin');
      await requireProduct(env, gtin, l.at('gtin'));
      const kind = l.oneOf('kind', ['sale', 'return'] as const, 'sale');
      const lotCode = l.has('lotCode') ? l.lotCode('lotCode') : undefined;
      let allocations: Allocation[];
      let resolvedBy: ReturnResolution | undefined;
      if (kind === 'return') {
        const back = lotCode ? { lotCode } : await returnLot(env, gln, gtin);
        resolvedBy = 'resolvedBy' in back ? back.resolvedBy : undefined;
        if (back.lotCode !== LOT_UNKNOWN) await requireLot(env, gtin, back.lotCode, l.at('lotCode'));
        allocations = [{ lotCode: back.lotCode, units }];
        const line = await changeStock(env, { gln, gtin, lotCode: back.lotCode }, units, field);
        returned.push(line);
        returnedQ.push(await lotQuantity(env, gtin, back.lotCode, units));
      } else {
        if (lotCode) {
          const lot = await requireLot(env, gtin, lotCode, l.at('lotCode'));
          if (lot.status === 'recalled') throw fail.conflict(`lot ${gtin}/${lotCode} is recalled and may not be sold`, l.at('lotCode'));
          // Checked before anything is written, so a refused line leaves no trace in a partial batch.
          const held = await env.ledger.get<{ baseUnits: string }>(env.ledger.key(OBJECT_TYPES.stock, [gln, gtin, lotCode]));
          if (BigInt(held?.baseUnits ?? '0') < units)
            throw fail.insufficient(
              `store ${gln} holds ${formatQuantity(BigInt(held?.baseUnits ?? '0'))} of lot ${gtin}/${lotCode}, ${formatQuantity(units)} sold`,
              field,
            );
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
            throw fail.insufficient(`store ${gln} lacks ${formatQuantity(left)} of ${gtin} in sellable lots`, field);
          }
        }
        for (const a of allocations) {
          sold.push(await changeStock(env, { gln, gtin, lotCode: a.lotCode }, -a.units, field));
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
      return {
        allocations: allocations.map((a) => ({ lotCode: a.lotCode, quantity: formatQuantity(a.units) })),
        gtin,
        kind,
        lotCode,
        quantity: formatQuantity(units),
        ...(resolvedBy ? { resolvedBy } : {}),
      };
    };
    const units = l.quantity('quantity');
    if (!partial) {
      stored.push(await book(units, l.at('quantity')));
      continue;
    }
    // A refusal is raised before the line writes anything, so skipping it leaves the batch consistent.
    const refusal = (err: unknown, part?: number) => {
      if (!(err instanceof TraceError)) throw err;
      refused.push({ line: i, ...(part !== undefined ? { part } : {}), code: err.code, field: err.field, message: err.detail });
    };
    try {
      stored.push({ line: i, ...(await book(units, l.at('quantity'))) });
    } catch (err) {
      if (!(err instanceof TraceError) || err.code !== 'INSUFFICIENT_STOCK' || !l.has('parts')) {
        refusal(err);
        continue;
      }
      const partUnits = partQuantities(l);
      if (partUnits.reduce((a, b) => a + b, 0n) !== units) throw fail.invalid(l.at('parts'), 'must add up to quantity');
      for (const [k, pu] of partUnits.entries()) {
        try {
          stored.push({ line: i, part: k, ...(await book(pu, `${l.at('parts')}[${k}]`)) });
        } catch (e) {
          refusal(e, k);
        }
      }
    }
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
    ...(partial ? { refused } : {}),
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
  return { batch, sold, returned, ...(partial ? { refused } : {}) };
}

/** A summed line's till quantities (`parts`), in base units. */
function partQuantities(l: Input): bigint[] {
  const raw = l.raw('parts');
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > 5000) throw fail.invalid(l.at('parts'), 'must be a list of 1-5000 quantities');
  return raw.map((v, k) => parseQuantity(v, `${l.at('parts')}[${k}]`));
}

export async function recordSales(env: TxEnv, input: Input): Promise<HandlerResult> {
  return { ...(await recordStoreSales(env, input)) };
}
