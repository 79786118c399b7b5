import { expect } from 'chai';
import { createRecordVisibility, type LedgerRead } from '../../../gateway/src/http/record-visibility';
import { decodeBlock, transactionWrites } from '../../../lib/fabric/src';
import { configBlock, endorserEnvelope, rawBlock, type Signer } from '../../fixtures/ledger-blocks';
import { createTestPki } from '../../fixtures/test-pki';

/**
 * Supplier 2 made lot B and supplier 1 the blend AB from it; the blend lies at the retailer's DC. A ledger of
 * canned chaincode answers stands in for the peer (the devnet version is the visibility matrix).
 */
const OWNERS: Record<string, string> = { site1: 'S1', site2: 'S2', dc: 'R' };
const LOTS: Record<string, any> = {
  'g2/B': {
    lot: { commissionedBy: 'S2' },
    positions: [{ gln: 'site2', quantity: '600' }],
    ancestors: [],
    descendants: [{ gtin: 'g1', lotCode: 'AB', positions: [{ gln: 'dc', quantity: '900' }] }],
  },
  'g1/AB': { lot: { commissionedBy: 'S1' }, positions: [{ gln: 'dc', quantity: '900' }], ancestors: [{ gtin: 'g2', lotCode: 'B' }], descendants: [] },
  // With the locations that ever held each lot (`sites`): C went from supplier 2 to the DC, which sold all of it.
  'g3/C': { lot: { commissionedBy: 'S2' }, positions: [], sites: ['site2', 'dc'], ancestors: [], descendants: [] },
  // Supplier 1 made M from supplier 2's D, the retailer made N from M; none of M or N is left anywhere.
  'g2/D': {
    lot: { commissionedBy: 'S2' },
    positions: [{ gln: 'site2', quantity: '5' }],
    sites: ['site2'],
    ancestors: [],
    descendants: [
      { gtin: 'g1', lotCode: 'M', commissionedBy: 'S1', parents: [{ gtin: 'g2', lotCode: 'D' }], positions: [], sites: ['site1'] },
      { gtin: 'g4', lotCode: 'N', commissionedBy: 'R', parents: [{ gtin: 'g1', lotCode: 'M' }], positions: [], sites: ['dc'] },
    ],
  },
};
const HISTORY: Record<string, unknown[]> = {
  'shipment~SH2': [{ value: { senderMsp: 'S2', receiverMsp: 'R' } }],
  'po~PO2': [{ value: { buyerMsp: 'R', supplierMsp: 'S2' } }],
  'aggregation~pallet-1': [{ value: { packedBy: 'S1', updatedBy: 'S1' } }, { value: { packedBy: 'S1', updatedBy: 'C' } }],
  'payment~1~0xab~0': [{ value: { poId: 'PO2' } }],
  'recall~RC3': [{ value: { declaredBy: 'S2', affected: [{ gtin: 'g3', lotCode: 'C' }] } }],
  'recall~RC': [
    {
      value: {
        declaredBy: 'S2',
        affected: [
          { gtin: 'g2', lotCode: 'B' },
          { gtin: 'g1', lotCode: 'AB' },
        ],
      },
    },
  ],
};

const reads: string[] = [];
const read: LedgerRead = async (fn, ...args) => {
  reads.push(`${fn} ${args.join(' ')}`);
  if (fn === 'GetLotTrace') {
    const t = LOTS[`${args[0]}/${args[1]}`];
    if (!t) throw Object.assign(new Error('not found'), { httpStatus: 404 });
    return t;
  }
  if (fn === 'GetHistory') {
    const [type, id] = args[0].split('~');
    if (type === 'location') return { history: OWNERS[id] ? [{ value: { ownerMsp: OWNERS[id] } }] : [] };
    return { history: HISTORY[args[0]] ?? [] };
  }
  throw new Error(`unexpected ${fn}`);
};

