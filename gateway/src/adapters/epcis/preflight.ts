/**
 * Ledger checks run on a mapped document before it is accepted, so that the
 * usual reasons a capture would fail halfway (an unknown or foreign location,
 * an unregistered product or unit mismatch, a missing purchase order or
 * shipment, an event without stock effect at another member's location) are
 * a 422 with nothing written. Stock levels are not checked here:
 * they depend on the document's own earlier events, and the chaincode's
 * verdict on them is reported by the capture job.
 */
import { type FieldError, ServiceError } from '../../../../lib/platform/src';
import type { LedgerClient } from '../../../../lib/fabric/src';
import { latestRecord } from '../../ledger-record';
import { eventHashId } from '../../../../lib/epcis/src';
import { captureIdentity, declarationKey } from './event-ids';
import { mappingError, type CapturePlan, type MappedLot, type PlannedCommand } from './mapping';
import { CONSORTIUM, CONTRACT, QUERY, TX, locationToGln } from '../../../../lib/domain/src';

interface LedgerShipment {
  toGln: string;
  receiverMsp: string;
  lines: Array<{ lineNo: number; gtin: string; lotCode: string }>;
}

/** Calls a query; NOT_FOUND becomes `undefined`, anything else (ledger down) propagates as it is. */
async function found<T>(run: () => Promise<Buffer>): Promise<T | undefined> {
  try {
    return JSON.parse((await run()).toString('utf8')) as T;
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'NOT_FOUND') return undefined;
    throw err;
  }
}

/** Memoises one ledger lookup per key. */
function cached<T>(load: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const seen = new Map<string, Promise<T>>();
  return (key) => {
    let p = seen.get(key);
    if (!p) seen.set(key, (p = load(key)));
    return p;
  };
}

const EVENT_FIELD = /^epcisBody\.eventList\[(\d+)\]\.?/;

/**
 * Checks the plan against the ledger and fills in receipt lines (by the
 * shipment's line numbers). What the ledger does not know (a location,
 * product, purchase order or shipment never registered) keeps a stock-moving
 * event from being booked: it is recorded as a plain event with a note
 * instead. What contradicts the ledger (another organisation's location or
 * shipment, a unit other than the product's, a lot the shipment does not
 * carry) is a 422 naming each problem.
 */
