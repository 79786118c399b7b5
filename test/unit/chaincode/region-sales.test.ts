import { expect } from 'chai';
import { merkleRootOf, storeBatchLeaf } from '../../../chaincode/src/traceability/merkle-root';
import { AUDITOR, GLN, GTIN, Harness, RETAILER, SUPPLIER, commission, eid, expectTraceError, seedMasterData } from './harness';

const ROOT_A = 'aa'.repeat(32);
const ROOT_B = 'bb'.repeat(32);

interface StoreBatch {
  gln: string;
  batchId: string;
  merkleRoot: string;
  receiptCount: number;
  lines: unknown[];
}

function rollup(stores: StoreBatch[], extra: Record<string, unknown> = {}) {
  const regionRoot = merkleRootOf(stores.map((s) => storeBatchLeaf(s.gln, s.batchId, s.merkleRoot)));
  return { eventId: eid('rollup'), region: 'north', rollupId: eid('r'), regionRoot, periodStart: '2026-11-26T10:00:00Z', stores, ...extra };
}

describe('traceability contract: region sales roll-up', () => {
  let h: Harness;
  const store1 = (lines: unknown[], batchId = 'S1-B1'): StoreBatch => ({ gln: GLN.store, batchId, merkleRoot: ROOT_A, receiptCount: 2, lines });
  const store2 = (lines: unknown[], batchId = 'S2-B1'): StoreBatch => ({ gln: GLN.store2, batchId, merkleRoot: ROOT_B, receiptCount: 1, lines });

  beforeEach(async () => {
    h = new Harness();
    await seedMasterData(h);
    await commission(h, RETAILER, GLN.store, GTIN.milk, 'M-OLD', '10', { expiryDate: '2025-01-10' });
    await commission(h, RETAILER, GLN.store, GTIN.milk, 'M-NEW', '10', { expiryDate: '2025-01-20' });
    await commission(h, RETAILER, GLN.store2, GTIN.milk, 'M-S2', '5');
  });

  it("books each store's batch with the rules of RecordSales and keeps every store record plus the region root", async () => {
    const req = rollup([store1([{ gtin: GTIN.milk, quantity: '12' }]), store2([{ gtin: GTIN.milk, quantity: '2' }])]);
    const out = await h.submit(RETAILER, 'RecordRegionSales', req);
    expect(out.result).to.include({ region: 'north', regionRoot: req.regionRoot, storeCount: 2, receiptCount: 3, soldLines: 3 });
    // FEFO at store 1 exactly as RecordSales does it; store 2 from its own lot.
    expect(h.onHand(GLN.store, GTIN.milk, 'M-OLD')).to.equal(0n);
    expect(h.onHand(GLN.store, GTIN.milk, 'M-NEW')).to.equal(8000n);
    expect(h.onHand(GLN.store2, GTIN.milk, 'M-S2')).to.equal(3000n);
    const hist = await h.query(AUDITOR, 'GetHistory', `sales~${GLN.store}~S1-B1`);
    const rec = hist.history.at(-1).value;
    expect(rec).to.include({ merkleRoot: ROOT_A, receiptCount: 2, periodStart: '2026-11-26T10:00:00Z' });
    expect(rec.rollup).to.deep.equal({ region: 'north', rollupId: req.rollupId });
    const region = (await h.query(AUDITOR, 'GetHistory', `regionsales~north~${req.rollupId}`)).history.at(-1).value;
    expect(region).to.include({ regionRoot: req.regionRoot, storeCount: 2 });
    expect(region.stores.map((s: any) => s.gln)).to.deep.equal([GLN.store, GLN.store2]);
    // One retail_selling fact per store, as two RecordSales would have recorded.
    const facts = out.events[0].events.filter((e: any) => e.bizStep === 'retail_selling' || e.bizStep?.endsWith?.('retail_selling'));
    expect(facts).to.have.length(2);
  });

  it("reads a store's stock once for all its batches and lines in a roll-up, and still depletes it line by line", async () => {
    const req = rollup([
      store1(
        [
          { gtin: GTIN.milk, quantity: '4' },
          { gtin: GTIN.milk, quantity: '4' },
        ],
        'S1-B1',
      ),
      store1([{ gtin: GTIN.milk, quantity: '4' }], 'S1-B2'),
      store2([{ gtin: GTIN.milk, quantity: '1' }]),
    ]);
    const out = await h.submit(RETAILER, 'RecordRegionSales', req);
    expect(out.result).to.include({ storeCount: 3, soldLines: 5 }); // the third 4 splits over M-OLD and M-NEW
    expect(h.onHand(GLN.store, GTIN.milk, 'M-OLD')).to.equal(0n);
    expect(h.onHand(GLN.store, GTIN.milk, 'M-NEW')).to.equal(8000n);
    const stockReads = out.stub.rangeReads.filter((r: string) => r.startsWith('stock~'));
    expect(stockReads).to.deep.equal([`stock~${GLN.store}~${GTIN.milk.padStart(14, '0')}`, `stock~${GLN.store2}~${GTIN.milk.padStart(14, '0')}`]);
  });

  it('names the refused field inside the roll-up and books nothing of it', async () => {
    const before = h.world.dump();
    await expectTraceError(
      () => h.submit(RETAILER, 'RecordRegionSales', rollup([store1([{ gtin: GTIN.milk, quantity: '1' }]), store2([{ gtin: GTIN.milk, quantity: '5.001' }])])),
      'INSUFFICIENT_STOCK',
      'stores[1].lines[0].quantity',
    );
    await expectTraceError(
      () => h.submit(RETAILER, 'RecordRegionSales', rollup([store1([{ gtin: GTIN.milk, quantity: '1' }]), { ...store2([]), gln: GLN.dc }])),
      'INVALID_ARGUMENT',
      'stores[1].gln',
    );
    expect(h.world.dump()).to.deep.equal(before);
  });

  it('refuses a store batch already booked, by RecordSales or an earlier roll-up, and a batch twice in one roll-up', async () => {
    await h.submit(RETAILER, 'RecordSales', { eventId: eid(), ...store1([{ gtin: GTIN.milk, quantity: '1' }]) });
    await expectTraceError(
      () => h.submit(RETAILER, 'RecordRegionSales', rollup([store2([{ gtin: GTIN.milk, quantity: '1' }]), store1([{ gtin: GTIN.milk, quantity: '1' }])])),
      'DUPLICATE',
      'stores[1].batchId',
    );
    await expectTraceError(
      () => h.submit(RETAILER, 'RecordRegionSales', rollup([store2([{ gtin: GTIN.milk, quantity: '1' }]), store2([{ gtin: GTIN.milk, quantity: '1' }])])),
      'DUPLICATE',
      'stores[1].batchId',
    );
  });

  it('refuses a region root that is not the root over its store batches', async () => {
    await expectTraceError(
      () => h.submit(RETAILER, 'RecordRegionSales', rollup([store2([{ gtin: GTIN.milk, quantity: '1' }])], { regionRoot: ROOT_B })),
      'INVALID_ARGUMENT',
      'regionRoot',
    );
  });

  it('lets only the owner of every store record its sales, like RecordSales', async () => {
    await expectTraceError(() => h.submit(SUPPLIER, 'RecordRegionSales', rollup([store2([{ gtin: GTIN.milk, quantity: '1' }])])), 'FORBIDDEN', 'stores[0].gln');
  });

  it('answers a repeated event id with the first outcome and books once', async () => {
    const req = rollup([store2([{ gtin: GTIN.milk, quantity: '1' }])]);
    const first = await h.submit(RETAILER, 'RecordRegionSales', req);
    const again = await h.submit(RETAILER, 'RecordRegionSales', req);
    expect(again.result).to.deep.equal(first.result);
    expect(h.onHand(GLN.store2, GTIN.milk, 'M-S2')).to.equal(4000n);
  });
});
