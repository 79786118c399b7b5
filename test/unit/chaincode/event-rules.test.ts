import './quiet-logs';
import { expect } from 'chai';
import { GLN, GTIN, Harness, RETAILER, SUPPLIER, commission, eid, expectTraceError, gs1, seedMasterData } from './harness';

const sgln = (gln: string) => `urn:epc:id:sgln:${gln.slice(0, 7)}.${gln.slice(7, 12)}.0`;
const lotClass = (gtin: string, lot: string) => `https://id.gs1.org/01/${gtin}/10/${lot}`;
/** An SSCC URN within company prefix `prefix` (7 digits), extension digit 0. */
const ssccUrn = (prefix: string, serial: string) => `urn:epc:id:sscc:${prefix}.0${serial.padStart(9, '0')}`;

function aggregation(action: 'ADD' | 'DELETE', parentID: string, children: Array<{ gtin: string; lot: string }>, extra: Record<string, unknown> = {}) {
  return {
    type: 'AggregationEvent',
    eventTime: '2026-03-01T10:00:00Z',
    eventTimeZoneOffset: '+00:00',
    action,
    parentID,
    childQuantityList: children.map((c) => ({ epcClass: lotClass(c.gtin, c.lot), quantity: 1, uom: 'KGM' })),
    ...extra,
  };
}

