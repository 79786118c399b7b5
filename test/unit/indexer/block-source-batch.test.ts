/**
 * The block source batches only while behind: blocks known to exist after the
 * current one go into one write; a block at the tip is stored alone, at once.
 */
import { expect } from 'chai';
import { pino } from 'pino';
import type { Pool } from 'pg';
import type { BlockStreamOptions, LedgerBlock, LedgerClient } from '../../../lib/fabric/src';
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
    chainInfo: async () => ({ height: BigInt(height), firstBlock: 0n }),
    async *blocks(o: BlockStreamOptions) {
      for (let n = Number(o.startBlock); n < initial; n++) yield fakeBlock(n);
      for (const n of later) {
        if (n < Number(o.startBlock)) continue;
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

function run(initial: number, later: number[], batchBlocks: number, stopAfter: bigint, write: { ms?: number; failOnce?: number; firstPass?: number[] } = {}) {
  let passes = 0;
  const calls: number[][] = [];
  let writing = 0;
  let overlapped = false;
  let failed = false;
  const projector: BlockProjector = {
    apply: async (b) => (calls.push([Number(b.number)]), summary(b)),
    prepare: (bs, after) => ({ blocks: bs, after, rows: new RowBuffer(), months: new Set(), summaries: bs.map(summary) }),
    write: async (p) => {
      if (writing++ > 0) overlapped = true;
      try {
        if (write.ms) await new Promise((r) => setTimeout(r, write.ms));
        const numbers = p.blocks.map((b) => Number(b.number));
        if (!failed && write.failOnce !== undefined && numbers.includes(write.failOnce)) {
          failed = true;
          throw new Error('connection lost');
        }
        calls.push(numbers);
        return p.summaries;
      } finally {
        writing--;
      }
    },
  };
  const stored: number[] = [];
  // The checkpoint is the last block a write stored, as in PostgreSQL: a restarted pass goes on after it.
  const pool = {
    query: async () =>
      stored.length === 0 ? { rowCount: 0, rows: [] } : { rowCount: 1, rows: [{ block_number: String(stored.at(-1)), header_hash: Buffer.alloc(32) }] },
  } as unknown as Pool;
  const source = createBlockSource({
    pool,
    projector,
    connect: async () => fakeLedger(initial, passes++ === 0 && write.firstPass ? write.firstPass : later),
    log: pino({ level: 'silent' }),
    pollMs: 50,
    retryDelayMs: 10,
    stopAfter,
    batchBlocks,
    onBlock: (s) => stored.push(Number(s.blockNumber)),
  });
  source.start();
  return source.done.then(() => ({ calls, stored, overlapped }));
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

  it('at the tip, stores the blocks that arrived during a write together in the next one, in order, one write at a time', async () => {
    const later = Array.from({ length: 12 }, (_, i) => 3 + i);
    const { calls, stored, overlapped } = await run(3, later, 200, 14n, { ms: 90 });
    expect(stored).to.deep.equal(Array.from({ length: 15 }, (_, i) => i));
    expect(calls.flat()).to.deep.equal(stored);
    expect(overlapped).to.equal(false);
    // Blocks arrive every 20 ms and a write takes 90: blocks of the tip share writes.
    const atTip = calls.filter((c) => c[0] >= 3);
    expect(atTip.length).to.be.lessThan(later.length);
    expect(Math.max(...atTip.map((c) => c.length))).to.be.greaterThan(1);
  });

  it('a write that fails at the tip ends the pass without waiting for another block; the next pass stores its blocks from the checkpoint', async () => {
    // The first connection delivers no block after 5, so only the failed write itself can end that pass.
    const { stored } = await run(3, [3, 4, 5, 6], 200, 6n, { ms: 60, failOnce: 5, firstPass: [3, 4, 5] });
    expect(stored).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
  });
});
