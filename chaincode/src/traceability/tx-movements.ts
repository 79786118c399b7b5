/**
 * Stock movements inside one organisation: transformation (e.g. roasting),
 * internal transfers between its own locations, and adjustments with a reason.
 */
import { requireLot, requireOwnLocation } from './access';
import { bizTransactionUri, type QuantityElement } from './epcis';
import { fail } from './errors';
import { lotQuantity, partiesAt } from './facts';
import type { Input } from './input';
import { OBJECT_TYPES, readableKey } from './keys';
import { createLot, lotIlmd } from './tx-master-data';
import { requireLotProduct } from './identifier-rules';
import { changeStock, LOT_UNKNOWN, stockKey } from './stock';
import type { StockLine } from '../../../lib/domain/src';
import type { HandlerResult } from './submit';
import type { TxEnv } from './tx-env';
import type { LocationRecord, LotRef } from './types';

interface LotLine {
  gtin: string;
  lotCode: string;
  units: bigint;
  field: string;
}

/** Reads `[{gtin, lotCode, quantity}]` lines, checking each lot exists. */
export async function readLotLines(env: TxEnv, input: Input, name: string, max = 500): Promise<LotLine[]> {
  const lines: LotLine[] = [];
  for (const l of input.list(name, 1, max)) {
    const gtin = l.gtin('gtin');
    const lotCode = l.lotCode('lotCode');
    const units = l.quantity('quantity');
    await requireLot(env, gtin, lotCode, l.at('lotCode'));
    lines.push({ gtin, lotCode, units, field: l.at('quantity') });
  }
  return lines;
}

/**
 * Reads `[{gtin, lotCode, quantity}]` lines to be taken from `gln`. A lot the
 * location holds a position of exists (positions are only made for existing
 * lots), so the lot itself is read only where there is no position, to tell an
 * unknown lot (NOT_FOUND) from a lot the location does not hold.
 */
async function readHeldLotLines(env: TxEnv, input: Input, name: string, gln: string): Promise<LotLine[]> {
  const lines: LotLine[] = [];
  for (const l of input.list(name, 1, 500)) {
    const gtin = l.gtin('gtin');
    const lotCode = l.lotCode('lotCode');
    const units = l.quantity('quantity');
    if (!(await env.ledger.exists(stockKey(env, gln, gtin, lotCode)))) await requireLot(env, gtin, lotCode, l.at('lotCode'));
    lines.push({ gtin, lotCode, units, field: l.at('quantity') });
  }
  return lines;
}

export function dispositionOnArrival(loc: LocationRecord): string {
  return loc.type === 'store' ? 'sellable_accessible' : 'sellable_not_accessible';
}

export async function transformLots(env: TxEnv, input: Input): Promise<HandlerResult> {
  const gln = input.gln('gln');
  const loc = await requireOwnLocation(env, gln, 'gln', 'transform lots');
  const workOrder = input.optId('workOrder');
  const inputs = await readLotLines(env, input, 'inputs');
  const consumed: StockLine[] = [];
  const inputQuantityList: QuantityElement[] = [];
  for (const line of inputs) {
    consumed.push(await changeStock(env, { gln, gtin: line.gtin, lotCode: line.lotCode }, -line.units, line.field));
    inputQuantityList.push(await lotQuantity(env, line.gtin, line.lotCode, line.units));
  }
  const parents: LotRef[] = [];
  for (const l of inputs) {
    if (!parents.some((p) => p.gtin === l.gtin && p.lotCode === l.lotCode)) parents.push({ gtin: l.gtin, lotCode: l.lotCode });
  }

  const produced: StockLine[] = [];
  const outputQuantityList: QuantityElement[] = [];
  const lots = [];
  const ilmd: Record<string, unknown>[] = [];
  for (const o of input.list('outputs', 1, 100)) {
    const gtin = o.gtin('gtin');
    await requireLotProduct(env, gtin, o.at('gtin'));
    const lotCode = o.lotCode('lotCode');
    const units = o.quantity('quantity');
    const lot = await createLot(
      env,
      {
        gtin,
        lotCode,
        productionDate: o.optDate('productionDate'),
        expiryDate: o.optDate('expiryDate'),
        bestBeforeDate: o.optDate('bestBeforeDate'),
        certificates: o.strList('certificates', 0, 50),
        parents,
        commissionedAtGln: gln,
      },
      o.at('lotCode'),
    );
    lots.push(lot);
    ilmd.push(lotIlmd(lot));
    produced.push(await changeStock(env, { gln, gtin, lotCode }, units, o.at('quantity')));
    outputQuantityList.push(await lotQuantity(env, gtin, lotCode, units));
  }

  env.record({
    type: 'TransformationEvent',
    bizStep: 'commissioning',
    disposition: 'active',
    inputQuantityList,
    outputQuantityList,
    transformationID: workOrder ? `urn:coffee-trace:transformation:${workOrder}` : undefined,
    location: loc.sgln,
    bizTransactionList: workOrder ? [{ type: 'prodorder', bizTransaction: bizTransactionUri(gln, workOrder) }] : undefined,
    ilmd: { 'ct:outputLots': ilmd },
    keys: lots.map((l) => readableKey(env.ledger.key(OBJECT_TYPES.lot, [l.gtin, l.lotCode]))),
    stock: [...consumed, ...produced],
  });
  return { consumed, produced, lots };
}

