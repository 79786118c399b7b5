/**
 * Goods receipts against a shipment. A receipt books exactly what it names,
 * at the receiving location it names (any location of the receiving
 * organisation), and stays a record of its own; several receipts may follow
 * one another until a final one closes the shipment. Only the close derives
 * short quantities, because before it the rest may still be on its way.
 */
import { requireLocation, requireOwnLocation } from './access';
import type { QuantityElement, SourceDest } from './epcis';
import { fail } from './errors';
import { lotQuantity, ownerParty } from './facts';
import type { Input } from './input';
import { OBJECT_TYPES, readableKey } from './keys';
import { formatQuantity } from './quantity';
import { bizTransactions, namedLines, party, requireShipment, shipmentKey, units } from './shipment-common';
import { changeStock, changeTransit } from './stock';
import type { StockLine } from '../../../lib/domain/src';
import type { HandlerResult } from './submit';
import { dispositionOnArrival } from './tx-movements';
import type { TxEnv } from './tx-env';
import type { LocationRecord, ShipmentLine, ShipmentReceiptRecord, ShipmentRecord } from './types';

const RECEIVABLE = new Set(['partially_dispatched', 'dispatched', 'partially_received']);

export function receiptKey(env: TxEnv, shipmentId: string, receiptNo: number): string {
  return env.ledger.key(OBJECT_TYPES.receipt, [shipmentId, String(receiptNo).padStart(6, '0')]);
}

/**
 * ReceiveShipment: `gln?` (default the shipment's destination), `lines?`
 * (`lineNo` or `gtin`+`lotCode`, `received`, `damaged?`), `close?`.
 * Without `lines` everything still in transit is received. `close` (default
 * true) makes this the final receipt: whatever is still in transit leaves
 * transit and each line's shortfall against the delivery is recorded.
 * `{"lines": [], "close": true}` closes without booking anything.
 * Receiving more than was dispatched and not yet received is an over-receipt,
 * INVALID_ARGUMENT on that line's `received`; a batch the shipment does not
 * carry is INVALID_ARGUMENT on its `lotCode`.
 */
export async function receiveShipment(env: TxEnv, input: Input): Promise<HandlerResult> {
  const s = await requireShipment(env, input.id('shipmentId'));
  await requireOwnLocation(env, s.toGln, 'shipmentId', 'receive shipments');
  if (!RECEIVABLE.has(s.status)) throw fail.conflict(`shipment ${s.shipmentId} is ${s.status}, not dispatched`, 'shipmentId');
  const gln = input.has('gln') ? input.gln('gln') : s.toGln;
  const to = gln === s.toGln ? await requireLocation(env, gln, 'shipmentId') : await requireOwnLocation(env, gln, 'gln', 'receive shipments');
  if (to.ownerMsp !== s.receiverMsp)
    throw fail.forbidden(`location ${gln} belongs to ${to.ownerMsp}; shipment ${s.shipmentId} goes to ${s.receiverMsp}`, 'gln');
  const from: LocationRecord = await requireLocation(env, s.fromGln, 'shipmentId');
  const close = input.bool('close', true);
  const named = input.has('lines')
    ? namedLines(s, input, (l) => ({
        received: l.quantity('received', { allowZero: true }),
        damaged: l.has('damaged') ? l.quantity('damaged', { allowZero: true }) : 0n,
      }))
    : undefined;

  const stock: StockLine[] = [];
  const receivedQ: QuantityElement[] = [];
  const damagedQ: QuantityElement[] = [];
  const booked: ShipmentReceiptRecord['lines'] = [];
  const discrepancies: ShipmentReceiptRecord['discrepancies'] = [];
  const lines: ShipmentLine[] = [];
  for (const [i, line] of s.lines.entries()) {
    const inTransit = units(line, 'dispatched') - units(line, 'received') - units(line, 'damaged');
    const r = named ? named.get(line.lineNo) : { received: inTransit, damaged: 0n, field: `lines[${i}]` };
    const pos = { gtin: line.gtin, lotCode: line.lotCode };
    let next: ShipmentLine = line;
    if (r && r.received + r.damaged > 0n) {
      if (r.received + r.damaged > inTransit) {
        throw fail.invalid(
          `${r.field}.received`,
          `over-receipt: ${formatQuantity(r.received + r.damaged)} of ${line.gtin}/${line.lotCode} arrived, but line ${line.lineNo} of ${s.shipmentId} has ${formatQuantity(inTransit)} in transit`,
        );
      }
      stock.push(await changeTransit(env, { ...pos, shipmentId: s.shipmentId }, -(r.received + r.damaged), `${r.field}.received`));
      if (r.received > 0n) {
        stock.push(await changeStock(env, { ...pos, gln }, r.received, `${r.field}.received`));
        receivedQ.push(await lotQuantity(env, line.gtin, line.lotCode, r.received));
      }
      if (r.damaged > 0n) damagedQ.push(await lotQuantity(env, line.gtin, line.lotCode, r.damaged));
      booked.push({ lineNo: line.lineNo, ...pos, received: formatQuantity(r.received), damaged: formatQuantity(r.damaged) });
      next = { ...line, received: formatQuantity(units(line, 'received') + r.received), damaged: formatQuantity(units(line, 'damaged') + r.damaged) };
    }
    if (close) next = await closeLine(env, s, next, { discrepancies, stock });
    lines.push(next);
  }
  if (!close && booked.length === 0) throw fail.invalid('lines', 'a receipt that does not close the shipment must book at least one line');

  const receiptNo = (s.receiptCount ?? 0) + 1;
  const receipt: ShipmentReceiptRecord = {
    docType: 'shipment_receipt',
    shipmentId: s.shipmentId,
    receiptNo,
    gln,
    eventId: env.eventId,
    lines: booked,
    closed: close,
    discrepancies,
    receivedAt: env.time,
    txId: env.txId,
  };
  await env.ledger.put(receiptKey(env, s.shipmentId, receiptNo), receipt);
  const updated: ShipmentRecord = {
    ...s,
    lines,
    status: close ? 'received' : 'partially_received',
    hasDiscrepancy: s.hasDiscrepancy || discrepancies.length > 0,
    owner: s.receiverMsp,
    possessor: s.receiverMsp,
    receivedAt: env.time,
    receivedTxId: env.txId,
    receiptCount: receiptNo,
    ...(close ? { closedAt: env.time } : {}),
  };
  await env.ledger.put(shipmentKey(env, s.shipmentId), updated);
  recordReceipt(env, { s, from, to, receivedQ, damagedQ, stock, receiptNo, close, discrepancies });
  return { shipment: updated, receipt, discrepancies, stock };
}

