/**
 * Devnet topology and settings: organisations, ports and folders, read from the
 * environment once. Every other network module receives a `DevnetConfig`.
 */
import * as path from 'node:path';

/** A peer organisation of the channel. */
export interface PeerOrg {
  /** MSP id, e.g. RetailerMSP. */
  mspId: string;
  /** Short lower-case name used in host names and folders, e.g. retailer. */
  name: string;
  /** DNS-style domain of the organisation's crypto material. */
  domain: string;
  /** Host name of its single peer. */
  peerHost: string;
  peerPort: number;
  chaincodePort: number;
  operationsPort: number;
}

/** The ordering service node. */
export interface OrdererNode {
  mspId: string;
  domain: string;
  host: string;
  port: number;
  adminPort: number;
  operationsPort: number;
}

/** Everything the devnet commands need to know. */
export interface DevnetConfig {
  /** Project root (where package.json lives). */
  root: string;
  /** Ports are offsets from this base so two networks can run side by side. */
  portBase: number;
  /** Folder holding all state of this network: crypto, ledgers, logs, pid files. */
  runDir: string;
  /** Folder holding the Fabric binaries. */
  binDir: string;
  channel: string;
  chaincode: { name: string; version: string; label: string; sequence: number; port: number };
  orderer: OrdererNode;
  orgs: PeerOrg[];
  /** Peers require client TLS certificates (FABRIC_PEER_CLIENT_AUTH=true). */
  peerClientAuth: boolean;
}

/** Port offsets from the base; documented in the README. */
export const PORT_OFFSETS = {
  orderer: 50,
  ordererAdmin: 51,
  ordererOperations: 52,
  peerStride: 100,
  chaincodeServer: 400,
} as const;

const ORG_NAMES: Array<{ mspId: string; name: string }> = [
  { mspId: 'RetailerMSP', name: 'retailer' },
  { mspId: 'SupplierMSP', name: 'supplier' },
  { mspId: 'AuditorMSP', name: 'auditor' },
];

export const DEFAULT_PORT_BASE = 7000;

function parsePortBase(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_PORT_BASE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1024 || n > 64000) {
    throw new Error(`FABRIC_PORT_BASE must be an integer between 1024 and 64000, got "${raw}"`);
  }
  return n;
}

/** Options that override the environment (tests build a second network this way). */
export interface DevnetOptions {
  portBase?: number;
  runDir?: string;
  /** Peers require client TLS certificates; default FABRIC_PEER_CLIENT_AUTH, else false. */
  peerClientAuth?: boolean;
}

/** Builds the devnet configuration from options, then the environment, then defaults. */
export function loadDevnetConfig(options: DevnetOptions = {}, env: NodeJS.ProcessEnv = process.env): DevnetConfig {
  const root = path.resolve(__dirname, '..', '..', '..');
  const portBase = options.portBase ?? parsePortBase(env.FABRIC_PORT_BASE);
  const runDir = path.resolve(options.runDir ?? env.FABRIC_RUN_DIR ?? path.join(root, 'network', 'run', `devnet-${portBase}`));
  const binDir = path.resolve(env.FABRIC_BIN_DIR ?? path.join(root, 'network', '.bin'));
  const orgs = ORG_NAMES.map((o, i): PeerOrg => {
    const p = portBase + PORT_OFFSETS.peerStride * (i + 1);
    const domain = `${o.name}.coffee.example`;
    return { ...o, domain, peerHost: `peer0.${domain}`, peerPort: p, chaincodePort: p + 1, operationsPort: p + 2 };
  });
  return {
    root,
    portBase,
    runDir,
    binDir,
    channel: 'supplychain',
    chaincode: {
      name: 'traceability',
      version: '1.0',
      label: 'traceability_1.0',
      sequence: 1,
      port: portBase + PORT_OFFSETS.chaincodeServer,
    },
    orderer: {
      mspId: 'OrdererMSP',
      domain: 'orderer.coffee.example',
      host: 'orderer0.orderer.coffee.example',
      port: portBase + PORT_OFFSETS.orderer,
      adminPort: portBase + PORT_OFFSETS.ordererAdmin,
      operationsPort: portBase + PORT_OFFSETS.ordererOperations,
    },
    orgs,
    peerClientAuth: options.peerClientAuth ?? /^(true|1|yes)$/i.test(env.FABRIC_PEER_CLIENT_AUTH ?? ''),
  };
}

/** HTTP port `npm start` gives an organisation's gateway: port base + 500 + the org's index (7500, 7501, 7502). */
export function gatewayPort(cfg: DevnetConfig, mspId: string): number {
  return cfg.portBase + 500 + Math.max(0, cfg.orgs.findIndex((o) => o.mspId === mspId));
}

/** HTTP port of the indexer's query API under `npm start`: port base + 910. */
export function indexerPort(cfg: DevnetConfig): number {
  return cfg.portBase + 910;
}