export async function transferStock(env: TxEnv, input: Input): Promise<HandlerResult> {
  const fromGln = input.gln('fromGln');
  const toGln = input.gln('toGln');
  if (fromGln === toGln) throw fail.invalid('toGln', 'must differ from fromGln');
  const from = await requireOwnLocation(env, fromGln, 'fromGln', 'move stock');
  const to = await requireOwnLocation(env, toGln, 'toGln', 'move stock');
  const lines = await readHeldLotLines(env, input, 'lines', fromGln);
  const out: StockLine[] = [];
  const inn: StockLine[] = [];
  const quantityList: QuantityElement[] = [];
  for (const l of lines) {
    out.push(await changeStock(env, { gln: fromGln, gtin: l.gtin, lotCode: l.lotCode }, -l.units, l.field));
    quantityList.push(await lotQuantity(env, l.gtin, l.lotCode, l.units));
  }
  for (const l of lines) inn.push(await changeStock(env, { gln: toGln, gtin: l.gtin, lotCode: l.lotCode }, l.units, l.field));
  const sourceList = partiesAt(from);
  const destinationList = partiesAt(to);
  env.record({
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'shipping',
    disposition: 'in_transit',
    quantityList,
    location: from.sgln,
    sourceList,
    destinationList,
    stock: out,
  });
  env.record({
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'receiving',
    disposition: dispositionOnArrival(to),
    quantityList,
    location: to.sgln,
    sourceList,
    destinationList,
    stock: inn,
  });
  return { moved: lines.length, out, in: inn };
}

export const ADJUST_REASONS = ['waste', 'damage', 'expiry', 'theft', 'sample', 'count_difference'] as const;
type AdjustReason = (typeof ADJUST_REASONS)[number];

const ADJUST_FACT: Record<AdjustReason, { bizStep: string; disposition?: string }> = {
  waste: { bizStep: 'destroying', disposition: 'destroyed' },
  damage: { bizStep: 'removing', disposition: 'damaged' },
  expiry: { bizStep: 'removing', disposition: 'expired' },
  theft: { bizStep: 'removing', disposition: 'stolen' },
  sample: { bizStep: 'sampling' },
  count_difference: { bizStep: 'cycle_counting' },
};

export async function adjustStock(env: TxEnv, input: Input): Promise<HandlerResult> {
  const gln = input.gln('gln');
  const loc = await requireOwnLocation(env, gln, 'gln', 'adjust stock');
  const reason = input.oneOf('reason', ADJUST_REASONS);
  const note = input.optStr('note', { max: 1024 });
  const minus: StockLine[] = [];
  const plus: StockLine[] = [];
  const minusQ: QuantityElement[] = [];
  const plusQ: QuantityElement[] = [];
  for (const l of input.list('lines', 1, 500)) {
    const gtin = l.gtin('gtin');
    const lotCode = l.lotCode('lotCode');
    const delta = l.signedQuantity('delta');
    if (delta > 0n && reason !== 'count_difference') {
      throw fail.invalid(l.at('delta'), `must be negative for reason ${reason}; only count_difference may add stock`);
    }
    // A count resolves a "lot unknown" position by taking its units off it (and adding them to their lot).
    if (lotCode === LOT_UNKNOWN) {
      if (delta > 0n) throw fail.invalid(l.at('delta'), `a ${LOT_UNKNOWN} position only gives units back to their lot; it is never added to`);
    } else await requireLot(env, gtin, lotCode, l.at('lotCode'));
    const line = await changeStock(env, { gln, gtin, lotCode }, delta, l.at('delta'));
    (delta < 0n ? minus : plus).push(line);
    (delta < 0n ? minusQ : plusQ).push(await lotQuantity(env, gtin, lotCode, delta));
  }
  const fact = ADJUST_FACT[reason];
  const detail = { note, reason };
  if (minus.length > 0) {
    env.record({ type: 'ObjectEvent', action: 'DELETE', ...fact, quantityList: minusQ, location: loc.sgln, stock: minus, detail });
  }
  if (plus.length > 0) {
    env.record({ type: 'ObjectEvent', action: 'ADD', ...fact, quantityList: plusQ, location: loc.sgln, stock: plus, detail });
  }
  return { reason, lines: [...minus, ...plus] };
}
