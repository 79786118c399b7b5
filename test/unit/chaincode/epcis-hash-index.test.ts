import { expect } from 'chai';
import { Harness, RETAILER, SUPPLIER, expectTraceError, seedMasterData } from './harness';

const HASH = (n: number) => `ni:///sha-256;${n.toString(16).padStart(64, '0')}?ver=CBV2.0`;
const captured = (eventID: string) => ({
  type: 'ObjectEvent',
  eventID,
  eventTime: '2025-06-01T10:00:00.000Z',
  eventTimeZoneOffset: '+00:00',
  epcList: ['urn:epc:id:sgtin:7612345.011111.1'],
  action: 'OBSERVE',
});

describe('traceability contract: captured EPCIS events indexed by their CBV 2.0 event hash', () => {
  let h: Harness;

  beforeEach(async () => {
    h = new Harness();
    await seedMasterData(h);
  });

  it('GetEventByHash finds the record that captured an event, under whatever eventId it was recorded', async () => {
    await h.submit(SUPPLIER, 'RecordEvents', { eventId: 'urn:uuid:a', epcisEvents: [captured('urn:uuid:a')], epcisHashes: [HASH(1)] });
    const byHash = await h.query(SUPPLIER, 'GetEventByHash', HASH(1));
    expect(byHash.event).to.include({ eventId: 'urn:uuid:a', function: 'RecordEvents' });
    expect(byHash.event.captured[0].eventID).to.equal('urn:uuid:a');
    await expectTraceError(() => h.query(SUPPLIER, 'GetEventByHash', HASH(2)), 'NOT_FOUND', 'eventHash');
    // Another organisation's index is its own: the supplier's capture neither stands in for the retailer's nor is shown to it.
    await expectTraceError(() => h.query(RETAILER, 'GetEventByHash', HASH(1)), 'NOT_FOUND', 'eventHash');
    await expectTraceError(() => h.query(SUPPLIER, 'GetEventByHash', 'sha-256:abc'), 'INVALID_ARGUMENT', 'eventHash');
  });

  it('the first record of a hash keeps it; a malformed hash is refused before anything is written', async () => {
    await h.submit(SUPPLIER, 'RecordEvents', { eventId: 'urn:uuid:b', epcisEvents: [captured('urn:uuid:b')], epcisHashes: [HASH(3)] });
    await h.submit(SUPPLIER, 'RecordEvents', { eventId: 'urn:uuid:c', epcisEvents: [captured('urn:uuid:c')], epcisHashes: [HASH(3)] });
    expect((await h.query(SUPPLIER, 'GetEventByHash', HASH(3))).event.eventId).to.equal('urn:uuid:b');
    const before = h.world.dump();
    await expectTraceError(
      () => h.submit(SUPPLIER, 'RecordEvents', { eventId: 'urn:uuid:d', epcisEvents: [captured('urn:uuid:d')], epcisHashes: ['not-a-hash'] }),
      'INVALID_ARGUMENT',
      'epcisHashes[0]',
    );
    expect(h.world.dump()).to.deep.equal(before);
  });
});