describe('gateway record visibility', () => {
  const v = createRecordVisibility(read);

  it('shows a lot to its maker and to the holder of a lot made from it, each with its own positions only', async () => {
    const maker = await v.lotTrace('g2', 'B', 'S2');
    expect(maker?.positions.map((p) => p.gln)).to.deep.equal(['site2']);
    // The maker of B does not see who holds the blend made from it.
    expect(maker?.descendants).to.deep.equal([]);
    const holder = await v.lotTrace('g2', 'B', 'R');
    expect(holder?.positions).to.deep.equal([]);
    expect(holder?.descendants.map((d) => d.lotCode)).to.deep.equal(['AB']);
    expect(await v.lotTrace('g2', 'B', 'S3')).to.equal(undefined);
    // The blend's maker sees its ancestors (its provenance) though it holds none of it now.
    expect((await v.lotTrace('g1', 'AB', 'S1'))?.ancestors).to.have.length(1);
  });

  it('keeps a lot with a member that held it and sold all of it: provenance and recalls, none of the others’ locations', async () => {
    const held = await v.lotTrace('g3', 'C', 'R');
    expect(held?.positions).to.deep.equal([]);
    expect(held?.sites).to.deep.equal(['dc']);
    expect(await v.historyVisible('lot~g3~C', [], 'R')).to.equal(true);
    expect(await v.historyVisible('recall~RC3', HISTORY['recall~RC3'] as never, 'R')).to.equal(true);
    // Its maker does not learn that the DC held it; a member that never held it sees nothing.
    expect((await v.lotTrace('g3', 'C', 'S2'))?.sites).to.deep.equal(['site2']);
    expect(await v.lotTrace('g3', 'C', 'S1')).to.equal(undefined);
    expect(await v.historyVisible('recall~RC3', HISTORY['recall~RC3'] as never, 'S1')).to.equal(false);
  });

  it('shows a lot to the members that made or held a lot made from it, with only the descendants of their own provenance', async () => {
    // The retailer held N (made from M, made from D): D's provenance is its, and so are M and N.
    const r = await v.lotTrace('g2', 'D', 'R');
    expect(r?.positions).to.deep.equal([]);
    expect(r?.descendants.map((d) => [d.lotCode, d.sites])).to.deep.equal([
      ['M', []],
      ['N', ['dc']],
    ]);
    // Supplier 1 made M and holds none of it: D is its provenance, N (the retailer's) is not.
    const s1 = await v.lotTrace('g2', 'D', 'S1');
    expect(s1?.descendants.map((d) => d.lotCode)).to.deep.equal(['M']);
    expect(s1?.descendants[0].positions).to.deep.equal([]);
    const maker = await v.lotTrace('g2', 'D', 'S2');
    expect(maker?.positions.map((p) => p.gln)).to.deep.equal(['site2']);
    expect(maker?.descendants).to.deep.equal([]);
    expect(await v.lotTrace('g2', 'D', 'S3')).to.equal(undefined);
  });

  it('reads a location owner once', async () => {
    reads.length = 0;
    await v.lotTrace('g2', 'B', 'S9');
    await v.lotTrace('g2', 'B', 'S9');
    expect(reads.filter((r) => r.startsWith('GetHistory location~')).length).to.equal(0);
  });

  it('decides a key history by its record', async () => {
    const seen = async (key: string, org: string) => v.historyVisible(key, (await read('GetHistory', key)).history, org);
    expect(await seen('location~site2', 'S2')).to.equal(true);
    expect(await seen('location~site2', 'S3')).to.equal(false);
    expect(await seen('product~g2', 'S3')).to.equal(true);
    expect(await seen('stock~site2~g2~B', 'S2')).to.equal(true);
    expect(await seen('stock~site2~g2~B', 'R')).to.equal(false);
    expect(await seen('shipment~SH2', 'R')).to.equal(true);
    expect(await seen('shipment~SH2', 'S1')).to.equal(false);
    expect(await seen('transit~SH2~g2~B2', 'S1')).to.equal(false);
    expect(await seen('po~PO2', 'S2')).to.equal(true);
    expect(await seen('po~PO2', 'S1')).to.equal(false);
    expect(await seen('payment~1~0xab~0', 'S2')).to.equal(true);
    expect(await seen('payment~1~0xab~0', 'S3')).to.equal(false);
    expect(await seen('recall~RC', 'S1')).to.equal(true);
    expect(await seen('recall~RC', 'S3')).to.equal(false);
    expect(await seen('lot~g2~B', 'R')).to.equal(true);
    expect(await seen('lot~g2~nope', 'R')).to.equal(false);
    expect(await seen('sales~store~1', 'R')).to.equal(false);
    expect(await seen('event~e-1~S2', 'S2')).to.equal(true);
    expect(await seen('event~e-1~S2', 'R')).to.equal(false);
    expect(await seen('aggregation~pallet-1', 'S1')).to.equal(true);
    expect(await seen('aggregation~pallet-1', 'C')).to.equal(true);
    expect(await seen('aggregation~pallet-1', 'S2')).to.equal(false);
  });
});

