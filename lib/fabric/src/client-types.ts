/**
 * The LedgerClient's interface and the shapes it takes and answers: what
 * services see of Fabric.
 */
import type { LedgerBlock } from './block-decoder';
import type { ChainInfo } from './chain-info';
import type { CommitPeerStatus } from './commit-peers';
import type { CertificateValidity } from './connection/certificate-expiry';

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
  /** Height and first block of the channel on a peer (a peer joined from a snapshot holds no block before it). */
  chainInfo(peer?: string): Promise<ChainInfo>;
  /** The channel's peers known through discovery. */
  peers(): PeerRef[];
  /** Whether each peer's commit event stream runs, and how often a commit wait ran out its grace period. */
  commitListeners(): CommitListeners;
  /** The certificates this client presents (signing identity, client TLS), for expiry monitoring. */
  certificates(): CertificateValidity[];
  close(): void;
}
