/**
 * Replays a range of blocks into a projector: blocks arrive over the peer's
 * block stream (buffered `readAhead` deep) and are stored strictly in order,
 * several blocks per PostgreSQL transaction (every block still verified
 * against the one before it), the next batch built while one commits.
 */
import type { LedgerBlock, LedgerClient } from '../../../lib/fabric/src';
import type { Pool } from 'pg';
import { pipelinedStore } from '../projection/pipelined-store';
import { readTip, type BlockProjector } from '../projection/project-block';

/** Stores blocks `from`..`to` (inclusive); returns the number of transactions stored. */
export async function replayBlocks(
  pool: Pool,
  client: LedgerClient,
  projector: BlockProjector,
  from: bigint,
  to: bigint,
  readAhead = 32,
  batchBlocks = 200,
  batchTransactions = 5000,
): Promise<number> {
  let txs = 0;
  let batch: LedgerBlock[] = [];
  let batchTxs = 0;
  const pipe = pipelinedStore(projector, await readTip(pool), (s) => {
    txs += s.transactions;
  });
  const flush = async () => {
    const blocks = batch;
    batch = [];
    batchTxs = 0;
    await pipe.push(blocks);
  };
  if (to < from) return 0;
  const stop = new AbortController();
  try {
    for await (const block of client.blocks({ startBlock: from, signal: stop.signal, readAhead })) {
      batch.push(block);
      batchTxs += block.transactions.length;
      if (block.number === to || batch.length >= batchBlocks || batchTxs >= batchTransactions) await flush();
      if (block.number === to) {
        await pipe.drain();
        return txs;
      }
    }
  } finally {
    stop.abort();
    await pipe.drain().catch(() => undefined);
  }
  throw new Error(`the block stream ended before block ${to}`);
}
