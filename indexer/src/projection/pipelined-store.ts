/**
 * Batches of blocks stored in order with one write in flight, over a block projector.
 */
import type { LedgerBlock } from '../../../lib/fabric/src';
import { isFatal, type ChainTip } from '../source/verify-block';
import type { BlockSummary } from './block-rows';
import type { BlockProjector, PreparedBatch } from './project-block';

/**
 * Stores batches strictly in order with one write in flight: the next batch
 * is verified and its rows built while the previous one commits. Each batch
 * is verified against the tip the previous batch leaves; its write checks
 * that tip against PostgreSQL again. A batch holding a block that fails
 * verification is stored block by block instead, so every block before the
 * bad one is kept and the error names exactly that block.
 */
export interface PipelinedStore {
  /** Starts storing `blocks` once the write before it committed; rejects with an earlier write's failure. */
  push(blocks: readonly LedgerBlock[]): Promise<void>;
  /** Waits for the write in flight; rejects with its failure. */
  drain(): Promise<void>;
  /** A write is in flight. */
  busy(): boolean;
  /** Resolves when no write is in flight (whether it committed or failed; drain() reports which). */
  idle(): Promise<void>;
}

/** `onFailed` hears of a failed write at once (the failure itself is still reported by the next push or drain). */
export function pipelinedStore(
  projector: BlockProjector,
  after: ChainTip | undefined,
  onStored: (s: BlockSummary) => void,
  onFailed?: (err: unknown) => void,
): PipelinedStore {
  let tip = after;
  let inFlight: Promise<void> | undefined;
  let writing = false;
  const drain = async () => {
    const p = inFlight;
    inFlight = undefined;
    await p;
  };
  return {
    async push(blocks) {
      if (blocks.length === 0) return;
      let prepared: PreparedBatch;
      try {
        prepared = projector.prepare(blocks, tip);
      } catch (err) {
        await drain();
        if (!isFatal(err)) throw err;
        for (const b of blocks) onStored(await projector.apply(b));
        throw err;
      }
      const last = blocks[blocks.length - 1];
      tip = { blockNumber: last.number, headerHash: last.headerHash };
      await drain();
      writing = true;
      const write = projector.write(prepared).then((summaries) => summaries.forEach(onStored));
      const settled = write.finally(() => (writing = false));
      // Surfaced by the next push or drain.
      settled.catch((err: unknown) => onFailed?.(err));
      inFlight = settled;
    },
    drain,
    busy: () => writing,
    idle: () =>
      (inFlight ?? Promise.resolve()).then(
        () => undefined,
        () => undefined,
      ),
  };
}
