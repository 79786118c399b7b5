import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { blockHeaderHash, type LedgerBlock } from '../../../lib/fabric/src';
import { type ServiceError } from '../../../lib/platform/src';
import { isFatal, verifyBlock } from '../../../indexer/src/source/verify-block';

function block(number: bigint, previousHash: Buffer, data = 'tx'): LedgerBlock {
  const dataHash = createHash('sha256').update(data).digest();
  return {
    number,
    previousHash,
    dataHash,
    computedDataHash: dataHash,
    headerHash: blockHeaderHash(number, previousHash, dataHash),
    transactions: [],
    raw: Buffer.alloc(0),
  };
}

const failureOf = (fn: () => void): ServiceError => {
  try {
    fn();
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error('expected a verification failure');
};

describe('indexer verifyBlock', () => {
  const genesis = block(0n, Buffer.alloc(0), 'genesis');
  const one = block(1n, genesis.headerHash);

  it('accepts block 0 on an empty store and a block linked to the stored tip', () => {
    verifyBlock(genesis, undefined);
    verifyBlock(one, { blockNumber: 0n, headerHash: genesis.headerHash });
  });

  it('rejects a previous hash that differs from the stored header hash', () => {
    const err = failureOf(() => verifyBlock(one, { blockNumber: 0n, headerHash: Buffer.alloc(32, 1) }));
    expect(err.code).to.equal('BLOCK_VERIFICATION_FAILED');
    expect(err.retriable).to.equal(false);
    expect(isFatal(err)).to.equal(true);
  });

  it('rejects a data hash that does not match the contents', () => {
    const tampered = { ...one, computedDataHash: createHash('sha256').update('other').digest() };
    expect(failureOf(() => verifyBlock(tampered, { blockNumber: 0n, headerHash: genesis.headerHash })).message).to.match(/data hash/);
  });

  it('rejects a gap or a repeat in block numbers', () => {
    expect(failureOf(() => verifyBlock(one, undefined)).message).to.match(/expected block 0/);
    expect(failureOf(() => verifyBlock(one, { blockNumber: 1n, headerHash: one.headerHash })).message).to.match(/expected block 2/);
  });

  it('treats other errors as retriable failures', () => {
    expect(isFatal(new Error('peer unavailable'))).to.equal(false);
  });
});
