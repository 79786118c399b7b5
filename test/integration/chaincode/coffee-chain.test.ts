import { expect } from 'chai';
import { ServiceError } from '../../../lib/platform/src';
import {
  AUDITOR,
  RETAILER,
  SUPPLIER,
  closeAll,
  connectAll,
  eventId,
  queryJson,
  rejection,
  submitJson,
  uniqueGln,
  uniqueGtin,
  type Orgs,
} from './ledger-fixtures';

describe('traceability chaincode on the devnet', function () {
  this.timeout(120_000);
  let orgs: Orgs;
  const gln = { coop: uniqueGln(), importer: uniqueGln(), roastery: uniqueGln(), dc: uniqueGln(), store: uniqueGln() };
  const gtin = { green: uniqueGtin(), roasted: uniqueGtin() };
  const greenLot = `GC-${eventId('lot').slice(-8)}`;
  const roastLot = `RB-${eventId('lot').slice(-8)}`;

  before(async () => {
    orgs = await connectAll();
    const locations: Array<[string, string, string]> = [
      [SUPPLIER, gln.coop, 'cooperative'],
      [SUPPLIER, gln.importer, 'importer_warehouse'],
      [SUPPLIER, gln.roastery, 'roastery'],
      [RETAILER, gln.dc, 'dc'],
      [RETAILER, gln.store, 'store'],
    ];
    for (const [msp, g, type] of locations) {
      await submitJson(orgs[msp], 'RegisterLocation', { eventId: eventId(), gln: g, type, name: `${type} ${g}`, address: { country: 'DE' } });
    }
    await submitJson(orgs[SUPPLIER], 'RegisterProduct', { eventId: eventId(), gtin: gtin.green, description: 'Green coffee', unit: 'KGM' });
    await submitJson(orgs[SUPPLIER], 'RegisterProduct', { eventId: eventId(), gtin: gtin.roasted, description: 'Roasted beans', unit: 'KGM' });
  });
  after(() => closeAll(orgs));

  it('records the full chain: cooperative → importer → roastery (transformation) → DC → store → sales batch', async () => {
    const s = orgs[SUPPLIER];
    const r = orgs[RETAILER];
    await submitJson(s, 'CommissionLot', {
      eventId: eventId(),
      gln: gln.coop,
      gtin: gtin.green,
      lotCode: greenLot,
      quantity: '1000',
      origin: { cooperative: 'Cooperativa Los Andes', country: 'CO', icoMark: '003-0042-0101' },
    });
    // A shipment key's policy names its parties' orgs, so they must endorse; inside one
    // org a second org is still needed for the chaincode's MAJORITY policy.
    const inside = [SUPPLIER, AUDITOR];
    await submitJson(
      s,
      'CreateShipment',
      {
        eventId: eventId(),
        shipmentId: `SH-A-${greenLot}`,
        fromGln: gln.coop,
        toGln: gln.importer,
        lines: [{ gtin: gtin.green, lotCode: greenLot, quantity: '1000' }],
      },
      inside,
    );
    await submitJson(s, 'DispatchShipment', { eventId: eventId(), shipmentId: `SH-A-${greenLot}` }, inside);
    await submitJson(s, 'ReceiveShipment', { eventId: eventId(), shipmentId: `SH-A-${greenLot}` }, inside);
    await submitJson(s, 'TransferStock', {
      eventId: eventId(),
      fromGln: gln.importer,
      toGln: gln.roastery,
      lines: [{ gtin: gtin.green, lotCode: greenLot, quantity: '600' }],
    });
    await submitJson(s, 'TransformLots', {
      eventId: eventId(),
      gln: gln.roastery,
      workOrder: 'WO-1',
      inputs: [{ gtin: gtin.green, lotCode: greenLot, quantity: '600' }],
      outputs: [{ gtin: gtin.roasted, lotCode: roastLot, quantity: '500', bestBeforeDate: '2027-06-01' }],
    });
    // Custody between two organisations: both must endorse.
    const both = [SUPPLIER, RETAILER];
    const shipmentId = `SH-B-${roastLot}`;
    await submitJson(
      s,
      'CreateShipment',
      {
        eventId: eventId(),
        shipmentId,
        fromGln: gln.roastery,
        toGln: gln.dc,
        desadv: 'DESADV-1',
        lines: [{ gtin: gtin.roasted, lotCode: roastLot, quantity: '500' }],
      },
      both,
    );
    await submitJson(s, 'DispatchShipment', { eventId: eventId(), shipmentId }, both);
    const received = await submitJson(
      r,
      'ReceiveShipment',
      {
        eventId: eventId(),
        shipmentId,
        lines: [{ lineNo: 1, received: '495', damaged: '5' }],
      },
      both,
    );
    expect(received.result.shipment.status).to.equal('received');
    expect(received.result.discrepancies).to.have.length.greaterThan(0);

    await submitJson(r, 'TransferStock', {
      eventId: eventId(),
      fromGln: gln.dc,
      toGln: gln.store,
      lines: [{ gtin: gtin.roasted, lotCode: roastLot, quantity: '100' }],
    });
    const sales = await submitJson(r, 'RecordSales', {
      eventId: eventId(),
      gln: gln.store,
      batchId: `Z-${roastLot}`,
      merkleRoot: 'cd'.repeat(32),
      receiptCount: 40,
      lines: [{ gtin: gtin.roasted, lotCode: roastLot, quantity: '12.5' }],
    });
    expect(sales.commit.blockNumber > 0n).to.equal(true);

    const store = await queryJson(orgs[AUDITOR], 'GetStock', gln.store);
    expect(store.total).to.equal('87.500');
    const dc = await queryJson(orgs[AUDITOR], 'GetStock', gln.dc);
    expect(dc.total).to.equal('395.000');
    const importer = await queryJson(orgs[AUDITOR], 'GetStock', gln.importer);
    expect(importer.total).to.equal('400.000');

    // The roasted lot's lineage leads back to the green lot.
    const lot = await queryJson(orgs[AUDITOR], 'GetLot', gtin.roasted, roastLot);
    expect(JSON.stringify(lot)).to.include(greenLot);

    // The whole block carries exactly one TraceEvents chaincode event.
    const block = await r.blockByTxId(sales.commit.txId);
    const tx = block.transactions.find((t) => t.txId === sales.commit.txId)!;
    expect(tx.event?.name).to.equal('TraceEvents');
    const payload = JSON.parse(tx.event!.payload.toString('utf8'));
    expect(payload.events[0].bizStep).to.equal('retail_selling');

    const history = await queryJson(orgs[AUDITOR], 'GetHistory', `shipment~${shipmentId}`);
    expect(JSON.stringify(history)).to.include('received');
  });

  it('rejects a custody handoff endorsed without the receiving org (key-level endorsement policy)', async () => {
    const s = orgs[SUPPLIER];
    const lot = `L-${eventId().slice(-8)}`;
    await submitJson(s, 'CommissionLot', { eventId: eventId(), gln: gln.roastery, gtin: gtin.roasted, lotCode: lot, quantity: '10' });
    const shipmentId = `SH-C-${lot}`;
    await submitJson(
      s,
      'CreateShipment',
      {
        eventId: eventId(),
        shipmentId,
        fromGln: gln.roastery,
        toGln: gln.dc,
        lines: [{ gtin: gtin.roasted, lotCode: lot, quantity: '10' }],
      },
      [SUPPLIER, RETAILER],
    );
    // Supplier + auditor satisfy the chaincode's MAJORITY policy but not the shipment key's policy.
    const err = await rejection(submitJson(s, 'DispatchShipment', { eventId: eventId(), shipmentId }, [SUPPLIER, AUDITOR]));
    expect(err).to.be.instanceOf(ServiceError);
    expect(err.code).to.equal('ENDORSEMENT_POLICY_FAILURE');
    const shipment = await queryJson(orgs[AUDITOR], 'GetShipment', shipmentId);
    expect(shipment.shipment.status).to.equal('created');
    const stock = await queryJson(orgs[AUDITOR], 'GetStock', gln.roastery);
    expect(stock.positions.find((p: any) => p.lotCode === lot).quantity).to.equal('10.000');
  });

  it('gives a repeated eventId one effect and returns the original result', async () => {
    const s = orgs[SUPPLIER];
    const lot = `R-${eventId().slice(-8)}`;
    const body = { eventId: eventId('repeat'), gln: gln.coop, gtin: gtin.green, lotCode: lot, quantity: '50' };
    const first = await submitJson(s, 'CommissionLot', body);
    const second = await submitJson(s, 'CommissionLot', body);
    expect(second.result).to.deep.equal(first.result);
    expect(second.commit.txId).to.not.equal(first.commit.txId);
    const stock = await queryJson(orgs[AUDITOR], 'GetStock', gln.coop);
    expect(stock.positions.find((p: any) => p.lotCode === lot).quantity).to.equal('50.000');
  });

  it('refuses to let the auditor move stock', async () => {
    const err = await rejection(
      submitJson(orgs[AUDITOR], 'TransferStock', {
        eventId: eventId(),
        fromGln: gln.importer,
        toGln: gln.roastery,
        lines: [{ gtin: gtin.green, lotCode: greenLot, quantity: '1' }],
      }),
    );
    expect(err).to.be.instanceOf(ServiceError);
    expect(err.code).to.equal('FORBIDDEN');
    expect(err.httpStatus).to.equal(403);
  });

  it('reports INSUFFICIENT_STOCK with the field and writes nothing', async () => {
    const err = await rejection(
      submitJson(orgs[SUPPLIER], 'TransferStock', {
        eventId: eventId(),
        fromGln: gln.importer,
        toGln: gln.roastery,
        lines: [{ gtin: gtin.green, lotCode: greenLot, quantity: '100000' }],
      }),
    );
    expect(err.code).to.equal('INSUFFICIENT_STOCK');
    expect(err.details?.field).to.match(/^lines\[0\]/);
  });
});
