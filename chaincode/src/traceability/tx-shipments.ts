/**
 * Supplier handoffs as a custody chain: CreateShipment → DispatchShipment
 * (stock leaves the sender into transit, all lines at once or per goods-issue
 * item; possession passes to the carrier) → ReceiveShipment (tx-receipts.ts).
 * Possession and ownership are tracked separately. The shipment key carries a
 * key-level endorsement policy naming both organisations, so neither can
 * change it alone.
 */
import { KeyEndorsementPolicy } from 'fabric-shim';
import { assertNotAuditor, requireLocation, requireOwnLocation } from './access';
import type { QuantityElement, SourceDest } from './epcis';
import { fail } from './errors';
import { lotQuantity, ownerParty } from './facts';
import type { Input } from './input';
import { OBJECT_TYPES, readableKey } from './keys';
import { formatQuantity } from './quantity';
import { changeStock, changeTransit } from './stock';
import type { StockLine } from '../../../lib/domain/src';
import type { HandlerResult } from './submit';
import { bizTransactions, namedLines, party, requireShipment, shipmentKey, units } from './shipment-common';
import { applyLotDates, readShipmentDetails } from './shipment-details';
import { readLotLines } from './tx-movements';
import type { TxEnv } from './tx-env';
import type { ShipmentRecord } from './types';

export { shipmentKey } from './shipment-common';
export { receiveShipment } from './tx-receipts';

export async function createShipment(env: TxEnv, input: Input): Promise<HandlerResult> {
  assertNotAuditor(env, 'create shipments');
  const shipmentId = input.id('shipmentId');
  const fromGln = input.gln('fromGln');
  const toGln = input.gln('toGln');
  if (fromGln === toGln) throw fail.invalid('toGln', 'must differ from fromGln');
  const from = await requireOwnLocation(env, fromGln, 'fromGln', 'ship goods');
  const to = await requireLocation(env, toGln, 'toGln');
  const poId = input.optId('poId');
  if (poId && !(await env.ledger.exists(env.ledger.key(OBJECT_TYPES.po, [poId])))) throw fail.notFound(`purchase order ${poId}`, 'poId');
  const lotLines = await readLotLines(env, input, 'lines');
  const poItems = input.list('lines', 1, 500).map((l) => l.optStr('poItem', { max: 32 }));
  const details = await readShipmentDetails(env, input, lotLines);
  if (poId && details.poReference) throw fail.invalid('poReference', `names ${details.poReference}, which is not on the ledger, while poId is ${poId}`);
  const seen = new Set<string>();
  lotLines.forEach((l, i) => {
    const k = `${l.gtin}/${l.lotCode}`;
    if (seen.has(k)) throw fail.invalid(`lines[${i}].lotCode`, `lot ${k} appears more than once`);
    seen.add(k);
  });
  const key = shipmentKey(env, shipmentId);
  if (await env.ledger.exists(key)) throw fail.duplicate(`shipment ${shipmentId}`, 'shipmentId');

  const endorsers = [...new Set([from.ownerMsp, to.ownerMsp])].sort();
  const record: ShipmentRecord = {
    docType: 'shipment',
    shipmentId,
    fromGln,
    toGln,
    senderMsp: from.ownerMsp,
    receiverMsp: to.ownerMsp,
    carrier: input.optStr('carrier', { max: 256 }),
    ownershipTransfer: input.oneOf('ownershipTransfer', ['on_dispatch', 'on_receipt'] as const, 'on_receipt'),
    owner: from.ownerMsp,
    possessor: from.ownerMsp,
    poId,
    desadv: input.optId('desadv'),
    bol: input.optId('bol'),
    lines: lotLines.map((l, i) => ({
      lineNo: i + 1,
      gtin: l.gtin,
      lotCode: l.lotCode,
      quantity: formatQuantity(l.units),
      ...(poItems[i] ? { poItem: poItems[i] } : {}),
    })),
    ...details,
    ...(poId ? { poId } : {}),
    status: 'created',
    hasDiscrepancy: false,
    endorsers,
    createdAt: env.time,
    createdTxId: env.txId,
  };
  await applyLotDates(env, input);
  await env.ledger.put(key, record);
  const policy = new KeyEndorsementPolicy();
  policy.addOrgs('MEMBER', ...endorsers);
  await env.ctx.stub.setStateValidationParameter(key, policy.getPolicy());
  return { shipment: record };
}

