/**
 * Replays a range of blocks into a projector: blocks arrive over the peer's
 * block stream (buffered `readAhead` deep) and are stored strictly in order,
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
  let txs = 0;
  let batch: LedgerBlock[] = [];
  let batchTxs = 0;
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
  if (to < from) return 0;
  const stop = new AbortController();
  try {
    for await (const block of client.blocks({ startBlock: from, signal: stop.signal, readAhead })) {
      batch.push(block);
      batchTxs += block.transactions.length;
      if (block.number === to || batch.length >= batchBlocks || batchTxs >= batchTransactions) await flush();
      if (block.number === to) return txs;
    }
  } finally {
    stop.abort();
  }
  throw new Error(`the block stream ended before block ${to}`);
}
