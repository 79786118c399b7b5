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
import { invalidInput, type FieldError } from '../../../../lib/platform/src';
import { CUSTOM_FORMATS } from '../../http/validation';
import type { LedgerCommand } from '../../submission/command';
import { captureIdentity, ledgerEventId } from './event-ids';
import { eventHashId } from '../../../../lib/epcis/src';
import { bizTransactionToId, cbvShortName, epcClassToLot, locationToGln, quantityToDecimal, TX } from '../../../../lib/domain/src';

interface QuantityElement {
  epcClass: string;
  quantity: number;
  uom?: string;
}
interface EpcisEvent {
  type: string;
  parentID?: string;
  eventID?: string;
  action?: string;
  bizStep?: string;
  bizLocation?: { id: string };
  epcList?: string[];
  quantityList?: QuantityElement[];
  inputEPCList?: string[];
  outputEPCList?: string[];
  inputQuantityList?: QuantityElement[];
  outputQuantityList?: QuantityElement[];
  bizTransactionList?: Array<{ type?: string; bizTransaction: string }>;
  sourceList?: Array<{ type: string; source: string }>;
  destinationList?: Array<{ type: string; destination: string }>;
  ilmd?: Record<string, unknown>;
  errorDeclaration?: { declarationTime?: string; reason?: string; correctiveEventIDs?: string[] };
}

/** CBV 2.0 error reasons the chaincode's DeclareError records. */
const ERROR_REASONS = ['did_not_occur', 'incorrect_data'];

/** Whether every quantity element names a lot-level class (LGTIN or Digital Link with AI 10). */
const allLots = (list: QuantityElement[] | undefined) =>
  !!list && list.length > 0 && list.every((q) => typeof q.quantity === 'number' && q.quantity > 0 && epcClassToLot(q.epcClass).ok);
const noEpcs = (...lists: Array<string[] | undefined>) => lists.every((l) => !l || l.length === 0);

/** A lot line with the document field it came from. */
export interface MappedLot {
  gtin: string;
  lotCode: string;
  quantity: string;
  field: string;
}

/** One ledger transaction of the plan, in document order. */
export interface PlannedCommand {
  eventIndex: number;
  /** The EPCIS eventID, given or assigned (the event hash ID). */
  eventID: string;
  /** The CBV 2.0 event hash ID. */
  eventHash: string;
  command: LedgerCommand;
  /** Why a stock-moving event is recorded without a stock effect (the facts the ledger needs are missing or not usable). */
  note?: string;
  /** Receiving with a quantityList: the preflight turns these lots into the shipment's line numbers. */
  receipt?: { shipmentId: string; lots: MappedLot[]; field: string };
}

/** The mapped document plus what the preflight must check on the ledger. */
export interface CapturePlan {
  commands: PlannedCommand[];
  /** GLNs the document names; `own` ones must belong to the capturing organisation. */
  locations: Array<{ gln: string; own: boolean; field: string }>;
  products: Array<{ gtin: string; uom?: string; field: string }>;
  purchaseOrders: Array<{ poId: string; field: string }>;
  /** Corrective events that error declarations name (checked when the declared event is on the ledger). */
  events: Array<{ eventId: string; field: string }>;
  /** Events the ledger already holds (same eventID and content, or same hash): nothing to submit for them. */
  alreadyCaptured: number[];
  /** Shipments created by this document, by id. */
  shipments: Map<string, { fromGln: string; toGln: string; lines: MappedLot[] }>;
}

/** Thrown with every problem of the document: 422 `UNSUPPORTED_EVENT` when any is unsupported, else `INVALID_EVENT`. */
export function mappingError(errors: Array<FieldError & { unsupported?: boolean }>) {
  const code = errors.some((e) => e.unsupported) ? 'UNSUPPORTED_EVENT' : 'INVALID_EVENT';
  return invalidInput(
    errors.map(({ field, message }) => ({ field, message })),
    422,
    code,
  );
}

