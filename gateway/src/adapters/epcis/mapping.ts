/**
 * EPCIS 2.0 events → traceability ledger commands. The whole document is
 * mapped before anything is submitted; every problem found is collected (one
 * 422 names them all, field by field). What the mapper cannot know without
 * the ledger (owners, products, purchase orders, lines of earlier shipments)
 * is listed in the plan for the preflight to check.
 *
 *   ObjectEvent ADD commissioning, lot quantities         → CommissionLot (one per quantityList element)
 *   ObjectEvent OBSERVE shipping, desadv/po, lot quantities → CreateShipment + DispatchShipment
 *   ObjectEvent OBSERVE receiving, desadv/po              → ReceiveShipment
 *   TransformationEvent, lot quantities in and out        → TransformLots
 *   an error declaration                                  → DeclareError of the declared event
 *   every other event                                     → RecordEvents (no stock effect)
 *   a stock-moving event the ledger cannot book           → RecordEvents, with a note saying why
 *
 * Every event travels, as written, with the first transaction it maps to
 * (`epcisEvents`), so the ledger and the query return it as captured. An event
 * without eventID is identified by its CBV 2.0 event hash, which also makes a
 * re-captured event the same ledger event.
 */
import { TX } from '../../../../lib/domain/src';
import { eventHashId } from '../../../../lib/epcis/src';
import { invalidInput, type FieldError } from '../../../../lib/platform/src';
import type { LedgerCommand } from '../../submission/command';
import { captureIdentity, ledgerEventId } from './event-ids';
import { mapEventCommands } from './mapping-branches';
import type { CapturePlan, EpcisEvent, EventMapping, PlannedCommand } from './mapping-types';

export type { CapturePlan, MappedLot, PlannedCommand } from './mapping-types';

/** Thrown with every problem of the document: 422 `UNSUPPORTED_EVENT` when any is unsupported, else `INVALID_EVENT`. */
export function mappingError(errors: Array<FieldError & { unsupported?: boolean }>) {
  const code = errors.some((e) => e.unsupported) ? 'UNSUPPORTED_EVENT' : 'INVALID_EVENT';
  return invalidInput(
    errors.map(({ field, message }) => ({ field, message })),
    422,
    code,
  );
}

/**
 * Maps a schema-valid EPCIS document. A stock-moving event whose facts the
 * ledger cannot use (no business location, an identifier that is not a lot,
 * …) is recorded without a stock effect, with a `note` saying why; a repeated
 * event in the document is a 422 naming it.
 */
export function mapDocument(doc: { '@context'?: unknown; epcisBody: { eventList: unknown[] } }): CapturePlan {
  const plan: CapturePlan = { commands: [], locations: [], products: [], purchaseOrders: [], events: [], alreadyCaptured: [], shipments: new Map() };
  const context = (doc as { '@context'?: unknown })['@context'];
  // Namespaces of the document's extensions travel with each captured event, so it can be returned and hashed alone.
  const namespaces = (Array.isArray(context) ? context : [context]).filter((c) => typeof c === 'object' && c !== null && !Array.isArray(c));
  const errors: Array<FieldError & { unsupported?: boolean }> = [];
  // A repeated eventID with other content would be a CONFLICT halfway through the job.
  const given = new Map<string, { index: number; hash: string }>();
  const sameHash = new Map<string, { index: number; hash: string }>();

  doc.epcisBody.eventList.forEach((raw, i) => {
    const ev = raw as EpcisEvent;
    const at = (f: string) => `epcisBody.eventList[${i}].${f}`;
    const invalid = (f: string, message: string) => errors.push({ field: at(f), message });
    const eventHash = eventHashId(raw as Record<string, unknown>, context);
    const eventID = ev.eventID ?? eventHash;
    // The same event twice in one document (same canonical form) is captured once; one eventID for two different events is a 422.
    let repeated = false;
    const declares = ev.errorDeclaration !== undefined;
    // A declaration shares its event's eventID and hash, and is a record of its own.
    const key = declares ? `${eventID} declared` : eventID;
    const earlier = given.get(key) ?? (declares ? undefined : sameHash.get(eventHash));
    if (earlier && earlier.hash !== eventHash) {
      repeated = true;
      invalid('eventID', `repeats the eventID of event ${earlier.index}, a different event (event hash ${earlier.hash}, this one ${eventHash})`);
    } else if (earlier) {
      repeated = true;
      plan.alreadyCaptured.push(i);
    } else {
      given.set(key, { index: i, hash: eventHash });
      if (!declares) sameHash.set(eventHash, { index: i, hash: eventHash });
    }
    // What a stock-moving branch cannot map is the project's need, not an EPCIS error: such an event is recorded instead.
    const before = errors.length;
    const planned = {
      locations: plan.locations.length,
      products: plan.products.length,
      purchaseOrders: plan.purchaseOrders.length,
      events: plan.events.length,
    };
    const shipmentsBefore = new Set(plan.shipments.keys());
    // The repository assigns a missing eventID: the event's hash ID.
    const captured = { ...(raw as Record<string, unknown>), eventID, ...(namespaces.length > 0 ? { '@context': namespaces } : {}) };
    let out: PlannedCommand[] = [];
    // An error declaration has the hash of the event it declares: it is indexed by a digest of that hash and the declaration.
    const hashes = { epcisHashes: [captureIdentity(eventHash, raw as Record<string, unknown>)] };
    const push = (command: LedgerCommand, extra: Partial<PlannedCommand> = {}) => {
      if (out.length === 0) Object.assign(command.body, { epcisEvents: [captured] }, hashes);
      else command.body.epcisEvents = [];
      out.push({ eventIndex: i, eventID, eventHash, command, ...extra });
    };

    const m: EventMapping = { ev, eventID, plan, at, invalid, push };
    mapEventCommands(m);
    if (errors.length > before) {
      const reasons = errors.splice(before).map((e) => `${e.field.slice(at('').length)}: ${e.message}`);
      plan.locations.length = planned.locations;
      plan.products.length = planned.products;
      plan.purchaseOrders.length = planned.purchaseOrders;
      plan.events.length = planned.events;
      for (const k of plan.shipments.keys()) if (!shipmentsBefore.has(k)) plan.shipments.delete(k);
      out = [];
      push({ fn: TX.RecordEvents, body: { eventId: ledgerEventId(eventID) } }, { note: `recorded without a stock movement: ${reasons.join('; ')}` });
    }
    if (!repeated) plan.commands.push(...out);
  });
  if (errors.length > 0) throw mappingError(errors);
  // A declaration needs its corrective events on the ledger, and they may follow it in the document; nothing depends on a declaration.
  plan.commands = [...plan.commands.filter((c) => c.command.fn !== TX.DeclareError), ...plan.commands.filter((c) => c.command.fn === TX.DeclareError)];
  return plan;
}
