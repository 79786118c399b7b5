/**
 * Which ledger commands an event becomes, by its type, step and action (the
 * table at the top of mapping.ts). A stock-moving branch reports what it cannot
 * map; the document mapper then records the event without a stock effect.
 */
import { cbvShortName, epcClassToLot, TX } from '../../../../lib/domain/src';
import { ledgerEventId } from './event-ids';
import { fieldReaders } from './mapping-fields';
import type { EventMapping, QuantityElement } from './mapping-types';

/** CBV 2.0 error reasons the chaincode's DeclareError records. */
const ERROR_REASONS = ['did_not_occur', 'incorrect_data'];

/** Whether every quantity element names a lot-level class (LGTIN or Digital Link with AI 10). */
const allLots = (list: QuantityElement[] | undefined) =>
  !!list && list.length > 0 && list.every((q) => typeof q.quantity === 'number' && q.quantity > 0 && epcClassToLot(q.epcClass).ok);
const noEpcs = (...lists: Array<string[] | undefined>) => lists.every((l) => !l || l.length === 0);

/** Plans the commands of one event. */
export function mapEventCommands(m: EventMapping): void {
  const { gln, lots, bizTx, typed, ilmdDates, lines } = fieldReaders(m);
  const bizStep = m.ev.bizStep === undefined ? undefined : cbvShortName(m.ev.bizStep, 'bizstep');
  const ref = () => (m.ev.bizTransactionList ?? []).some((b) => b.type !== undefined && ['desadv', 'po'].includes(cbvShortName(b.type, 'btt')));
  const record = (suffix?: string, note?: string) => m.push({ fn: TX.RecordEvents, body: { eventId: ledgerEventId(m.eventID, suffix) } }, note ? { note } : {});

  const reason = m.ev.errorDeclaration?.reason === undefined ? undefined : cbvShortName(m.ev.errorDeclaration.reason, 'er');
  if (m.ev.errorDeclaration !== undefined && reason !== undefined && ERROR_REASONS.includes(reason)) {
    // The declared event is the one with this m.eventID, or, without one, the same hash: the hash leaves errorDeclaration out.
    // The preflight records the declaration as captured instead when the declared event is not on this ledger.
    const target = ledgerEventId(m.eventID);
    const corrective = (m.ev.errorDeclaration.correctiveEventIDs ?? []).map((id, k) => ({
      eventId: ledgerEventId(id),
      field: m.at(`errorDeclaration.correctiveEventIDs[${k}]`),
    }));
    m.plan.events.push(...corrective);
    m.push({
      fn: TX.DeclareError,
      body: { eventId: ledgerEventId(m.eventID, 'error-declaration'), targetEventId: target, reason, correctiveEventIds: corrective.map((c) => c.eventId) },
    });
  } else if (m.ev.errorDeclaration !== undefined) {
    // A reason outside CBV's (EPCIS allows any URI) or none: the ledger's DeclareError does not take it; the declaration is kept as captured,
    // under an id of its own (the declared event keeps its own).
    record('error-declaration');
  } else if (m.ev.type === 'ObjectEvent' && bizStep === 'commissioning' && m.ev.action === 'ADD' && allLots(m.ev.quantityList) && noEpcs(m.ev.epcList)) {
    const where = gln('bizLocation.id', m.ev.bizLocation?.id, true);
    const made = lots('quantityList', m.ev.quantityList, m.ev.epcList, 'epcList');
    const origin = typeof m.ev.ilmd?.['cbvmda:countryOfOrigin'] === 'string' ? { country: m.ev.ilmd['cbvmda:countryOfOrigin'] as string } : undefined;
    const dates = ilmdDates();
    made.forEach((l, k) => {
      m.push({
        fn: TX.CommissionLot,
        body: {
          eventId: ledgerEventId(m.eventID, k === 0 ? undefined : `lot-${k + 1}`),
          gln: where,
          gtin: l.gtin,
          lotCode: l.lotCode,
          quantity: l.quantity,
          ...dates,
          ...(origin ? { origin } : {}),
        },
      });
    });
  } else if (
    m.ev.type === 'ObjectEvent' &&
    bizStep === 'shipping' &&
    m.ev.action === 'OBSERVE' &&
    ref() &&
    allLots(m.ev.quantityList) &&
    noEpcs(m.ev.epcList)
  ) {
    const shipRef = bizTx(['desadv', 'po']);
    const po = bizTx(['po']);
    const src = typed(m.ev.sourceList, 'sourceList');
    const dst = typed(m.ev.destinationList, 'destinationList');
    const from = src ? gln(src.field, src.id, true) : gln('bizLocation.id', m.ev.bizLocation?.id, true);
    const to = dst ? gln(dst.field, dst.id, false) : void m.invalid('destinationList', 'needs an entry of type location (the receiving site) for a shipment');
    const shipped = lots('quantityList', m.ev.quantityList, m.ev.epcList, 'epcList');
    if (from && to && from === to) m.invalid(dst!.field, 'must differ from the source location');
    if (po) m.plan.purchaseOrders.push({ poId: po.id, field: m.at('bizTransactionList') });
    if (shipRef && from && to) {
      const endorsement = { kind: 'parties' as const, fromGln: from, toGln: to };
      const desadv = shipRef.type === 'desadv' ? { desadv: shipRef.id } : {};
      m.push({
        fn: TX.CreateShipment,
        body: {
          eventId: ledgerEventId(m.eventID),
          shipmentId: shipRef.id,
          fromGln: from,
          toGln: to,
          lines: lines(shipped),
          ...desadv,
          ...(po ? { poId: po.id } : {}),
        },
        endorsement,
      });
      m.push({ fn: TX.DispatchShipment, body: { eventId: ledgerEventId(m.eventID, 'dispatch'), shipmentId: shipRef.id }, endorsement });
      m.plan.shipments.set(shipRef.id, { fromGln: from, toGln: to, lines: shipped });
    }
  } else if (
    m.ev.type === 'ObjectEvent' &&
    bizStep === 'receiving' &&
    m.ev.action === 'OBSERVE' &&
    ref() &&
    (m.ev.quantityList === undefined || allLots(m.ev.quantityList)) &&
    noEpcs(m.ev.epcList)
  ) {
    const shipRef = bizTx(['desadv', 'po']);
    const received = m.ev.quantityList ? lots('quantityList', m.ev.quantityList, m.ev.epcList, 'epcList') : undefined;
    if (m.ev.bizLocation) gln('bizLocation.id', m.ev.bizLocation.id, true);
    if (shipRef) {
      const inDoc = m.plan.shipments.get(shipRef.id);
      // A shipment of this document is not on the ledger yet when the plan is made; its parties are known here.
      const endorsement = inDoc
        ? { kind: 'parties' as const, fromGln: inDoc.fromGln, toGln: inDoc.toGln }
        : { kind: 'shipment' as const, shipmentId: shipRef.id };
      const receipt = received ? { receipt: { shipmentId: shipRef.id, lots: received, field: m.at('quantityList') } } : {};
      m.push({ fn: TX.ReceiveShipment, body: { eventId: ledgerEventId(m.eventID), shipmentId: shipRef.id }, endorsement }, receipt);
    }
  } else if (
    m.ev.type === 'TransformationEvent' &&
    allLots(m.ev.inputQuantityList) &&
    allLots(m.ev.outputQuantityList) &&
    noEpcs(m.ev.inputEPCList, m.ev.outputEPCList)
  ) {
    const where = gln('bizLocation.id', m.ev.bizLocation?.id, true);
    const inputs = lots('inputQuantityList', m.ev.inputQuantityList, m.ev.inputEPCList, 'inputEPCList');
    const outputs = lots('outputQuantityList', m.ev.outputQuantityList, m.ev.outputEPCList, 'outputEPCList');
    const order = bizTx(['prodorder']);
    const dates = ilmdDates();
    m.push({
      fn: TX.TransformLots,
      body: {
        eventId: ledgerEventId(m.eventID),
        gln: where,
        ...(order ? { workOrder: order.id } : {}),
        inputs: lines(inputs),
        outputs: lines(outputs).map((o) => ({ ...o, ...dates })),
      },
    });
  } else {
    record();
  }
}
