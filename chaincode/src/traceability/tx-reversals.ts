/**
 * ReverseMovement: a movement posted in error is taken back by a new fact, as
 * SAP's reversal movement types do (102 reverses a goods receipt, 122 returns
 * it to the vendor, 262 a production issue, 602/642 a goods issue, 202 an
 * issue to a cost centre). The transaction names the submission it reverses
 * (`targetEventId`), the lot and, for a part, the quantity. The stock lines
 * that submission recorded say where the lot went: every position it filled
 * gives the quantity back and every position it drew from gets it back, so a
 * receipt then its reversal leaves the stock where it was (on hand and in
 * transit). A reversed receipt or goods issue also takes its quantity off the
 * shipment line and reopens the shipment, so the corrected posting can follow.
 * A submission is never reversed by more than it moved.
 */
import { requireLocation } from './access';
import { fail } from './errors';
import { lotQuantity } from './facts';
import type { Input } from './input';
import { OBJECT_TYPES, readableKey } from './keys';
import { formatQuantity } from './quantity';
import { shipmentKey, units } from './shipment-common';
import { changeStock, changeTransit } from './stock';
import type { StockLine } from '../../../lib/domain/src';
import { readEvent, type HandlerResult } from './submit';
import type { TxEnv } from './tx-env';
import type { ShipmentLine, ShipmentRecord } from './types';

/** Submissions whose stock effect can be reversed, with the fact a reversal of each records. */
const REVERSIBLE: Record<string, { bizStep: string; disposition?: string }> = {
  ReceiveShipment: { bizStep: 'shipping', disposition: 'in_transit' },
  DispatchShipment: { bizStep: 'void_shipping' },
  TransferStock: { bizStep: 'stock_taking' },
  AdjustStock: { bizStep: 'stock_taking' },
  TransformLots: { bizStep: 'storing' },
};

interface Position {
  line: StockLine;
  net: bigint;
}

