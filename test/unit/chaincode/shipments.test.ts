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

  it('a closing receipt books exactly its lines: unlisted lines and damaged units are short', async () => {
    await create('S-2');
    await h.submit(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'S-2' });
    const out = await h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-2', lines: [{ lineNo: 1, received: '7', damaged: '2' }] });
    expect(out.result.discrepancies).to.deep.equal([
      { damaged: '2.000', gtin: GTIN.roasted, lineNo: 1, lotCode: 'RB-1', over: '0.000', short: '1.000' },
      { damaged: '0.000', gtin: GTIN.roasted, lineNo: 2, lotCode: 'RB-2', over: '0.000', short: '20.000' },
    ]);
    expect(out.result.shipment).to.include({ status: 'received', hasDiscrepancy: true, receiptCount: 1 });
    expect(h.onHand(GLN.dc, GTIN.roasted, 'RB-1')).to.equal(7000n);
    expect(h.onHand(GLN.dc, GTIN.roasted, 'RB-2')).to.equal(0n);
    // Every stock change of the receipt is on the receiving event, transit emptied by the close.
    const lines = out.events[0].events[0]['ct:ledger'].stock;
    expect(lines.map((l: any) => [l.position, l.lotCode, l.deltaBaseUnits])).to.deep.equal([
      ['in_transit', 'RB-1', '-9000'],
      ['on_hand', 'RB-1', '7000'],
      ['in_transit', 'RB-1', '-1000'],
      ['in_transit', 'RB-2', '-20000'],
    ]);
  });

  it('partial receipts book per batch at the named location; the rest stays in transit until the close', async () => {
    await create('S-6');
    await h.submit(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'S-6' });
    const first = await h.submit(RETAILER, 'ReceiveShipment', {
      eventId: eid(),
      shipmentId: 'S-6',
      gln: GLN.store,
      close: false,
      lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', received: '8' }],
    });
    expect(first.result.shipment).to.include({ status: 'partially_received', hasDiscrepancy: false });
    expect(first.result.receipt).to.include({ receiptNo: 1, gln: GLN.store, closed: false });
    expect(first.result.discrepancies).to.deep.equal([]);
    expect(h.onHand(GLN.store, GTIN.roasted, 'RB-1')).to.equal(8000n);
    expect(h.onHand(GLN.dc, GTIN.roasted, 'RB-1')).to.equal(0n);
    let sh = await h.query(RETAILER, 'GetShipment', 'S-6');
    expect(sh.inTransit.map((t: any) => [t.lotCode, t.quantity])).to.deep.equal([
      ['RB-1', '2.000'],
      ['RB-2', '20.000'],
    ]);
    // An over-receipt and a batch that was not shipped are refused, naming the line.
    await expectTraceError(
      () => h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-6', close: false, lines: [{ lineNo: 1, received: '3' }] }),
      'INVALID_ARGUMENT',
      'lines[0].received',
    );
    await expectTraceError(
      () =>
        h.submit(RETAILER, 'ReceiveShipment', {
          eventId: eid(),
          shipmentId: 'S-6',
          close: false,
          lines: [{ gtin: GTIN.roasted, lotCode: 'RB-9', received: '1' }],
        }),
      'INVALID_ARGUMENT',
      'lines[0].lotCode',
    );
    // A location of another organisation cannot receive.
    await expectTraceError(
      () => h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-6', gln: GLN.roastery2, lines: [] }),
      'FORBIDDEN',
      'gln',
    );
    await h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-6', close: false, lines: [{ lineNo: 2, received: '20' }] });
    const last = await h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-6', lines: [], close: true });
    expect(last.result.discrepancies).to.deep.equal([{ damaged: '0.000', gtin: GTIN.roasted, lineNo: 1, lotCode: 'RB-1', over: '0.000', short: '2.000' }]);
    expect(last.result.shipment).to.include({ status: 'received', receiptCount: 3, hasDiscrepancy: true });
    sh = await h.query(RETAILER, 'GetShipment', 'S-6');
    expect(sh.inTransit).to.deep.equal([]);
    expect(h.onHand(GLN.dc, GTIN.roasted, 'RB-2')).to.equal(20000n);
    await expectTraceError(
      () => h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-6', lines: [], close: true }),
      'CONFLICT',
      'shipmentId',
    );
  });

  it('goods issues dispatch per batch; issuing more than the delivery holds is refused on that line', async () => {
    await create('S-7');
    const one = await h.submit(SUPPLIER, 'DispatchShipment', {
      eventId: eid(),
      shipmentId: 'S-7',
      lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '10' }],
    });
    expect(one.result.shipment.status).to.equal('partially_dispatched');
    expect(h.onHand(GLN.roastery, GTIN.roasted, 'RB-1')).to.equal(90000n);
    expect(h.onHand(GLN.roastery, GTIN.roasted, 'RB-2')).to.equal(100000n);
    await expectTraceError(
      () => h.submit(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'S-7', lines: [{ gtin: GTIN.roasted, lotCode: 'RB-2', quantity: '21' }] }),
      'INVALID_ARGUMENT',
      'lines[0].quantity',
    );
    await expectTraceError(
      () => h.submit(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'S-7', lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '1' }] }),
      'INVALID_ARGUMENT',
      'lines[0].quantity',
    );
    // The receiver may book what already arrived while the rest is still being issued.
    await h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-7', close: false, lines: [{ lineNo: 1, received: '10' }] });
    const two = await h.submit(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'S-7', lines: [{ lineNo: 2, quantity: '20' }] });
    expect(two.result.shipment.status).to.equal('partially_received');
    expect(two.result.shipment.lines.map((l: any) => l.dispatched)).to.deep.equal(['10.000', '20.000']);
  });

  it('rejects bad receipt lines, naming the field', async () => {
    await create('S-3');
    await h.submit(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'S-3' });
    await expectTraceError(
      () => h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-3', lines: [{ lineNo: 3, received: '1' }] }),
      'INVALID_ARGUMENT',
      'lines[0].lineNo',
    );
    await expectTraceError(
      () =>
        h.submit(RETAILER, 'ReceiveShipment', {
          eventId: eid(),
          shipmentId: 'S-3',
          lines: [
            { lineNo: 1, received: '1' },
            { lineNo: 1, received: '1' },
          ],
        }),
      'INVALID_ARGUMENT',
      'lines[1].lineNo',
    );
    await expectTraceError(
      () => h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-3', lines: [{ lineNo: 1, received: '1.0005' }] }),
      'INVALID_ARGUMENT',
      'lines[0].received',
    );
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
      () =>
        create('S-5', {
          lines: [
            { gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '1' },
            { gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '1' },
          ],
        }),
      'INVALID_ARGUMENT',
      'lines[1].lotCode',
    );
    await expectTraceError(() => create('S-5', { poId: 'PO-404' }), 'NOT_FOUND', 'poId');
  });
});

