/**
 * How a submit knows its transaction committed: a fabric-network event
 * handler that listens on every peer of the channel, keeps the block number,
 * and rejects with the validation code when a peer marks the transaction
 * invalid. The submitting org's peers must all report; the other orgs' peers
 * are awaited for a short grace period, so that the next transaction — which
 * discovery may send to them — reads what this one wrote. With `peers`, only
 * the other organisations' peers whose event stream runs are awaited (see
 * commit-peers.ts): a peer that is down costs nothing, and one that failed
 * while this transaction waited is reconnected in the background.
 */
import type { Network } from 'fabric-network';
import type { CommitEvent, CommitError } from 'fabric-network/lib/events';
import type { TxEventHandler } from 'fabric-network/lib/impl/event/transactioneventhandler';
import type { CommitPeers } from './commit-peers';
import { invalidTransaction } from './ledger-errors';

/** How long to wait for other orgs' peers once the own org's peers committed. */
export const OTHER_PEERS_GRACE_MS = 3000;

/** Options of {@link commitWaiter}. */
export interface CommitWaiterOptions {
  /** Which peers' streams run; without it every peer of the channel is awaited. */
  peers?: CommitPeers;
  /** Told when the wait for other organisations' peers ended by the grace period running out. */
  onGraceExpired?: (txId: string, missing: string[]) => void;
}

export function commitWaiter(
  network: Network,
  mspId: string,
  txId: string,
  timeoutMs: number,
  opts: CommitWaiterOptions = {},
): TxEventHandler & { blockNumber(): bigint | undefined } {
  const channelPeers = network.getChannel().getEndorsers();
  const peers = opts.peers ? opts.peers.select(channelPeers) : channelPeers;
  const byName = new Map(peers.map((p) => [p.name, p]));
  const own = new Set(peers.filter((p) => p.mspid === mspId).map((p) => p.name));
  const pending = new Set(peers.map((p) => p.name));
  const failures: string[] = [];
  let blockNumber: bigint | undefined;
  let settle!: { resolve: () => void; reject: (e: Error) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  // Whoever waits sees the outcome through waitForEvents; a caller that learnt it elsewhere
  // (the gateway peer's commit status) and stops listening must not leave it unhandled.
  done.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  let grace: NodeJS.Timeout | undefined;

  const ownDone = () => [...own].every((name) => !pending.has(name));
  const finish = () => {
    if (blockNumber !== undefined) settle.resolve();
    else settle.reject(new Error(`no peer of ${mspId} reported the commit of ${txId}: ${failures.join('; ')}`));
  };
  const listener = (error?: CommitError, event?: CommitEvent) => {
    if (error) {
      pending.delete(error.peer.name);
      failures.push(`${error.peer.name}: ${error.message}`);
      const peer = byName.get(error.peer.name);
      if (peer) opts.peers?.failed(peer, error.message);
    } else if (event) {
      pending.delete(event.peer.name);
      if (!event.isValid) {
        settle.reject(invalidTransaction(txId, event.status, event.peer.name));
        return;
      }
      blockNumber = BigInt(event.getBlockEvent().blockNumber.toString());
    }
    if (pending.size === 0) finish();
    else if (ownDone() && !grace)
      grace = setTimeout(() => {
        if (blockNumber !== undefined) opts.onGraceExpired?.(txId, [...pending]);
        finish();
      }, OTHER_PEERS_GRACE_MS);
  };
  const stopListening = () => {
    try {
      network.removeCommitListener(listener);
    } catch {
      // fabric-common throws "eventListener not found" when the peer's stream failed while this
      // transaction waited: the stream dropped its listeners itself, and the commit stands.
    }
  };
  return {
    async startListening() {
      if (own.size === 0) throw new Error(`no peer of ${mspId} is known to the client`);
      await network.addCommitListener(listener, peers, txId);
    },
    waitForEvents() {
      timer = setTimeout(() => settle.reject(new Error(`timed out after ${timeoutMs} ms waiting for the commit of ${txId}`)), timeoutMs);
      // fabric-network removes its own handlers' listeners; this one must remove its own, or
      // every later block is dispatched to every transaction ever submitted.
      return done.finally(() => {
        clearTimeout(timer);
        clearTimeout(grace);
        stopListening();
      });
    },
    cancelListening() {
      clearTimeout(timer);
      clearTimeout(grace);
      stopListening();
    },
    blockNumber: () => blockNumber,
  };
}
