/**
 * The channel's height as every peer reports it, not only the indexer's own
 * peer: while that peer is down (or behind), the blocks other peers committed
 * still count as lag, and /health says the peer cannot be reached. One ledger
 * connection of its own, kept across failures (the other peers answer on it
 * while the own peer is down), asks each peer's height every `intervalMs`.
 */
import type { Logger } from 'pino';
import type { CertificateValidity, LedgerClient } from '../../../lib/fabric/src';

/** One peer's last answer. */
export interface PeerHeight {
  /** host:port */
  name: string;
  mspId?: string;
  /** The peer the indexer reads blocks from. */
  own: boolean;
  reachable: boolean;
  height?: bigint;
  error?: string;
}

export interface ChannelHeightMonitor {
  start(): void;
  stop(): Promise<void>;
  /** Every peer's last answer (empty until the first check). */
  peers(): PeerHeight[];
  /** Highest height any peer reported in the last check. */
  height(): bigint | undefined;
  /** The certificates the connection presents (empty before it first connected). */
  certificates(): CertificateValidity[];
}

/** Dependencies of {@link createChannelHeightMonitor}. */
export interface ChannelHeightDeps {
  connect: () => Promise<LedgerClient>;
  log: Logger;
  /** Between checks, ms. */
  intervalMs: number;
  /** Longest wait for one peer's answer, ms (default 3000). */
  timeoutMs?: number;
  /** Called after each check. */
  onCheck?: (peers: PeerHeight[], height: bigint | undefined) => void;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(t),
  );
}

export function createChannelHeightMonitor(deps: ChannelHeightDeps): ChannelHeightMonitor {
  const timeoutMs = deps.timeoutMs ?? 3000;
  let client: LedgerClient | undefined;
  let certificates: CertificateValidity[] = [];
  let last: PeerHeight[] = [];
  let max: bigint | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const reported = new Map<string, boolean>();

  async function check(): Promise<void> {
    if (!client) {
      try {
        client = await deps.connect();
      } catch (err) {
        // Without a connection (the own peer refused discovery), only the own peer's state is known.
        const error = (err as Error).message.split('\n')[0];
        last =
          last.length > 0
            ? last.map((p) => (p.own ? { ...p, reachable: false, error, height: undefined } : p))
            : [{ name: 'own peer', own: true, reachable: false, error }];
        return;
      }
    }
    const c = client;
    certificates = c.certificates?.() ?? [];
    const peers = c.peers();
    last = await Promise.all(
      peers.map((p) =>
        withTimeout(c.height(p.name), timeoutMs).then(
          (height): PeerHeight => ({ name: p.name, mspId: p.mspId, own: p.name === c.peer, reachable: true, height }),
          (err: Error): PeerHeight => ({ name: p.name, mspId: p.mspId, own: p.name === c.peer, reachable: false, error: err.message.split('\n')[0] }),
        ),
      ),
    );
    const heights = last.filter((p) => p.height !== undefined).map((p) => p.height!);
    max = heights.length > 0 ? heights.reduce((a, b) => (b > a ? b : a)) : undefined;
  }

  async function tick(): Promise<void> {
    await check().catch((err) => deps.log.warn({ err: (err as Error).message }, 'checking the peers’ heights failed'));
    for (const p of last) {
      if (reported.get(p.name) !== p.reachable) {
        if (!p.reachable) deps.log.warn({ peer: p.name, own: p.own, err: p.error }, 'peer unreachable');
        else if (reported.has(p.name)) deps.log.info({ peer: p.name, own: p.own }, 'peer reachable again');
        reported.set(p.name, p.reachable);
      }
    }
    deps.onCheck?.(last, max);
    if (!stopped) {
      timer = setTimeout(() => (running = tick()), deps.intervalMs);
      timer.unref();
    }
  }

  return {
    start() {
      if (running || stopped) return;
      running = tick();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
      client?.close();
      client = undefined;
    },
    peers: () => last,
    height: () => max,
    certificates: () => certificates,
  };
}
