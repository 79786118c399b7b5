import { expect } from 'chai';
import { AUDITOR, GLN, GTIN, Harness, RETAILER, SUPPLIER, commission, eid, expectTraceError, seedMasterData } from './harness';

describe('traceability contract: stock rules', () => {
  let h: Harness;

  beforeEach(async () => {
    h = new Harness();
    await seedMasterData(h);
    await commission(h, SUPPLIER, GLN.roastery, GTIN.roasted, 'RB-1', '100');
    await commission(h, RETAILER, GLN.store, GTIN.milk, 'M-OLD', '10', { expiryDate: '2025-01-10' });
    await commission(h, RETAILER, GLN.store, GTIN.milk, 'M-NEW', '10', { expiryDate: '2025-01-20' });
  });

  describe('stock never goes negative', () => {
    it('rejects a transfer of more than is on hand with INSUFFICIENT_STOCK naming the line, and changes nothing', async () => {
      const before = h.world.dump();
      await expectTraceError(
        () =>
          h.submit(SUPPLIER, 'TransferStock', {
            eventId: eid(),
            fromGln: GLN.roastery,
            toGln: GLN.roastery2,
            lines: [
              { gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '60' },
              { gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '40.001' },
            ],
          }),
        'INSUFFICIENT_STOCK',
        'lines[1].quantity',
      );
      expect(h.world.dump()).to.deep.equal(before);
    });

    it('rejects dispatching a shipment the sender cannot cover', async () => {
      await h.submit(SUPPLIER, 'CreateShipment', {
        eventId: eid(),
        shipmentId: 'S-BIG',
        fromGln: GLN.roastery,
        toGln: GLN.dc,
        lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '100.5' }],
      });
      await expectTraceError(() => h.submit(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'S-BIG' }), 'INSUFFICIENT_STOCK', 'lines[0].quantity');
      expect(h.onHand(GLN.roastery, GTIN.roasted, 'RB-1')).to.equal(100000n);
    });

    it('rejects adjustments, transformations and sales below zero', async () => {
      await expectTraceError(
        () =>
          h.submit(SUPPLIER, 'AdjustStock', {
            eventId: eid(),
            gln: GLN.roastery,
            reason: 'damage',
            lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', delta: '-100.001' }],
          }),
        'INSUFFICIENT_STOCK',
        'lines[0].delta',
      );
      await expectTraceError(
        () =>
          h.submit(SUPPLIER, 'TransformLots', {
            eventId: eid(),
            gln: GLN.roastery2,
            inputs: [{ gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '1' }],
            outputs: [{ gtin: GTIN.roasted, lotCode: 'RB-X', quantity: '1' }],
          }),
        'INSUFFICIENT_STOCK',
        'inputs[0].quantity',
      );
      await expectTraceError(
        () =>
          h.submit(RETAILER, 'RecordSales', {
            eventId: eid(),
            gln: GLN.store,
            batchId: 'B1',
            merkleRoot: '00'.repeat(32),
            receiptCount: 1,
            lines: [{ gtin: GTIN.milk, quantity: '20.001' }],
          }),
        'INSUFFICIENT_STOCK',
        'lines[0].quantity',
      );
      expect(h.onHand(GLN.store, GTIN.milk, 'M-OLD')).to.equal(10000n);
    });
  });

  describe('conservation', () => {
    it('a transfer moves exactly what leaves: outflow equals inflow, line by line', async () => {
      const out = await h.submit(SUPPLIER, 'TransferStock', {
        eventId: eid(),
        fromGln: GLN.roastery,
        toGln: GLN.roastery2,
        lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '33.333' }],
      });
      const lines = out.events[0].events.flatMap((e: any) => e['ct:ledger'].stock);
      expect(lines.map((l: any) => [l.gln, l.deltaBaseUnits])).to.deep.equal([
        [GLN.roastery, '-33333'],
        [GLN.roastery2, '33333'],
      ]);
      expect(h.onHand(GLN.roastery, GTIN.roasted, 'RB-1') + h.onHand(GLN.roastery2, GTIN.roasted, 'RB-1')).to.equal(100000n);
    });

    it('dispatch puts stock in transit and receipt takes all of it out of transit', async () => {
      await h.submit(SUPPLIER, 'CreateShipment', {
        eventId: eid(),
        shipmentId: 'S1',
        fromGln: GLN.roastery,
        toGln: GLN.dc,
        lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '30' }],
      });
      const d = await h.submit(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'S1' });
      const dl = d.events[0].events[0]['ct:ledger'].stock;
      expect(dl.map((l: any) => [l.position, l.deltaBaseUnits])).to.deep.equal([
        ['on_hand', '-30000'],
        ['in_transit', '30000'],
      ]);
      // More than was shipped cannot arrive: the over-receipt is refused, naming the line.
      await expectTraceError(
        () => h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S1', lines: [{ lineNo: 1, received: '31' }] }),
        'INVALID_ARGUMENT',
        'lines[0].received',
      );
      const r = await h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S1', lines: [{ lineNo: 1, received: '29' }] });
      expect(r.result.discrepancies[0]).to.include({ over: '0.000', short: '1.000' });
      const sh = await h.query(RETAILER, 'GetShipment', 'S1');
      expect(sh.inTransit).to.deep.equal([]);
      expect(h.onHand(GLN.dc, GTIN.roasted, 'RB-1')).to.equal(29000n);
    });
  });

  describe('adjustments', () => {
    it('allows additions only for count differences and emits ADD / DELETE by sign', async () => {
      await expectTraceError(
        () =>
          h.submit(SUPPLIER, 'AdjustStock', {
            eventId: eid(),
            gln: GLN.roastery,
            reason: 'waste',
            lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', delta: '1' }],
          }),
        'INVALID_ARGUMENT',
        'lines[0].delta',
      );
      const out = await h.submit(SUPPLIER, 'AdjustStock', {
        eventId: eid(),
        gln: GLN.roastery,
        reason: 'count_difference',
        note: 'annual count',
        lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', delta: '2.5' }],
      });
      const ev = out.events[0].events[0];
      expect(ev.action).to.equal('ADD');
      expect(ev.bizStep).to.equal('cycle_counting');
      expect(ev['ct:ledger'].detail.reason).to.equal('count_difference');
      expect(h.onHand(GLN.roastery, GTIN.roasted, 'RB-1')).to.equal(102500n);
      const waste = await h.submit(SUPPLIER, 'AdjustStock', {
        eventId: eid(),
        gln: GLN.roastery,
        reason: 'expiry',
        lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', delta: '-2.5' }],
      });
      expect(waste.events[0].events[0]).to.include({ action: 'DELETE', disposition: 'expired' });
    });

    it('rejects an unknown reason code', async () => {
      await expectTraceError(
        () =>
          h.submit(SUPPLIER, 'AdjustStock', {
            eventId: eid(),
            gln: GLN.roastery,
            reason: 'lost',
            lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', delta: '-1' }],
          }),
        'INVALID_ARGUMENT',
        'reason',
      );
    });
  });

  describe('sales', () => {
    const batch = (lines: unknown[], batchId = 'B-1') => ({
      eventId: eid(),
      gln: GLN.store,
      batchId,
      merkleRoot: `0x${'AB'.repeat(32)}`,
      receiptCount: 3,
      lines,
    });

    it('depletes first-expiry-first-out across lots when the POS does not know the lot', async () => {
      const out = await h.submit(RETAILER, 'RecordSales', batch([{ gtin: GTIN.milk, quantity: '12' }]));
      expect(out.result.batch.lines[0].allocations).to.deep.equal([
        { lotCode: 'M-OLD', quantity: '10.000' },
        { lotCode: 'M-NEW', quantity: '2.000' },
      ]);
      expect(out.result.batch.merkleRoot).to.equal('ab'.repeat(32));
      expect(h.onHand(GLN.store, GTIN.milk, 'M-OLD')).to.equal(0n);
      expect(h.onHand(GLN.store, GTIN.milk, 'M-NEW')).to.equal(8000n);
    });

    it('puts returns back on hand and rejects a repeated batch id', async () => {
      await h.submit(
        RETAILER,
        'RecordSales',
        batch([
          { gtin: GTIN.milk, lotCode: 'M-NEW', quantity: '1' },
          { gtin: GTIN.milk, lotCode: 'M-NEW', quantity: '0.5', kind: 'return' },
        ]),
      );
      expect(h.onHand(GLN.store, GTIN.milk, 'M-NEW')).to.equal(9500n);
      await expectTraceError(() => h.submit(RETAILER, 'RecordSales', batch([{ gtin: GTIN.milk, quantity: '1' }])), 'DUPLICATE', 'batchId');
    });

    it('puts a return without a lot back on the lot the store last sold of that product', async () => {
      // Never sold here: the lot the store received most recently of the two it holds.
      const first = await h.submit(RETAILER, 'RecordSales', batch([{ gtin: GTIN.milk, quantity: '1', kind: 'return' }]));
      expect(first.result.batch.lines[0]).to.deep.include({ resolvedBy: 'held', allocations: [{ lotCode: 'M-NEW', quantity: '1.000' }] });
      expect(h.onHand(GLN.store, GTIN.milk, 'M-NEW')).to.equal(11000n);
      // FEFO sells M-OLD out and the rest from M-NEW: M-NEW is the lot last sold.
      await h.submit(RETAILER, 'RecordSales', batch([{ gtin: GTIN.milk, quantity: '12' }], 'B-2'));
      const out = await h.submit(RETAILER, 'RecordSales', batch([{ gtin: GTIN.milk, quantity: '3', kind: 'return' }], 'B-3'));
      expect(out.result.batch.lines[0].allocations).to.deep.equal([{ lotCode: 'M-NEW', quantity: '3.000' }]);
      expect(out.result.batch.lines[0].resolvedBy).to.equal('last_sold');
      expect(h.onHand(GLN.store, GTIN.milk, 'M-NEW')).to.equal(12000n);
      expect(h.onHand(GLN.store, GTIN.milk, 'M-OLD')).to.equal(0n);
    });

    it('records sales only at stores', async () => {
      await commission(h, RETAILER, GLN.dc, GTIN.milk, 'M-DC', '5');
      await expectTraceError(
        () => h.submit(RETAILER, 'RecordSales', { ...batch([{ gtin: GTIN.milk, quantity: '1' }]), gln: GLN.dc }),
        'INVALID_ARGUMENT',
        'gln',
      );
    });

    it('never sells a recalled lot: explicit lot is CONFLICT, FEFO skips it', async () => {
      await h.submit(RETAILER, 'DeclareRecall', { eventId: eid(), recallId: 'R-M', reason: 'off taste', lots: [{ gtin: GTIN.milk, lotCode: 'M-OLD' }] });
      await expectTraceError(
        () => h.submit(RETAILER, 'RecordSales', batch([{ gtin: GTIN.milk, lotCode: 'M-OLD', quantity: '1' }])),
        'CONFLICT',
        'lines[0].lotCode',
      );
      const out = await h.submit(RETAILER, 'RecordSales', batch([{ gtin: GTIN.milk, quantity: '1' }], 'B-2'));
      expect(out.result.batch.lines[0].allocations).to.deep.equal([{ lotCode: 'M-NEW', quantity: '1.000' }]);
    });
  });

  it('answers GetStock for a location with non-zero positions and a total', async () => {
    const s = await h.query(AUDITOR, 'GetStock', GLN.store);
    expect(s.positions.map((p: any) => p.lotCode)).to.deep.equal(['M-NEW', 'M-OLD']);
    expect(s.total).to.equal('20.000');
    await expectTraceError(() => h.query(AUDITOR, 'GetStock', '4000001000099'), 'INVALID_ARGUMENT', 'gln');
  });
});
