/**
 * EPCIS 2.0 events → traceability ledger commands. The whole document is
 * mapped before anything is submitted; every problem found is collected (one
 * 422 names them all, field by field). What the mapper cannot know without
 * the ledger (owners, products, purchase orders, lines of earlier shipments)
 * is listed in the plan for the preflight to check.
 *
 *   ObjectEvent ADD commissioning      → CommissionLot (one per quantityList element)
 *   ObjectEvent OBSERVE shipping       → CreateShipment + DispatchShipment
 *   ObjectEvent OBSERVE receiving      → ReceiveShipment
 *   TransformationEvent                → TransformLots
 */
import { invalidInput, type FieldError } from '../../http/problem';
import { CUSTOM_FORMATS } from '../../http/validation';
import type { LedgerCommand } from '../../submission/command';
import { assignedEventId, ledgerEventId } from './event-ids';
import { bizTransactionToId, cbvShortName, epcClassToLot, locationToGln, quantityToDecimal } from './identifiers';

interface QuantityElement { epcClass: string; quantity: number; uom?: string }
interface EpcisEvent {
  type: string;
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
  errorDeclaration?: unknown;
}

/** A lot line with the document field it came from. */
export interface MappedLot { gtin: string; lotCode: string; quantity: string; field: string }

/** One ledger transaction of the plan, in document order. */
export interface PlannedCommand {
  eventIndex: number;
  /** The EPCIS eventID, given or assigned. */
  eventID: string;
  command: LedgerCommand;
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
  /** Shipments created by this document, by id. */
  shipments: Map<string, { fromGln: string; toGln: string; lines: MappedLot[] }>;
}

/** Thrown with every problem of the document: 422 `UNSUPPORTED_EVENT` when any is unsupported, else `INVALID_EVENT`. */
export function mappingError(errors: Array<FieldError & { unsupported?: boolean }>) {
  const code = errors.some((e) => e.unsupported) ? 'UNSUPPORTED_EVENT' : 'INVALID_EVENT';
  return invalidInput(errors.map(({ field, message }) => ({ field, message })), 422, code);
}

const ILMD_DATES: Record<string, 'bestBeforeDate' | 'expiryDate'> = { bestBeforeDate: 'bestBeforeDate', itemExpirationDate: 'expiryDate' };

