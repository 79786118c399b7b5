import { expect } from 'chai';
import { AUDITOR, GLN, GTIN, Harness, RETAILER, SUPPLIER, commission, eid, expectTraceError, seedMasterData } from './harness';

describe('traceability contract: recalls, error declarations, attestations', () => {
  let h: Harness;

  beforeEach(async () => {
    h = new Harness();
    await seedMasterData(h);
    await commission(h, SUPPLIER, GLN.roastery, GTIN.green, 'G-1', '100');
    await commission(h, SUPPLIER, GLN.roastery, GTIN.green, 'G-2', '100');
    // A blend: two green lots into one roasted lot.
    await h.submit(SUPPLIER, 'TransformLots', {
      eventId: eid(),
      gln: GLN.roastery,
      inputs: [
        { gtin: GTIN.green, lotCode: 'G-1', quantity: '50' },
        { gtin: GTIN.green, lotCode: 'G-2', quantity: '50' },
      ],
      outputs: [{ gtin: GTIN.roasted, lotCode: 'BLEND-1', quantity: '85' }],
    });
  });

  it('recalls a lot with its descendants, marks them recalled and lists stock on hand per location', async () => {
    const out = await h.submit(SUPPLIER, 'DeclareRecall', {
      eventId: eid(),
      recallId: 'RC-9',
      reason: 'foreign matter',
      lots: [{ gtin: GTIN.green, lotCode: 'G-2' }],
    });
    expect(out.result.recall.affected.map((a: any) => [a.lotCode, a.positions.map((p: any) => p.quantity)])).to.deep.equal([
      ['G-2', ['50.000']],
      ['BLEND-1', ['85.000']],
    ]);
    const g1 = await h.query(AUDITOR, 'GetLot', GTIN.green, 'G-1');
    expect(g1.lot.status).to.equal('active');
    const blend = await h.query(AUDITOR, 'GetLot', GTIN.roasted, 'BLEND-1');
    expect(blend.lot).to.include({ status: 'recalled' });
    expect(blend.lot.recallIds).to.deep.equal(['RC-9']);
    const evs = out.events[0].events;
    expect(evs[0].quantityList.map((q: any) => q.epcClass)).to.have.length(2);
    expect(evs[1].bizLocation.id).to.match(/^urn:epc:id:sgln:/);
    await expectTraceError(
      () => h.submit(SUPPLIER, 'DeclareRecall', { eventId: eid(), recallId: 'RC-9', reason: 'x', lots: [{ gtin: GTIN.green, lotCode: 'G-1' }] }),
      'DUPLICATE',
      'recallId',
    );
  });

  it('walks back from a blend to every green lot (GetLotTrace)', async () => {
    const trace = await h.query(RETAILER, 'GetLotTrace', GTIN.roasted, 'BLEND-1');
    expect(trace.ancestors.map((l: any) => l.lotCode)).to.deep.equal(['G-1', 'G-2']);
    const down = await h.query(RETAILER, 'GetLotTrace', GTIN.green, 'G-1');
    expect(down.descendants.map((l: any) => l.lotCode)).to.deep.equal(['BLEND-1']);
  });

  it('keeps in GetLotTrace every location that ever held a lot, after its stock is gone', async () => {
    await h.submit(SUPPLIER, 'AdjustStock', {
      eventId: eid(),
      gln: GLN.roastery,
      reason: 'waste',
      lines: [{ gtin: GTIN.roasted, lotCode: 'BLEND-1', delta: '-85' }],
    });
    const down = await h.query(RETAILER, 'GetLotTrace', GTIN.green, 'G-1');
    expect(down.positions.map((p: any) => [p.gln, p.quantity])).to.deep.equal([[GLN.roastery, '50.000']]);
    expect(down.sites).to.deep.equal([GLN.roastery]);
    // A descendant with who made it and from what, where its stock is now (nowhere) and where it ever was.
    expect(down.descendants[0]).to.deep.include({ lotCode: 'BLEND-1', commissionedBy: SUPPLIER, positions: [], sites: [GLN.roastery] });
    expect(down.descendants[0].parents.map((p: any) => p.lotCode)).to.deep.equal(['G-1', 'G-2']);
  });

  it('declares an error by repeating the original event with errorDeclaration, editing nothing', async () => {
    const wrong = await h.submit(SUPPLIER, 'AdjustStock', {
      eventId: 'ADJ-WRONG',
      gln: GLN.roastery,
      reason: 'waste',
      lines: [{ gtin: GTIN.green, lotCode: 'G-1', delta: '-5' }],
    });
    const fix = await h.submit(SUPPLIER, 'AdjustStock', {
      eventId: 'ADJ-FIX',
      gln: GLN.roastery,
      reason: 'count_difference',
      lines: [{ gtin: GTIN.green, lotCode: 'G-1', delta: '5' }],
    });
    const originalBytes = h.world.state.get(`\u0000event\u0000ADJ-WRONG\u0000${SUPPLIER}\u0000`)!.toString();
    const decl = await h.submit(SUPPLIER, 'DeclareError', {
      eventId: eid(),
      targetEventId: 'ADJ-WRONG',
      reason: 'did_not_occur',
      correctiveEventIds: ['ADJ-FIX'],
    });
    const ev = decl.events[0].events[0];
    const original = wrong.events[0].events[0];
    expect(ev.eventID).to.equal(original.eventID);
    expect(ev.bizStep).to.equal(original.bizStep);
    expect(ev.errorDeclaration).to.deep.equal({
      correctiveEventIDs: [fix.events[0].events[0].eventID],
      declarationTime: decl.events[0].recordedAt,
      reason: 'did_not_occur',
    });
    expect(ev['ct:ledger'].stock).to.deep.equal([]);
    expect(h.world.state.get(`\u0000event\u0000ADJ-WRONG\u0000${SUPPLIER}\u0000`)!.toString()).to.equal(originalBytes);
    const got = await h.query(AUDITOR, 'GetMemberEvent', SUPPLIER, 'ADJ-WRONG');
    expect(got.correction).to.include({ reason: 'did_not_occur', declaredBy: SUPPLIER });
    await expectTraceError(
      () => h.submit(SUPPLIER, 'DeclareError', { eventId: eid(), targetEventId: 'ADJ-WRONG', reason: 'did_not_occur' }),
      'DUPLICATE',
      'targetEventId',
    );
    await expectTraceError(
      () => h.submit(SUPPLIER, 'DeclareError', { eventId: eid(), targetEventId: 'ADJ-FIX', reason: 'incorrect_data', correctiveEventIds: ['NOPE'] }),
      'NOT_FOUND',
      'correctiveEventIds[0]',
    );
    await expectTraceError(
      () => h.submit(SUPPLIER, 'DeclareError', { eventId: eid(), targetEventId: 'NOPE', reason: 'incorrect_data' }),
      'NOT_FOUND',
      'targetEventId',
    );
  });

  it('records attestations only about things that exist', async () => {
    await expectTraceError(
      () => h.submit(AUDITOR, 'RecordAttestation', { eventId: eid(), attestationId: 'A-1', subjectKey: 'shipment~NOPE', result: 'pass', statement: 'x' }),
      'NOT_FOUND',
      'subjectKey',
    );
    await expectTraceError(
      () => h.submit(AUDITOR, 'RecordAttestation', { eventId: eid(), attestationId: 'A-1', subjectKey: 'stock~x', result: 'pass', statement: 'x' }),
      'INVALID_ARGUMENT',
      'subjectKey',
    );
    const out = await h.submit(AUDITOR, 'RecordAttestation', {
      eventId: eid(),
      attestationId: 'A-1',
      subjectKey: `lot~${GTIN.roasted}~BLEND-1`,
      result: 'observation',
      statement: 'moisture 11%',
    });
    expect(out.events[0].records[0].key).to.equal('attestation~A-1');
  });
});
