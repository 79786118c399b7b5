import { expect } from 'chai';
import { createRecordVisibility, type LedgerRead } from '../../../gateway/src/http/record-visibility';

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
};
const HISTORY: Record<string, unknown[]> = {
  'shipment~SH2': [{ value: { senderMsp: 'S2', receiverMsp: 'R' } }],
  'po~PO2': [{ value: { buyerMsp: 'R', supplierMsp: 'S2' } }],
  'aggregation~pallet-1': [{ value: { packedBy: 'S1', updatedBy: 'S1' } }, { value: { packedBy: 'S1', updatedBy: 'C' } }],
  'payment~1~0xab~0': [{ value: { poId: 'PO2' } }],
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

  it('reads a location owner once', async () => {
    reads.length = 0;
    await v.lotTrace('g2', 'B', 'S9');
    await v.lotTrace('g2', 'B', 'S9');
    expect(reads.filter((r) => r.startsWith('GetHistory location~')).length).to.equal(0);
  });

  it('decides a key history by its record', async () => {
    const seen = async (key: string, org: string) => v.historyVisible(key, (await read('GetHistory', key)).history, org);
    expect(await seen('location~site2', 'S3')).to.equal(true);
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
