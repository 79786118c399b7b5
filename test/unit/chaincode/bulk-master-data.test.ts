import { expect } from 'chai';
import { GLN, GTIN, Harness, RETAILER, SUPPLIER, eid, expectTraceError, gs1, seedMasterData } from './harness';

describe('traceability contract: bulk onboarding (RegisterLocations, CommissionLots)', () => {
  let h: Harness;
  const stores = [gs1('400000200001'), gs1('400000200002'), gs1('400000200003')];
  const loc = (gln: string) => ({ gln, name: `Store ${gln}`, type: 'store', address: { country: 'DE' } });

  beforeEach(async () => {
    h = new Harness();
    await seedMasterData(h);
  });

  it('registers many locations and commissions many lots in one transaction each, under the single-entry rules', async () => {
    const out = await h.submit(RETAILER, 'RegisterLocations', { eventId: eid(), locations: stores.map(loc) });
    expect(out.result).to.include({ registered: 3 });
    const lots = await h.submit(RETAILER, 'CommissionLots', {
      eventId: eid(),
      lots: stores.map((gln, i) => ({ gln, gtin: GTIN.milk, lotCode: `BULK-${i}`, quantity: '50' })),
    });
    expect(lots.result.commissioned).to.equal(3);
    for (const [i, gln] of stores.entries()) expect(h.onHand(gln, GTIN.milk, `BULK-${i}`)).to.equal(50000n);
    // One commissioning fact per lot, as three CommissionLot transactions would have recorded.
    expect(lots.events[0].events).to.have.length(3);
  });

  it('names the refused entry, and writes nothing of the transaction', async () => {
    const before = h.world.dump();
    await expectTraceError(
      () => h.submit(RETAILER, 'RegisterLocations', { eventId: eid(), locations: [loc(stores[0]), loc(GLN.store)] }),
      'DUPLICATE',
      'locations[1].gln',
    );
    await expectTraceError(
      () => h.submit(RETAILER, 'RegisterLocations', { eventId: eid(), locations: [loc(stores[0]), { ...loc(stores[1]), ownerMsp: SUPPLIER }] }),
      'FORBIDDEN',
      'locations[1].ownerMsp',
    );
    await expectTraceError(
      () =>
        h.submit(RETAILER, 'CommissionLots', {
          eventId: eid(),
          lots: [
            { gln: GLN.store, gtin: GTIN.milk, lotCode: 'OK-1', quantity: '1' },
            { gln: GLN.roastery, gtin: GTIN.milk, lotCode: 'OK-2', quantity: '1' },
          ],
        }),
      'FORBIDDEN',
      'lots[1].gln',
    );
    expect(h.world.dump()).to.deep.equal(before);
  });

  it('keeps the single-entry transactions naming their fields as before', async () => {
    await expectTraceError(
      () => h.submit(RETAILER, 'CommissionLot', { eventId: eid(), gln: GLN.store, gtin: GTIN.milk, lotCode: 'X', quantity: '-1' }),
      'INVALID_ARGUMENT',
      'quantity',
    );
    await expectTraceError(() => h.submit(RETAILER, 'RegisterLocation', { eventId: eid(), ...loc(GLN.store) }), 'DUPLICATE', 'gln');
  });
});