/**
 * Moves stock from the sender into transit. Without `lines` every line's
 * undispatched quantity leaves; with `lines` (`lineNo` or `gtin`+`lotCode`,
 * and `quantity`) exactly those quantities leave, as SAP posts a goods issue
 * one item per batch. Issuing more than a line still holds is INVALID_ARGUMENT
 * on that line's quantity. The shipment is `dispatched` once every line left
 * in full, `partially_dispatched` before.
 */
export async function dispatchShipment(env: TxEnv, input: Input): Promise<HandlerResult> {
  const s = await requireShipment(env, input.id('shipmentId'));
  const from = await requireOwnLocation(env, s.fromGln, 'shipmentId', 'dispatch shipments');
  if (s.status === 'dispatched' || s.status === 'received') throw fail.conflict(`shipment ${s.shipmentId} is ${s.status}, not created`, 'shipmentId');
  const to = await requireLocation(env, s.toGln, 'shipmentId');
  const named = input.has('lines') ? namedLines(s, input, (l) => ({ units: l.quantity('quantity'), qtyField: l.at('quantity') })) : undefined;
  if (named && named.size === 0) throw fail.invalid('lines', 'must name at least one line');
  const stock: StockLine[] = [];
  const quantityList: QuantityElement[] = [];
  const lines = [];
  for (const [i, line] of s.lines.entries()) {
    const open = units(line, 'quantity') - units(line, 'dispatched');
    const ask = named ? named.get(line.lineNo) : { units: open, qtyField: `lines[${i}].quantity` };
    if (!ask || ask.units === 0n) {
      lines.push(line);
      continue;
    }
    if (ask.units > open) {
      throw fail.invalid(
        ask.qtyField,
        `issues ${formatQuantity(ask.units)} of ${line.gtin}/${line.lotCode}, but line ${line.lineNo} of ${s.shipmentId} has ${formatQuantity(open)} left to issue`,
      );
    }
    const pos = { gtin: line.gtin, lotCode: line.lotCode };
    stock.push(await changeStock(env, { ...pos, gln: s.fromGln }, -ask.units, ask.qtyField));
    stock.push(await changeTransit(env, { ...pos, shipmentId: s.shipmentId }, ask.units, ask.qtyField));
    quantityList.push(await lotQuantity(env, line.gtin, line.lotCode, ask.units));
    lines.push({ ...line, dispatched: formatQuantity(units(line, 'dispatched') + ask.units) });
  }
  if (stock.length === 0) throw fail.conflict(`shipment ${s.shipmentId} has nothing left to dispatch`, 'shipmentId');
  const complete = lines.every((l) => units(l, 'dispatched') === units(l, 'quantity'));
  const carrier = s.carrier ? party(s.carrier) : undefined;
  const owner = s.ownershipTransfer === 'on_dispatch' ? s.receiverMsp : s.senderMsp;
  const updated: ShipmentRecord = {
    ...s,
    lines,
    // Once receipts began the shipment reads as partially received; its lines say what left.
    status: s.receiptCount ? 'partially_received' : complete ? 'dispatched' : 'partially_dispatched',
    owner,
    possessor: s.carrier ?? s.senderMsp,
    dispatchedAt: env.time,
    dispatchedTxId: env.txId,
  };
  await env.ledger.put(shipmentKey(env, s.shipmentId), updated);
  const destinationList: SourceDest[] = [{ type: 'owning_party', id: owner === s.receiverMsp ? ownerParty(to) : ownerParty(from) }];
  if (carrier) destinationList.push({ type: 'possessing_party', id: carrier });
  destinationList.push({ type: 'location', id: to.sgln });
  env.record({
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'shipping',
    disposition: 'in_transit',
    quantityList,
    location: from.sgln,
    sourceList: [
      { type: 'owning_party', id: ownerParty(from) },
      { type: 'possessing_party', id: ownerParty(from) },
      { type: 'location', id: from.sgln },
    ],
    destinationList,
    bizTransactionList: bizTransactions(s),
    keys: [readableKey(shipmentKey(env, s.shipmentId))],
    stock,
    detail: { shipmentId: s.shipmentId, owner, possessor: updated.possessor, complete },
  });
  return { shipment: updated, stock };
}
