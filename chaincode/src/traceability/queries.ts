/**
 * Read-only queries answered straight from world state and key history.
 * Results are canonical JSON strings, like the submit results.
 */
import type { Context } from 'fabric-contract-api';
import { canonicalJson } from './canonical-json';
import { fail } from './errors';
import { parseGln, parseGtin, parseLotCode } from './gs1';
import { ID_PATTERN } from './input';
import { Ledger } from './ledger';
import { OBJECT_TYPES, keyFromReadable, readableKey } from './keys';
import { descendants, lotPositions, lotWhereabouts } from './lineage';
import { formatQuantity } from './quantity';
import { correctionKey, readEvent } from './submit';
import { timestampIso } from './tx-env';
import { accountKey, readOwnCopy, termsKey } from './private-terms';
import type {
  LocationRecord,
  LotRecord,
  LotRef,
  OrderAccountRecord,
  OrderTermsRecord,
  PurchaseOrderRecord,
  ShipmentRecord,
  StockRecord,
  TransitRecord,
} from './types';

function id(value: string, field: string): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) throw fail.invalid(field, 'is not a valid identifier');
  return value;
}

async function must<T>(ledger: Ledger, objectType: string, attrs: string[], what: string, field: string): Promise<T> {
  const v = await ledger.get<T>(ledger.key(objectType, attrs));
  if (!v) throw fail.notFound(what, field);
  return v;
}

export async function getLot(ctx: Context, gtinIn: string, lotIn: string): Promise<string> {
  const ledger = new Ledger(ctx);
  const gtin = parseGtin(gtinIn, 'gtin');
  const lotCode = parseLotCode(lotIn, 'lotCode');
  const lot = await must<LotRecord>(ledger, OBJECT_TYPES.lot, [gtin, lotCode], `lot ${gtin}/${lotCode}`, 'lotCode');
  const positions = await lotPositions(ledger, { gtin, lotCode });
  return canonicalJson({ lot, positions });
}

