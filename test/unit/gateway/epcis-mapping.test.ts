import { expect } from 'chai';
import { assignedEventId, ledgerEventId } from '../../../gateway/src/adapters/epcis/event-ids';
import { bizTransactionToId, epcClassToLot, locationToGln, quantityToDecimal } from '../../../gateway/src/adapters/epcis/identifiers';
import { mapDocument } from '../../../gateway/src/adapters/epcis/mapping';
import { ServiceError } from '../../../ledger/src';
import { GLN_A, GLN_B, GTIN } from './samples';

const SGLN_A = 'urn:epc:id:sgln:4000001.00000.0';
const SGLN_B = 'urn:epc:id:sgln:4000001.00001.0';
const LGTIN = (lot: string) => `urn:epc:class:lgtin:4000001.000001.${lot}`;
const DL = (lot: string) => `https://id.gs1.org/01/${GTIN}/10/${lot}`;
const base = { eventTime: '2024-05-01T10:00:00Z', eventTimeZoneOffset: '+02:00' };
const doc = (...eventList: object[]) => ({ '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2024-05-01T10:00:00Z', epcisBody: { eventList } });
const commission = { ...base, type: 'ObjectEvent', eventID: 'urn:uuid:1', action: 'ADD', bizStep: 'commissioning', bizLocation: { id: SGLN_A }, quantityList: [{ epcClass: LGTIN('GB-1'), quantity: 500, uom: 'KGM' }], ilmd: { 'cbvmda:bestBeforeDate': '2026-01-01', 'cbvmda:countryOfOrigin': 'CO' } };
const shipping = {
  ...base, type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'urn:epcglobal:cbv:bizstep:shipping', disposition: 'in_transit', bizLocation: { id: SGLN_A },
  bizTransactionList: [{ type: 'desadv', bizTransaction: `urn:epcglobal:cbv:bt:${GLN_A}:DES-1` }],
  sourceList: [{ type: 'location', source: SGLN_A }], destinationList: [{ type: 'location', destination: SGLN_B }],
  quantityList: [{ epcClass: DL('GB-1'), quantity: 120.5, uom: 'KGM' }],
};
const receiving = { ...base, type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'receiving', bizLocation: { id: SGLN_B }, bizTransactionList: [{ type: 'urn:epcglobal:cbv:btt:desadv', bizTransaction: 'DES-1' }], quantityList: [{ epcClass: DL('GB-1'), quantity: 120 }] };
const transform = {
  ...base, type: 'TransformationEvent', bizStep: 'commissioning', bizLocation: { id: SGLN_B }, bizTransactionList: [{ type: 'prodorder', bizTransaction: 'WO-7' }],
  inputQuantityList: [{ epcClass: LGTIN('GB-1'), quantity: 100 }], outputQuantityList: [{ epcClass: LGTIN('RB-1'), quantity: 84.25 }],
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
    expect(c.command).to.deep.equal({ fn: 'CommissionLot', body: { eventId: 'urn:uuid:1', gln: GLN_A, gtin: GTIN, lotCode: 'GB-1', quantity: '500', bestBeforeDate: '2026-01-01', origin: { country: 'CO' } } });
  });
  it('ObjectEvent OBSERVE shipping → CreateShipment + DispatchShipment, endorsed by both parties', () => {
    const plan = mapDocument(doc(shipping));
    const [create, dispatch] = plan.commands;
    const id = assignedEventId(shipping);
    expect(create.command).to.deep.equal({
      fn: 'CreateShipment', body: { eventId: id, shipmentId: 'DES-1', fromGln: GLN_A, toGln: GLN_B, desadv: 'DES-1', lines: [{ gtin: GTIN, lotCode: 'GB-1', quantity: '120.5' }] },
      endorsement: { kind: 'parties', fromGln: GLN_A, toGln: GLN_B },
    });
    expect(dispatch.command.fn).to.equal('DispatchShipment');
    expect(dispatch.command.body).to.deep.equal({ eventId: `${id}/dispatch`, shipmentId: 'DES-1' });
    expect(plan.locations).to.deep.include({ gln: GLN_B, own: false, field: 'epcisBody.eventList[0].destinationList[0].destination' });
  });
  it('ObjectEvent receiving → ReceiveShipment of the desadv shipment; TransformationEvent → TransformLots', () => {
    const plan = mapDocument(doc(commission, shipping, receiving, transform));
    expect(plan.commands.map((c) => c.command.fn)).to.deep.equal(['CommissionLot', 'CreateShipment', 'DispatchShipment', 'ReceiveShipment', 'TransformLots']);
    const recv = plan.commands[3];
    expect(recv.command.body.shipmentId).to.equal('DES-1');
    expect(recv.receipt!.lots).to.have.length(1);
    expect(recv.command.endorsement).to.deep.equal({ kind: 'parties', fromGln: GLN_A, toGln: GLN_B });
    expect(plan.commands[4].command.body).to.deep.include({ gln: GLN_B, workOrder: 'WO-7', inputs: [{ gtin: GTIN, lotCode: 'GB-1', quantity: '100' }], outputs: [{ gtin: GTIN, lotCode: 'RB-1', quantity: '84.25' }] });
    expect(plan.commands.map((c) => c.eventIndex)).to.deep.equal([0, 1, 1, 2, 3]);
  });
  it('the same document maps to the same eventIds every time', () => {
    const ids = (d: object) => mapDocument(d as never).commands.map((c) => c.command.body.eventId);
    expect(ids(JSON.parse(JSON.stringify(doc(commission, shipping, transform))))).to.deep.equal(ids(doc(commission, shipping, transform)));
  });
  it('unsupported event types and bizSteps are a 422 naming event index and field', () => {
    const r = errorsOf(() => mapDocument(doc(commission, { ...base, type: 'AggregationEvent', action: 'ADD' }, { ...shipping, bizStep: 'storing' })));
    expect(r.status).to.equal(422);
    expect(r.code).to.equal('UNSUPPORTED_EVENT');
    expect(r.errors.map((e) => e.field)).to.deep.equal(['epcisBody.eventList[1].type', 'epcisBody.eventList[2].bizStep']);
  });
  it('names bad identifiers, missing references and instance-level EPCs', () => {
    const r = errorsOf(() =>
      mapDocument(doc(
        { ...commission, action: 'OBSERVE', bizLocation: { id: 'urn:epc:id:sgln:4000001.0000.0' } },
        { ...shipping, bizTransactionList: [], destinationList: [] },
        { ...transform, inputQuantityList: [{ epcClass: `https://id.gs1.org/01/${GTIN.slice(0, 13)}9/10/X`, quantity: 1 }], outputEPCList: ['urn:epc:id:sgtin:4000001.000001.1'] },
      )),
    );
    expect(r.errors.map((e) => e.field)).to.have.members([
      'epcisBody.eventList[0].action',
      'epcisBody.eventList[0].bizLocation.id',
      'epcisBody.eventList[1].bizTransactionList',
      'epcisBody.eventList[1].destinationList',
      'epcisBody.eventList[2].inputQuantityList[0].epcClass',
      'epcisBody.eventList[2].outputEPCList',
    ]);
    expect(errorsOf(() => mapDocument(doc(commission, { ...transform, eventID: 'urn:uuid:1' }))).errors[0].field).to.equal('epcisBody.eventList[1].eventID');
  });
});
