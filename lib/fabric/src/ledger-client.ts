/**
 * LedgerClient: the one place the service talks to Fabric. Connects as one
 * organisation's application identity and offers submit, evaluate, and a
 * stream of committed blocks from a given number. fabric-network is imported
 * here and nowhere else.
 */
import * as fs from 'node:fs';
import './sdk-logger'; // before the SDK: it binds its loggers when it loads
import { Gateway, Wallets, type Contract, type Transaction, type X509Identity } from 'fabric-network';
import type { Endorser } from 'fabric-common';
import * as protos from 'fabric-protos';
import { decodeBlock, type LedgerBlock } from './block-decoder';
import { deliverRawBlocks } from './deliver-stream';
import { ServiceError } from '../../platform/src';
import { createCommitPeers, type CommitPeerStatus } from './commit-peers';
import { commitWaiter, type CommitWaiterOptions } from './commit-waiter';
import { createGatewaySubmitter } from './gateway-submitter';
import { certificateValidity, type CertificateValidity } from './connection/certificate-expiry';
import { toServiceError } from './ledger-errors';
import { submitReplanningOnce } from './replan';

/** How to reach the ledger as one organisation. */
export interface LedgerClientOptions {
  mspId: string;
  /** The org's own peer (host:port); other orgs' peers are found by discovery. */
  peer: { endpoint: string; tlsCaPem: string; hostnameOverride?: string };
  identity: { certificatePem: string; privateKeyPem: string };
  /** Client TLS certificate and key, for peers that require one (peer.tls.clientAuthRequired). */
  clientTls?: { certificatePem: string; privateKeyPem: string };
  /**
   * Reach discovered peers on localhost instead of the address they announce
   * (only for a network whose nodes all run on this host behind other names). Default false.
   */
  asLocalhost?: boolean;
  channel: string;
  chaincode: string;
  /** How long to wait for a commit, ms. */
  commitTimeoutMs?: number;
  /**
   * Which client library submits: 'gateway' (the peer's Fabric Gateway service through
   * @hyperledger/fabric-gateway) or 'sdk' (fabric-network, which endorses, orders and
   * listens for commits itself). Queries, blocks and discovery use fabric-network either way.
   */
  submitter?: 'gateway' | 'sdk';
}

export interface TransactionRequest {
  /** Contract name inside the chaincode, e.g. 'traceability'; the default contract when absent. */
  contract?: string;
  fn: string;
  args?: string[];
  transient?: Record<string, Buffer>;
  /** Restrict endorsement to these orgs (normally discovery picks enough orgs). */
  endorsingOrgs?: string[];
}

export interface SubmitResult {
  txId: string;
  blockNumber: bigint;
  payload: Buffer;
}

/** A peer of the channel, as the client sees it. */
export interface PeerRef {
  /** host:port */
  name: string;
  mspId: string;
}

export interface BlockStreamOptions {
  /** First block to deliver. */
  startBlock: bigint;
  /** Ends the stream. */
  signal?: AbortSignal;
  /** Longest wait between height checks when no block event arrives, ms. */
  pollMs?: number;
  /**
   * `deliver` (default): the peer pushes blocks over one Deliver stream.
   * `query`: blocks are read by number through the query system chaincode,
   * `readAhead` at a time, and block events only wake the reader.
   */
  transport?: 'deliver' | 'query';
  /** Blocks buffered ahead of the caller (deliver) or read concurrently (query). Default 32; 1 reads one at a time. */
  readAhead?: number;
}

/** The commit event streams of the channel's peers (see commit-peers.ts). */
export interface CommitListeners {
  peers: CommitPeerStatus[];
  /** Submissions whose wait for other organisations' peers ran out the grace period, since the client connected. */
  graceExpired: number;
}

/** The operations the rest of the service needs from Fabric. */
export interface LedgerClient {
  readonly mspId: string;
  /** The organisation's own peer (host:port), which discovery, queries and blocks go through. */
  readonly peer: string;
  submit(req: TransactionRequest): Promise<SubmitResult>;
  evaluate(req: TransactionRequest & { peer?: string }): Promise<Buffer>;
  /** Committed blocks in order from `startBlock`, for as long as the caller iterates. */
  blocks(opts: BlockStreamOptions): AsyncIterable<LedgerBlock>;
  /** The block holding a transaction, read from one peer (default: the org's own). */
  blockByTxId(txId: string, peer?: string): Promise<LedgerBlock>;
  blockByNumber(n: bigint, peer?: string): Promise<LedgerBlock>;
  /** The channel's current configuration block (raw), from a peer (default: the org's own). */
  configBlock(peer?: string): Promise<Buffer>;
  /** Current height (number of blocks) of the channel on a peer. */
  height(peer?: string): Promise<bigint>;
  /** The channel's peers known through discovery. */
  peers(): PeerRef[];
  /** Whether each peer's commit event stream runs, and how often a commit wait ran out its grace period. */
  commitListeners(): CommitListeners;
  /** The certificates this client presents (signing identity, client TLS), for expiry monitoring. */
  certificates(): CertificateValidity[];
  close(): void;
}

