/**
 * Replays a range of blocks into a projector, reading ahead a few blocks in
 * parallel (the peer round trip dominates) while storing strictly in order.
 */
import type { LedgerBlock } from '../../../gateway/src/ledger/block-decoder';
import type { LedgerClient } from '../../../gateway/src/ledger/ledger-client';
import type { BlockProjector } from '../projection/project-block';

/** Stores blocks `from`..`to` (inclusive); returns the number of transactions stored. */
export async function replayBlocks(client: LedgerClient, projector: BlockProjector, from: bigint, to: bigint, readAhead = 16): Promise<number> {
  const inFlight = new Map<bigint, Promise<LedgerBlock>>();
  let next = from;
  let txs = 0;
  const fill = () => {
    while (next <= to && inFlight.size < readAhead) {
      const p = client.blockByNumber(next);
      // Errors surface when the block is awaited in order below.
      p.catch(() => undefined);
      inFlight.set(next, p);
      next++;
    }
  };
  for (let n = from; n <= to; n++) {
    fill();
    const block = await inFlight.get(n)!;
    inFlight.delete(n);
    txs += (await projector.apply(block)).transactions;
  }
  return txs;
}
