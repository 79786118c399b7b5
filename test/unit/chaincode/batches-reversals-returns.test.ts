import { expect } from 'chai';
import { GLN, GTIN, Harness, RETAILER, SUPPLIER, commission, eid, expectTraceError, seedMasterData } from './harness';

const transit = (h: Harness, shipmentId: string, gtin: string, lotCode: string) => {
  const v = h.world.state.get(`\u0000transit\u0000${shipmentId}\u0000${gtin}\u0000${lotCode}\u0000`);
  return v ? BigInt(JSON.parse(v.toString()).baseUnits) : 0n;
};

describe('traceability contract: batches, reversals and POS lines booked as far as the facts allow', () => {
  let h: Harness;

  beforeEach(async () => {
    h = new Harness();
    await seedMasterData(h);
    await commission(h, SUPPLIER, GLN.roastery, GTIN.roasted, 'RB-1', '100');
    await commission(h, RETAILER, GLN.store, GTIN.milk, 'M-OLD', '10', { expiryDate: '2025-01-10' });
  });

  describe('SubmitBatch', () => {
    const move = (eventId: string, quantity: string) => ({
      eventId,
      fromGln: GLN.roastery,
      toGln: GLN.roastery2,
      lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', quantity }],
    });

    it('books each item as if submitted alone: its own event record, the stock the items before it left', async () => {
      const out = await h.submit(SUPPLIER, 'SubmitBatch', {
        eventId: eid('batch'),
        function: 'TransferStock',
        items: [move('it-1', '60'), move('it-2', '40')],
      });
      expect(out.result.items.map((r: { eventId: string }) => r.eventId)).to.deep.equal(['it-1', 'it-2']);
      expect(h.onHand(GLN.roastery, GTIN.roasted, 'RB-1')).to.equal(0n);
      expect(h.onHand(GLN.roastery2, GTIN.roasted, 'RB-1')).to.equal(100000n);
      const e2 = await h.query(SUPPLIER, 'GetEvent', 'it-2');
      expect(e2.event).to.include({ function: 'TransferStock', txId: out.stub.txId });
      expect(e2.event.epcisEvents[0]['ct:ledger'].eventId).to.equal('it-2');
      // One chaincode event carries every item's facts.
      expect(out.events).to.have.length(1);
      expect(out.events[0].events).to.have.length(4);
      // The same item submitted alone later is a replay, not a second move.
      await h.submit(SUPPLIER, 'TransferStock', move('it-1', '60'));
      expect(h.onHand(GLN.roastery2, GTIN.roasted, 'RB-1')).to.equal(100000n);
      const lookups = await h.query(SUPPLIER, 'GetEvents', JSON.stringify(['it-1', 'nope', 'it-2']));
      expect(lookups.events.map((e: { txId: string } | null) => e && e.txId)).to.deep.equal([out.stub.txId, null, out.stub.txId]);
      // Event ids are scoped per organisation: the same ids name none of another organisation's events.
      expect((await h.query(RETAILER, 'GetEvents', JSON.stringify(['it-1', 'it-2']))).events).to.deep.equal([null, null]);
    });

    it('refuses the whole batch when one item is refused, naming the item', async () => {
      const before = h.world.dump();
      const err = await expectTraceError(
        () => h.submit(SUPPLIER, 'SubmitBatch', { eventId: eid('batch'), function: 'TransferStock', items: [move('it-3', '60'), move('it-4', '41')] }),
        'INSUFFICIENT_STOCK',
        'items[1].lines[0].quantity',
      );
      expect(err.message).to.contain('holds 40.000');
      expect(h.world.dump()).to.deep.equal(before);
      await expectTraceError(
        () => h.submit(SUPPLIER, 'SubmitBatch', { eventId: eid('batch'), function: 'RecordSales', items: [move('it-5', '1')] }),
        'INVALID_ARGUMENT',
        'function',
      );
    });
  });

  describe('ReverseMovement', () => {
    beforeEach(async () => {
      await h.submit(SUPPLIER, 'CreateShipment', {
        eventId: eid(),
        shipmentId: 'S-R',
        fromGln: GLN.roastery,
        toGln: GLN.dc,
        lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '40' }],
      });
      await h.submit(SUPPLIER, 'DispatchShipment', { eventId: 'gi-1', shipmentId: 'S-R' });
      await h.submit(RETAILER, 'ReceiveShipment', { eventId: 'gr-1', shipmentId: 'S-R', close: false, lines: [{ lineNo: 1, received: '30' }] });
    });

    it('a receipt reversed: on hand and in transit back where they were, the shipment reopened for the corrected receipt', async () => {
      const out = await h.submit(RETAILER, 'ReverseMovement', { eventId: 'rev-1', targetEventId: 'gr-1', gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '30' });
      expect(h.onHand(GLN.dc, GTIN.roasted, 'RB-1')).to.equal(0n);
      expect(transit(h, 'S-R', GTIN.roasted, 'RB-1')).to.equal(40000n);
      expect(out.result.reversal).to.include({ targetEventId: 'gr-1', reversed: '30.000' });
      const s = await h.query(RETAILER, 'GetShipment', 'S-R');
      expect(s.shipment).to.include({ status: 'dispatched' });
      expect(s.shipment.lines[0].received).to.equal('0.000');
      // Its event carries the stock lines the indexer projects.
      expect(out.events[0].events[0]['ct:ledger'].stock.map((l: { position: string; deltaBaseUnits: string }) => [l.position, l.deltaBaseUnits])).to.deep.equal(
        [
          ['on_hand', '-30000'],
          ['in_transit', '30000'],
        ],
      );
      await expectTraceError(() => h.submit(RETAILER, 'ReverseMovement', { eventId: 'rev-2', targetEventId: 'gr-1' }), 'CONFLICT', 'targetEventId');
      await h.submit(RETAILER, 'ReceiveShipment', { eventId: 'gr-2', shipmentId: 'S-R', lines: [{ lineNo: 1, received: '40' }] });
      expect(h.onHand(GLN.dc, GTIN.roasted, 'RB-1')).to.equal(40000n);
    });

    it('a part reversed, never more than the submission moved; only the recording organisation reverses', async () => {
      await h.submit(RETAILER, 'ReverseMovement', { eventId: 'rev-3', targetEventId: 'gr-1', quantity: '10' });
      expect(h.onHand(GLN.dc, GTIN.roasted, 'RB-1')).to.equal(20000n);
      expect((await h.query(RETAILER, 'GetShipment', 'S-R')).shipment.status).to.equal('partially_received');
      await expectTraceError(
        () => h.submit(RETAILER, 'ReverseMovement', { eventId: 'rev-4', targetEventId: 'gr-1', quantity: '21' }),
        'INVALID_ARGUMENT',
        'quantity',
      );
      // Event ids are scoped per organisation: another organisation's event is not found.
      await expectTraceError(() => h.submit(SUPPLIER, 'ReverseMovement', { eventId: 'rev-5', targetEventId: 'gr-1' }), 'NOT_FOUND', 'targetEventId');
      await expectTraceError(() => h.submit(RETAILER, 'ReverseMovement', { eventId: 'rev-6', targetEventId: 'nope' }), 'NOT_FOUND', 'targetEventId');
      // A goods issue reversed (602): the roastery gets the stock back from transit.
      await h.submit(SUPPLIER, 'ReverseMovement', { eventId: 'rev-7', targetEventId: 'gi-1', quantity: '10' });
      expect(h.onHand(GLN.roastery, GTIN.roasted, 'RB-1')).to.equal(70000n);
      expect(transit(h, 'S-R', GTIN.roasted, 'RB-1')).to.equal(10000n);
    });
  });

  describe('RecordSales, partial', () => {
    const sales = (lines: unknown[], batchId: string) => ({
      eventId: eid(),
      gln: GLN.store,
      batchId,
      merkleRoot: 'ab'.repeat(32),
      receiptCount: 1,
      partial: true,
      lines,
    });

    it('books what the stock allows and lists each refused line or part', async () => {
      const out = await h.submit(
        RETAILER,
        'RecordSales',
        sales(
          [
            { gtin: GTIN.milk, quantity: '12', parts: ['4', '4', '4'] },
            { gtin: GTIN.roasted, quantity: '1' },
          ],
          'P-1',
        ),
      );
      expect(out.result.batch.lines.map((l: { line: number; part?: number; quantity: string }) => [l.line, l.part, l.quantity])).to.deep.equal([
        [0, 0, '4.000'],
        [0, 1, '4.000'],
      ]);
      expect(out.result.refused.map((r: { line: number; part?: number; code: string; field: string }) => [r.line, r.part, r.code, r.field])).to.deep.equal([
        [0, 2, 'INSUFFICIENT_STOCK', 'lines[0].parts[2]'],
        [1, undefined, 'INSUFFICIENT_STOCK', 'lines[1].quantity'],
      ]);
      expect(h.onHand(GLN.store, GTIN.milk, 'M-OLD')).to.equal(2000n);
    });

    it('takes a lot-less return to a lot-unknown position when the store neither sold nor holds the product; a count resolves it, a recall lists it', async () => {
      const out = await h.submit(RETAILER, 'RecordSales', sales([{ gtin: GTIN.roasted, quantity: '2', kind: 'return' }], 'P-2'));
      expect(out.result.batch.lines[0]).to.deep.include({ resolvedBy: 'unknown', allocations: [{ lotCode: '(unknown)', quantity: '2.000' }] });
      expect(h.onHand(GLN.store, GTIN.roasted, '(unknown)')).to.equal(2000n);
      // Units of no known lot are named by their product class, not by a lot.
      expect(out.events[0].events[0].quantityList[0].epcClass).to.equal(`https://id.gs1.org/01/${GTIN.roasted}`);
      const recall = await h.submit(SUPPLIER, 'DeclareRecall', {
        eventId: eid(),
        recallId: 'R-1',
        reason: 'foreign matter',
        lots: [{ gtin: GTIN.roasted, lotCode: 'RB-1' }],
      });
      expect(recall.result.recall.unresolved).to.deep.equal([
        { gtin: GTIN.roasted, lotCode: '(unknown)', positions: [{ gln: GLN.store, quantity: '2.000', baseUnits: '2000' }] },
      ]);
      await expectTraceError(
        () =>
          h.submit(RETAILER, 'AdjustStock', {
            eventId: eid(),
            gln: GLN.store,
            reason: 'count_difference',
            lines: [{ gtin: GTIN.roasted, lotCode: '(unknown)', delta: '1' }],
          }),
        'INVALID_ARGUMENT',
        'lines[0].delta',
      );
      await h.submit(RETAILER, 'AdjustStock', {
        eventId: eid(),
        gln: GLN.store,
        reason: 'count_difference',
        lines: [
          { gtin: GTIN.roasted, lotCode: '(unknown)', delta: '-2' },
          { gtin: GTIN.roasted, lotCode: 'RB-1', delta: '2' },
        ],
      });
      expect(h.onHand(GLN.store, GTIN.roasted, '(unknown)')).to.equal(0n);
      // The code is reserved: no lot may be commissioned under it.
      await expectTraceError(() => commission(h, RETAILER, GLN.store, GTIN.milk, '(unknown)', '1'), 'INVALID_ARGUMENT', 'lotCode');
      expect(h.onHand(GLN.store, GTIN.roasted, 'RB-1')).to.equal(2000n);
    });

    it('a store holding several lots of a product it never sold takes the return to the one received last', async () => {
      await commission(h, RETAILER, GLN.store, GTIN.milk, 'M-A', '1');
      await commission(h, RETAILER, GLN.store, GTIN.milk, 'M-0', '1');
      const out = await h.submit(RETAILER, 'RecordSales', sales([{ gtin: GTIN.milk, quantity: '1', kind: 'return' }], 'P-3'));
      expect(out.result.batch.lines[0]).to.deep.include({ resolvedBy: 'held', allocations: [{ lotCode: 'M-0', quantity: '1.000' }] });
    });
  });
});
