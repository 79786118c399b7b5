/**
 * Ledger checks run on a mapped document before it is accepted, so that the
 * usual reasons a capture would fail halfway (an unknown or foreign location,
 * an unregistered product or unit mismatch, a missing purchase order or
 * shipment) are a 422 with nothing written. Stock levels are not checked here:
 * they depend on the document's own earlier events, and the chaincode's
 * verdict on them is reported by the capture job.
 */
import { type FieldError, ServiceError } from '../../../../lib/platform/src';
import type { LedgerClient } from '../../../../lib/fabric/src';
import { latestRecord } from '../../ledger-record';
import { stableJson } from '../../submission/executor';
import { mappingError, type CapturePlan, type MappedLot } from './mapping';
import { CONTRACT, QUERY, TX } from '../../../../lib/domain/src';

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

/**
 * Checks the plan against the ledger and fills in receipt lines (by the
 * shipment's line numbers); throws a 422 naming each problem.
 */
export async function preflight(plan: CapturePlan, deps: { ledger: LedgerClient; mspId: string }): Promise<void> {
  const { ledger, mspId } = deps;
  const errors: FieldError[] = [];
  const once = new Set<string>();
  const first = (k: string) => !once.has(k) && !!once.add(k);

  for (const l of plan.locations) {
    if (!first(`gln ${l.gln} ${l.own}`)) continue;
    const loc = (await latestRecord<{ ownerMsp?: string }>(ledger, `location~${l.gln}`))?.value;
    if (!loc?.ownerMsp) errors.push({ field: l.field, message: `location ${l.gln} is not registered on the ledger` });
    else if (l.own && loc.ownerMsp !== mspId)
      errors.push({ field: l.field, message: `location ${l.gln} belongs to ${loc.ownerMsp}; this gateway acts for ${mspId}` });
  }
  for (const p of plan.products) {
    if (!first(`gtin ${p.gtin} ${p.uom}`)) continue;
    const product = (await latestRecord<{ unit?: string }>(ledger, `product~${p.gtin}`))?.value;
    if (!product) errors.push({ field: p.field, message: `product ${p.gtin} is not registered on the ledger` });
    else if (p.uom && product.unit && product.unit !== p.uom)
      errors.push({ field: p.field, message: `is ${p.uom}, but product ${p.gtin} is counted in ${product.unit}` });
  }
  for (const po of plan.purchaseOrders) {
    if (!first(`po ${po.poId}`)) continue;
    const order = await found(() => ledger.evaluate({ contract: CONTRACT.traceability, fn: QUERY.GetPurchaseOrder, args: [po.poId] }));
    if (!order) errors.push({ field: po.field, message: `purchase order ${po.poId} is not on the ledger` });
  }
  const inDocument = new Set(plan.commands.map((c) => String(c.command.body.eventId)));
  const onLedger = async (eventId: string) =>
    inDocument.has(eventId) || !!(await found(() => ledger.evaluate({ contract: CONTRACT.traceability, fn: QUERY.GetEvent, args: [eventId] })));
  for (const c of plan.commands) {
    if (c.command.fn !== 'DeclareError') continue;
    const target = String(c.command.body.targetEventId);
    const rec = inDocument.has(target)
      ? { mspId }
      : await found<{ mspId?: string; event?: { mspId?: string } }>(() =>
          ledger.evaluate({ contract: CONTRACT.traceability, fn: QUERY.GetEvent, args: [target] }),
        );
    if (!rec) {
      // EPCIS lets a repository hold a declaration about an event it never saw: recorded as captured, no ledger correction.
      c.command = { fn: TX.RecordEvents, body: { eventId: c.command.body.eventId, epcisEvents: c.command.body.epcisEvents } };
      continue;
    }
    const owner = rec.mspId ?? rec.event?.mspId;
    if (owner && owner !== mspId)
      errors.push({
        field: `epcisBody.eventList[${c.eventIndex}].eventID`,
        message: `the declared event was recorded by ${owner}; only its recorder declares it in error`,
      });
    const ids = c.command.body.correctiveEventIds as string[];
    for (const [k, id] of ids.entries()) {
      if (!(await onLedger(id)))
        errors.push({
          field: `epcisBody.eventList[${c.eventIndex}].errorDeclaration.correctiveEventIDs[${k}]`,
          message: `names an event that is not on the ledger (ledger eventId ${id})`,
        });
    }
  }
  for (const c of plan.commands) {
    if (c.command.fn !== 'ReceiveShipment') continue;
    const shipmentId = String(c.command.body.shipmentId);
    const field = `epcisBody.eventList[${c.eventIndex}].bizTransactionList`;
    const inDoc = plan.shipments.get(shipmentId);
    let lines: LedgerShipment['lines'];
    if (inDoc) lines = inDoc.lines.map((l, k) => ({ lineNo: k + 1, gtin: l.gtin, lotCode: l.lotCode }));
    else {
      const onLedger = await found<{ shipment: LedgerShipment }>(() =>
        ledger.evaluate({ contract: CONTRACT.traceability, fn: QUERY.GetShipment, args: [shipmentId] }),
      );
      if (!onLedger) {
        errors.push({ field, message: `shipment ${shipmentId} is neither on the ledger nor shipped earlier in this document` });
        continue;
      }
      if (onLedger.shipment.receiverMsp !== mspId)
        errors.push({ field, message: `shipment ${shipmentId} goes to ${onLedger.shipment.receiverMsp}; only the receiving organisation receives it` });
      lines = onLedger.shipment.lines;
    }
    if (c.receipt) c.command.body.lines = receiptLines(c.receipt.lots, lines, shipmentId, errors);
  }
  await knownEvents(plan, ledger, errors);
  if (errors.length > 0) throw mappingError(errors);
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

/**
 * Events the ledger already holds: the same event (same eventID and content,
 * or the same event hash) is dropped from the plan with all its transactions,
 * as capturing it again has no second effect; a given eventID that already
 * names a different event is a 422.
 */
async function knownEvents(plan: CapturePlan, ledger: LedgerClient, errors: FieldError[]): Promise<void> {
  const drop = new Set<number>();
  // The first transaction of each event carries it; its ledger eventId tells whether the event is recorded.
  const firsts = plan.commands.filter((c, k) => k === 0 || plan.commands[k - 1].eventIndex !== c.eventIndex);
  await pooled(firsts, 8, async (c) => {
    const prior = await found<{ event?: { captured?: unknown[] } }>(() =>
      ledger.evaluate({ contract: CONTRACT.traceability, fn: QUERY.GetEvent, args: [String(c.command.body.eventId)] }),
    );
    if (!prior) return;
    const same = stableJson(prior.event?.captured ?? []) === stableJson(c.command.body.epcisEvents);
    if (same || c.eventID === c.eventHash) drop.add(c.eventIndex);
    else errors.push({ field: `epcisBody.eventList[${c.eventIndex}].eventID`, message: `${c.eventID} already names a different event on the ledger` });
  });
  if (drop.size > 0) plan.commands = plan.commands.filter((c) => !drop.has(c.eventIndex));
  plan.alreadyCaptured = [...drop].sort((a, b) => a - b);
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