function connectionProfile(opts: LedgerClientOptions) {
  return {
    name: `supplychain-${opts.mspId}`,
    version: '1.0.0',
    client: { organization: opts.mspId, connection: { timeout: { peer: { endorser: '30' } } } },
    // Peers are named by endpoint, as discovery names the peers it finds.
    organizations: { [opts.mspId]: { mspid: opts.mspId, peers: [opts.peer.endpoint] } },
    peers: {
      [opts.peer.endpoint]: {
        url: `grpcs://${opts.peer.endpoint}`,
        tlsCACerts: { pem: opts.peer.tlsCaPem },
        grpcOptions: { 'ssl-target-name-override': opts.peer.hostnameOverride ?? opts.peer.endpoint.split(':')[0] },
      },
    },
  };
}

/** What fabric-network's QueryImpl answers per peer. */
type PeerQueryResult = Error | { isEndorsed: boolean; payload: Buffer; status: number; message: string };

/**
 * Makes `tx` evaluate on exactly `peer`. fabric-network's evaluate ignores
 * setEndorsingPeers: its query handler asks the client organisation's peers,
 * so "the height on that peer" would be the own peer's (and fail with it while
 * it is down). The handler is per transaction, so nothing else changes.
 */
function onPeer(tx: Transaction, peer: Endorser): Transaction {
  (tx as unknown as { queryHandler: unknown }).queryHandler = {
    async evaluate(query: { evaluate(peers: Endorser[]): Promise<Record<string, PeerQueryResult>> }): Promise<Buffer> {
      const result = (await query.evaluate([peer]))[peer.name];
      if (result instanceof Error) throw result;
      if (!result.isEndorsed) throw Object.assign(new Error(`peer error response: ${result.message}`), { status: result.status });
      return result.payload;
    },
  };
  return tx.setEndorsingPeers([peer]);
}

/**
 * Why a channel could not be opened. The peer answers "access denied" both for
 * a channel it does not serve and for an identity the channel does not know
 * (it hides which), so that is reported as CHANNEL_UNAVAILABLE, not retriable;
 * a peer out of reach stays a retriable LEDGER_UNAVAILABLE.
 */
function channelError(err: unknown, opts: LedgerClientOptions): ServiceError {
  const text = err instanceof Error ? err.message : String(err);
  if (/access denied|not found|no such channel|cannot find/i.test(text)) {
    return new ServiceError({
      code: 'CHANNEL_UNAVAILABLE',
      message: `peer ${opts.peer.endpoint} refused channel "${opts.channel}" to ${opts.mspId}: ${text}`,
      httpStatus: 503,
      cause: err,
    });
  }
  return toServiceError(err, `opening channel ${opts.channel}`);
}

/** Connects to the ledger as one organisation. */
export async function createLedgerClient(opts: LedgerClientOptions): Promise<LedgerClient> {
  const wallet = await Wallets.newInMemoryWallet();
  const identity: X509Identity = {
    credentials: { certificate: opts.identity.certificatePem, privateKey: opts.identity.privateKeyPem },
    mspId: opts.mspId,
    type: 'X.509',
  };
  await wallet.put('app', identity);
  if (opts.clientTls) {
    const tls: X509Identity = {
      credentials: { certificate: opts.clientTls.certificatePem, privateKey: opts.clientTls.privateKeyPem },
      mspId: opts.mspId,
      type: 'X.509',
    };
    await wallet.put('tls', tls);
  }
  const gateway = new Gateway();
  try {
    await gateway.connect(connectionProfile(opts), {
      wallet,
      identity: 'app',
      clientTlsIdentity: opts.clientTls ? 'tls' : undefined,
      discovery: { enabled: true, asLocalhost: opts.asLocalhost ?? false },
      eventHandlerOptions: { commitTimeout: (opts.commitTimeoutMs ?? 60_000) / 1000 },
    });
  } catch (err) {
    throw toServiceError(err, `connecting to ${opts.peer.endpoint} as ${opts.mspId}`);
  }
  const network = await gateway.getNetwork(opts.channel).catch((err: unknown) => {
    gateway.disconnect();
    throw channelError(err, opts);
  });
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
  const qscc = network.getContract('qscc');

  const endorser = (name?: string) => {
    const peerName = name ?? opts.peer.endpoint;
    const found = network
      .getChannel()
      .getEndorsers()
      .find((e) => e.name === peerName);
    if (!found) throw new Error(`unknown peer ${peerName}`);
    return found;
  };

  async function querySystem(fn: string, args: string[], peer?: string): Promise<Buffer> {
    try {
      return await onPeer(qscc.createTransaction(fn), endorser(peer)).evaluate(opts.channel, ...args);
    } catch (err) {
      throw toServiceError(err, `${fn} on ${peer ?? opts.peer.endpoint}`);
    }
  }

  async function height(peer?: string): Promise<bigint> {
    const info = protos.common.BlockchainInfo.decode(await querySystem('GetChainInfo', [], peer));
    return BigInt(info.height.toString());
  }

  async function blockByNumber(n: bigint, peer?: string): Promise<LedgerBlock> {
    return decodeBlock(await querySystem('GetBlockByNumber', [n.toString()], peer));
  }

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
