/**
 * The block source batches only while behind: blocks known to exist after the
 * current one go into one write; a block at the tip is stored alone, at once.
 */
import { expect } from 'chai';
import { pino } from 'pino';
import type { Pool } from 'pg';
import type { LedgerBlock } from '../../../ledger/src';
import type { BlockStreamOptions, LedgerClient } from '../../../ledger/src';
import type { BlockProjector, BlockSummary } from '../../../indexer/src/projection/project-block';
import { RowBuffer } from '../../../indexer/src/projection/row-buffer';
import { createBlockSource } from '../../../indexer/src/source/block-source';

const fakeBlock = (n: number) => ({ number: BigInt(n), transactions: [] }) as unknown as LedgerBlock;
const summary = (b: LedgerBlock): BlockSummary => ({ blockNumber: b.number, transactions: 0, projected: 0, invalid: 0, outboxRows: 0 });

/** A ledger of `initial` blocks that grows by one block after the stream has delivered them. */
function fakeLedger(initial: number, later: number[]) {
  let height = initial;
  const client = {
    mspId: 'x',
    height: async () => BigInt(height),
    async *blocks(o: BlockStreamOptions) {
      for (let n = Number(o.startBlock); n < initial; n++) yield fakeBlock(n);
      for (const n of later) {
        await new Promise((r) => setTimeout(r, 20));
        height = n + 1;
        yield fakeBlock(n);
      }
      await new Promise((r) => o.signal?.addEventListener('abort', r));
    },
    close: () => undefined,
  };
  return client as unknown as LedgerClient;
}

function run(initial: number, later: number[], batchBlocks: number, stopAfter: bigint) {
  const calls: number[][] = [];
  const projector: BlockProjector = {
    apply: async (b) => (calls.push([Number(b.number)]), summary(b)),
    prepare: (bs, after) => ({ blocks: bs, after, rows: new RowBuffer(), months: new Set(), summaries: bs.map(summary) }),
    write: async (p) => (calls.push(p.blocks.map((b) => Number(b.number))), p.summaries),
  };
  const pool = { query: async () => ({ rowCount: 0, rows: [] }) } as unknown as Pool;
  const stored: number[] = [];
  const source = createBlockSource({
    pool,
    projector,
    connect: async () => fakeLedger(initial, later),
    log: pino({ level: 'silent' }),
    pollMs: 50,
    retryDelayMs: 10,
    stopAfter,
    batchBlocks,
    onBlock: (s) => stored.push(Number(s.blockNumber)),
  });
  source.start();
  return source.done.then(() => ({ calls, stored }));
}

describe('indexer block source batching', () => {
  it('stores the backlog in batches of at most batchBlocks, then each new block alone', async () => {
    const { calls, stored } = await run(10, [10, 11], 4, 11n);
    expect(calls).to.deep.equal([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [10], [11]]);
    expect(stored).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('with batchBlocks 1 stores every block in its own transaction', async () => {
    const { calls } = await run(3, [], 1, 2n);
    expect(calls).to.deep.equal([[0], [1], [2]]);
  });
});