/** Maps a schema-valid EPCIS document; throws a 422 naming every event field it cannot map. */
export function mapDocument(doc: { epcisBody: { eventList: unknown[] } }): CapturePlan {
  const plan: CapturePlan = { commands: [], locations: [], products: [], purchaseOrders: [], shipments: new Map() };
  const errors: Array<FieldError & { unsupported?: boolean }> = [];
  // A repeated eventID with other content would be a CONFLICT halfway through the job.
  const given = new Map<string, number>();

  doc.epcisBody.eventList.forEach((raw, i) => {
    const ev = raw as EpcisEvent;
    const at = (f: string) => `epcisBody.eventList[${i}].${f}`;
    const before = errors.length;
    const invalid = (f: string, message: string) => errors.push({ field: at(f), message });
    const unsupported = (f: string, message: string) => errors.push({ field: at(f), message, unsupported: true });
    const eventID = ev.eventID ?? assignedEventId(raw as Record<string, unknown>);
    if (ev.eventID !== undefined && given.has(ev.eventID)) invalid('eventID', `repeats the eventID of event ${given.get(ev.eventID)}`);
    else if (ev.eventID !== undefined) given.set(ev.eventID, i);
    const out: PlannedCommand[] = [];
    const push = (command: LedgerCommand, extra: Partial<PlannedCommand> = {}) => out.push({ eventIndex: i, eventID, command, ...extra });

    const gln = (f: string, uri: string | undefined, own: boolean): string | undefined => {
      if (uri === undefined) return void invalid(f, 'is required for this event');
      const c = locationToGln(uri);
      if (!c.ok) return void invalid(f, c.reason);
      plan.locations.push({ gln: c.value, own, field: at(f) });
      return c.value;
    };
    const lots = (f: string, list: QuantityElement[] | undefined, epcs: string[] | undefined, epcField: string): MappedLot[] => {
      if (epcs && epcs.length > 0) unsupported(epcField, 'instance-level EPCs are not supported; give lot quantities in a quantity list');
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

    if (ev.errorDeclaration !== undefined) unsupported('errorDeclaration', 'error declarations are not captured here; use POST /error-declarations');
    const bizStep = ev.bizStep === undefined ? undefined : cbvShortName(ev.bizStep, 'bizstep');
    if (ev.type === 'ObjectEvent') {
      if (bizStep === undefined) unsupported('bizStep', 'is required: ObjectEvents are mapped by bizStep (commissioning, shipping, receiving)');
      else if (bizStep === 'commissioning') {
        if (ev.action !== 'ADD') invalid('action', 'must be ADD for commissioning');
        const where = gln('bizLocation.id', ev.bizLocation?.id, true);
        const made = lots('quantityList', ev.quantityList, ev.epcList, 'epcList');
        const origin = typeof ev.ilmd?.['cbvmda:countryOfOrigin'] === 'string' ? { country: ev.ilmd['cbvmda:countryOfOrigin'] as string } : undefined;
        const dates = ilmdDates();
        made.forEach((l, k) => {
          push({ fn: 'CommissionLot', body: { eventId: ledgerEventId(eventID, k === 0 ? undefined : `lot-${k + 1}`), gln: where, gtin: l.gtin, lotCode: l.lotCode, quantity: l.quantity, ...dates, ...(origin ? { origin } : {}) } });
        });
      } else if (bizStep === 'shipping' || bizStep === 'receiving') {
        if (ev.action !== 'OBSERVE') invalid('action', `must be OBSERVE for ${bizStep}`);
        const ref = bizTx(['desadv', 'po']);
        if (!ref && errors.length === before) invalid('bizTransactionList', 'needs a desadv (or po) business transaction: it names the shipment');
        const po = bizTx(['po']);
        if (bizStep === 'shipping') {
          const src = typed(ev.sourceList, 'sourceList');
          const dst = typed(ev.destinationList, 'destinationList');
          const from = src ? gln(src.field, src.id, true) : gln('bizLocation.id', ev.bizLocation?.id, true);
          const to = dst ? gln(dst.field, dst.id, false) : void invalid('destinationList', 'needs an entry of type location (the receiving site)');
          const shipped = lots('quantityList', ev.quantityList, ev.epcList, 'epcList');
          if (from && to && from === to) invalid(dst!.field, 'must differ from the source location');
          if (po) plan.purchaseOrders.push({ poId: po.id, field: at('bizTransactionList') });
          if (ref && from && to) {
            const endorsement = { kind: 'parties' as const, fromGln: from, toGln: to };
            const desadv = ref.type === 'desadv' ? { desadv: ref.id } : {};
            push({ fn: 'CreateShipment', body: { eventId: ledgerEventId(eventID), shipmentId: ref.id, fromGln: from, toGln: to, lines: lines(shipped), ...desadv, ...(po ? { poId: po.id } : {}) }, endorsement });
            push({ fn: 'DispatchShipment', body: { eventId: ledgerEventId(eventID, 'dispatch'), shipmentId: ref.id }, endorsement });
            plan.shipments.set(ref.id, { fromGln: from, toGln: to, lines: shipped });
          }
        } else {
          const received = ev.quantityList ? lots('quantityList', ev.quantityList, ev.epcList, 'epcList') : undefined;
          if (ev.bizLocation) gln('bizLocation.id', ev.bizLocation.id, true);
          if (ref) {
            const inDoc = plan.shipments.get(ref.id);
            // A shipment of this document is not on the ledger yet when the plan is made; its parties are known here.
            const endorsement = inDoc ? { kind: 'parties' as const, fromGln: inDoc.fromGln, toGln: inDoc.toGln } : { kind: 'shipment' as const, shipmentId: ref.id };
            const receipt = received ? { receipt: { shipmentId: ref.id, lots: received, field: at('quantityList') } } : {};
            push({ fn: 'ReceiveShipment', body: { eventId: ledgerEventId(eventID), shipmentId: ref.id }, endorsement }, receipt);
          }
        }
      } else unsupported('bizStep', `${bizStep} is not supported for ObjectEvent (supported: commissioning, shipping, receiving)`);
    } else if (ev.type === 'TransformationEvent') {
      const where = gln('bizLocation.id', ev.bizLocation?.id, true);
      const inputs = lots('inputQuantityList', ev.inputQuantityList, ev.inputEPCList, 'inputEPCList');
      const outputs = lots('outputQuantityList', ev.outputQuantityList, ev.outputEPCList, 'outputEPCList');
      const order = bizTx(['prodorder']);
      const dates = ilmdDates();
      push({ fn: 'TransformLots', body: { eventId: ledgerEventId(eventID), gln: where, ...(order ? { workOrder: order.id } : {}), inputs: lines(inputs), outputs: lines(outputs).map((o) => ({ ...o, ...dates })) } });
    } else {
      unsupported('type', `${ev.type} is not supported (supported: ObjectEvent, TransformationEvent)`);
    }
    if (errors.length === before) plan.commands.push(...out);
  });
  if (errors.length > 0) throw mappingError(errors);
  return plan;
}
