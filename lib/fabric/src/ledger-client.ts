/**
 * LedgerClient: the one place the service talks to Fabric. Connects as one
 * organisation's application identity and offers submit, evaluate, and a
 * stream of committed blocks from a given number. The Fabric SDKs are
 * imported in this library and nowhere else; this file composes its parts:
 * the connection (sdk-connection.ts), peer reads (peer-queries.ts), the block
 * stream (block-stream.ts) and commit listening (commit-peers.ts, commit-waiter.ts).
 */
import * as fs from 'node:fs';
import './sdk-logger'; // before the SDK: it binds its loggers when it loads
import type { Contract } from 'fabric-network';
import { blockStream } from './block-stream';
import type { LedgerClient, LedgerClientOptions, SubmitResult, TransactionRequest } from './client-types';
import { createCommitPeers } from './commit-peers';
import { commitWaiter, type CommitWaiterOptions } from './commit-waiter';
import { certificateValidity } from './connection/certificate-expiry';
import { decodeBlock } from './block-decoder';
import { createGatewaySubmitter } from './gateway-submitter';
import { toServiceError } from './ledger-errors';
import { onPeer, peerQueries } from './peer-queries';
import { submitReplanningOnce } from './replan';
import { connectNetwork } from './sdk-connection';

export type { BlockStreamOptions, CommitListeners, LedgerClient, LedgerClientOptions, PeerRef, SubmitResult, TransactionRequest } from './client-types';

/** Connects to the ledger as one organisation. */
export async function createLedgerClient(opts: LedgerClientOptions): Promise<LedgerClient> {
  const { gateway, network } = await connectNetwork(opts);
  const commitTimeoutMs = opts.commitTimeoutMs ?? 60_000;
  // One set of commit streams per client: a peer that restarts is reconnected here, not per transaction.
  const commitPeers = createCommitPeers(network, { mspId: opts.mspId });
  let graceExpired = 0;
  const waiterOptions: CommitWaiterOptions = { peers: commitPeers, onGraceExpired: () => (graceExpired += 1) };
  const contracts = new Set<Contract>();
  const contractOf = (req: TransactionRequest): Contract => {
    const c = network.getContract(opts.chaincode, req.contract);
    contracts.add(c);
    return c;
  };

  /**
   * Asks discovery again for the channel's peers and every contract's endorsement
   * plan. fabric-network keeps both from the first call and never refreshes them,
   * so after the channel's membership changes (an organisation added, MAJORITY now
   * counting one more) the old plan collects too few endorsements.
   */
  let refreshing: Promise<void> | undefined;
  function refreshDiscovery(): Promise<void> {
    refreshing ??= (async () => {
      type Refreshable = { send(r: { asLocalhost: boolean; targets: unknown }): Promise<unknown>; targets: unknown };
      const channelDiscovery = (network as unknown as { discoveryService?: Refreshable }).discoveryService;
      await channelDiscovery?.send({ asLocalhost: opts.asLocalhost ?? false, targets: channelDiscovery.targets }).catch(() => undefined);
      for (const c of contracts) (c as unknown as { discoveryService?: unknown }).discoveryService = undefined;
    })().finally(() => (refreshing = undefined));
    return refreshing;
  }
  const { endorser, querySystem, height, chainInfo, blockByNumber } = peerQueries(network, opts);

  const blocks = blockStream(network, opts, { height, blockByNumber });

  async function submitOnce(req: TransactionRequest): Promise<SubmitResult> {
    const tx = contractOf(req).createTransaction(req.fn);
    const txId = tx.getTransactionId();
    let waiter: ReturnType<typeof commitWaiter> | undefined;
    tx.setEventHandler((id, net) => (waiter = commitWaiter(net, opts.mspId, id, commitTimeoutMs, waiterOptions)));
    if (req.transient) tx.setTransient(req.transient);
    if (req.endorsingOrgs?.length) tx.setEndorsingOrganizations(...req.endorsingOrgs);
    try {
      const payload = await tx.submit(...(req.args ?? []));
      const blockNumber = waiter?.blockNumber();
      if (blockNumber === undefined) throw new Error(`commit of ${txId} was not observed`);
      return { txId, blockNumber, payload };
    } catch (err) {
      throw toServiceError(err, `submit ${req.contract ?? ''}:${req.fn}`);
    }
  }

  const viaGateway = opts.submitter === 'gateway' ? createGatewaySubmitter(opts) : undefined;

  return {
    mspId: opts.mspId,
    peer: opts.peer.endpoint,
    // One attempt: retries belong to the caller (withRetry), so a retry budget is never multiplied;
    // differing endorsements (a peer behind by a block) come back as a retriable ENDORSEMENT_MISMATCH.
    // The exception is a stale plan, which no caller can fix (see submitReplanningOnce). The gateway
    // peer plans endorsements itself and updates its plan when it commits a config block; the SDK's
    // discovery is refreshed here.
    async submit(req) {
      // The gateway peer reports the commit; the other peers are watched as for the SDK path, so
      // that the next transaction, which may be endorsed there, reads what this one wrote.
      if (viaGateway) {
        return submitReplanningOnce(() => viaGateway.submit(req, (txId) => commitWaiter(network, opts.mspId, txId, commitTimeoutMs, waiterOptions)), {
          fixedEndorsers: Boolean(req.endorsingOrgs?.length),
        });
      }
      return submitReplanningOnce(() => submitOnce(req), { refreshPlan: refreshDiscovery, fixedEndorsers: Boolean(req.endorsingOrgs?.length) });
    },
    async evaluate(req) {
      // Through the gateway client unless a particular peer is asked for: it signs natively, and its
      // peer is the one that reported this client's commits, so a query after a submit sees it.
      if (viaGateway && !req.peer) return viaGateway.evaluate(req);
      const tx = contractOf(req).createTransaction(req.fn);
      if (req.transient) tx.setTransient(req.transient);
      if (req.peer) onPeer(tx, endorser(req.peer));
      try {
        return await tx.evaluate(...(req.args ?? []));
      } catch (err) {
        throw toServiceError(err, `evaluate ${req.contract ?? ''}:${req.fn}`);
      }
    },
    blocks: (so) => blocks(so),
    async blockByTxId(txId, peer) {
      return decodeBlock(await querySystem('GetBlockByTxID', [txId], peer));
    },
    blockByNumber,
    async configBlock(peer) {
      try {
        const cscc = network.getContract('cscc');
        return await onPeer(cscc.createTransaction('GetConfigBlock'), endorser(peer)).evaluate(opts.channel);
      } catch (err) {
        throw toServiceError(err, `GetConfigBlock on ${peer ?? opts.peer.endpoint}`);
      }
    },
    height,
    chainInfo,
    peers() {
      return network
        .getChannel()
        .getEndorsers()
        .map((e) => ({ name: e.name, mspId: e.mspid }));
    },
    commitListeners: () => ({ peers: commitPeers.status(), graceExpired }),
    certificates: () => [
      certificateValidity('identity', opts.identity.certificatePem),
      ...(opts.clientTls ? [certificateValidity('client_tls', opts.clientTls.certificatePem)] : []),
    ],
    close() {
      commitPeers.close();
      viaGateway?.close();
      try {
        gateway.disconnect();
      } catch {
        // fabric-network throws "eventListener not found" when a peer's event service was
        // restarted under it; the connections are closed regardless.
      }
    },
  };
}

/** Reads PEM files for LedgerClientOptions. */
export function readPem(file: string): string {
  return fs.readFileSync(file, 'utf8');
}
