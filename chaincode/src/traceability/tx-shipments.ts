/**
 * Supplier handoffs as a custody chain: CreateShipment → DispatchShipment
 * (stock leaves the sender into transit; possession passes to the carrier) →
 * ReceiveShipment (stock arrives; short/over/damaged recorded). Possession and
 * ownership are tracked separately. The shipment key carries a key-level
 * endorsement policy naming both organisations, so neither can change it alone.
 */
import { KeyEndorsementPolicy } from 'fabric-shim';
import { assertNotAuditor, requireLocation, requireOwnLocation } from './access';
import { bizTransactionUri, type BizTransaction, type QuantityElement, type SourceDest } from './epcis';
import { fail } from './errors';
import { lotQuantity, mspParty, ownerParty } from './facts';
import type { Input } from './input';
import { OBJECT_TYPES, readableKey } from './keys';
import { formatQuantity, parseQuantity } from './quantity';
import { changeStock, changeTransit } from './stock';
import type { StockLine } from './stock-line';
import type { HandlerResult } from './submit';
import { dispositionOnArrival, readLotLines } from './tx-movements';
import type { TxEnv } from './tx-env';
import type { LocationRecord, ShipmentLine, ShipmentRecord } from './types';

export function shipmentKey(env: TxEnv, shipmentId: string): string {
  return env.ledger.key(OBJECT_TYPES.shipment, [shipmentId]);
}

async function requireShipment(env: TxEnv, shipmentId: string): Promise<ShipmentRecord> {
  const s = await env.ledger.get<ShipmentRecord>(shipmentKey(env, shipmentId));
  if (!s) throw fail.notFound(`shipment ${shipmentId}`, 'shipmentId');
  return s;
}

function bizTransactions(s: ShipmentRecord): BizTransaction[] {
  const list: BizTransaction[] = [];
  if (s.poId) list.push({ type: 'po', bizTransaction: bizTransactionUri(s.toGln, s.poId) });
  if (s.desadv) list.push({ type: 'desadv', bizTransaction: bizTransactionUri(s.fromGln, s.desadv) });
  if (s.bol) list.push({ type: 'bol', bizTransaction: bizTransactionUri(s.fromGln, s.bol) });
  return list;
}

/** The party an MSP id or carrier id stands for. Carriers are named as given (a PGLN URI or a plain id). */
function party(id: string): string {
  return id.includes(':') ? id : mspParty(id);
}

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
    lines: lotLines.map((l, i) => ({ lineNo: i + 1, gtin: l.gtin, lotCode: l.lotCode, quantity: formatQuantity(l.units) })),
    status: 'created',
    hasDiscrepancy: false,
    endorsers,
    createdAt: env.time,
    createdTxId: env.txId,
  };
  await env.ledger.put(key, record);
  const policy = new KeyEndorsementPolicy();
  policy.addOrgs('MEMBER', ...endorsers);
  await env.ctx.stub.setStateValidationParameter(key, policy.getPolicy());
  return { shipment: record };
}

export async function dispatchShipment(env: TxEnv, input: Input): Promise<HandlerResult> {
  const s = await requireShipment(env, input.id('shipmentId'));
  const from = await requireOwnLocation(env, s.fromGln, 'shipmentId', 'dispatch shipments');
  if (s.status !== 'created') throw fail.conflict(`shipment ${s.shipmentId} is ${s.status}, not created`, 'shipmentId');
  const to = await requireLocation(env, s.toGln, 'shipmentId');
  const stock: StockLine[] = [];
  const quantityList: QuantityElement[] = [];
  for (const [i, line] of s.lines.entries()) {
    const units = parseQuantity(line.quantity, `lines[${i}].quantity`);
    const pos = { gtin: line.gtin, lotCode: line.lotCode };
    stock.push(await changeStock(env, { ...pos, gln: s.fromGln }, -units, `lines[${i}].quantity`));
    stock.push(await changeTransit(env, { ...pos, shipmentId: s.shipmentId }, units, `lines[${i}].quantity`));
    quantityList.push(await lotQuantity(env, line.gtin, line.lotCode, units));
  }
  const carrier = s.carrier ? party(s.carrier) : undefined;
  const owner = s.ownershipTransfer === 'on_dispatch' ? s.receiverMsp : s.senderMsp;
  const updated: ShipmentRecord = {
    ...s,
    status: 'dispatched',
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
    detail: { shipmentId: s.shipmentId, owner, possessor: updated.possessor },
  });
  return { shipment: updated, stock };
}

