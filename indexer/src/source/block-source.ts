/**
 * The indexing loop: read committed blocks from the stored checkpoint through
 * LedgerClient and hand each to the projector. Any failure ends the pass; the
 * next pass reconnects and starts again from the checkpoint in PostgreSQL, so
 * a block is never skipped (unlike fabric-network's listener checkpointer,
 * which logs a listener's exception and moves on). A verification failure
 * stops the loop for good, and so does a peer that cannot serve the next block
 * (it joined the channel from a snapshot taken after the checkpoint).
 *
 * Catching up (blocks known to exist after the one just read), consecutive
 * blocks are stored in one PostgreSQL transaction of up to `batchBlocks`
 * blocks / about `batchTransactions` transactions; at the tip each block is
 * stored as soon as it is read, so batching never delays a block; blocks that
 * arrive while a write is in flight go together in the next one. One write is
 * in flight while the next batch is verified and built.
 */
import type { Logger } from 'pino';
import type { Pool } from 'pg';
import type { LedgerBlock, LedgerClient } from '../../../lib/fabric/src';
import { pipelinedStore, type PipelinedStore } from '../projection/pipelined-store';
import { readTip, type BlockProjector, type BlockSummary } from '../projection/project-block';
import { BLOCK_VERIFICATION_FAILED, isFatal } from './verify-block';
import { checkPeerHoldsBlock } from './peer-first-block';
import { withRetry } from '../../../lib/platform/src';

/** Dependencies of {@link createBlockSource}. */
export interface BlockSourceDeps {
  pool: Pool;
  projector: BlockProjector;
  /** Opens a fresh ledger connection (called again after every failure). */
  connect: () => Promise<LedgerClient>;
  log: Logger;
  /** How blocks reach the indexer (default `deliver`). */
  transport?: 'deliver' | 'query';
  /** With the query transport: longest wait between height checks. */
  pollMs: number;
  retryDelayMs: number;
  /** Called after each committed block (metrics, waking the outbox relay). */
  onBlock?: (summary: BlockSummary) => void;
  /** Called with the ledger height whenever it is read. */
  onHeight?: (height: bigint) => void;
  /** Stop after this block (rebuild); the loop ends when it is stored. */
  stopAfter?: bigint;
  /** Most blocks per PostgreSQL transaction while catching up (1: one transaction per block). Default 200. */
  batchBlocks?: number;
  /** A catch-up batch is stored once it holds this many transactions. Default 5000. */
  batchTransactions?: number;
}

export interface BlockSource {
  start(): void;
  /** Ends the loop after the block in progress; resolves when it has. */
  stop(): Promise<void>;
  /** Settles when the loop ends: rejects with the fatal error that stopped it. */
  readonly done: Promise<void>;
  /** Last stored block, once known. */
  checkpoint(): bigint | undefined;
}