export async function preflight(plan: CapturePlan, deps: { ledger: LedgerClient; mspId: string }): Promise<void> {
  const { ledger, mspId } = deps;
  const errors: FieldError[] = [];
  const unbookable = new Map<number, string[]>();
  const cannotBook = (field: string, message: string) => {
    const m = EVENT_FIELD.exec(field);
    if (!m) return void errors.push({ field, message });
    const i = Number(m[1]);
    unbookable.set(i, [...(unbookable.get(i) ?? []), `${field.slice(m[0].length) || 'event'}: ${message}`]);
  };
  const location = cached(async (gln) => (await latestRecord<{ ownerMsp?: string }>(ledger, `location~${gln}`))?.value);
  const product = cached(async (gtin) => (await latestRecord<{ unit?: string }>(ledger, `product~${gtin}`))?.value);
  const order = cached((poId) => found(() => ledger.evaluate({ contract: CONTRACT.traceability, fn: QUERY.GetPurchaseOrder, args: [poId] })));

  for (const l of plan.locations) {
    const loc = await location(l.gln);
    if (!loc?.ownerMsp) cannotBook(l.field, `location ${l.gln} is not registered on the ledger`);
    else if (l.own && loc.ownerMsp !== mspId)
      errors.push({ field: l.field, message: `location ${l.gln} belongs to ${loc.ownerMsp}; this gateway acts for ${mspId}` });
  }
  for (const p of plan.products) {
    const known = await product(p.gtin);
    if (!known) cannotBook(p.field, `product ${p.gtin} is not registered on the ledger`);
    else if (p.uom && known.unit && known.unit !== p.uom)
      errors.push({ field: p.field, message: `is ${p.uom}, but product ${p.gtin} is counted in ${known.unit}` });
  }
  for (const po of plan.purchaseOrders) if (!(await order(po.poId))) cannotBook(po.field, `purchase order ${po.poId} is not on the ledger`);
  // A shipment this document creates but cannot book cannot be received by it either.
  const unbookedShipments = new Set(
    plan.commands.filter((c) => c.command.fn === TX.CreateShipment && unbookable.has(c.eventIndex)).map((c) => String(c.command.body.shipmentId)),
  );
  // Events already on the ledger leave the plan first: a declaration about one of them must name it as the ledger holds it.
  await knownEvents(plan, ledger, errors);
  const inDocument = new Set(plan.commands.map((c) => String(c.command.body.eventId)));
  const onLedger = async (eventId: string) =>
    inDocument.has(eventId) || !!(await found(() => ledger.evaluate({ contract: CONTRACT.traceability, fn: QUERY.GetEvent, args: [eventId] })));
  for (const c of plan.commands) {
    if (c.command.fn !== TX.DeclareError) continue;
    const target = String(c.command.body.targetEventId);
    type Rec = { mspId?: string; event?: { mspId?: string; eventId?: string } };
    let rec: Rec | undefined = inDocument.has(target)
      ? { mspId }
      : await found<Rec>(() => ledger.evaluate({ contract: CONTRACT.traceability, fn: QUERY.GetEvent, args: [target] }));
    if (!rec) {
      // The declared event may be on the ledger under another eventID (captured in the other binding): the same event hash finds it.
      rec = await found<Rec>(() => ledger.evaluate({ contract: CONTRACT.traceability, fn: QUERY.GetEventByHash, args: [c.eventHash] }));
      if (rec?.event?.eventId) c.command.body.targetEventId = rec.event.eventId;
      else rec = undefined;
    }
    if (!rec) {
      // EPCIS lets a repository hold a declaration about an event it never saw: recorded as captured, no ledger correction.
      c.command = {
        fn: TX.RecordEvents,
        body: { eventId: c.command.body.eventId, epcisEvents: c.command.body.epcisEvents, epcisHashes: c.command.body.epcisHashes },
      };
      continue;
    }
    const owner = rec.mspId ?? rec.event?.mspId;
    if (owner && owner !== mspId)
      errors.push({
        field: `epcisBody.eventList[${c.eventIndex}].eventID`,
        message: `the declared event was recorded by ${owner}; only its recorder declares it in error`,
      });
    // EPCIS lets corrective events live anywhere; the ledger's DeclareError needs them on the ledger. Without them the
    // declaration is kept as captured (no ledger correction), and the capture job says so.
    const ids = c.command.body.correctiveEventIds as string[];
    const missing: string[] = [];
    for (const [k, id] of ids.entries()) if (!(await onLedger(id))) missing.push(`correctiveEventIDs[${k}] (ledger eventId ${id})`);
    if (missing.length > 0) {
      c.command = {
        fn: TX.RecordEvents,
        body: { eventId: c.command.body.eventId, epcisEvents: c.command.body.epcisEvents, epcisHashes: c.command.body.epcisHashes },
      };
      c.note = `declaration recorded without a ledger correction: ${missing.join(', ')} not on the ledger`;
    }
  }
  for (const c of plan.commands) {
    if (c.command.fn !== TX.ReceiveShipment) continue;
    const shipmentId = String(c.command.body.shipmentId);
    const field = `epcisBody.eventList[${c.eventIndex}].bizTransactionList`;
    const inDoc = plan.shipments.get(shipmentId);
    if (inDoc && unbookedShipments.has(shipmentId)) {
      cannotBook(field, `shipment ${shipmentId} of this document is recorded without a stock movement`);
      continue;
    }
    let lines: LedgerShipment['lines'];
    if (inDoc) lines = inDoc.lines.map((l, k) => ({ lineNo: k + 1, gtin: l.gtin, lotCode: l.lotCode }));
    else {
      const onLedger = await found<{ shipment: LedgerShipment }>(() =>
        ledger.evaluate({ contract: CONTRACT.traceability, fn: QUERY.GetShipment, args: [shipmentId] }),
      );
      if (!onLedger) {
        cannotBook(field, `shipment ${shipmentId} is neither on the ledger nor shipped earlier in this document`);
        continue;
      }
      if (onLedger.shipment.receiverMsp !== mspId)
        errors.push({ field, message: `shipment ${shipmentId} goes to ${onLedger.shipment.receiverMsp}; only the receiving organisation receives it` });
      lines = onLedger.shipment.lines;
    }
    if (c.receipt) c.command.body.lines = receiptLines(c.receipt.lots, lines, shipmentId, errors);
  }
  recordUnbookable(plan, unbookable);
  // Also covers the events just turned into plain records: the chaincode applies its location rule to them too.
  await recordedEventLocations(plan, deps, errors);
  if (errors.length > 0) throw mappingError(errors);
}