interface Receipt {
  received: bigint;
  damaged: bigint;
}

function readReceipts(input: Input, s: ShipmentRecord): Map<number, Receipt> {
  const receipts = new Map<number, Receipt>();
  for (const l of input.optList('lines', s.lines.length)) {
    const lineNo = l.int('lineNo', 1, s.lines.length);
    if (receipts.has(lineNo)) throw fail.invalid(l.at('lineNo'), `line ${lineNo} appears more than once`);
    const received = l.quantity('received', { allowZero: true });
    const damaged = l.has('damaged') ? l.quantity('damaged', { allowZero: true }) : 0n;
    receipts.set(lineNo, { received, damaged });
  }
  return receipts;
}

export async function receiveShipment(env: TxEnv, input: Input): Promise<HandlerResult> {
  const s = await requireShipment(env, input.id('shipmentId'));
  const to = await requireOwnLocation(env, s.toGln, 'shipmentId', 'receive shipments');
  if (s.status !== 'dispatched') throw fail.conflict(`shipment ${s.shipmentId} is ${s.status}, not dispatched`, 'shipmentId');
  const from: LocationRecord = await requireLocation(env, s.fromGln, 'shipmentId');
  // Lines not listed arrived exactly as shipped; a receipt names only what differs.
  const receipts = readReceipts(input, s);
  const stock: StockLine[] = [];
  const receivedQ: QuantityElement[] = [];
  const damagedQ: QuantityElement[] = [];
  const discrepancies: Record<string, unknown>[] = [];
  const lines: ShipmentLine[] = [];
  for (const [i, line] of s.lines.entries()) {
    const field = `lines[${i}]`;
    const shipped = parseQuantity(line.quantity, `${field}.quantity`);
    const r = receipts.get(line.lineNo) ?? { received: shipped, damaged: 0n };
    const pos = { gtin: line.gtin, lotCode: line.lotCode };
    stock.push(await changeTransit(env, { ...pos, shipmentId: s.shipmentId }, -shipped, `${field}.received`));
    if (r.received > 0n) {
      stock.push(await changeStock(env, { ...pos, gln: s.toGln }, r.received, `${field}.received`));
      receivedQ.push(await lotQuantity(env, line.gtin, line.lotCode, r.received));
    }
    if (r.damaged > 0n) damagedQ.push(await lotQuantity(env, line.gtin, line.lotCode, r.damaged));
    const arrived = r.received + r.damaged;
    const short = shipped > arrived ? shipped - arrived : 0n;
    const over = arrived > shipped ? arrived - shipped : 0n;
    if (short > 0n || over > 0n || r.damaged > 0n) {
      discrepancies.push({
        damaged: formatQuantity(r.damaged),
        gtin: line.gtin,
        lineNo: line.lineNo,
        lotCode: line.lotCode,
        over: formatQuantity(over),
        short: formatQuantity(short),
      });
    }
    lines.push({
      ...line,
      received: formatQuantity(r.received),
      damaged: formatQuantity(r.damaged),
      short: formatQuantity(short),
      over: formatQuantity(over),
    });
  }
  const updated: ShipmentRecord = {
    ...s,
    lines,
    status: 'received',
    hasDiscrepancy: discrepancies.length > 0,
    owner: s.receiverMsp,
    possessor: s.receiverMsp,
    receivedAt: env.time,
    receivedTxId: env.txId,
  };
  await env.ledger.put(shipmentKey(env, s.shipmentId), updated);
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
    quantityList: receivedQ,
    ...common,
    keys: [readableKey(shipmentKey(env, s.shipmentId))],
    stock,
    detail: { discrepancies, shipmentId: s.shipmentId },
  });
  if (damagedQ.length > 0) {
    env.record({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'inspecting',
      disposition: 'damaged',
      quantityList: damagedQ,
      ...common,
      detail: { shipmentId: s.shipmentId },
    });
  }
  return { shipment: updated, discrepancies, stock };
}