export function createBlockSource(deps: BlockSourceDeps): BlockSource {
  const abort = new AbortController();
  let last: bigint | undefined;
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  // Callers may not await `done` until stop(); keep an unobserved rejection from crashing the process.
  done.catch(() => undefined);
  let loop: Promise<void> | undefined;

  async function pass(): Promise<boolean> {
    let client: LedgerClient | undefined;
    let heightTimer: NodeJS.Timeout | undefined;
    let pipe: PipelinedStore | undefined;
    // Flushes run one after another (the loop and the end of a write both start them); a failed one fails
    // every later one, so the loop's next flush reports it and the pass restarts from the checkpoint.
    let chain: Promise<void> = Promise.resolve();
    let closed = false;
    // The stream of this pass ends on stop() or when a write fails (the loop may be waiting for a block then);
    // the flush after the loop reports the failure.
    const stream = new AbortController();
    const endStream = () => stream.abort();
    abort.signal.addEventListener('abort', endStream);
    try {
      const tip = await readTip(deps.pool);
      last = tip?.blockNumber;
      if (deps.stopAfter !== undefined && last !== undefined && last >= deps.stopAfter) return true;
      client = await deps.connect();
      const c = client;
      let known = -1n;
      // A height query is a signed proposal the peer endorses: at the tip it is asked at most once a
      // second (and every 5 s regardless), not once per block; a burst in between is batched by the
      // group commit below, and a backlog is noticed within the second.
      let heightAsked = 0;
      let heightInFlight: Promise<void> | undefined;
      const readHeight = () => {
        heightAsked = Date.now();
        heightInFlight ??= c
          .height()
          .then(
            (h) => {
              if (h > known) known = h;
              deps.onHeight?.(h);
            },
            () => undefined,
          )
          .finally(() => (heightInFlight = undefined));
        return heightInFlight;
      };
      const startBlock = tip ? tip.blockNumber + 1n : 0n;
      // A peer joined from a snapshot has no block before it: below that, say so and stop.
      checkPeerHoldsBlock(startBlock, await c.chainInfo(), c.peer);
      await readHeight();
      heightTimer = setInterval(readHeight, 5000);
      deps.log.info({ startBlock: startBlock.toString() }, 'reading blocks from the checkpoint');
      const maxBlocks = Math.max(1, deps.batchBlocks ?? 200);
      const maxTxs = Math.max(1, deps.batchTransactions ?? 5000);
      let batch: LedgerBlock[] = [];
      let batchTxs = 0;
      pipe = pipelinedStore(
        deps.projector,
        tip,
        (summary) => {
          last = summary.blockNumber;
          deps.onBlock?.(summary);
        },
        // At the tip the loop may wait long for the next block: a failed write ends the stream now.
        endStream,
      );
      const flush = (): Promise<void> => {
        const run = chain.then(async () => {
          if (batch.length === 0 || closed) return;
          const blocks = batch;
          batch = [];
          batchTxs = 0;
          await pipe!.push(blocks);
        });
        run.catch(endStream);
        chain = run;
        return run;
      };
      let flushQueued = false;
      const flushWhenIdle = () => {
        if (flushQueued) return;
        flushQueued = true;
        void pipe!.idle().then(() => {
          flushQueued = false;
          return flush();
        });
      };
      for await (const block of client.blocks({ startBlock, signal: stream.signal, pollMs: deps.pollMs, transport: deps.transport })) {
        deps.log.debug({ blockNumber: block.number.toString() }, 'block received');
        batch.push(block);
        batchTxs += block.transactions.length;
        const stopHere = deps.stopAfter !== undefined && block.number >= deps.stopAfter;
        // Behind: the ledger is known to hold a block after this one, which the reader is already fetching.
        const behind = known - block.number > 1n;
        if (!behind && block.number + 1n >= known && Date.now() - heightAsked >= 1000) void readHeight();
        const room = batch.length < maxBlocks && batchTxs < maxTxs;
        if (behind && !stopHere && !abort.signal.aborted && room) continue;
        // At the tip, a block that arrives while the one before it is being written joins the next write,
        // which starts as soon as that one has committed (group commit): under load, blocks wait for one
        // write each instead of queueing behind one another.
        if (!behind && !stopHere && !abort.signal.aborted && room && pipe.busy()) {
          flushWhenIdle();
          continue;
        }
        await flush();
        if (stopHere) {
          await pipe.drain();
          return true;
        }
        if (abort.signal.aborted) break;
      }
      // The stream ended (stop, or a failed write, which this flush reports) while blocks waited for their batch: store them too.
      await flush();
      await pipe.drain();
      return abort.signal.aborted;
    } finally {
      abort.signal.removeEventListener('abort', endStream);
      clearInterval(heightTimer);
      client?.close();
      // The next pass reads the checkpoint: no write of this one may still be running then.
      closed = true;
      await chain.catch(() => undefined);
      await pipe?.drain().catch(() => undefined);
    }
  }

  async function run(): Promise<void> {
    while (!abort.signal.aborted) {
      // A failed pass is retried from the checkpoint until stopped; only a verification failure is final.
      const stopped = await withRetry(() => pass(), {
        attempts: Infinity,
        baseDelayMs: deps.retryDelayMs,
        maxDelayMs: deps.retryDelayMs,
        signal: abort.signal,
        retriable: (err) => !isFatal(err),
        onRetry: (err, _attempt, delayMs) =>
          deps.log.warn({ err: (err as Error).message, checkpoint: last?.toString() }, `indexing pass failed; restarting from the checkpoint in ${delayMs} ms`),
      }).catch((err) => {
        if (!isFatal(err)) return true; // stopped while waiting to retry
        const verification = (err as { code?: string }).code === BLOCK_VERIFICATION_FAILED;
        deps.log.fatal(
          { err, blockNumber: ((last ?? -1n) + 1n).toString() },
          verification
            ? 'BLOCK VERIFICATION FAILED: the indexer stops; the stored chain and the ledger disagree'
            : `the indexer stops: ${(err as Error).message}`,
        );
        throw err;
      });
      if (stopped) break;
    }
  }

  return {
    start() {
      if (loop) return;
      loop = run().then(
        () => settle.resolve(),
        (err) => settle.reject(err),
      );
    },
    async stop() {
      abort.abort();
      await loop?.catch(() => undefined);
    },
    done,
    checkpoint: () => last,
  };
}
