/**
 * What dispatch and receipt share: the shipment key and record, its business
 * transactions, and naming a shipment line the way a goods movement names it
 * (by line number, or by product and batch).
 */
import { bizTransactionUri, type BizTransaction } from './epcis';
import { fail } from './errors';
import { mspParty } from './facts';
import type { Input } from './input';
import { OBJECT_TYPES } from './keys';
import { parseQuantity } from './quantity';
import type { TxEnv } from './tx-env';
import type { ShipmentLine, ShipmentRecord } from './types';

export function shipmentKey(env: TxEnv, shipmentId: string): string {
  return env.ledger.key(OBJECT_TYPES.shipment, [shipmentId]);
}

export async function requireShipment(env: TxEnv, shipmentId: string): Promise<ShipmentRecord> {
  const s = await env.ledger.get<ShipmentRecord>(shipmentKey(env, shipmentId));
  if (!s) throw fail.notFound(`shipment ${shipmentId}`, 'shipmentId');
  return s;
}

export function bizTransactions(s: ShipmentRecord): BizTransaction[] {
  const list: BizTransaction[] = [];
  if (s.poId) list.push({ type: 'po', bizTransaction: bizTransactionUri(s.toGln, s.poId) });
  if (s.desadv) list.push({ type: 'desadv', bizTransaction: bizTransactionUri(s.fromGln, s.desadv) });
  if (s.bol) list.push({ type: 'bol', bizTransaction: bizTransactionUri(s.fromGln, s.bol) });
  return list;
}

/** The party an MSP id or carrier id stands for. Carriers are named as given (a PGLN URI or a plain id). */
export function party(id: string): string {
  return id.includes(':') ? id : mspParty(id);
}

/** Base units of a line's quantity field (absent = 0). */
export function units(line: ShipmentLine, name: 'quantity' | 'dispatched' | 'received' | 'damaged'): bigint {
  const v = line[name];
  return v === undefined ? 0n : parseQuantity(v, name, { allowZero: true });
}

/**
 * The shipment line an input line names: `lineNo`, or `gtin` + `lotCode`
 * (a goods movement knows the material and batch, not the delivery's line).
 * A batch the shipment does not carry is INVALID_ARGUMENT on `lotCode`.
 */
export function namedLine(s: ShipmentRecord, l: Input): ShipmentLine {
  if (l.has('lineNo')) return s.lines[l.int('lineNo', 1, s.lines.length) - 1];
  const gtin = l.gtin('gtin');
  const lotCode = l.lotCode('lotCode');
  const line = s.lines.find((x) => x.gtin === gtin && x.lotCode === lotCode);
  if (!line) throw fail.invalid(l.at('lotCode'), `batch ${gtin}/${lotCode} was not shipped on ${s.shipmentId}`);
  return line;
}

/** Reads `lines` naming each shipment line at most once, with the caller's quantity fields. */
export function namedLines<T>(s: ShipmentRecord, input: Input, read: (l: Input, line: ShipmentLine) => T): Map<number, T & { field: string }> {
  const out = new Map<number, T & { field: string }>();
  input.optList('lines', s.lines.length).forEach((l, i) => {
    const line = namedLine(s, l);
    if (out.has(line.lineNo))
      throw fail.invalid(l.at(l.has('lineNo') ? 'lineNo' : 'lotCode'), `line ${line.lineNo} (${line.gtin}/${line.lotCode}) appears more than once`);
    out.set(line.lineNo, { ...read(l, line), field: `lines[${i}]` });
  });
  return out;
}
