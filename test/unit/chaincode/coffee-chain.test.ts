import { expect } from 'chai';
import { KeyEndorsementPolicy } from 'fabric-shim';
import { GLN, GTIN, Harness, RETAILER, SUPPLIER, commission, eid, seedMasterData } from './harness';

/** The whole chain, farm to cup, as one story; each step checks its own facts. */
describe('traceability contract: the coffee chain end to end', () => {
  const h = new Harness();

  before(async () => {
    await seedMasterData(h);
  });

  it('commissions a green lot at the cooperative with origin data and an ADD commissioning event', async () => {
    const out = await commission(h, SUPPLIER, GLN.farm, GTIN.green, 'GC-2025-001', '19200.000', {
      origin: {
        cooperative: 'Cooperativa Los Andes',
        country: 'CO',
        icoMark: '003-0042-0101',
        geolocation: {
          type: 'Polygon',
          coordinates: [
            [
              [-75.5, 5.1],
              [-75.4, 5.1],
              [-75.4, 5.2],
              [-75.5, 5.1],
            ],
          ],
        },
        harvestStart: '2024-10-01',
        harvestEnd: '2025-01-31',
        dueDiligenceRef: 'DDS-2025-77',
      },
      certificates: ['RFA-123'],
      productionDate: '2025-02-01',
    });
    expect(out.result.lot.origin.country).to.equal('CO');
    expect(out.result.stock.quantity).to.equal('19200.000');
    expect(out.events).to.have.length(1);
    const ev = out.events[0].events[0];
    expect(ev.type).to.equal('ObjectEvent');
    expect(ev.action).to.equal('ADD');
    expect(ev.bizStep).to.equal('commissioning');
    expect(ev.disposition).to.equal('active');
    expect(ev.quantityList).to.deep.equal([{ epcClass: `https://id.gs1.org/01/${GTIN.green}/10/GC-2025-001`, quantity: 19200, uom: 'KGM' }]);
    expect(ev.readPoint.id).to.match(/^urn:epc:id:sgln:7612345\.00001\.0$/);
    expect(ev.ilmd['cbvmda:countryOfOrigin']).to.equal('CO');
    expect(ev['ct:ledger'].stock[0]).to.include({ gln: GLN.farm, delta: '19200.000', deltaBaseUnits: '19200000', quantity: '19200.000' });
    expect(h.onHand(GLN.farm, GTIN.green, 'GC-2025-001')).to.equal(19200000n);
  });

  it('ships farm → importer inside the supplier org (create, dispatch, receive)', async () => {
    await h.submit(SUPPLIER, 'CreateShipment', {
      eventId: eid(),
      shipmentId: 'SH-FARM-1',
      fromGln: GLN.farm,
      toGln: GLN.importer,
      bol: 'BOL-MSKU-1',
      lines: [{ gtin: GTIN.green, lotCode: 'GC-2025-001', quantity: '19200' }],
    });
    await h.submit(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'SH-FARM-1' });
    expect(h.onHand(GLN.farm, GTIN.green, 'GC-2025-001')).to.equal(0n);
    const rec = await h.submit(SUPPLIER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'SH-FARM-1' });
    expect(rec.result.shipment.status).to.equal('received');
    expect(rec.result.discrepancies).to.deep.equal([]);
    expect(h.onHand(GLN.importer, GTIN.green, 'GC-2025-001')).to.equal(19200000n);
  });

  it('moves green coffee to the roastery and roasts it: inputs consumed, output lot with lineage', async () => {
    await h.submit(SUPPLIER, 'TransferStock', {
      eventId: eid(),
      fromGln: GLN.importer,
      toGln: GLN.roastery,
      lines: [{ gtin: GTIN.green, lotCode: 'GC-2025-001', quantity: '1200' }],
    });
    const out = await h.submit(SUPPLIER, 'TransformLots', {
      eventId: eid(),
      gln: GLN.roastery,
      workOrder: 'WO-77',
      inputs: [{ gtin: GTIN.green, lotCode: 'GC-2025-001', quantity: '1200.000' }],
      outputs: [{ gtin: GTIN.roasted, lotCode: 'RB-0001', quantity: '1000', bestBeforeDate: '2026-03-01' }],
    });
    const ev = out.events[0].events[0];
    expect(ev.type).to.equal('TransformationEvent');
    expect(ev).to.not.have.property('action');
    expect(ev.inputQuantityList[0]).to.deep.equal({ epcClass: `https://id.gs1.org/01/${GTIN.green}/10/GC-2025-001`, quantity: 1200, uom: 'KGM' });
    expect(ev.outputQuantityList[0].quantity).to.equal(1000);
    expect(ev.bizTransactionList[0].type).to.equal('prodorder');
    expect(ev['ct:ledger'].stock.map((s: any) => s.deltaBaseUnits)).to.deep.equal(['-1200000', '1000000']);
    const lot = await h.query(RETAILER, 'GetLot', GTIN.roasted, 'RB-0001');
    expect(lot.lot.parents).to.deep.equal([{ gtin: GTIN.green, lotCode: 'GC-2025-001' }]);
    expect(h.onHand(GLN.roastery, GTIN.green, 'GC-2025-001')).to.equal(0n);
    expect(h.onHand(GLN.roastery, GTIN.roasted, 'RB-0001')).to.equal(1000000n);
  });

  it('ships roastery → DC across orgs with a key-level policy naming both, and receives with a discrepancy', async () => {
    await h.submit(
      RETAILER,
      'CreatePurchaseOrder',
      { eventId: eid(), poId: 'PO-4500001', supplierMsp: SUPPLIER, shipToGln: GLN.dc, lines: [{ gtin: GTIN.roasted, quantity: '600' }] },
      {
        terms: {
          paymentTerms: {
            chainId: 137,
            asset: '0x3c499c542cef5e3811e1192ce70d8cc03d5c3359',
            decimals: 6,
            amount: '9000',
            payee: '0x1111111111111111111111111111111111111111',
          },
          salt: '5a'.repeat(16),
        },
      },
    );
    const created = await h.submit(SUPPLIER, 'CreateShipment', {
      eventId: eid(),
      shipmentId: 'SH-100',
      fromGln: GLN.roastery,
      toGln: GLN.dc,
      poId: 'PO-4500001',
      desadv: '80001234',
      carrier: 'urn:epc:id:pgln:4012345.00000',
      lines: [{ gtin: GTIN.roasted, lotCode: 'RB-0001', quantity: '600' }],
    });
    const ep = created.stub.validationParameters.get('\u0000shipment\u0000SH-100\u0000');
    expect(ep, 'validation parameter set on the shipment key').to.not.equal(undefined);
    expect(new KeyEndorsementPolicy(ep).listOrgs().sort()).to.deep.equal([RETAILER, SUPPLIER]);
    expect(created.result.shipment.endorsers).to.deep.equal([RETAILER, SUPPLIER]);

    const dispatched = await h.submit(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'SH-100' });
    const dev = dispatched.events[0].events[0];
    expect(dev.bizStep).to.equal('shipping');
    expect(dev.disposition).to.equal('in_transit');
    expect(dev.bizTransactionList.map((b: any) => b.type)).to.deep.equal(['po', 'desadv']);
    expect(dev.destinationList).to.deep.include({ type: 'possessing_party', destination: 'urn:epc:id:pgln:4012345.00000' });
    expect(dispatched.result.shipment.possessor).to.equal('urn:epc:id:pgln:4012345.00000');
    expect(dispatched.result.shipment.owner).to.equal(SUPPLIER);
    const sh = await h.query(AUDITOR_, 'GetShipment', 'SH-100');
    expect(sh.inTransit[0].quantity).to.equal('600.000');

    const received = await h.submit(RETAILER, 'ReceiveShipment', {
      eventId: eid(),
      shipmentId: 'SH-100',
      lines: [{ lineNo: 1, received: '590', damaged: '5' }],
    });
    expect(received.result.discrepancies).to.deep.equal([
      { damaged: '5.000', gtin: GTIN.roasted, lineNo: 1, lotCode: 'RB-0001', over: '0.000', short: '5.000' },
    ]);
    expect(received.result.shipment.owner).to.equal(RETAILER);
    expect(received.result.shipment.possessor).to.equal(RETAILER);
    const evs = received.events[0].events;
    expect(evs.map((e: any) => e.bizStep)).to.deep.equal(['receiving', 'inspecting']);
    expect(evs[1].disposition).to.equal('damaged');
    expect(evs[0].sourceList.map((s: any) => s.type)).to.deep.equal(['owning_party', 'possessing_party', 'location']);
    expect(h.onHand(GLN.dc, GTIN.roasted, 'RB-0001')).to.equal(590000n);
    expect(h.onHand(GLN.roastery, GTIN.roasted, 'RB-0001')).to.equal(400000n);
  });

  it('transfers DC → store, sells with a Merkle root (FEFO when the lot is unknown), and adjusts waste', async () => {
    await h.submit(RETAILER, 'TransferStock', {
      eventId: eid(),
      fromGln: GLN.dc,
      toGln: GLN.store,
      lines: [{ gtin: GTIN.roasted, lotCode: 'RB-0001', quantity: '40' }],
    });
    const sales = await h.submit(RETAILER, 'RecordSales', {
      eventId: eid(),
      gln: GLN.store,
      batchId: 'Z-2025-06-01',
      merkleRoot: 'ab'.repeat(32),
      receiptCount: 132,
      lines: [{ gtin: GTIN.roasted, quantity: '12.5' }],
    });
    expect(sales.result.batch.lines[0].allocations).to.deep.equal([{ lotCode: 'RB-0001', quantity: '12.500' }]);
    const sev = sales.events[0].events[0];
    expect(sev.bizStep).to.equal('retail_selling');
    expect(sev.disposition).to.equal('retail_sold');
    expect(sev['ct:ledger'].detail).to.deep.equal({ batchId: 'Z-2025-06-01', merkleRoot: 'ab'.repeat(32), receiptCount: 132 });
    await h.submit(RETAILER, 'AdjustStock', {
      eventId: eid(),
      gln: GLN.store,
      reason: 'waste',
      lines: [{ gtin: GTIN.roasted, lotCode: 'RB-0001', delta: '-0.5' }],
    });
    expect(h.onHand(GLN.store, GTIN.roasted, 'RB-0001')).to.equal(27000n);
    const stock = await h.query(RETAILER, 'GetStock', GLN.store);
    expect(stock.positions).to.have.length(1);
    expect(stock.total).to.equal('27.000');
  });

  it('recalls the green lot and finds the roasted lot downstream with its stock on hand', async () => {
    const out = await h.submit(SUPPLIER, 'DeclareRecall', {
      eventId: eid(),
      recallId: 'RC-1',
      reason: 'Ochratoxin A above limit',
      lots: [{ gtin: GTIN.green, lotCode: 'GC-2025-001' }],
    });
    const affected = out.result.recall.affected;
    expect(affected.map((a: any) => a.lotCode)).to.deep.equal(['GC-2025-001', 'RB-0001']);
    const rb = affected[1];
    expect(rb.positions.map((p: any) => [p.gln, p.quantity])).to.deep.equal(
      [
        [GLN.dc, '550.000'],
        [GLN.store, '27.000'],
        [GLN.roastery, '400.000'],
      ].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    );
    const lot = await h.query(RETAILER, 'GetLot', GTIN.roasted, 'RB-0001');
    expect(lot.lot.status).to.equal('recalled');
    const dispositions = out.events[0].events.map((e: any) => e.disposition);
    expect(dispositions.every((d: string) => d === 'recalled')).to.equal(true);
    const trace = await h.query(AUDITOR_, 'GetLotTrace', GTIN.roasted, 'RB-0001');
    expect(trace.ancestors.map((l: any) => l.lotCode)).to.deep.equal(['GC-2025-001']);
  });

  it('keeps the history of the shipment key', async () => {
    const hist = await h.query(AUDITOR_, 'GetHistory', 'shipment~SH-100');
    expect(hist.history.map((m: any) => m.value.status)).to.deep.equal(['created', 'dispatched', 'received']);
    expect(hist.history[0].timestamp).to.match(/^2025-01-01T\d\d:\d\d:\d\d\.500Z$/);
  });
});

const AUDITOR_ = 'AuditorMSP';
