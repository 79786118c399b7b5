import { expect } from 'chai';
import * as protos from 'fabric-protos';
import { decodeBlock, type LedgerBlock, type LedgerClient } from '../../../lib/fabric/src';
import { createRawProofService } from '../../../lib/fabric/src/proof/raw-proof';

/** An empty block numbered `n`, as raw bytes a peer could return. */
const rawBlock = (n: number) =>
  Buffer.from(
    protos.common.Block.encode({
      header: { number: n, previous_hash: Buffer.alloc(32, n), data_hash: Buffer.alloc(32, n + 100) },
      data: { data: [] },
      metadata: { metadata: [Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0)] },
    }).finish(),
  );

function fakeLedger(opts: { height: number; txBlock: number; configBlock: number }): LedgerClient & { reads: number[]; configReads: number } {
  const reads: number[] = [];
  const ledger = {
    reads,
    configReads: 0,
    async blockByTxId(): Promise<LedgerBlock> {
      return decodeBlock(rawBlock(opts.txBlock));
    },
    async blockByNumber(n: bigint): Promise<LedgerBlock> {
      reads.push(Number(n));
      return decodeBlock(rawBlock(Number(n)));
    },
    async configBlock() {
      ledger.configReads++;
      return rawBlock(opts.configBlock);
    },
    async height() {
      return BigInt(opts.height);
    },
  };
  return ledger as unknown as LedgerClient & { reads: number[]; configReads: number };
}

describe('raw proof material', () => {
  it('lists every header from the lowest to the highest of config block, transaction block and pin, reading each block once', async () => {
    const ledger = fakeLedger({ height: 20, txBlock: 12, configBlock: 3 });
    const raw = createRawProofService({ ledger });
    const b = await raw.bundle({ txId: 'a'.repeat(64), pinned: 15n });
    expect(b.headers.map((h) => Number(h.number))).to.deep.equal(Array.from({ length: 13 }, (_, i) => i + 3));
    expect(b.headers[0].previousHash).to.equal(Buffer.alloc(32, 3).toString('hex'));
    expect(b.block.number).to.equal('12');
    expect(b.configBlock.number).to.equal('3');
    expect(b.pinned).to.equal('15');
    expect(Buffer.from(b.block.raw, 'base64').equals(rawBlock(12))).to.equal(true);
    await raw.bundle({ txId: 'a'.repeat(64), pinned: 15n });
    // Headers are cached and the config block is read once for both proofs.
    expect(ledger.reads.filter((n) => n === 5)).to.have.length(1);
    expect(ledger.configReads).to.equal(1);
  });

  it('pins the tip by default, refuses a pin beyond it, and a span beyond the limit', async () => {
    const ledger = fakeLedger({ height: 20, txBlock: 12, configBlock: 3 });
    const raw = createRawProofService({ ledger, maxSpan: 10 });
    await raw.bundle({ txId: 'a'.repeat(64), pinned: 25n }).then(
      () => expect.fail('a pin past the tip was accepted'),
      (e) => expect(e.httpStatus).to.equal(404),
    );
    await raw.bundle({ txId: 'a'.repeat(64) }).then(
      () => expect.fail('a span of 16 blocks was accepted with a limit of 10'),
      (e) => expect([e.httpStatus, e.code]).to.deep.equal([422, 'INVALID_ARGUMENT']),
    );
    const near = createRawProofService({ ledger: fakeLedger({ height: 14, txBlock: 12, configBlock: 10 }), maxSpan: 10 });
    expect((await near.bundle({ txId: 'a'.repeat(64) })).pinned).to.equal('13');
  });
});
