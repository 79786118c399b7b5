import { expect } from 'chai';
import { assignedEventId, ledgerEventId } from '../../../gateway/src/adapters/epcis/event-ids';
import { eventHashId } from '../../../lib/epcis/src/event-hash';
import { bizTransactionToId, epcClassToLot, locationToGln, quantityToDecimal } from '../../../lib/domain/src/epcis/identifiers';
import { mapDocument } from '../../../gateway/src/adapters/epcis/mapping';
import { type ServiceError } from '../../../lib/platform/src';
import { GLN_A, GLN_B, GTIN } from './samples';

const SGLN_A = 'urn:epc:id:sgln:4000001.00000.0';
const SGLN_B = 'urn:epc:id:sgln:4000001.00001.0';
const LGTIN = (lot: string) => `urn:epc:class:lgtin:4000001.000001.${lot}`;
const DL = (lot: string) => `https://id.gs1.org/01/${GTIN}/10/${lot}`;
const base = { eventTime: '2024-05-01T10:00:00Z', eventTimeZoneOffset: '+02:00' };
const doc = (...eventList: object[]) => ({
  '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2024-05-01T10:00:00Z',
  epcisBody: { eventList },
});
const commission = {
  ...base,
  type: 'ObjectEvent',
  eventID: 'urn:uuid:1',
  action: 'ADD',
  bizStep: 'commissioning',
  bizLocation: { id: SGLN_A },
  quantityList: [{ epcClass: LGTIN('GB-1'), quantity: 500, uom: 'KGM' }],
  ilmd: { 'cbvmda:bestBeforeDate': '2026-01-01', 'cbvmda:countryOfOrigin': 'CO' },
};
const shipping = {
  ...base,
  type: 'ObjectEvent',
  action: 'OBSERVE',
  bizStep: 'urn:epcglobal:cbv:bizstep:shipping',
  disposition: 'in_transit',
  bizLocation: { id: SGLN_A },
  bizTransactionList: [{ type: 'desadv', bizTransaction: `urn:epcglobal:cbv:bt:${GLN_A}:DES-1` }],
  sourceList: [{ type: 'location', source: SGLN_A }],
  destinationList: [{ type: 'location', destination: SGLN_B }],
  quantityList: [{ epcClass: DL('GB-1'), quantity: 120.5, uom: 'KGM' }],
};
const receiving = {
  ...base,
  type: 'ObjectEvent',
  action: 'OBSERVE',
  bizStep: 'receiving',
  bizLocation: { id: SGLN_B },
  bizTransactionList: [{ type: 'urn:epcglobal:cbv:btt:desadv', bizTransaction: 'DES-1' }],
  quantityList: [{ epcClass: DL('GB-1'), quantity: 120 }],
};
const transform = {
  ...base,
  type: 'TransformationEvent',
  bizStep: 'commissioning',
  bizLocation: { id: SGLN_B },
  bizTransactionList: [{ type: 'prodorder', bizTransaction: 'WO-7' }],
  inputQuantityList: [{ epcClass: LGTIN('GB-1'), quantity: 100 }],
  outputQuantityList: [{ epcClass: LGTIN('RB-1'), quantity: 84.25 }],
};

/** A command's body without the captured events it carries. */
const bodyOf = (c: { body: Record<string, unknown> }) => {
  const { epcisEvents: _captured, epcisHashes: _hashes, ...rest } = c.body;
  return rest;
};

function errorsOf(fn: () => unknown): { status: number; code: string; errors: Array<{ field: string; message: string }> } {
  try {
    fn();
  } catch (err) {
    const e = err as ServiceError;
    return { status: e.httpStatus, code: e.code, errors: e.details!.errors as Array<{ field: string; message: string }> };
  }
  throw new Error('expected an error');
}

describe('EPCIS identifiers', () => {
  it('SGLN → GLN with the company prefix length taken from the URI', () => {
    expect(locationToGln(SGLN_A)).to.deep.equal({ ok: true, value: GLN_A });
    // A 9-digit prefix and 3-digit location reference give the same 12 digits.
    expect(locationToGln('urn:epc:id:sgln:400000100.000.0')).to.deep.equal({ ok: true, value: GLN_A });
    expect(locationToGln(`https://id.gs1.org/414/${GLN_B}`)).to.deep.equal({ ok: true, value: GLN_B });
    expect(locationToGln('urn:epc:id:sgln:4000001.0000.0').ok).to.equal(false);
  });
  it('LGTIN and Digital Link → GTIN-14 + lot', () => {
    expect(epcClassToLot(LGTIN('GB%2F1'))).to.deep.equal({ ok: true, value: { gtin: GTIN, lotCode: 'GB/1' } });
    expect(epcClassToLot(DL('GB-1'))).to.deep.equal({ ok: true, value: { gtin: GTIN, lotCode: 'GB-1' } });
    expect(epcClassToLot(`https://id.gs1.org/01/${GTIN.slice(0, 13)}9/10/X`).ok).to.equal(false);
  });
  it('business transactions, quantities', () => {
    expect(bizTransactionToId(`urn:epcglobal:cbv:bt:${GLN_A}:DES-1`)).to.deep.equal({ ok: true, value: 'DES-1' });
    expect(bizTransactionToId('PO 1').ok).to.equal(false);
    expect(quantityToDecimal(120.5)).to.deep.equal({ ok: true, value: '120.5' });
    expect(quantityToDecimal(0.0001).ok).to.equal(false);
  });
  it('a missing eventID is derived from the canonical JSON: key order does not matter, content does', () => {
    const a = assignedEventId({ type: 'ObjectEvent', action: 'ADD', eventTime: 't' });
    expect(a).to.match(/^epcis-[0-9a-f]{64}$/);
    expect(assignedEventId({ eventTime: 't', action: 'ADD', type: 'ObjectEvent' })).to.equal(a);
    expect(assignedEventId({ type: 'ObjectEvent', action: 'ADD', eventTime: 'u' })).to.not.equal(a);
    expect(ledgerEventId('urn:uuid:1', 'dispatch')).to.equal('urn:uuid:1/dispatch');
    expect(ledgerEventId('ni:///sha-256;abc?ver=CBV2.0')).to.match(/^epcis-[0-9a-f]{64}$/);
  });
});