/**
 * The chaincode's location rule for events without stock effect
 * (RecordEvents): a `readPoint` or `bizLocation` named by a GLN must be
 * registered to this organisation or, unregistered, lie within its GS1
 * company prefixes (consortium registry). A location that is not a GLN
 * counts for nobody. The rest of the rule (what the event names) is the
 * chaincode's, reported by the capture job.
 */
async function recordedEventLocations(plan: CapturePlan, deps: { ledger: LedgerClient; mspId: string }, errors: FieldError[]): Promise<void> {
  const { ledger, mspId } = deps;
  let prefixes: string[] | undefined;
  const ownPrefixes = async () => {
    if (!prefixes) {
      const out = JSON.parse((await ledger.evaluate({ contract: CONTRACT.consortium, fn: CONSORTIUM.GetMembers })).toString('utf8')) as {
        members: Array<{ mspId: string; gs1Prefixes?: string[] }>;
      };
      prefixes = (out.members ?? []).find((m) => m.mspId === mspId)?.gs1Prefixes ?? [];
    }
    return prefixes;
  };
  for (const c of plan.commands) {
    if (c.command.fn !== TX.RecordEvents) continue;
    const ev = (c.command.body.epcisEvents as Array<Record<string, unknown>> | undefined)?.[0];
    for (const f of ['readPoint', 'bizLocation'] as const) {
      const id = (ev?.[f] as { id?: unknown } | undefined)?.id;
      const gln = typeof id === 'string' ? locationToGln(id) : undefined;
      if (!gln?.ok) continue;
      const field = `epcisBody.eventList[${c.eventIndex}].${f}.id`;
      const owner = (await latestRecord<{ ownerMsp?: string }>(ledger, `location~${gln.value}`))?.value?.ownerMsp;
      if (owner && owner !== mspId)
        errors.push({
          field,
          message: `location ${gln.value} belongs to ${owner}; an event without stock effect is recorded only at ${mspId}'s own locations`,
        });
      else if (!owner && !(await ownPrefixes()).some((p) => gln.value.startsWith(p)))
        errors.push({ field, message: `location ${gln.value} is not registered and lies outside ${mspId}'s GS1 company prefixes` });
    }
  }
}

/** Replaces the transactions of each event that cannot be booked by one that records it as captured, with the reasons. */
function recordUnbookable(plan: CapturePlan, unbookable: Map<number, string[]>): void {
  if (unbookable.size === 0) return;
  const out: PlannedCommand[] = [];
  for (const c of plan.commands) {
    const reasons = unbookable.get(c.eventIndex);
    if (!reasons) out.push(c);
    else if (c.command.body.epcisEvents && (c.command.body.epcisEvents as unknown[]).length > 0) {
      const { eventId, epcisEvents, epcisHashes } = c.command.body;
      out.push({
        eventIndex: c.eventIndex,
        eventID: c.eventID,
        eventHash: c.eventHash,
        command: { fn: TX.RecordEvents, body: { eventId, epcisEvents, ...(epcisHashes ? { epcisHashes } : {}) } },
        note: `recorded without a stock movement: ${reasons.join('; ')}`,
      });
    }
  }
  plan.commands = out;
}