export async function reverseMovement(env: TxEnv, input: Input): Promise<HandlerResult> {
  const targetEventId = input.id('targetEventId');
  // Only the recording organisation reverses: event ids are scoped per organisation, so another's event is not found.
  const target = await readEvent(env.ledger, env.mspId, targetEventId);
  if (!target) throw fail.notFound(`event ${targetEventId} of ${env.mspId}`, 'targetEventId');
  const fact = REVERSIBLE[target.function];
  if (!fact) throw fail.invalid('targetEventId', `event ${targetEventId} is a ${target.function}, which moves no stock a reversal can take back`);
  const gtin = input.has('gtin') ? input.gtin('gtin') : undefined;
  const lotCode = input.has('lotCode') ? input.lotCode('lotCode') : undefined;

  // Net change per position, for the lot named (or the only lot the submission moved).
  const lines = target.epcisEvents.flatMap((e) => (e.errorDeclaration ? [] : ((e['ct:ledger'] as { stock?: StockLine[] } | undefined)?.stock ?? [])));
  const lots = [...new Set(lines.map((l) => `${l.gtin}/${l.lotCode}`))];
  const matching = lines.filter((l) => (!gtin || l.gtin === gtin) && (!lotCode || l.lotCode === lotCode));
  const chosen = [...new Set(matching.map((l) => `${l.gtin}/${l.lotCode}`))];
  if (chosen.length === 0)
    throw fail.invalid(
      lotCode ? 'lotCode' : 'gtin',
      `event ${targetEventId} moved no stock of ${gtin ?? ''}/${lotCode ?? ''} (it moved ${lots.join(', ') || 'none'})`,
    );
  if (chosen.length > 1) throw fail.invalid('lotCode', `event ${targetEventId} moved several lots (${chosen.join(', ')}); name the one to reverse`);
  const [lotGtin, lot] = [matching[0].gtin, matching[0].lotCode];
  const byKey = new Map<string, Position>();
  for (const l of matching) {
    const p = byKey.get(l.key) ?? { line: l, net: 0n };
    p.net += BigInt(l.deltaBaseUnits);
    byKey.set(l.key, p);
  }
  const positions = [...byKey.entries()]
    .filter(([, p]) => p.net !== 0n)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, p]) => p);
  const abs = (v: bigint) => (v < 0n ? -v : v);
  const onHand = positions.filter((p) => p.line.position === 'on_hand');
  const moved = (onHand.length ? onHand : positions).reduce((m, p) => (abs(p.net) > m ? abs(p.net) : m), 0n);

  const reversalKey = env.ledger.key(OBJECT_TYPES.reversal, [targetEventId, lotGtin, lot]);
  const before = await env.ledger.get<{ reversedUnits: string; eventIds: string[] }>(reversalKey);
  const done = before ? BigInt(before.reversedUnits) : 0n;
  const left = moved - done;
  if (left <= 0n) throw fail.conflict(`event ${targetEventId} is already reversed in full for ${lotGtin}/${lot}`, 'targetEventId');
  const q = input.has('quantity') ? input.quantity('quantity') : left;
  if (q > left) {
    throw fail.invalid(
      'quantity',
      `reverses ${formatQuantity(q)} of ${lotGtin}/${lot}, but event ${targetEventId} has ${formatQuantity(left)} left to reverse`,
    );
  }

  const stock: StockLine[] = [];
  let gln: string | undefined;
  let shipmentId: string | undefined;
  for (const p of positions) {
    const delta = p.net > 0n ? -q : q;
    if (p.line.position === 'on_hand') {
      gln ??= p.line.gln!;
      stock.push(await changeStock(env, { gln: p.line.gln!, gtin: lotGtin, lotCode: lot }, delta, 'quantity'));
    } else {
      shipmentId ??= p.line.shipmentId!;
      stock.push(await changeTransit(env, { shipmentId: p.line.shipmentId!, gtin: lotGtin, lotCode: lot }, delta, 'quantity'));
    }
  }
  const keys: string[] = [readableKey(reversalKey)];
  if (shipmentId && (target.function === 'ReceiveShipment' || target.function === 'DispatchShipment')) {
    const sKey = shipmentKey(env, shipmentId);
    const s = await env.ledger.get<ShipmentRecord>(sKey);
    if (s) {
      await env.ledger.put(
        sKey,
        reopenShipment(env, s, { gtin: lotGtin, lotCode: lot, units: q, what: target.function === 'ReceiveShipment' ? 'received' : 'dispatched' }),
      );
      keys.push(readableKey(sKey));
    }
  }
  const reason = input.optStr('reason', { max: 256 });
  const reversal = {
    docType: 'reversal',
    targetEventId,
    gtin: lotGtin,
    lotCode: lot,
    reversedUnits: (done + q).toString(),
    reversed: formatQuantity(done + q),
    eventIds: [...(before?.eventIds ?? []), env.eventId],
    updatedAt: env.time,
    updatedTxId: env.txId,
  };
  await env.ledger.put(reversalKey, reversal);
  const loc = gln ? await requireLocation(env, gln, 'targetEventId') : undefined;
  env.record({
    type: 'ObjectEvent',
    action: 'OBSERVE',
    ...fact,
    quantityList: [await lotQuantity(env, lotGtin, lot, q)],
    ...(loc ? { location: loc.sgln } : {}),
    keys,
    stock,
    detail: { reverses: targetEventId, reversedFunction: target.function, quantity: formatQuantity(q), ...(reason ? { reason } : {}) },
  });
  return { reversal, stock };
}

/** The shipment after a reversed receipt or goods issue: the line's quantity taken off, the status recomputed. */
function reopenShipment(env: TxEnv, s: ShipmentRecord, r: { gtin: string; lotCode: string; units: bigint; what: 'received' | 'dispatched' }): ShipmentRecord {
  let left = r.units;
  const lines: ShipmentLine[] = s.lines.map((l) => {
    if (left === 0n || l.gtin !== r.gtin || l.lotCode !== r.lotCode) return l;
    const had = units(l, r.what);
    const take = had < left ? had : left;
    left -= take;
    return { ...l, [r.what]: formatQuantity(had - take) };
  });
  const anyReceived = lines.some((l) => units(l, 'received') + units(l, 'damaged') > 0n);
  const anyDispatched = lines.some((l) => units(l, 'dispatched') > 0n);
  const allDispatched = lines.every((l) => units(l, 'dispatched') === units(l, 'quantity'));
  const status = anyReceived ? 'partially_received' : allDispatched ? 'dispatched' : anyDispatched ? 'partially_dispatched' : 'created';
  const { closedAt: _closed, ...rest } = s;
  return { ...rest, lines, status, reopenedAt: env.time, reopenedTxId: env.txId };
}
