/**
 * Replays a range of blocks into a projector, reading ahead a few blocks in
 * parallel (the peer round trip dominates) while storing strictly in order,
 * several blocks per PostgreSQL transaction (every block still verified
 * against the one before it).
 */
import type { LedgerBlock } from '../../../gateway/src/ledger/block-decoder';
import type { LedgerClient } from '../../../gateway/src/ledger/ledger-client';
import type { BlockProjector } from '../projection/project-block';
import { isFatal } from '../source/verify-block';

/** Stores blocks `from`..`to` (inclusive); returns the number of transactions stored. */
export async function replayBlocks(
  client: LedgerClient, projector: BlockProjector, from: bigint, to: bigint, readAhead = 32, batchBlocks = 200, batchTransactions = 5000,
): Promise<number> {
  const inFlight = new Map<bigint, Promise<LedgerBlock>>();
  let next = from;
  let txs = 0;
  let batch: LedgerBlock[] = [];
  let batchTxs = 0;
  const fill = () => {
    while (next <= to && inFlight.size < readAhead) {
      const p = client.blockByNumber(next);
      // Errors surface when the block is awaited in order below.
      p.catch(() => undefined);
      inFlight.set(next, p);
      next++;
    }
  };
  const flush = async () => {
    const blocks = batch;
    batch = [];
    batchTxs = 0;
    try {
      for (const s of await projector.applyBatch(blocks)) txs += s.transactions;
    } catch (err) {
      // Store the blocks before a bad one and fail on exactly that block, as block by block.
      if (!isFatal(err) || blocks.length === 1) throw err;
      for (const b of blocks) txs += (await projector.apply(b)).transactions;
      throw err;
    }
  };
  for (let n = from; n <= to; n++) {
    fill();
    const block = await inFlight.get(n)!;
    inFlight.delete(n);
    batch.push(block);
    batchTxs += block.transactions.length;
    if (n === to || batch.length >= batchBlocks || batchTxs >= batchTransactions) await flush();
  }
  return txs;
}
