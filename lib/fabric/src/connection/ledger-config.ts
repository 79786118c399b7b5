/**
 * The Fabric connection settings every service reads the same way: a common
 * connection profile, an identity (PEM files or a wallet and label), the
 * channel and chaincode, optional client TLS, and whether discovery maps
 * peer addresses to localhost. Read once at start; anything missing or wrong
 * is a ConfigError naming the setting.
 *
 *   FABRIC_CONNECTION_PROFILE   profile file, .json/.yaml/.yml              (required)
 *   FABRIC_MSP_ID               MSP id of the identity (default: the profile's client.organization)
 *   FABRIC_CERT_FILE + FABRIC_KEY_FILE        signing identity as PEM files, or
 *   FABRIC_WALLET_DIR + FABRIC_IDENTITY       a fabric-network file-system wallet and label
 *   FABRIC_TLS_CERT_FILE + FABRIC_TLS_KEY_FILE   client TLS certificate, for peers that require one
 *   FABRIC_CHANNEL              channel name                                (required)
 *   FABRIC_CHAINCODE            chaincode name (default traceability)
 *   FABRIC_PEER                 which of the org's peers in the profile to use (default: its first)
 *   FABRIC_DISCOVERY_AS_LOCALHOST   true: discovered peers are reached on localhost (default false)
 *   FABRIC_SUBMITTER            gateway (the peer's Gateway service, default) or sdk (fabric-network)
 */
import * as path from 'node:path';
import { createLedgerClient, type LedgerClient, type LedgerClientOptions } from '../ledger-client';
import { ConfigError, envBool, envOneOf, ServiceError } from '../../../platform/src';
import { profileMspId, readConnectionProfile, selectPeer, type ConnectionProfile } from './connection-profile';
import { readIdentity, readPemPair, type IdentitySource, type PemIdentity } from './identity';
import { reloadingLedgerClient, type ReloadingLedgerClient } from './reloading-client';

export interface LedgerConfig {
  profile: ConnectionProfile;
  /** The identity's MSP id: FABRIC_MSP_ID, else the profile's client.organization. */
  mspId: string;
  peerName?: string;
  identity: IdentitySource;
  /** The client TLS pair as read at start. */
  clientTls?: PemIdentity;
  /** Where the client TLS pair lives; each connection re-reads it, so a renewed pair is used after a reload. */
  clientTlsFiles?: { certFile: string; keyFile: string };
  channel: string;
  chaincode: string;
  asLocalhost: boolean;
  submitter: 'gateway' | 'sdk';
}

const NAME = /^[a-z][a-z0-9.-]{0,248}$/;

