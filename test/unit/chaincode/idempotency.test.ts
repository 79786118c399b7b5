import { expect } from 'chai';
import { GLN, GTIN, Harness, RETAILER, SUPPLIER, commission, eid, expectTraceError, seedMasterData } from './harness';

describe('traceability contract: idempotent eventId and one event per transaction', () => {
  let h: Harness;

  beforeEach(async () => {
    h = new Harness();
    await seedMasterData(h);
    await commission(h, SUPPLIER, GLN.roastery, GTIN.roasted, 'RB-1', '100');
  });

  const transfer = (eventId: string, quantity = '10') => ({
    eventId,
    actor: 'user-17',
    fromGln: GLN.roastery,
    toGln: GLN.roastery2,
    lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', quantity }],
  });

  it('answers a repeated eventId with the stored original result and no second effect', async () => {
    const first = await h.submit(SUPPLIER, 'TransferStock', transfer('T-1'));
    const stateAfterFirst = h.world.dump();
    const again = await h.submit(SUPPLIER, 'TransferStock', transfer('T-1'));
    expect(again.raw).to.equal(first.raw);
    expect(again.result.txId).to.equal(first.stub.txId);
    expect(again.stub.writes.size).to.equal(0);
    expect(h.world.dump()).to.deep.equal(stateAfterFirst);
    expect(h.onHand(GLN.roastery, GTIN.roasted, 'RB-1')).to.equal(90000n);
    // The retry still emits exactly one event, carrying no new facts.
    expect(again.events).to.have.length(1);
    expect(again.events[0].events).to.deep.equal([]);
    expect(again.events[0].replayOf).to.deep.equal({ txId: first.stub.txId });
  });

  it('records the event under event~eventId~mspId with the acting user', async () => {
    await h.submit(SUPPLIER, 'TransferStock', transfer('T-2'));
    const ev = await h.query(SUPPLIER, 'GetEvent', 'T-2');
    expect(await h.query(RETAILER, 'GetMemberEvent', SUPPLIER, 'T-2')).to.deep.equal(ev);
    await expectTraceError(() => h.query(RETAILER, 'GetEvent', 'T-2'), 'NOT_FOUND', 'eventId');
    expect(ev.event).to.include({ eventId: 'T-2', function: 'TransferStock', mspId: SUPPLIER, actor: 'user-17' });
    expect(ev.event.epcisEvents).to.have.length(2);
    expect(ev.event.epcisEvents[0]['ct:ledger'].actor).to.equal('user-17');
    await expectTraceError(() => h.query(RETAILER, 'GetEvent', 'nope'), 'NOT_FOUND', 'eventId');
  });

  it('rejects reuse of an eventId for different content or a different transaction with CONFLICT', async () => {
    await h.submit(SUPPLIER, 'TransferStock', transfer('T-3'));
    await expectTraceError(() => h.submit(SUPPLIER, 'TransferStock', transfer('T-3', '11')), 'CONFLICT', 'eventId');
    await expectTraceError(
      () =>
        h.submit(SUPPLIER, 'AdjustStock', {
          eventId: 'T-3',
          gln: GLN.roastery,
          reason: 'waste',
          lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', delta: '-1' }],
        }),
      'CONFLICT',
      'eventId',
    );
  });

  it('emits exactly one TraceEvents event per committed transaction', async () => {
    await h.submit(SUPPLIER, 'CreateShipment', {
      eventId: eid(),
      shipmentId: 'S-1',
      fromGln: GLN.roastery,
      toGln: GLN.dc,
      lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '10' }],
    });
    await h.submit(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'S-1' });
    await h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-1', lines: [{ lineNo: 1, received: '8', damaged: '1' }] });
    expect(h.committed.length).to.be.greaterThan(10);
    for (const stub of h.committed) {
      expect(stub.events, `tx ${stub.txId}`).to.have.length(1);
      expect(stub.events[0].name).to.equal('TraceEvents');
      const payload = JSON.parse(stub.events[0].payload.toString());
      expect(payload.txId).to.equal(stub.txId);
    }
  });

  it('carries every written entity in the payload records', async () => {
    const out = await h.submit(SUPPLIER, 'CreateShipment', {
      eventId: eid(),
      shipmentId: 'S-2',
      fromGln: GLN.roastery,
      toGln: GLN.dc,
      lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '10' }],
    });
    expect(out.events[0].records.map((r: any) => r.key)).to.deep.equal(['shipment~S-2']);
    expect(out.events[0].records[0].value.status).to.equal('created');
  });
});