describe('EPCIS event mapping', () => {
  it('ObjectEvent ADD commissioning → CommissionLot with GLN, GTIN, lot, quantity and ILMD', () => {
    const [c] = mapDocument(doc(commission)).commands;
    expect(c.command.fn).to.equal('CommissionLot');
    expect(bodyOf(c.command)).to.deep.equal({
      eventId: 'urn:uuid:1',
      gln: GLN_A,
      gtin: GTIN,
      lotCode: 'GB-1',
      quantity: '500',
      bestBeforeDate: '2026-01-01',
      origin: { country: 'CO' },
    });
    // The event rides along exactly as written.
    expect(c.command.body.epcisEvents).to.deep.equal([commission]);
  });
  it('ObjectEvent OBSERVE shipping → CreateShipment + DispatchShipment, endorsed by both parties', () => {
    const plan = mapDocument(doc(shipping));
    const [create, dispatch] = plan.commands;
    // No eventID: the repository assigns the event hash ID, and the ledger id follows from it.
    const hash = eventHashId(shipping);
    const id = ledgerEventId(hash);
    expect(create.eventID).to.equal(hash);
    expect(create.command.fn).to.equal('CreateShipment');
    expect(bodyOf(create.command)).to.deep.equal({
      eventId: id,
      shipmentId: 'DES-1',
      fromGln: GLN_A,
      toGln: GLN_B,
      desadv: 'DES-1',
      lines: [{ gtin: GTIN, lotCode: 'GB-1', quantity: '120.5' }],
    });
    expect(create.command.endorsement).to.deep.equal({ kind: 'parties', fromGln: GLN_A, toGln: GLN_B });
    expect(create.command.body.epcisEvents).to.deep.equal([{ ...shipping, eventID: hash }]);
    expect(dispatch.command.fn).to.equal('DispatchShipment');
    expect(dispatch.command.body).to.deep.equal({ eventId: ledgerEventId(hash, 'dispatch'), shipmentId: 'DES-1', epcisEvents: [] });
    expect(plan.locations).to.deep.include({ gln: GLN_B, own: false, field: 'epcisBody.eventList[0].destinationList[0].destination' });
  });
  it('ObjectEvent receiving → ReceiveShipment of the desadv shipment; TransformationEvent → TransformLots', () => {
    const plan = mapDocument(doc(commission, shipping, receiving, transform));
    expect(plan.commands.map((c) => c.command.fn)).to.deep.equal(['CommissionLot', 'CreateShipment', 'DispatchShipment', 'ReceiveShipment', 'TransformLots']);
    const recv = plan.commands[3];
    expect(recv.command.body.shipmentId).to.equal('DES-1');
    expect(recv.receipt!.lots).to.have.length(1);
    expect(recv.command.endorsement).to.deep.equal({ kind: 'parties', fromGln: GLN_A, toGln: GLN_B });
    expect(plan.commands[4].command.body).to.deep.include({
      gln: GLN_B,
      workOrder: 'WO-7',
      inputs: [{ gtin: GTIN, lotCode: 'GB-1', quantity: '100' }],
      outputs: [{ gtin: GTIN, lotCode: 'RB-1', quantity: '84.25' }],
    });
    expect(plan.commands.map((c) => c.eventIndex)).to.deep.equal([0, 1, 1, 2, 3]);
  });
  it('the same document maps to the same eventIds every time', () => {
    const ids = (d: object) => mapDocument(d as never).commands.map((c) => c.command.body.eventId);
    expect(ids(JSON.parse(JSON.stringify(doc(commission, shipping, transform))))).to.deep.equal(ids(doc(commission, shipping, transform)));
  });
  it('events without a stock mapping are recorded as captured (RecordEvents): other types, bizSteps, instance-level EPCs, patterns', () => {
    const aggregation = {
      ...base,
      type: 'AggregationEvent',
      action: 'ADD',
      parentID: 'urn:epc:id:sscc:4000001.0000000001',
      childQuantityList: [{ epcClass: LGTIN('GB-1'), quantity: 10 }],
      bizStep: 'packing',
    };
    const storing = { ...shipping, bizStep: 'storing' };
    const instances = { ...commission, eventID: 'urn:uuid:2', quantityList: undefined, epcList: ['urn:epc:id:sgtin:4000001.000001.7'] };
    const pattern = {
      ...base,
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'inspecting',
      quantityList: [{ epcClass: 'urn:epc:idpat:sgtin:4000001.000001.*', quantity: 3 }],
    };
    const plan = mapDocument(doc(aggregation, storing, instances, pattern, { ...shipping, bizTransactionList: [] }));
    expect(plan.commands.map((c) => c.command.fn)).to.deep.equal(['RecordEvents', 'RecordEvents', 'RecordEvents', 'RecordEvents', 'RecordEvents']);
    expect(plan.commands[0].command.body.epcisEvents).to.deep.equal([{ ...aggregation, eventID: eventHashId(aggregation) }]);
    expect(plan.commands[2].command.body).to.deep.include({ eventId: 'urn:uuid:2' });
    expect(plan.locations).to.deep.equal([]);
  });
  it('an error declaration with a CBV reason maps to DeclareError of the declared event', () => {
    const declaration = {
      ...commission,
      errorDeclaration: { declarationTime: '2024-05-02T00:00:00Z', reason: 'incorrect_data', correctiveEventIDs: ['urn:uuid:9'] },
    };
    const plan = mapDocument(doc(declaration));
    expect(plan.commands[0].command.fn).to.equal('DeclareError');
    expect(bodyOf(plan.commands[0].command)).to.deep.equal({
      eventId: 'urn:uuid:1/error-declaration',
      targetEventId: 'urn:uuid:1',
      reason: 'incorrect_data',
      correctiveEventIds: ['urn:uuid:9'],
    });
    expect(plan.events.map((e) => e.eventId)).to.deep.equal(['urn:uuid:9']);
    // Without eventID the declared event is found by its hash, which leaves errorDeclaration out.
    const { eventID: _id, ...anonymous } = commission;
    const byHash = mapDocument(doc({ ...anonymous, errorDeclaration: { declarationTime: '2024-05-02T00:00:00Z', reason: 'did_not_occur' } }));
    expect(byHash.commands[0].command.body.targetEventId).to.equal(ledgerEventId(eventHashId(anonymous)));
    // A reason of the capturer's own vocabulary is valid EPCIS; the ledger's DeclareError does not take it, so it is recorded as captured.
    const own = mapDocument(doc({ ...declaration, errorDeclaration: { declarationTime: '2024-05-02T00:00:00Z', reason: 'urn:example:er:typo' } }));
    expect(own.commands.map((c) => c.command.fn)).to.deep.equal(['RecordEvents']);
  });
  it('records a stock-moving event the ledger cannot book as a plain event, saying why; a repeated event is still a 422', () => {
    const plan = mapDocument(
      doc(
        { ...commission, bizLocation: { id: 'urn:epc:id:sgln:4000001.0000.0' } },
        { ...shipping, destinationList: [] },
        { ...commission, eventID: 'urn:uuid:3', bizLocation: undefined },
      ),
    );
    expect(plan.commands.map((c) => [c.eventIndex, c.command.fn])).to.deep.equal([
      [0, 'RecordEvents'],
      [1, 'RecordEvents'],
      [2, 'RecordEvents'],
    ]);
    expect(plan.commands.map((c) => c.note)).to.satisfy((n: string[]) => n.every((x) => /^recorded without a stock movement: /.test(x)));
    expect(plan.commands[2].note).to.contain('bizLocation.id: is required');
    expect(plan.commands[1].note).to.contain('destinationList');
    // Nothing of the unbooked movements is left for the preflight to check.
    expect(plan.locations).to.deep.equal([]);
    expect(plan.products).to.deep.equal([]);
    expect(plan.shipments.size).to.equal(0);
    expect(errorsOf(() => mapDocument(doc(commission, { ...transform, eventID: 'urn:uuid:1' }))).errors[0].field).to.equal('epcisBody.eventList[1].eventID');
  });
  it('one event twice in a document (any spelling) is captured once; one eventID for two different events is a 422 naming both', () => {
    const respelt = { ...shipping, eventTime: shipping.eventTime.replace(/Z$/, '.000000+00:00'), bizStep: 'urn:epcglobal:cbv:bizstep:shipping' };
    const twice = mapDocument(doc(shipping, respelt));
    expect(twice.alreadyCaptured).to.deep.equal([1]);
    expect(twice.commands.every((c) => c.eventIndex === 0)).to.equal(true);
    const r = errorsOf(() => mapDocument(doc(commission, { ...transform, eventID: 'urn:uuid:1' })));
    expect(r.status).to.equal(422);
    expect(r.errors[0].field).to.equal('epcisBody.eventList[1].eventID');
    expect(r.errors[0].message).to.match(/repeats the eventID of event 0, a different event \(event hash ni:.*this one ni:/);
  });
});
