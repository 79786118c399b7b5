import { expect } from 'chai';
import { merkleRootOf, storeBatchLeaf as contractLeaf } from '../../../chaincode/src/traceability/merkle-root';
import { verifyProof } from '../../../gateway/src/adapters/pos/merkle';
import type { StoredBatch } from '../../../gateway/src/adapters/pos/rollup-store';
import { buildRollup, groupBatches, storeBatchLeaf } from '../../../gateway/src/adapters/pos/rollup-worker';

const batch = (gln: string, n: number, region = 'north'): StoredBatch => ({
  batchId: `pos-${gln.slice(-4)}${String(n).padStart(20, '0')}`,
  mspId: 'RetailerMSP',
  gln,
  region,
  merkleRoot: `${n}`.padStart(64, 'a'),
  receiptCount: 1,
  lines: [{ gtin: '00000000000000', quantity: '1.000', kind: 'sale' }],
  fields: {},
  status: 'pending',
  receivedAt: `2026-11-26T10:00:0${n}.000Z`,
  attempts: 1,
});

describe('POS roll-up: grouping and region roots', () => {
  it('builds the region root the contract recomputes, and a proof of every store batch in it', () => {
    for (const size of [1, 2, 3, 7, 200]) {
      const members = Array.from({ length: size }, (_, i) => batch(`40000000${String(i).padStart(5, '0')}`, i % 10));
      const r = buildRollup('north', members);
      expect(r.root).to.equal(merkleRootOf(members.map((b) => contractLeaf(b.gln, b.batchId, b.merkleRoot))));
      members.forEach((b, i) => expect(verifyProof(storeBatchLeaf(b.gln, b.batchId, b.merkleRoot), r.proofs[i], r.root)).to.equal(true));
      expect(verifyProof(storeBatchLeaf(members[0].gln, 'pos-other', members[0].merkleRoot), r.proofs[0], r.root)).to.equal(false);
    }
  });

  it('derives the roll-up id from region and members, so a retry of the same group is the same ledger event', () => {
    const members = [batch('4000000000017', 1), batch('4000000000024', 2)];
    expect(buildRollup('north', members).rollupId).to.equal(buildRollup('north', [...members]).rollupId);
    expect(buildRollup('north', members.slice(1)).rollupId).to.not.equal(buildRollup('north', members).rollupId);
    expect(buildRollup('south', members).rollupId).to.not.equal(buildRollup('north', members).rollupId);
    expect(buildRollup('north', members).body).to.include({ periodStart: members[0].receivedAt, periodEnd: members[1].receivedAt });
  });

  it('groups per region, caps the group size and keeps every batch of one store in one group', () => {
    const claimed = [
      batch('4000000000017', 1),
      batch('4000000000024', 1),
      batch('4000000000031', 1),
      batch('4000000000017', 2),
      batch('4000000000048', 1, 'south'),
    ];
    const groups = groupBatches(claimed, 2);
    for (const [region, g] of groups) {
      expect(g.every((b) => b.region === region)).to.equal(true);
      expect(g.length).to.be.at.most(2);
    }
    const groupOf = (gln: string) => groups.findIndex(([, g]) => g.some((b) => b.gln === gln));
    expect(groups.filter(([, g]) => g.some((b) => b.gln === '4000000000017'))).to.have.length(1);
    expect(groups[groupOf('4000000000017')][1].filter((b) => b.gln === '4000000000017')).to.have.length(2);
    expect(groups.map(([, g]) => g.length).reduce((a, b) => a + b)).to.equal(claimed.length);
  });
});
