/**
 * A LedgerClient whose connection can be replaced while it serves: reload()
 * connects anew (a renewed certificate and key, a renewed client TLS pair)
 * and sends every new call there, while calls already under way finish on the
 * connection they started on, which closes when the last of them ends. Block
 * streams move over: the stream on the old connection stops and carries on
 * from the next block on the new one, so a reader sees no gap and no repeat.
 */
import type { LedgerBlock } from '../block-decoder';
import type { BlockStreamOptions, LedgerClient } from '../client-types';

/** A LedgerClient that reload() moves onto a fresh connection. */
export interface ReloadingLedgerClient extends LedgerClient {
  /**
   * Connects with the current settings and files and makes that connection the one new
   * calls use. When connecting fails the previous connection stays in use and the error is thrown.
   * Resolves with the number of calls and block streams still running on the previous connection
   * (calls finish there, streams move over).
   */
  reload(): Promise<{ carriedOver: number }>;
}

interface Generation {
  client: LedgerClient;
  busy: number;
  retired: boolean;
  /** Aborts the block streams reading through this connection, so they move to the next. */
  streams: Set<AbortController>;
}

/** Wraps `first`; `connect` opens each later connection; `onClose` runs when the caller closes the client. */
export function reloadingLedgerClient(first: LedgerClient, connect: () => Promise<LedgerClient>, opts: { onClose?: () => void } = {}): ReloadingLedgerClient {
  let current: Generation = { client: first, busy: 0, retired: false, streams: new Set() };
  let closed = false;

  const release = (g: Generation) => {
    g.busy -= 1;
    if (g.retired && g.busy === 0) g.client.close();
  };

  async function use<T>(fn: (c: LedgerClient) => Promise<T>): Promise<T> {
    const g = current;
    g.busy += 1;
    try {
      return await fn(g.client);
    } finally {
      release(g);
    }
  }

  async function* blocks(so: BlockStreamOptions): AsyncGenerator<LedgerBlock> {
    let next = so.startBlock;
    while (!so.signal?.aborted && !closed) {
      const g = current;
      const moved = new AbortController();
      const onAbort = () => moved.abort();
      so.signal?.addEventListener('abort', onAbort);
      g.streams.add(moved);
      g.busy += 1;
      try {
        for await (const block of g.client.blocks({ ...so, startBlock: next, signal: moved.signal })) {
          next = block.number + 1n;
          yield block;
        }
      } catch (err) {
        // A stream cut because its connection was replaced carries on below; any other failure is the caller's.
        if (!(g.retired && moved.signal.aborted && !so.signal?.aborted)) throw err;
      } finally {
        so.signal?.removeEventListener('abort', onAbort);
        g.streams.delete(moved);
        release(g);
      }
      if (!g.retired || so.signal?.aborted) return;
    }
  }

  return {
    get mspId() {
      return current.client.mspId;
    },
    get peer() {
      return current.client.peer;
    },
    submit: (req) => use((c) => c.submit(req)),
    evaluate: (req) => use((c) => c.evaluate(req)),
    blocks,
    blockByTxId: (txId, peer) => use((c) => c.blockByTxId(txId, peer)),
    blockByNumber: (n, peer) => use((c) => c.blockByNumber(n, peer)),
    configBlock: (peer) => use((c) => c.configBlock(peer)),
    height: (peer) => use((c) => c.height(peer)),
    peers: () => current.client.peers(),
    commitListeners: () => current.client.commitListeners(),
    certificates: () => current.client.certificates(),
    async reload() {
      if (closed) throw new Error('the ledger client is closed');
      const client = await connect();
      if (closed) {
        client.close();
        return { carriedOver: 0 };
      }
      const old = current;
      current = { client, busy: 0, retired: false, streams: new Set() };
      old.retired = true;
      const carriedOver = old.busy;
      for (const s of old.streams) s.abort();
      if (old.busy === 0) old.client.close();
      return { carriedOver };
    },
    close() {
      if (closed) return;
      closed = true;
      opts.onClose?.();
      current.retired = true;
      for (const s of current.streams) s.abort();
      current.client.close();
    },
  };
}