/**
 * The final receipt: what is still in transit for a line leaves transit
 * (it did not arrive), and the line's shortfall against the delivery
 * quantity is recorded together with what arrived damaged.
 */
async function closeLine(
  env: TxEnv,
  s: ShipmentRecord,
  line: ShipmentLine,
  out: { discrepancies: ShipmentReceiptRecord['discrepancies']; stock: StockLine[] },
): Promise<ShipmentLine> {
  const { discrepancies } = out;
  const arrived = units(line, 'received') + units(line, 'damaged');
  const lost = units(line, 'dispatched') - arrived;
  if (lost > 0n) out.stock.push(await changeTransit(env, { shipmentId: s.shipmentId, gtin: line.gtin, lotCode: line.lotCode }, -lost, 'close'));
  const shortUnits = units(line, 'quantity') - arrived;
  const short = formatQuantity(shortUnits > 0n ? shortUnits : 0n);
  const damaged = formatQuantity(units(line, 'damaged'));
  if (shortUnits > 0n || units(line, 'damaged') > 0n)
    discrepancies.push({ damaged, gtin: line.gtin, lineNo: line.lineNo, lotCode: line.lotCode, over: '0.000', short });
  return { ...line, received: formatQuantity(units(line, 'received')), damaged, short, over: '0.000' };
}

function recordReceipt(
  env: TxEnv,
  r: {
    s: ShipmentRecord;
    from: LocationRecord;
    to: LocationRecord;
    receivedQ: QuantityElement[];
    damagedQ: QuantityElement[];
    stock: StockLine[];
    receiptNo: number;
    close: boolean;
    discrepancies: unknown[];
  },
): void {
  const { s, from, to } = r;
  const sourceList: SourceDest[] = [
    { type: 'owning_party', id: s.ownershipTransfer === 'on_dispatch' ? ownerParty(to) : ownerParty(from) },
    { type: 'possessing_party', id: s.carrier ? party(s.carrier) : ownerParty(from) },
    { type: 'location', id: from.sgln },
  ];
  const destinationList: SourceDest[] = [
    { type: 'owning_party', id: ownerParty(to) },
    { type: 'possessing_party', id: ownerParty(to) },
    { type: 'location', id: to.sgln },
  ];
  const common = { location: to.sgln, sourceList, destinationList, bizTransactionList: bizTransactions(s) };
  env.record({
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'receiving',
    disposition: dispositionOnArrival(to),
    quantityList: r.receivedQ,
    ...common,
    keys: [readableKey(shipmentKey(env, s.shipmentId)), readableKey(receiptKey(env, s.shipmentId, r.receiptNo))],
    stock: r.stock,
    detail: { closed: r.close, discrepancies: r.discrepancies, receiptNo: r.receiptNo, shipmentId: s.shipmentId },
  });
  if (r.damagedQ.length > 0) {
    env.record({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'inspecting',
      disposition: 'damaged',
      quantityList: r.damagedQ,
      ...common,
      detail: { receiptNo: r.receiptNo, shipmentId: s.shipmentId },
    });
  }
}
