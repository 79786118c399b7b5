import { expect } from 'chai';
import { AUDITOR, GLN, GTIN, Harness, RETAILER, SUPPLIER, commission, eid, expectTraceError, gs1, seedMasterData } from './harness';

describe('traceability contract: access by submitter MSP', () => {
  let h: Harness;

  beforeEach(async () => {
    h = new Harness();
    await seedMasterData(h);
    await commission(h, SUPPLIER, GLN.roastery, GTIN.roasted, 'RB-1', '100');
    // The retailer makes lots of the supplier's GTIN under the owner's licence.
    await h.submit(SUPPLIER, 'GrantLicence', { eventId: eid('lic'), gtin: GTIN.roasted, licenseeMsp: RETAILER });
    await commission(h, RETAILER, GLN.dc, GTIN.roasted, 'RB-DC', '50');
  });

  const line = [{ gtin: GTIN.roasted, lotCode: 'RB-1', quantity: '1' }];

  describe('the auditor never moves stock', () => {
    it('rejects every stock-moving or custody transaction from AuditorMSP with FORBIDDEN', async () => {
      const attempts: [Parameters<Harness['submit']>[1], Record<string, unknown>][] = [
        ['CommissionLot', { gln: GLN.roastery, gtin: GTIN.roasted, lotCode: 'A-1', quantity: '1' }],
        ['TransferStock', { fromGln: GLN.roastery, toGln: GLN.roastery2, lines: line }],
        ['AdjustStock', { gln: GLN.roastery, reason: 'waste', lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', delta: '-1' }] }],
        ['TransformLots', { gln: GLN.roastery, inputs: line, outputs: [{ gtin: GTIN.roasted, lotCode: 'A-2', quantity: '1' }] }],
        ['CreateShipment', { shipmentId: 'A-S', fromGln: GLN.roastery, toGln: GLN.dc, lines: line }],
        ['RecordSales', { gln: GLN.store, batchId: 'A', merkleRoot: '00'.repeat(32), receiptCount: 0, lines: [{ gtin: GTIN.roasted, quantity: '1' }] }],
        ['RegisterLocation', { gln: gs1('990000000001'), type: 'dc', name: 'Audit DC', address: { country: 'DE' } }],
        ['DeclareRecall', { recallId: 'A-R', reason: 'x', lots: [{ gtin: GTIN.roasted, lotCode: 'RB-1' }] }],
      ];
      const before = h.world.dump();
      for (const [fn, req] of attempts) {
        await expectTraceError(() => h.submit(AUDITOR, fn, { eventId: eid('aud'), ...req }), 'FORBIDDEN');
      }
      expect(h.world.dump()).to.deep.equal(before);
    });

    it('lets the auditor read and attest', async () => {
      const lot = await h.query(AUDITOR, 'GetLot', GTIN.roasted, 'RB-1');
      expect(lot.positions).to.have.length(1);
      const out = await h.submit(AUDITOR, 'RecordAttestation', {
        eventId: eid(),
        attestationId: 'AT-1',
        subjectKey: `lot~${GTIN.roasted}~RB-1`,
        result: 'pass',
        statement: 'Origin documents verified',
      });
      expect(out.result.attestation.attestedBy).to.equal(AUDITOR);
      expect(out.events[0].events[0].bizStep).to.equal('inspecting');
    });
  });

  describe('an organisation acts only for its own locations', () => {
    it('rejects commissioning, transfers and adjustments at another org’s location', async () => {
      await expectTraceError(() => commission(h, SUPPLIER, GLN.dc, GTIN.roasted, 'X-1', '1'), 'FORBIDDEN', 'gln');
      await expectTraceError(
        () => h.submit(SUPPLIER, 'TransferStock', { eventId: eid(), fromGln: GLN.roastery, toGln: GLN.dc, lines: line }),
        'FORBIDDEN',
        'toGln',
      );
      await expectTraceError(
        () =>
          h.submit(RETAILER, 'AdjustStock', {
            eventId: eid(),
            gln: GLN.roastery,
            reason: 'theft',
            lines: [{ gtin: GTIN.roasted, lotCode: 'RB-1', delta: '-1' }],
          }),
        'FORBIDDEN',
        'gln',
      );
    });

    it('rejects registering a location on behalf of another MSP', async () => {
      await expectTraceError(
        () =>
          h.submit(SUPPLIER, 'RegisterLocation', {
            eventId: eid(),
            gln: gs1('761234500099'),
            type: 'store',
            name: 'x',
            ownerMsp: RETAILER,
            address: { country: 'DE' },
          }),
        'FORBIDDEN',
        'ownerMsp',
      );
    });

    it('lets only the sender create and dispatch, and only the destination org receive', async () => {
      await expectTraceError(
        () => h.submit(RETAILER, 'CreateShipment', { eventId: eid(), shipmentId: 'S-X', fromGln: GLN.roastery, toGln: GLN.dc, lines: line }),
        'FORBIDDEN',
        'fromGln',
      );
      await h.submit(SUPPLIER, 'CreateShipment', { eventId: eid(), shipmentId: 'S-1', fromGln: GLN.roastery, toGln: GLN.dc, lines: line });
      await expectTraceError(() => h.submit(RETAILER, 'DispatchShipment', { eventId: eid(), shipmentId: 'S-1' }), 'FORBIDDEN');
      await h.submit(SUPPLIER, 'DispatchShipment', { eventId: eid(), shipmentId: 'S-1' });
      await expectTraceError(() => h.submit(SUPPLIER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-1' }), 'FORBIDDEN');
      await expectTraceError(() => h.submit(AUDITOR, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-1' }), 'FORBIDDEN');
      await h.submit(RETAILER, 'ReceiveShipment', { eventId: eid(), shipmentId: 'S-1' });
    });

    it('lets a recall come only from an org that made or held the lot', async () => {
      await commission(h, SUPPLIER, GLN.roastery, GTIN.roasted, 'RB-2', '5');
      await expectTraceError(
        () => h.submit(RETAILER, 'DeclareRecall', { eventId: eid(), recallId: 'R-1', reason: 'x', lots: [{ gtin: GTIN.roasted, lotCode: 'RB-2' }] }),
        'FORBIDDEN',
        'lots[0].lotCode',
      );
      await h.submit(SUPPLIER, 'DeclareRecall', { eventId: eid(), recallId: 'R-1', reason: 'x', lots: [{ gtin: GTIN.roasted, lotCode: 'RB-2' }] });
    });

    it('lets only the recording org declare its event erroneous', async () => {
      const ev = await commission(h, SUPPLIER, GLN.roastery, GTIN.roasted, 'RB-3', '5');
      await expectTraceError(
        // Event ids are scoped per organisation: the retailer's id names only its own events.
        () => h.submit(RETAILER, 'DeclareError', { eventId: eid(), targetEventId: ev.result.eventId, reason: 'incorrect_data' }),
        'NOT_FOUND',
        'targetEventId',
      );
    });
  });
});