/** Runs `fn` over `items` with at most `n` at a time. */
async function pooled<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/** The CBV 2.0 hash of the event a ledger record captured, with the namespaces it travelled with. */
function capturedHash(prior: { event?: { captured?: unknown[] } }): { hash?: string; event?: Record<string, unknown> } {
  const ev = prior.event?.captured?.[0] as Record<string, unknown> | undefined;
  if (!ev || typeof ev.type !== 'string') return {};
  return { hash: eventHashId(ev, ev['@context']), event: ev };
}

type Prior = { event?: { captured?: unknown[]; eventId?: string } };

/**
 * Events the ledger already holds. Whether two events are the same is decided
 * on their CBV 2.0 canonical form (the event hash: any binding, any spelling of
 * a time or identifier), not on how they were written: an event whose hash the
 * ledger has recorded, under its eventID or any other, is dropped from the plan
 * with all its transactions and reported as already captured. A given eventID
 * that already names an event with another hash is a 422 naming both.
 */
async function knownEvents(plan: CapturePlan, ledger: LedgerClient, errors: FieldError[]): Promise<void> {
  const drop = new Set<number>();
  const get = (fn: string, arg: string) => found<Prior>(() => ledger.evaluate({ contract: CONTRACT.traceability, fn, args: [arg] }));
  // The first transaction of each event carries it; its ledger eventId tells whether the event is recorded.
  const firsts = plan.commands.filter((c, k) => k === 0 || plan.commands[k - 1].eventIndex !== c.eventIndex);
  await pooled(firsts, 8, async (c) => {
    const mine = (c.command.body.epcisEvents as Array<Record<string, unknown>> | undefined)?.[0];
    const prior = await get(QUERY.GetEvent, String(c.command.body.eventId));
    if (prior) {
      const { hash, event } = capturedHash(prior);
      if (hash === c.eventHash && declarationKey(event) === declarationKey(mine)) drop.add(c.eventIndex);
      else
        errors.push({
          field: `epcisBody.eventList[${c.eventIndex}].eventID`,
          message:
            `${c.eventID} already names a different event on the ledger: the stored event has hash ${hash ?? 'unknown'}` +
            `${event?.eventTime ? ` (eventTime ${String(event.eventTime)})` : ''}, this one ${c.eventHash}` +
            `${mine?.eventTime ? ` (eventTime ${String(mine.eventTime)})` : ''}`,
        });
      return;
    }
    // The same event (or declaration) captured before under another eventID (or none), e.g. from the other binding.
    if (mine && (await get(QUERY.GetEventByHash, captureIdentity(c.eventHash, mine)))) drop.add(c.eventIndex);
  });
  if (drop.size > 0) plan.commands = plan.commands.filter((c) => !drop.has(c.eventIndex));
  plan.alreadyCaptured = [...new Set([...plan.alreadyCaptured, ...drop])].sort((a, b) => a - b);
}

/**
 * A receiving event's quantityList states what arrived: a shipped lot it does
 * not list arrived with quantity 0 (short), a listed lot the shipment does not
 * carry is an error.
 */
function receiptLines(lots: MappedLot[], lines: LedgerShipment['lines'], shipmentId: string, errors: FieldError[]) {
  const byLot = new Map(lots.map((l) => [`${l.gtin}/${l.lotCode}`, l]));
  for (const l of lots) {
    if (!lines.some((s) => s.gtin === l.gtin && s.lotCode === l.lotCode))
      errors.push({ field: `${l.field}.epcClass`, message: `lot ${l.gtin}/${l.lotCode} is not on shipment ${shipmentId}` });
  }
  return lines.map((s) => ({ lineNo: s.lineNo, received: byLot.get(`${s.gtin}/${s.lotCode}`)?.quantity ?? '0' }));
}
