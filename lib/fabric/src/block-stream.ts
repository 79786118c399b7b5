/**
 * Committed blocks from a number on: pushed by the organisation's peer over
 * a Deliver stream, or read by number with read-ahead, woken by block events.
 */
import type { Network } from 'fabric-network';
import type { LedgerBlock } from './block-decoder';
import { decodeBlock } from './block-decoder';
import type { BlockStreamOptions, LedgerClientOptions } from './client-types';
import { deliverRawBlocks } from './deliver-stream';

/** The block stream of a client on `network`; `reads` are its peer reads (peer-queries.ts). */
export function blockStream(
  network: Network,
  opts: LedgerClientOptions,
  reads: { height(peer?: string): Promise<bigint>; blockByNumber(n: bigint, peer?: string): Promise<LedgerBlock> },
): (so: BlockStreamOptions) => AsyncGenerator<LedgerBlock> {
  const { height, blockByNumber } = reads;

  /** Blocks pushed by the org's peer; each must be the next number, or the stream fails. */
  async function* deliveredBlocks(so: BlockStreamOptions): AsyncGenerator<LedgerBlock> {
    let next = so.startBlock;
    const target = {
      endpoint: opts.peer.endpoint,
      tlsCaPem: opts.peer.tlsCaPem,
      hostnameOverride: opts.peer.hostnameOverride,
      channel: opts.channel,
      mspId: opts.mspId,
      ...opts.identity,
      clientTls: opts.clientTls,
    };
    for await (const raw of deliverRawBlocks(target, next, { signal: so.signal, highWater: so.readAhead ?? 32 })) {
      const block = decodeBlock(raw);
      if (block.number !== next) throw new Error(`expected block ${next} from the peer's block stream, got block ${block.number}`);
      yield block;
      next += 1n;
    }
  }

  async function* blocks(so: BlockStreamOptions): AsyncGenerator<LedgerBlock> {
    if ((so.transport ?? 'deliver') === 'deliver') {
      yield* deliveredBlocks(so);
      return;
    }
    let next = so.startBlock;
    let wake: (() => void) | undefined;
    // Block events only wake the loop; blocks themselves are read by number,
    // so none can be skipped whatever the event service does.
    // An event arriving while blocks are being read (nobody waiting) is remembered,
    // so the loop checks the height again at once instead of sleeping up to pollMs.
    let woken = false;
    const listener = async () => {
      woken = true;
      wake?.();
    };
    await network.addBlockListener(listener, { type: 'filtered' }).catch(() => undefined);
    const onAbort = () => wake?.();
    so.signal?.addEventListener('abort', onAbort);
    // Read-ahead: up to `readAhead` GetBlockByNumber calls in flight, delivered strictly in order.
    const window = Math.max(1, so.readAhead ?? 32);
    const inFlight = new Map<bigint, Promise<LedgerBlock>>();
    try {
      while (!so.signal?.aborted) {
        woken = false;
        const h = await height();
        let ahead = next;
        while (next < h && !so.signal?.aborted) {
          for (ahead = ahead > next ? ahead : next; ahead < h && ahead < next + BigInt(window); ahead++) {
            const p = blockByNumber(ahead);
            // A failed read surfaces below when its turn comes; one abandoned on exit must not be unhandled.
            p.catch(() => undefined);
            inFlight.set(ahead, p);
          }
          const block = await inFlight.get(next)!;
          inFlight.delete(next);
          if (block.number !== next) throw new Error(`asked the peer for block ${next}, got block ${block.number}`);
          yield block;
          next += 1n;
        }
        inFlight.clear();
        if (so.signal?.aborted) break;
        if (woken) continue;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, so.pollMs ?? 2000);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      inFlight.clear();
      network.removeBlockListener(listener);
      so.signal?.removeEventListener('abort', onAbort);
    }
  }

  return blocks;
}