/** Provenance both ways: ancestors (back to the farms) and descendants (recall scope) with stock on hand and the locations that ever held it. */
export async function getLotTrace(ctx: Context, gtinIn: string, lotIn: string): Promise<string> {
  const ledger = new Ledger(ctx);
  const root: LotRef = { gtin: parseGtin(gtinIn, 'gtin'), lotCode: parseLotCode(lotIn, 'lotCode') };
  const lot = await must<LotRecord>(ledger, OBJECT_TYPES.lot, [root.gtin, root.lotCode], `lot ${root.gtin}/${root.lotCode}`, 'lotCode');
  const ancestors: LotRecord[] = [];
  const seen = new Set<string>();
  const queue = [...lot.parents];
  while (queue.length > 0 && ancestors.length < 10_000) {
    const ref = queue.shift()!;
    const k = `${ref.gtin}/${ref.lotCode}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const rec = await ledger.get<LotRecord>(ledger.key(OBJECT_TYPES.lot, [ref.gtin, ref.lotCode]));
    if (!rec) continue;
    ancestors.push(rec);
    queue.push(...rec.parents);
  }
  // Each descendant with its lot record (who commissioned it, what it was made from) and, like the lot itself,
  // where its stock is now and every location that ever held it: what a reader needs to decide who may see it.
  const down = [];
  for (const d of await descendants(ledger, root)) {
    const rec = await ledger.get<LotRecord>(ledger.key(OBJECT_TYPES.lot, [d.gtin, d.lotCode]));
    down.push({ ...rec, ...d, ...(await lotWhereabouts(ledger, d)) });
  }
  const { positions, sites } = await lotWhereabouts(ledger, root);
  return canonicalJson({ lot, positions, sites, ancestors, descendants: down });
}

export async function getShipment(ctx: Context, shipmentId: string): Promise<string> {
  const ledger = new Ledger(ctx);
  const sid = id(shipmentId, 'shipmentId');
  const shipment = await must<ShipmentRecord>(ledger, OBJECT_TYPES.shipment, [sid], `shipment ${sid}`, 'shipmentId');
  const inTransit = (await ledger.list<TransitRecord>(OBJECT_TYPES.transit, [sid])).map((r) => r.value).filter((t) => BigInt(t.baseUnits) > 0n);
  return canonicalJson({ shipment, inTransit });
}

export async function getStock(ctx: Context, glnIn: string): Promise<string> {
  const ledger = new Ledger(ctx);
  const gln = parseGln(glnIn, 'gln');
  const location = await must<LocationRecord>(ledger, OBJECT_TYPES.location, [gln], `location ${gln}`, 'gln');
  const positions = (await ledger.list<StockRecord>(OBJECT_TYPES.stock, [gln])).map((r) => r.value).filter((p) => BigInt(p.baseUnits) > 0n);
  const total = formatQuantity(positions.reduce((a, p) => a + BigInt(p.baseUnits), 0n));
  return canonicalJson({ location, positions, total });
}

export async function getPurchaseOrder(ctx: Context, poId: string): Promise<string> {
  const ledger = new Ledger(ctx);
  const pid = id(poId, 'poId');
  const order = await must<PurchaseOrderRecord>(ledger, OBJECT_TYPES.po, [pid], `purchase order ${pid}`, 'poId');
  // The terms and payments only from the caller's own organisation's collection, which only a party's peers hold.
  const party = [order.buyerMsp, order.supplierMsp].includes(ctx.clientIdentity.getMSPID());
  const terms = party ? await readOwnCopy<OrderTermsRecord>(ctx, termsKey(pid)) : undefined;
  const account = party ? await readOwnCopy<OrderAccountRecord>(ctx, accountKey(pid)) : undefined;
  return canonicalJson({ order, terms, account });
}

/** The event record of `eventId` as submitted by `mspId` (event ids are scoped per organisation), with any error declaration about it. */
export async function getEvent(ctx: Context, mspId: string, eventId: string): Promise<string> {
  const ledger = new Ledger(ctx);
  const eid = id(eventId, 'eventId');
  const event = await readEvent(ledger, mspId, eid);
  if (!event) throw fail.notFound(`event ${eid} of ${mspId}`, 'eventId');
  const correction =
    (await ledger.get<Record<string, unknown>>(correctionKey(ledger, mspId, eid))) ??
    (await ledger.get<{ declaredBy?: string }>(ledger.key(OBJECT_TYPES.correction, [eid])).then((c) => (c?.declaredBy === mspId ? c : undefined)));
  return canonicalJson({ event, correction });
}

/** The event record in which the caller's organisation captured the EPCIS event with this CBV 2.0 event hash ID (NOT_FOUND when it did not). */
export async function getEventByHash(ctx: Context, eventHash: string): Promise<string> {
  const m = /^ni:\/\/\/sha-256;([0-9a-f]{64})\?ver=CBV2\.0$/.exec(typeof eventHash === 'string' ? eventHash : '');
  if (!m) throw fail.invalid('eventHash', 'must be a CBV 2.0 event hash ID (ni:///sha-256;<hex>?ver=CBV2.0)');
  const ledger = new Ledger(ctx);
  const msp = ctx.clientIdentity.getMSPID();
  const entry = await ledger.get<{ eventId: string }>(ledger.key(OBJECT_TYPES.epcisHash, [msp, m[1]]));
  if (!entry) throw fail.notFound(`event with hash ${eventHash}`, 'eventHash');
  // The index is the caller's own, and so is the event record it names (event ids are scoped per organisation).
  return getEvent(ctx, msp, entry.eventId);
}

/**
 * Which of several of the caller's submissions committed (event ids are
 * scoped per organisation): for each event id (a JSON list of
 * at most 500) its function, transaction and result, or null. One query
 * instead of one per item when a document's items are looked up before booking.
 */
export async function getEvents(ctx: Context, mspId: string, eventIdsJson: string): Promise<string> {
  let ids: unknown;
  try {
    ids = JSON.parse(eventIdsJson);
  } catch {
    throw fail.invalid('eventIds', 'must be a JSON list of event ids');
  }
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > 500) throw fail.invalid('eventIds', 'must be a JSON list of 1-500 event ids');
  const ledger = new Ledger(ctx);
  const events = [];
  for (const [i, raw] of ids.entries()) {
    const event = await readEvent(ledger, mspId, id(raw as string, `eventIds[${i}]`));
    events.push(event ? { eventId: event.eventId, function: event.function, txId: event.txId, result: event.result } : null);
  }
  return canonicalJson({ events });
}

/** Every committed version of one key, oldest first, e.g. `GetHistory("shipment~S-1")`. */
export async function getHistory(ctx: Context, readable: string): Promise<string> {
  const parsed = typeof readable === 'string' ? keyFromReadable(readable) : undefined;
  if (!parsed) throw fail.invalid('key', 'must be a readable key such as lot~<gtin>~<lotCode>');
  const key = new Ledger(ctx).key(parsed.objectType, parsed.attributes);
  const iterator = await ctx.stub.getHistoryForKey(key);
  const history = [];
  try {
    for (;;) {
      const res = await iterator.next();
      if (!res || res.done || !res.value) break;
      const m = res.value;
      const text = m.value && m.value.length > 0 ? Buffer.from(m.value).toString('utf8') : '';
      let value: unknown = null;
      if (text) {
        try {
          value = JSON.parse(text);
        } catch {
          value = text;
        }
      }
      history.push({ isDelete: m.isDelete, timestamp: m.timestamp ? timestampIso(m.timestamp) : undefined, txId: m.txId, value });
    }
  } finally {
    await iterator.close();
  }
  return canonicalJson({ key: readableKey(key), history });
}
