/**
 * The fabric library: the one place that talks to Fabric. Services and the
 * devnet tooling import it through this file only, so the layers stay visible
 * (services and network/ above, this library below, the Fabric SDKs inside).
 * Errors, retry and environment reading come from the platform library.
 */
import './sdk-logger'; // before the SDK: it binds its loggers when it loads
export { setSdkLogger } from './sdk-logger';
export {
  createLedgerClient,
  readPem,
  type BlockStreamOptions,
  type CommitListeners,
  type LedgerClient,
  type LedgerClientOptions,
  type PeerRef,
  type SubmitResult,
  type TransactionRequest,
} from './ledger-client';
export { decodeChainInfo, type ChainInfo } from './chain-info';
export { blockHeaderHash, decodeBlock, type LedgerBlock, type LedgerTransaction } from './block-decoder';
export { deliverRawBlocks, seekEnvelope, signLowS, tlsCertHash, type DeliverTarget } from './deliver-stream';
export { derInteger, derOctets, derSequence } from './der';
export { commitWaiter, OTHER_PEERS_GRACE_MS, type CommitWaiterOptions } from './commit-waiter';
export { createCommitPeers, type CommitPeers, type CommitPeerStatus } from './commit-peers';
export { invalidTransaction, parseChaincodeError, toServiceError } from './ledger-errors';
export { certificateProblem, channelMspsFromConfigBlock, type ChannelMsp, type ChannelMsps } from './proof/channel-msps';
export { configMembers, type ConfigMember } from './proof/config-members';
export { transactionCreator } from './proof/transaction-creator';
export { envelopeHash, proveTransaction, type SignatureCheck, type TransactionProof } from './proof/transaction-proof';
export { readableWorldStateKey, transactionWrites, type WrittenKey } from './proof/transaction-writes';
export {
  parseConnectionProfile,
  profileMspId,
  readConnectionProfile,
  selectPeer,
  type ConnectionProfile,
  type ProfilePeer,
} from './connection/connection-profile';
export { checkPair, putWalletIdentity, readIdentity, readPemPair, type IdentitySource, type PemIdentity } from './connection/identity';
export { certificateValidity, secondsUntilExpiry, type CertificateValidity } from './connection/certificate-expiry';
export { connectLedger, connectReloadingLedger, ledgerClientOptions, loadLedgerConfig, type LedgerConfig } from './connection/ledger-config';
export { reloadingLedgerClient, type ReloadingLedgerClient } from './connection/reloading-client';
export {
  createProvenanceService,
  type LotRef,
  type LotTraceAnswer,
  type Provenance,
  type ProvenanceService,
  type TraceLot,
  type TraceRecord,
} from './proof/provenance';
export { createRawProofService, type RawHeader, type RawProofBundle, type RawProofService } from './proof/raw-proof';