/** Reads the Fabric connection settings from `env` (file paths relative to `cwd`). */
export function loadLedgerConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LedgerConfig {
  const file = (name: string) => (env[name] ? path.resolve(cwd, env[name]!) : undefined);
  const profileFile = file('FABRIC_CONNECTION_PROFILE');
  if (!profileFile) throw new ConfigError('FABRIC_CONNECTION_PROFILE', 'is required: the common connection profile (JSON or YAML) of your organisation');
  const profile = readConnectionProfile(profileFile);

  const certFile = file('FABRIC_CERT_FILE');
  const keyFile = file('FABRIC_KEY_FILE');
  const walletDir = file('FABRIC_WALLET_DIR');
  let identity: IdentitySource;
  if (walletDir) {
    if (certFile || keyFile)
      throw new ConfigError(
        'FABRIC_WALLET_DIR',
        'give either a wallet (FABRIC_WALLET_DIR, FABRIC_IDENTITY) or PEM files (FABRIC_CERT_FILE, FABRIC_KEY_FILE), not both',
      );
    const label = env.FABRIC_IDENTITY;
    if (!label) throw new ConfigError('FABRIC_IDENTITY', 'is required with FABRIC_WALLET_DIR: the label of the identity in the wallet');
    identity = { kind: 'wallet', walletDir, label, settings: { wallet: 'FABRIC_WALLET_DIR', label: 'FABRIC_IDENTITY' } };
  } else {
    if (!certFile)
      throw new ConfigError('FABRIC_CERT_FILE', 'is required (or FABRIC_WALLET_DIR and FABRIC_IDENTITY): the signing certificate of the application identity');
    if (!keyFile) throw new ConfigError('FABRIC_KEY_FILE', 'is required with FABRIC_CERT_FILE: the private key of the application identity');
    identity = { kind: 'files', certFile, keyFile, settings: { cert: 'FABRIC_CERT_FILE', key: 'FABRIC_KEY_FILE' } };
    // Fail now on a missing or mismatched file rather than at the first connection.
    readPemPair(certFile, keyFile, identity.settings);
  }

  const tlsCert = file('FABRIC_TLS_CERT_FILE');
  const tlsKey = file('FABRIC_TLS_KEY_FILE');
  if (!!tlsCert !== !!tlsKey)
    throw new ConfigError(tlsCert ? 'FABRIC_TLS_KEY_FILE' : 'FABRIC_TLS_CERT_FILE', 'client TLS needs both FABRIC_TLS_CERT_FILE and FABRIC_TLS_KEY_FILE');
  const clientTls = tlsCert && tlsKey ? readPemPair(tlsCert, tlsKey, { cert: 'FABRIC_TLS_CERT_FILE', key: 'FABRIC_TLS_KEY_FILE' }) : undefined;

  const channel = env.FABRIC_CHANNEL ?? '';
  if (!channel) throw new ConfigError('FABRIC_CHANNEL', 'is required: the channel the chaincode runs on');
  if (!NAME.test(channel)) throw new ConfigError('FABRIC_CHANNEL', `"${channel}" is not a channel name (lower-case letters, digits, '.', '-')`);
  const chaincode = env.FABRIC_CHAINCODE || 'traceability';
  if (!/^[A-Za-z0-9_.+-]+$/.test(chaincode)) throw new ConfigError('FABRIC_CHAINCODE', `"${chaincode}" is not a chaincode name`);

  const mspId = env.FABRIC_MSP_ID || profileMspId(profile);
  if (!mspId) throw new ConfigError('FABRIC_MSP_ID', `is required: ${profile.file} names no client.organization`);
  selectPeer(profile, mspId, env.FABRIC_PEER || undefined);
  return {
    profile,
    mspId,
    peerName: env.FABRIC_PEER || undefined,
    identity,
    clientTls,
    clientTlsFiles: tlsCert && tlsKey ? { certFile: tlsCert, keyFile: tlsKey } : undefined,
    channel,
    chaincode,
    asLocalhost: envBool(env, 'FABRIC_DISCOVERY_AS_LOCALHOST', false),
    submitter: envOneOf(env, 'FABRIC_SUBMITTER', ['gateway', 'sdk'] as const, 'gateway'),
  };
}

/** Resolves the settings into options for createLedgerClient (reads the identity files or wallet, picks the peer). */
export async function ledgerClientOptions(cfg: LedgerConfig): Promise<LedgerClientOptions> {
  const id = await readIdentity(cfg.identity);
  if (id.mspId && id.mspId !== cfg.mspId)
    throw new ConfigError(
      'FABRIC_MSP_ID',
      `is ${cfg.mspId} but the wallet identity "${cfg.identity.kind === 'wallet' ? cfg.identity.label : ''}" belongs to ${id.mspId}`,
    );
  const mspId = cfg.mspId;
  const peer = selectPeer(cfg.profile, mspId, cfg.peerName);
  return {
    mspId,
    peer: { endpoint: peer.endpoint, tlsCaPem: peer.tlsCaPem, hostnameOverride: peer.hostnameOverride },
    identity: { certificatePem: id.certificatePem, privateKeyPem: id.privateKeyPem },
    clientTls: cfg.clientTlsFiles
      ? readPemPair(cfg.clientTlsFiles.certFile, cfg.clientTlsFiles.keyFile, { cert: 'FABRIC_TLS_CERT_FILE', key: 'FABRIC_TLS_KEY_FILE' })
      : cfg.clientTls,
    asLocalhost: cfg.asLocalhost,
    channel: cfg.channel,
    chaincode: cfg.chaincode,
    submitter: cfg.submitter,
  };
}

/**
 * Connects with the configured settings. A channel the peer does not serve
 * (or refuses this identity on) is a ConfigError naming FABRIC_CHANNEL; a peer
 * out of reach stays a retriable LEDGER_UNAVAILABLE so callers may wait for it.
 */
export async function connectLedger(cfg: LedgerConfig): Promise<LedgerClient> {
  const opts = await ledgerClientOptions(cfg);
  try {
    return await createLedgerClient(opts);
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'CHANNEL_UNAVAILABLE') {
      throw new ConfigError('FABRIC_CHANNEL', `${err.message} (check FABRIC_CHANNEL and that ${opts.mspId} is a member of it)`, err);
    }
    throw err;
  }
}

/**
 * Connects like {@link connectLedger}, in a client whose reload() reads the identity and
 * client TLS files again and moves new calls onto a connection made with them (certificate
 * renewal without a restart; see reloading-client.ts).
 */
export async function connectReloadingLedger(cfg: LedgerConfig): Promise<ReloadingLedgerClient> {
  return reloadingLedgerClient(await connectLedger(cfg), () => connectLedger(cfg));
}
