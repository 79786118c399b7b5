import { expect } from 'chai';
import { Writer } from 'protobufjs';
import { decodeChainInfo } from '../../../lib/fabric/src';
import { CHECKPOINT_BEFORE_PEER_LEDGER, checkPeerHoldsBlock } from '../../../indexer/src/source/peer-first-block';

/** A BlockchainInfo as a Fabric 2.5 peer sends it, with the snapshot field when given. */
function chainInfo(height: number, lastBlockInSnapshot?: number): Uint8Array {
  const w = Writer.create()
    .uint32((1 << 3) | 0)
    .uint64(height);
  w.uint32((2 << 3) | 2).bytes(Buffer.alloc(32, 1));
  w.uint32((3 << 3) | 2).bytes(Buffer.alloc(32, 2));
  if (lastBlockInSnapshot !== undefined) {
    const inner = Writer.create()
      .uint32((1 << 3) | 0)
      .uint64(lastBlockInSnapshot)
      .finish();
    w.uint32((4 << 3) | 2).bytes(inner);
  }
  return w.finish();
}

describe('chain info: the first block a peer holds', () => {
  it('is block 0 for a peer that joined from the genesis block', () => {
    expect(decodeChainInfo(chainInfo(42))).to.deep.equal({ height: 42n, firstBlock: 0n });
  });

  it('is the block after the snapshot for a peer that joined from one', () => {
    expect(decodeChainInfo(chainInfo(42, 30))).to.deep.equal({ height: 42n, firstBlock: 31n, snapshotBlock: 30n });
  });

  it('lets an indexer go on from a checkpoint at or after the snapshot, and stops one below it naming both blocks', () => {
    const info = decodeChainInfo(chainInfo(42, 30));
    expect(() => checkPeerHoldsBlock(31n, info, 'localhost:7103')).not.to.throw();
    expect(() => checkPeerHoldsBlock(40n, info, 'localhost:7103')).not.to.throw();
    let err: any;
    try {
      checkPeerHoldsBlock(12n, info, 'localhost:7103');
    } catch (e) {
      err = e;
    }
    expect(err?.code).to.equal(CHECKPOINT_BEFORE_PEER_LEDGER);
    expect(err.retriable).to.equal(false);
    expect(err.message).to.include('checkpoint is block 11').and.include('snapshot of block 30').and.include('from 31 on only');
    expect(() => checkPeerHoldsBlock(0n, info, 'p')).to.throw(/read model is empty/);
  });
});
