/**
 * Which peers a commit waiter listens on, and getting a restarted peer's
 * event service back without restarting the client.
 *
 * fabric-network keeps one commit event service per peer. When a peer is down
 * as a transaction starts listening, that service is left marked "in use" but
 * not started (fabric-common's EventService sets the mark before connecting and
 * only clears it on close), so every later transaction registers on a stream
 * that no longer exists and waits out the grace period for a peer that will
 * never report, even after the peer is back. Here a peer of another
 * organisation whose stream failed is left out of the commit wait and its event
 * service is reset and restarted in the background, with backoff, until it
 * streams again. The own organisation's peers are always listened on, since a
 * submission must see its own commit: a failed one is reset so that the next
 * transaction starts its stream again.
 */
import type { Endorser } from 'fabric-common';
import type { Network } from 'fabric-network';

/** A channel peer's commit event stream, as the client sees it. */
export interface CommitPeerStatus {
  /** host:port */
  name: string;
  mspId: string;
  /** The peer's event stream runs (or has not been needed yet); false while it reconnects. */
  listening: boolean;
  /** When the stream last failed (ISO time), while it is down. */
  downSince?: string;
  /** Why it failed. */
  error?: string;
}

export interface CommitPeers {
  /** The peers to wait on for a commit: every peer of the own organisation, and other organisations' peers whose stream runs. */
  select(peers: Endorser[]): Endorser[];
  /** A peer's event stream failed: leave it out of commit waits and reconnect it in the background. */
  failed(peer: Endorser, reason: string): void;
  status(): CommitPeerStatus[];
  close(): void;
}

/** The parts of fabric-common's EventService used here. */
interface EventServiceLike {
  isStarted(): boolean;
  isInUse(): boolean;
  close(): void;
}
/** The parts of fabric-network's (internal) EventServiceManager used here. */
interface EventServiceManagerLike {
  getCommitEventService(peer: Endorser): EventServiceLike;
  startEventService(service: EventServiceLike): Promise<void>;
}

export interface CommitPeersOptions {
  /** The client's organisation. */
  mspId: string;
  /** First delay before reconnecting a failed stream, ms (doubles up to maxRetryMs). Default 500. */
  retryMs?: number;
  maxRetryMs?: number;
  /** Told when a peer's stream goes down or comes back. */
  onChange?: (status: CommitPeerStatus) => void;
}

interface Down {
  peer: Endorser;
  since: Date;
  error: string;
  delayMs: number;
  timer?: NodeJS.Timeout;
}

export function createCommitPeers(network: Network, opts: CommitPeersOptions): CommitPeers {
  const manager = (network as unknown as { eventServiceManager: EventServiceManagerLike }).eventServiceManager;
  const retryMs = opts.retryMs ?? 500;
  const maxRetryMs = opts.maxRetryMs ?? 4000;
  const down = new Map<string, Down>();
  /** Peers whose stream was started once: a stream found stopped later has failed. */
  const started = new Set<string>();
  let closed = false;

  const statusOf = (peer: Endorser): CommitPeerStatus => {
    const d = down.get(peer.name);
    const own = ownFailed.get(peer.name);
    if (own !== undefined) return { name: peer.name, mspId: peer.mspid, listening: false, error: own };
    return d
      ? { name: peer.name, mspId: peer.mspid, listening: false, downSince: d.since.toISOString(), error: d.error }
      : { name: peer.name, mspId: peer.mspid, listening: true };
  };

  async function reconnect(d: Down): Promise<void> {
    d.timer = undefined;
    if (closed || down.get(d.peer.name) !== d) return;
    const service = manager.getCommitEventService(d.peer);
    try {
      if (!service.isStarted()) {
        // A start that failed leaves the service "in use"; closing clears that so it can start again.
        if (service.isInUse()) service.close();
        await manager.startEventService(service);
      }
      if (closed || down.get(d.peer.name) !== d) return;
      down.delete(d.peer.name);
      started.add(d.peer.name);
      opts.onChange?.(statusOf(d.peer));
    } catch (err) {
      if (closed || down.get(d.peer.name) !== d) return;
      d.error = (err as Error).message;
      d.delayMs = Math.min(maxRetryMs, d.delayMs * 2);
      schedule(d);
    }
  }

  function schedule(d: Down): void {
    d.timer = setTimeout(() => void reconnect(d), d.delayMs);
    d.timer.unref();
  }

  /** Own peers failed since their last use: their services are reset before the next transaction. */
  const ownFailed = new Map<string, string>();

  function failed(peer: Endorser, reason: string): void {
    if (closed) return;
    if (peer.mspid === opts.mspId) {
      ownFailed.set(peer.name, reason);
      return;
    }
    if (down.has(peer.name)) return;
    const d: Down = { peer, since: new Date(), error: reason, delayMs: retryMs };
    down.set(peer.name, d);
    opts.onChange?.(statusOf(peer));
    schedule(d);
  }

  return {
    select(peers) {
      return peers.filter((p) => {
        if (p.mspid === opts.mspId) {
          if (ownFailed.delete(p.name)) {
            const service = manager.getCommitEventService(p);
            if (!service.isStarted() && service.isInUse()) service.close();
          }
          return true;
        }
        if (down.has(p.name)) return false;
        // Started before and stopped since (the peer went away between two transactions).
        if (started.has(p.name) && !manager.getCommitEventService(p).isStarted()) {
          failed(p, 'event stream stopped');
          return false;
        }
        started.add(p.name);
        return true;
      });
    },
    failed,
    status() {
      return network
        .getChannel()
        .getEndorsers()
        .map((p) => statusOf(p));
    },
    close() {
      closed = true;
      for (const d of down.values()) clearTimeout(d.timer);
      down.clear();
    },
  };
}
