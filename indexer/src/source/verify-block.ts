/**
 * Hash-chain verification of each block before anything of it is stored:
 * the block must follow the stored tip by number and by previous-hash, and its
 * data hash must match its contents.
 */
import { ServiceError } from '../../../lib/platform/src';
import type { LedgerBlock } from '../../../lib/fabric/src';
import { CHECKPOINT_BEFORE_PEER_LEDGER } from './peer-first-block';

/** The last stored block, as the next block must see it. */
export interface ChainTip {
  blockNumber: bigint;
  /** Header hash as stored in PostgreSQL. */
  headerHash: Buffer;
}

/** Code of a verification failure; never retriable, the indexer stops. */
export const BLOCK_VERIFICATION_FAILED = 'BLOCK_VERIFICATION_FAILED';

function failure(block: LedgerBlock, what: string, details: Record<string, unknown>): ServiceError {
  return new ServiceError({
    code: BLOCK_VERIFICATION_FAILED,
    message: `block ${block.number} failed verification: ${what}`,
    httpStatus: 500,
    retriable: false,
    details: { blockNumber: block.number.toString(), ...details },
  });
}

/** Throws a {@link BLOCK_VERIFICATION_FAILED} error unless `block` may follow `tip` (undefined: nothing stored yet). */
export function verifyBlock(block: LedgerBlock, tip: ChainTip | undefined): void {
  const expected = tip ? tip.blockNumber + 1n : 0n;
  if (block.number !== expected) {
    throw failure(block, `expected block ${expected}`, { expected: expected.toString() });
  }
  if (tip && !block.previousHash.equals(tip.headerHash)) {
    throw failure(
      block,
      `previous hash ${block.previousHash.toString('hex')} differs from the stored header hash ${tip.headerHash.toString('hex')} of block ${tip.blockNumber}`,
      {
        previousHash: block.previousHash.toString('hex'),
        storedHeaderHash: tip.headerHash.toString('hex'),
      },
    );
  }
  if (!block.dataHash.equals(block.computedDataHash)) {
    throw failure(block, `data hash ${block.dataHash.toString('hex')} does not match its contents (${block.computedDataHash.toString('hex')})`, {
      dataHash: block.dataHash.toString('hex'),
      computedDataHash: block.computedDataHash.toString('hex'),
    });
  }
}

/** True for errors that must stop the indexer rather than trigger a reconnect. */
export function isFatal(err: unknown): boolean {
  return err instanceof ServiceError && (err.code === BLOCK_VERIFICATION_FAILED || err.code === CHECKPOINT_BEFORE_PEER_LEDGER);
}
