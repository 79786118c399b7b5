import { expect } from 'chai';
import { KeyEndorsementPolicy } from 'fabric-shim';
import { GLN, GTIN, Harness, RETAILER, SUPPLIER, commission, eid, expectTraceError, seedMasterData } from './harness';

describe('traceability contract: shipments and custody', () => {
  let h: Harness;

  beforeEach(async () => {
    h = new Harness();
    await seedMasterData(h);
    await commission(h, SUPPLIER, GLN.roastery, GTIN.roasted, 'RB-1', '100');
    await commission(h, SUPPLIER, GLN.roastery, GTIN.roasted, 'RB-2', '100');
  });

  const create = (shipmentId: string, extra: Record<string, unknown> = {}) =>
    h.submit(SUPPLIER, 'CreateShipment', {
      eventId: eid(),
      shipmentId,
      fromGln: GLN.roastery,
      toGln: GLN.dc,
      lines: [
        { gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '10' },
        { gtin: GTIN.roasted, lotCode: 'RB-2', quantity: '20' },
      ],
      ...extra,
    });

  it('sets the key-level endorsement policy to both sending and receiving MSPs at creation', async () => {
    const out = await create('S-1');
    const key = '\u0000shipment\u0000S-1\u0000';
    const policy = new KeyEndorsementPolicy(out.stub.validationParameters.get(key));
    expect(policy.listOrgs().sort()).to.deep.equal([RETAILER, SUPPLIER]);
    expect(h.world.validationParameters.has(key)).to.equal(true);
  });

  it('moves through created → dispatched → received and refuses out-of-order steps with CONFLICT', async () => {
    await create('S-1');
    await expectTraceError(() => h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-1' }), 'CONFLICT', 'shipmentId');
    await h.submit(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'S-1' });
    await expectTraceError(() => h.submit(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'S-1' }), 'CONFLICT', 'shipmentId');
    await h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-1' });
    await expectTraceError(() => h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-1' }), 'CONFLICT', 'shipmentId');
    await expectTraceError(() => h.submit(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'S-404' }), 'NOT_FOUND', 'shipmentId');
    await expectTraceError(() => create('S-1'), 'DUPLICATE', 'shipmentId');
  });

  it('records short, over and damaged per line; unlisted lines arrive as shipped', async () => {
    await create('S-2');
    await h.submit(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'S-2' });
    const out = await h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-2', lines: [{ lineNo: 1, received: '0', damaged: '2' }] });
    expect(out.result.discrepancies).to.deep.equal([{ damaged: '2.000', gtin: GTIN.roasted, lineNo: 1, lotCode: 'RB-1', over: '0.000', short: '8.000' }]);
    expect(out.result.shipment.hasDiscrepancy).to.equal(true);
    expect(out.result.shipment.lines[1]).to.include({ received: '20.000', short: '0.000' });
    expect(h.onHand(GLN.dc, GTIN.roasted, 'RB-1')).to.equal(0n);
    expect(h.onHand(GLN.dc, GTIN.roasted, 'RB-2')).to.equal(20000n);
    // Every stock change of the receipt is on the receiving event: two transit outflows, one inflow.
    const lines = out.events[0].events[0]['ct:ledger'].stock;
    expect(lines.map((l: any) => [l.position, l.lotCode, l.deltaBaseUnits])).to.deep.equal([
      ['in_transit', 'RB-1', '-10000'],
      ['in_transit', 'RB-2', '-20000'],
      ['on_hand', 'RB-2', '20000'],
    ]);
  });

  it('rejects bad receipt lines, naming the field', async () => {
    await create('S-3');
    await h.submit(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'S-3' });
    await expectTraceError(() => h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-3', lines: [{ lineNo: 3, received: '1' }] }), 'INVALID_ARGUMENT', 'lines[0].lineNo');
    await expectTraceError(
      () => h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-3', lines: [{ lineNo: 1, received: '1' }, { lineNo: 1, received: '1' }] }),
      'INVALID_ARGUMENT',
      'lines[1].lineNo',
    );
    await expectTraceError(() => h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-3', lines: [{ lineNo: 1, received: '1.0005' }] }), 'INVALID_ARGUMENT', 'lines[0].received');
  });

  it('separates ownership from possession: ownership may pass on dispatch while the carrier holds the goods', async () => {
    await create('S-4', { ownershipTransfer: 'on_dispatch', carrier: 'CarrierCo' });
    const d = await h.submit(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'S-4' });
    expect(d.result.shipment).to.include({ owner: RETAILER, possessor: 'CarrierCo' });
    const dest = d.events[0].events[0].destinationList;
    expect(dest).to.deep.include({ type: 'owning_party', destination: 'urn:coffee-trace:party:msp:RetailerMSP' });
    expect(dest).to.deep.include({ type: 'possessing_party', destination: 'urn:coffee-trace:party:msp:CarrierCo' });
  });

  it('validates shipment creation: same from/to, repeated lot, unknown PO', async () => {
    await expectTraceError(() => create('S-5', { toGln: GLN.roastery }), 'INVALID_ARGUMENT', 'toGln');
    await expectTraceError(
      () => create('S-5', { lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '1' }, { gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '1' }] }),
      'INVALID_ARGUMENT',
      'lines[1].lotCode',
    );
    await expectTraceError(() => create('S-5', { poId: 'PO-404' }), 'NOT_FOUND', 'poId');
  });
});