const ILMD_DATES: Record<string, 'bestBeforeDate' | 'expiryDate'> = { bestBeforeDate: 'bestBeforeDate', itemExpirationDate: 'expiryDate' };

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

    const gln = (f: string, uri: string | undefined, own: boolean): string | undefined => {
      if (uri === undefined) return void invalid(f, 'is required for this event');
      const c = locationToGln(uri);
      if (!c.ok) return void invalid(f, c.reason);
      plan.locations.push({ gln: c.value, own, field: at(f) });
      return c.value;
    };
    const lots = (f: string, list: QuantityElement[] | undefined, _epcs: string[] | undefined, _epcField: string): MappedLot[] => {
      if (!list) {
        invalid(f, 'is required for this event');
        return [];
      }
      const outLots: MappedLot[] = [];
      const seen = new Set<string>();
      list.forEach((q, j) => {
        const lot = epcClassToLot(q.epcClass);
        const qty = quantityToDecimal(q.quantity);
        if (!lot.ok) return void invalid(`${f}[${j}].epcClass`, lot.reason);
        if (!qty.ok) return void invalid(`${f}[${j}].quantity`, qty.reason);
        const key = `${lot.value.gtin}/${lot.value.lotCode}`;
        if (seen.has(key)) return void invalid(`${f}[${j}].epcClass`, `lot ${key} appears more than once`);
        seen.add(key);
        plan.products.push({ gtin: lot.value.gtin, uom: q.uom, field: at(`${f}[${j}]${q.uom ? '.uom' : '.epcClass'}`) });
        outLots.push({ ...lot.value, quantity: qty.value, field: at(`${f}[${j}]`) });
      });
      return outLots;
    };
    const bizTx = (types: string[]): { type: string; id: string } | undefined => {
      for (const t of types) {
        const k = (ev.bizTransactionList ?? []).findIndex((b) => b.type !== undefined && cbvShortName(b.type, 'btt') === t);
        if (k < 0) continue;
        const id = bizTransactionToId(ev.bizTransactionList![k].bizTransaction);
        if (!id.ok) return void invalid(`bizTransactionList[${k}].bizTransaction`, id.reason);
        return { type: t, id: id.value };
      }
      return undefined;
    };
    const typed = (list: Array<{ type: string; source?: string; destination?: string }> | undefined, name: string) => {
      const k = (list ?? []).findIndex((e) => cbvShortName(e.type, 'sdt') === 'location');
      return k < 0 ? undefined : { field: `${name}[${k}].${name === 'sourceList' ? 'source' : 'destination'}`, id: (list![k].source ?? list![k].destination)! };
    };
    const ilmdDates = () => {
      const dates: Record<string, string> = {};
      for (const [k, v] of Object.entries(ev.ilmd ?? {})) {
        const name = ILMD_DATES[k.replace(/^cbvmda:/, '')];
        if (!name) continue;
        if (typeof v === 'string' && CUSTOM_FORMATS['iso-date'](v)) dates[name] = v;
        else invalid(`ilmd.${k}`, 'must be an ISO-8601 date');
      }
      return dates;
    };
    const lines = (l: MappedLot[]) => l.map(({ gtin, lotCode, quantity }) => ({ gtin, lotCode, quantity }));

    const bizStep = ev.bizStep === undefined ? undefined : cbvShortName(ev.bizStep, 'bizstep');
    const ref = () => (ev.bizTransactionList ?? []).some((b) => b.type !== undefined && ['desadv', 'po'].includes(cbvShortName(b.type, 'btt')));
    const record = (suffix?: string, note?: string) => push({ fn: TX.RecordEvents, body: { eventId: ledgerEventId(eventID, suffix) } }, note ? { note } : {});

    const reason = ev.errorDeclaration?.reason === undefined ? undefined : cbvShortName(ev.errorDeclaration.reason, 'er');
    if (ev.errorDeclaration !== undefined && reason !== undefined && ERROR_REASONS.includes(reason)) {
      // The declared event is the one with this eventID, or, without one, the same hash: the hash leaves errorDeclaration out.
      // The preflight records the declaration as captured instead when the declared event is not on this ledger.
      const target = ledgerEventId(eventID);
      const corrective = (ev.errorDeclaration.correctiveEventIDs ?? []).map((id, k) => ({
        eventId: ledgerEventId(id),
        field: at(`errorDeclaration.correctiveEventIDs[${k}]`),
      }));
      plan.events.push(...corrective);
      push({
        fn: TX.DeclareError,
        body: { eventId: ledgerEventId(eventID, 'error-declaration'), targetEventId: target, reason, correctiveEventIds: corrective.map((c) => c.eventId) },
      });
    } else if (ev.errorDeclaration !== undefined) {
      // A reason outside CBV's (EPCIS allows any URI) or none: the ledger's DeclareError does not take it; the declaration is kept as captured,
      // under an id of its own (the declared event keeps its own).
      record('error-declaration');
    } else if (ev.type === 'ObjectEvent' && bizStep === 'commissioning' && ev.action === 'ADD' && allLots(ev.quantityList) && noEpcs(ev.epcList)) {
      const where = gln('bizLocation.id', ev.bizLocation?.id, true);
      const made = lots('quantityList', ev.quantityList, ev.epcList, 'epcList');
      const origin = typeof ev.ilmd?.['cbvmda:countryOfOrigin'] === 'string' ? { country: ev.ilmd['cbvmda:countryOfOrigin'] as string } : undefined;
      const dates = ilmdDates();
      made.forEach((l, k) => {
        push({
          fn: TX.CommissionLot,
          body: {
            eventId: ledgerEventId(eventID, k === 0 ? undefined : `lot-${k + 1}`),
            gln: where,
            gtin: l.gtin,
            lotCode: l.lotCode,
            quantity: l.quantity,
            ...dates,
            ...(origin ? { origin } : {}),
          },
        });
      });
    } else if (ev.type === 'ObjectEvent' && bizStep === 'shipping' && ev.action === 'OBSERVE' && ref() && allLots(ev.quantityList) && noEpcs(ev.epcList)) {
      const shipRef = bizTx(['desadv', 'po']);
      const po = bizTx(['po']);
      const src = typed(ev.sourceList, 'sourceList');
      const dst = typed(ev.destinationList, 'destinationList');
      const from = src ? gln(src.field, src.id, true) : gln('bizLocation.id', ev.bizLocation?.id, true);
      const to = dst ? gln(dst.field, dst.id, false) : void invalid('destinationList', 'needs an entry of type location (the receiving site) for a shipment');
      const shipped = lots('quantityList', ev.quantityList, ev.epcList, 'epcList');
      if (from && to && from === to) invalid(dst!.field, 'must differ from the source location');
      if (po) plan.purchaseOrders.push({ poId: po.id, field: at('bizTransactionList') });
      if (shipRef && from && to) {
        const endorsement = { kind: 'parties' as const, fromGln: from, toGln: to };
        const desadv = shipRef.type === 'desadv' ? { desadv: shipRef.id } : {};
        push({
          fn: TX.CreateShipment,
          body: {
            eventId: ledgerEventId(eventID),
            shipmentId: shipRef.id,
            fromGln: from,
            toGln: to,
            lines: lines(shipped),
            ...desadv,
            ...(po ? { poId: po.id } : {}),
          },
          endorsement,
        });
        push({ fn: TX.DispatchShipment, body: { eventId: ledgerEventId(eventID, 'dispatch'), shipmentId: shipRef.id }, endorsement });
        plan.shipments.set(shipRef.id, { fromGln: from, toGln: to, lines: shipped });
      }
    } else if (
      ev.type === 'ObjectEvent' &&
      bizStep === 'receiving' &&
      ev.action === 'OBSERVE' &&
      ref() &&
      (ev.quantityList === undefined || allLots(ev.quantityList)) &&
      noEpcs(ev.epcList)
    ) {
      const shipRef = bizTx(['desadv', 'po']);
      const received = ev.quantityList ? lots('quantityList', ev.quantityList, ev.epcList, 'epcList') : undefined;
      if (ev.bizLocation) gln('bizLocation.id', ev.bizLocation.id, true);
      if (shipRef) {
        const inDoc = plan.shipments.get(shipRef.id);
        // A shipment of this document is not on the ledger yet when the plan is made; its parties are known here.
        const endorsement = inDoc
          ? { kind: 'parties' as const, fromGln: inDoc.fromGln, toGln: inDoc.toGln }
          : { kind: 'shipment' as const, shipmentId: shipRef.id };
        const receipt = received ? { receipt: { shipmentId: shipRef.id, lots: received, field: at('quantityList') } } : {};
        push({ fn: TX.ReceiveShipment, body: { eventId: ledgerEventId(eventID), shipmentId: shipRef.id }, endorsement }, receipt);
      }
    } else if (
      ev.type === 'TransformationEvent' &&
      allLots(ev.inputQuantityList) &&
      allLots(ev.outputQuantityList) &&
      noEpcs(ev.inputEPCList, ev.outputEPCList)
    ) {
      const where = gln('bizLocation.id', ev.bizLocation?.id, true);
      const inputs = lots('inputQuantityList', ev.inputQuantityList, ev.inputEPCList, 'inputEPCList');
      const outputs = lots('outputQuantityList', ev.outputQuantityList, ev.outputEPCList, 'outputEPCList');
      const order = bizTx(['prodorder']);
      const dates = ilmdDates();
      push({
        fn: TX.TransformLots,
        body: {
          eventId: ledgerEventId(eventID),
          gln: where,
          ...(order ? { workOrder: order.id } : {}),
          inputs: lines(inputs),
          outputs: lines(outputs).map((o) => ({ ...o, ...dates })),
        },
      });
    } else {
      record();
    }
    if (errors.length > before) {
      const reasons = errors.splice(before).map((e) => `${e.field.slice(at('').length)}: ${e.message}`);
      plan.locations.length = planned.locations;
      plan.products.length = planned.products;
      plan.purchaseOrders.length = planned.purchaseOrders;
      plan.events.length = planned.events;
      for (const k of plan.shipments.keys()) if (!shipmentsBefore.has(k)) plan.shipments.delete(k);
      out = [];
      record(undefined, `recorded without a stock movement: ${reasons.join('; ')}`);
    }
    if (!repeated) plan.commands.push(...out);
  });
  if (errors.length > 0) throw mappingError(errors);
  // A declaration needs its corrective events on the ledger, and they may follow it in the document; nothing depends on a declaration.
  plan.commands = [...plan.commands.filter((c) => c.command.fn !== TX.DeclareError), ...plan.commands.filter((c) => c.command.fn === TX.DeclareError)];
  return plan;
}