describe('gateway transaction visibility (what a proof would reveal)', () => {
  const v = createRecordVisibility(read);
  let pki: ReturnType<typeof createTestPki>;
  let s1: Signer, s2: Signer, r: Signer;
  before(() => {
    pki = createTestPki();
    const signer = (mspId: string): Signer => ({ mspId, id: pki.issue(pki.ca(mspId), `${mspId}-user`) });
    [s1, s2, r] = [signer('S1'), signer('S2'), signer('R')];
  });
  after(() => pki.close());
  let n = 0;
  /** A block of one transaction per entry, created by `by` and writing `writes`. */
  const block = (...txs: Array<{ by: Signer; writes: string[]; args?: string[] }>) =>
    decodeBlock(
      rawBlock(
        ++n,
        Buffer.alloc(32),
        txs.map((t, i) => endorserEnvelope({ txId: `${n}${i}`.padStart(64, '0'), creator: t.by, endorsers: [t.by], writes: t.writes, args: t.args })),
      ).raw,
    );
  const seen = async (b: ReturnType<typeof block>, org: string, i = 0) => v.transactionVisible(b, b.transactions[i], org);

  it('reads the keys a transaction wrote from its read/write set', () => {
    const b = block({ by: s2, writes: ['lot~g2~B', 'stock~site2~g2~B'] });
    expect(transactionWrites(b, 0).map((w) => w.key)).to.deep.equal(['lot~g2~B', 'stock~site2~g2~B']);
  });

  it('shows a transaction to its creator and to the readers of a fact it wrote', async () => {
    const commissionB = block({ by: s2, writes: ['lot~g2~B', 'stock~site2~g2~B'] });
    expect(await seen(commissionB, 'S2')).to.equal(true);
    // The retailer holds the blend made from B: B's provenance is its to see, with the transaction that wrote it.
    expect(await seen(commissionB, 'R')).to.equal(true);
    expect(await seen(commissionB, 'S3')).to.equal(false);
    const ship = block({ by: s2, writes: ['shipment~SH2', 'transit~SH2~g2~B2'] });
    expect(await seen(ship, 'R')).to.equal(true);
    expect(await seen(ship, 'S1')).to.equal(false);
    const order = block({ by: r, writes: ['po~PO2'] });
    expect(await seen(order, 'S2')).to.equal(true);
    expect(await seen(order, 'S1')).to.equal(false);
  });

  it('shows the transactions of every lot of a visible provenance, to a member that holds none of it any more', async () => {
    // D's commissioning is embedded in the proof of M, whose maker (supplier 1) holds none of M: it answers alone too.
    const commissionD = block({ by: s2, writes: ['lot~g2~D', 'stock~site2~g2~D'] });
    expect(await seen(commissionD, 'S1')).to.equal(true);
    expect(await seen(commissionD, 'R')).to.equal(true);
    expect(await seen(commissionD, 'S3')).to.equal(false);
    // C's commissioning, to the DC that held C and sold all of it.
    expect(await seen(block({ by: s2, writes: ['lot~g3~C', 'stock~site2~g3~C'] }), 'R')).to.equal(true);
    expect(await seen(block({ by: s2, writes: ['lot~g3~C', 'stock~site2~g3~C'] }), 'S1')).to.equal(false);
  });

  it('grants nothing for master data or indexes written along: a location registration is its creator’s', async () => {
    const register = block({ by: s2, writes: ['location~site2', 'event~e-9~S2', 'lotloc~g2~B~site2'] });
    expect(await seen(register, 'S2')).to.equal(true);
    expect(await seen(register, 'S1')).to.equal(false);
    expect(await seen(register, 'R')).to.equal(false);
    // Stock at another member's location is that member's.
    expect(await seen(block({ by: s1, writes: ['stock~site2~g2~B'] }), 'S2')).to.equal(true);
    expect(await seen(block({ by: s1, writes: ['stock~site2~g2~B'] }), 'R')).to.equal(false);
  });

  it('shows configuration and consortium transactions to every member', async () => {
    const config = decodeBlock(configBlock([{ mspId: 'S1', rootCertPem: pki.ca('S1').certificatePem }]));
    expect(await seen(config, 'S3')).to.equal(true);
    expect(await v.blockVisible(config, 'S3')).to.equal(true);
    expect(await seen(block({ by: r, writes: ['member~R'], args: ['consortium:RegisterMember', '{}'] }), 'S3')).to.equal(true);
  });

  it('shows a block only when every transaction in it is visible', async () => {
    const shared = block({ by: s1, writes: ['stock~site1~g1~A'] }, { by: s2, writes: ['stock~site2~g2~B'] });
    expect(await seen(shared, 'S1', 0)).to.equal(true);
    expect(await seen(shared, 'S1', 1)).to.equal(false);
    expect(await v.blockVisible(shared, 'S1')).to.equal(false);
    expect(await v.blockVisible(block({ by: s1, writes: ['stock~site1~g1~A'] }), 'S1')).to.equal(true);
  });
});