describe('traceability contract: despatch advice details', () => {
  let h: Harness;
  beforeEach(async () => {
    h = new Harness();
    await seedMasterData(h);
    await commission(h, SUPPLIER, GLN.roastery, GTIN.roasted, 'RB-1', '100', { expiryDate: '2027-03-01' });
    await commission(h, SUPPLIER, GLN.roastery, GTIN.roasted, 'RB-2', '100');
  });
  const sscc = (body17: string) => {
    const digits = body17.split('').map(Number).reverse();
    const sum = digits.reduce((a, d, i) => a + d * (i % 2 === 0 ? 3 : 1), 0);
    return `${body17}${(10 - (sum % 10)) % 10}`;
  };

  it('keeps the PO reference, handling units, dates and weights, and puts batch dates onto the lot', async () => {
    const hu = sscc('37612345000000001');
    const out = await h.submit(SUPPLIER, 'CreateShipment', {
      eventId: eid(),
      shipmentId: 'S-D1',
      fromGln: GLN.roastery,
      toGln: GLN.dc,
      poReference: 'PO-NOT-ON-LEDGER',
      lines: [
        { gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '10', poItem: '4500000017/00010', expiryDate: '2027-03-01' },
        { gtin: GTIN.roasted, lotCode: 'RB-2', quantity: '5', expiryDate: '2027-06-30', productionDate: '2026-11-01' },
      ],
      handlingUnits: [
        {
          sscc: hu,
          contents: [
            { gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '10' },
            { gtin: GTIN.roasted, lotCode: 'RB-2', quantity: '5' },
          ],
        },
      ],
      dates: [{ qualifier: '007', planned: '2026-11-28' }],
      weights: { gross: '16.5', net: '15', unit: 'KGM' },
    });
    const s = out.result.shipment;
    expect(s).to.include({ poReference: 'PO-NOT-ON-LEDGER' });
    expect(s.poId).to.equal(undefined);
    expect(s.lines[0].poItem).to.equal('4500000017/00010');
    expect(s.handlingUnits[0]).to.deep.equal({
      sscc: hu,
      contents: [
        { gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '10.000' },
        { gtin: GTIN.roasted, lotCode: 'RB-2', quantity: '5.000' },
      ],
    });
    expect(s.dates).to.deep.equal([{ qualifier: '007', planned: '2026-11-28' }]);
    expect(s.weights).to.deep.equal({ gross: '16.5', net: '15', unit: 'KGM' });
    const lot = await h.query(SUPPLIER, 'GetLot', GTIN.roasted, 'RB-2');
    expect(lot.lot ?? lot).to.include({ expiryDate: '2027-06-30', productionDate: '2026-11-01' });
  });

  it('links the PO reference to the purchase order when it is on the ledger', async () => {
    await h.submit(
      RETAILER,
      'CreatePurchaseOrder',
      { eventId: eid(), poId: '4500000017', supplierMsp: SUPPLIER, lines: [{ gtin: GTIN.roasted, quantity: '10' }] },
      {
        terms: {
          paymentTerms: { chainId: 1, asset: 'native', decimals: 18, amount: '0.5', payee: '0x1111111111111111111111111111111111111111' },
          salt: '5a'.repeat(16),
        },
      },
    );
    const out = await h.submit(SUPPLIER, 'CreateShipment', {
      eventId: eid(),
      shipmentId: 'S-D3',
      fromGln: GLN.roastery,
      toGln: GLN.dc,
      poReference: '4500000017',
      lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '10' }],
    });
    expect(out.result.shipment.poId).to.equal('4500000017');
    expect(out.result.shipment.poReference).to.equal(undefined);
  });

  it('refuses a batch date that conflicts with the lot, a bad SSCC and contents that are not a line', async () => {
    const base = { shipmentId: 'S-D2', fromGln: GLN.roastery, toGln: GLN.dc };
    await expectTraceError(
      () =>
        h.submit(SUPPLIER, 'CreateShipment', {
          eventId: eid(),
          ...base,
          lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '1', expiryDate: '2027-04-01' }],
        }),
      'INVALID_ARGUMENT',
      'lines[0].expiryDate',
    );
    await expectTraceError(
      () =>
        h.submit(SUPPLIER, 'CreateShipment', {
          eventId: eid(),
          ...base,
          lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '1' }],
          handlingUnits: [{ sscc: '340000010000000010', contents: [] }],
        }),
      'INVALID_ARGUMENT',
      'handlingUnits[0].sscc',
    );
    // A handling unit's SSCC comes from the sender's GS1 company prefixes.
    await expectTraceError(
      () =>
        h.submit(SUPPLIER, 'CreateShipment', {
          eventId: eid(),
          ...base,
          lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '1' }],
          handlingUnits: [{ sscc: sscc('34000001000000003'), contents: [] }],
        }),
      'FORBIDDEN',
      'handlingUnits[0].sscc',
    );
    await expectTraceError(
      () =>
        h.submit(SUPPLIER, 'CreateShipment', {
          eventId: eid(),
          ...base,
          lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '1' }],
          handlingUnits: [{ sscc: sscc('37612345000000002'), contents: [{ gtin: GTIN.roasted, lotCode: 'RB-2', quantity: '1' }] }],
        }),
      'INVALID_ARGUMENT',
      'handlingUnits[0].contents[0].lotCode',
    );
  });
});
