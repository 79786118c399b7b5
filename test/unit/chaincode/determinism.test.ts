import { expect } from 'chai';
import { GLN, GTIN, Harness, RETAILER, SUPPLIER } from './harness';

/** The same transactions, run twice on fresh ledgers, must give byte-identical state, results and events. */
async function scenario(): Promise<Harness> {
  const h = new Harness();
  let n = 0;
  const id = () => `det-${++n}`;
  for (const [msp, gln, type] of [
    [SUPPLIER, GLN.roastery, 'roastery'],
    [RETAILER, GLN.dc, 'dc'],
    [RETAILER, GLN.store, 'store'],
  ] as const) {
    await h.submit(msp, 'RegisterLocation', { eventId: id(), gln, type, name: `loc ${gln}`, address: { country: 'DE', city: 'Köln' } });
  }
  await h.submit(SUPPLIER, 'RegisterProduct', { eventId: id(), gtin: GTIN.roasted, description: 'Roasted', unit: 'KGM' });
  // Key order in the request must not matter to what is stored.
  await h.submit(SUPPLIER, 'CommissionLot', {
    quantity: '10.5',
    lotCode: 'L1',
    gtin: GTIN.roasted,
    gln: GLN.roastery,
    eventId: id(),
    origin: { country: 'BR', farm: 'Fazenda' },
  });
  await h.submit(SUPPLIER, 'CreateShipment', {
    eventId: id(),
    shipmentId: 'S1',
    fromGln: GLN.roastery,
    toGln: GLN.dc,
    lines: [{ gtin: GTIN.roasted, lotCode: 'L1', quantity: '10' }],
  });
  await h.submit(SUPPLIER, 'DispatchShipment', { eventId: id(), shipmentId: 'S1' });
  await h.submit(RETAILER, 'ReceiveShipment', { eventId: id(), shipmentId: 'S1', lines: [{ lineNo: 1, received: '9.5' }] });
  await h.submit(RETAILER, 'TransferStock', {
    eventId: id(),
    fromGln: GLN.dc,
    toGln: GLN.store,
    lines: [{ gtin: GTIN.roasted, lotCode: 'L1', quantity: '2' }],
  });
  await h.submit(RETAILER, 'RecordSales', {
    eventId: id(),
    gln: GLN.store,
    batchId: 'B',
    merkleRoot: 'cd'.repeat(32),
    receiptCount: 2,
    lines: [{ gtin: GTIN.roasted, quantity: '1' }],
  });
  return h;
}

describe('traceability contract: determinism', () => {
  it('produces identical state bytes and event payloads for identical inputs', async () => {
    const a = await scenario();
    const b = await scenario();
    expect(a.world.dump()).to.deep.equal(b.world.dump());
    const evA = a.committed.map((s) => s.events.map((e) => e.payload.toString('hex')));
    const evB = b.committed.map((s) => s.events.map((e) => e.payload.toString('hex')));
    expect(evA).to.deep.equal(evB);
  });

  it('stores every value as canonical JSON (sorted keys, no whitespace)', async () => {
    const h = await scenario();
    for (const [key, text] of h.world.dump()) {
      if (key.startsWith('\u0000lotloc') || key.startsWith('\u0000lotchild')) continue;
      const value = JSON.parse(text);
      expect(text, key).to.equal(sortedStringify(value));
    }
  });

  it('takes time only from the transaction timestamp', async () => {
    const h = await scenario();
    const stub = h.committed[h.committed.length - 1];
    const payload = JSON.parse(stub.events[0].payload.toString());
    const expected = new Date(stub.seconds * 1000 + 500).toISOString();
    expect(payload.recordedAt).to.equal(expected);
    expect(payload.events[0].eventTime).to.equal(expected);
    expect(payload.events[0].eventTimeZoneOffset).to.equal('+00:00');
  });
});

function sortedStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${sortedStringify((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