describe('traceability contract: events without stock effect name only what the caller owns or holds', () => {
  let h: Harness;
  const record = (msp: string, ...epcisEvents: object[]) => h.submit(msp, 'RecordEvents', { eventId: eid('rec'), epcisEvents });

  beforeEach(async () => {
    h = new Harness();
    await seedMasterData(h);
    await commission(h, SUPPLIER, GLN.roastery, GTIN.roasted, 'RB-1', '100');
    await commission(h, RETAILER, GLN.dc, GTIN.milk, 'M-1', '50');
  });

  it('refuses a supplier unpacking (DELETE) a pallet the retailer packed; the retailer unpacks it', async () => {
    const pallet = ssccUrn('4000001', '1');
    await record(RETAILER, aggregation('ADD', pallet, [{ gtin: GTIN.milk, lot: 'M-1' }], { bizLocation: { id: sgln(GLN.dc) } }));
    const refused = await expectTraceError(() => record(SUPPLIER, aggregation('DELETE', pallet, [])), 'FORBIDDEN', 'epcisEvents[0].parentID');
    expect(refused.message).to.contain('packed by RetailerMSP').and.contain('GS1 company prefixes');
    const out = await record(RETAILER, aggregation('DELETE', pallet, []));
    expect(out.result.aggregations).to.deep.equal([pallet]);
  });

  it('refuses packing a new SSCC outside the caller prefixes, even with its own goods', async () => {
    await expectTraceError(
      () => record(SUPPLIER, aggregation('ADD', ssccUrn('4000001', '2'), [{ gtin: GTIN.roasted, lot: 'RB-1' }])),
      'FORBIDDEN',
      'epcisEvents[0].parentID',
    );
    await record(SUPPLIER, aggregation('ADD', ssccUrn('7612345', '2'), [{ gtin: GTIN.roasted, lot: 'RB-1' }]));
  });

  it('accepts an aggregation whose parent is a trade item (SGTIN) of the caller prefixes, and refuses it to another member', async () => {
    const parent = 'urn:epc:id:sgtin:7612345.011111.77';
    const observe = (msp: string) => record(msp, { ...aggregation('ADD', parent, []), action: 'OBSERVE', childEPCs: ['urn:epc:id:sgtin:9520001.012346.1'] });
    await expectTraceError(() => observe(RETAILER), 'FORBIDDEN', 'epcisEvents[0].parentID');
    await observe(SUPPLIER);
  });

  it('lets the member holding a handed-over pallet contents unpack it', async () => {
    const pallet = ssccUrn('7612345', '3');
    await record(SUPPLIER, aggregation('ADD', pallet, [{ gtin: GTIN.roasted, lot: 'RB-1' }]));
    const ship = {
      eventId: eid(),
      shipmentId: 'S-AGG',
      fromGln: GLN.roastery,
      toGln: GLN.dc,
      lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '100' }],
    };
    // While the packer still holds the lot, the retailer may not touch the pallet.
    await commission(h, RETAILER, GLN.dc, GTIN.milk, 'M-2', '1');
    await expectTraceError(() => record(RETAILER, aggregation('DELETE', pallet, [])), 'FORBIDDEN', 'epcisEvents[0].parentID');
    await h.submit(SUPPLIER, 'CreateShipment', ship);
    await h.submit(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'S-AGG' });
    await h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-AGG' });
    await record(RETAILER, aggregation('DELETE', pallet, []));
  });

  it('accepts observations only at the caller own locations, or about objects it owns or holds', async () => {
    const observe = (extra: Record<string, unknown>) => ({
      type: 'ObjectEvent',
      eventTime: '2026-03-01T10:00:00Z',
      eventTimeZoneOffset: '+00:00',
      action: 'OBSERVE',
      ...extra,
    });
    const foreign = await expectTraceError(
      () => record(SUPPLIER, observe({ readPoint: { id: sgln(GLN.dc) }, epcList: [] })),
      'FORBIDDEN',
      'epcisEvents[0].readPoint.id',
    );
    expect(foreign.message).to.contain(`location ${GLN.dc}`);
    await expectTraceError(
      () => record(SUPPLIER, observe({ bizLocation: { id: `https://id.gs1.org/414/${gs1('400000100077')}` } })),
      'FORBIDDEN',
      'epcisEvents[0].bizLocation.id',
    );
    await record(SUPPLIER, observe({ readPoint: { id: sgln(GLN.roastery) }, epcList: ['urn:epc:id:sgtin:4000001.011000.1'] }));
    // An unregistered GLN within the caller prefixes is its own.
    await record(SUPPLIER, observe({ readPoint: { id: sgln(gs1('761234599999')) } }));
    await expectTraceError(() => record(SUPPLIER, observe({ epcList: ['urn:epc:id:sgtin:4000001.011000.1'] })), 'FORBIDDEN', 'epcisEvents[0]');
    await record(SUPPLIER, observe({ epcList: ['urn:epc:id:sgtin:7612345.010002.1'], readPoint: { id: 'geo:53.5,10.0' } }));
    await record(RETAILER, observe({ quantityList: [{ epcClass: lotClass(GTIN.milk, 'M-1'), quantity: 1 }] }));
    await expectTraceError(() => record(SUPPLIER, observe({ quantityList: [{ epcClass: lotClass(GTIN.milk, 'M-1'), quantity: 1 }] })), 'FORBIDDEN');
  });

  it('scopes event ids per organisation: another member using the same id neither blocks nor replays it', async () => {
    const id = 'pay:PO-1:1:0xabc:0';
    const lot = (msp: string, gln: string, gtin: string, quantity = '1') =>
      h.submit(msp, 'CommissionLot', { eventId: id, gln, gtin, lotCode: 'P-1', quantity });
    const squat = await lot(RETAILER, GLN.dc, GTIN.milk);
    const own = await lot(SUPPLIER, GLN.roastery, GTIN.roasted);
    expect(own.result.lot.commissionedBy).to.equal(SUPPLIER);
    expect(own.events[0].events[0].eventID).to.equal(`urn:coffee-trace:event:${SUPPLIER}:${id}:0`);
    expect(squat.events[0].events[0].eventID).to.not.equal(own.events[0].events[0].eventID);
    const again = await lot(SUPPLIER, GLN.roastery, GTIN.roasted);
    expect(again.raw).to.equal(own.raw);
    expect(h.onHand(GLN.roastery, GTIN.roasted, 'P-1')).to.equal(1000n);
    await expectTraceError(() => lot(SUPPLIER, GLN.roastery, GTIN.roasted, '2'), 'CONFLICT', 'eventId');
    expect((await h.query(SUPPLIER, 'GetEvent', 'pay:PO-1:1:0xabc:0')).event.mspId).to.equal(SUPPLIER);
    expect((await h.query(SUPPLIER, 'GetMemberEvent', RETAILER, 'pay:PO-1:1:0xabc:0')).event.mspId).to.equal(RETAILER);
  });

  it('still answers and replays an event recorded before ids were scoped, for its own organisation only', async () => {
    const out = await h.submit(SUPPLIER, 'RegisterProduct', { eventId: 'OLD-1', gtin: gs1('761234510555'), description: 'x', unit: 'KGM' });
    // Move the record to the unscoped key, as an older chaincode wrote it.
    const scoped = `\u0000event\u0000OLD-1\u0000${SUPPLIER}\u0000`;
    h.world.state.set('\u0000event\u0000OLD-1\u0000', h.world.state.get(scoped)!);
    h.world.state.delete(scoped);
    expect((await h.query(SUPPLIER, 'GetEvent', 'OLD-1')).event.txId).to.equal(out.result.txId);
    await expectTraceError(() => h.query(RETAILER, 'GetEvent', 'OLD-1'), 'NOT_FOUND', 'eventId');
    const again = await h.submit(SUPPLIER, 'RegisterProduct', { eventId: 'OLD-1', gtin: gs1('761234510555'), description: 'x', unit: 'KGM' });
    expect(again.raw).to.equal(out.raw);
  });
});
