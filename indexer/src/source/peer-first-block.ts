/**
 * A peer that joined the channel from a ledger snapshot holds no block before
 * the snapshot. An indexer whose checkpoint lies below that block cannot go on
 * through this peer: it would wait for blocks that never come. It stops and
 * says what to do instead.
 */
import { ServiceError } from '../../../lib/platform/src';
import type { ChainInfo } from '../../../lib/fabric/src';

/** Code of the stop; never retriable. */
export const CHECKPOINT_BEFORE_PEER_LEDGER = 'CHECKPOINT_BEFORE_PEER_LEDGER';

/** Throws {@link CHECKPOINT_BEFORE_PEER_LEDGER} when `peer` cannot serve `startBlock`. */
export function checkPeerHoldsBlock(startBlock: bigint, info: ChainInfo, peer: string): void {
  if (startBlock >= info.firstBlock) return;
  const checkpoint = startBlock === 0n ? 'the read model is empty (no checkpoint)' : `the checkpoint is block ${startBlock - 1n}`;
  throw new ServiceError({
    code: CHECKPOINT_BEFORE_PEER_LEDGER,
    message:
      `${checkpoint}, so indexing goes on at block ${startBlock}, but peer ${peer} joined the channel from a snapshot of block ${info.snapshotBlock} ` +
      `and holds blocks from ${info.firstBlock} on only. Point the indexer at a peer that holds block ${startBlock} (one joined from the genesis block), ` +
      `or restore its database from a backup whose checkpoint is block ${info.snapshotBlock} or later`,
    httpStatus: 500,
    retriable: false,
    details: { startBlock: startBlock.toString(), firstBlock: info.firstBlock.toString(), snapshotBlock: info.snapshotBlock?.toString(), peer },
  });
}
