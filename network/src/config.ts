/**
 * Devnet topology and settings: organisations, ports and folders, read from the
 * environment once. Every other network module receives a `DevnetConfig`.
 */
import * as path from 'node:path';
import { DEFAULT_TOPOLOGY, storedTopology, topologyOrgs, type OrgRole, type Topology } from './topology';

/** A peer organisation of the channel. */
export interface PeerOrg {
  /** MSP id, e.g. RetailerMSP. */
  mspId: string;
  /** Short lower-case name used in host names and folders, e.g. retailer. */
  name: string;
  /** Its role in the consortium registry. */
  role: OrgRole;
  /** DNS-style domain of the organisation's crypto material. */
  domain: string;
  /** Host name of its single peer. */
  peerHost: string;
  peerPort: number;
  chaincodePort: number;
  operationsPort: number;
  /** Host its peer is reached at (published endpoint, anchor peer): localhost unless the topology gives one. */
  address: string;
  /** Address its peer's listeners bind to. */
  listenAddress: string;
  /** Network namespace its peer process runs in, if any. */
  netns?: string;
}

/** The ordering service node. */
export interface OrdererNode {
  /** Process and folder name, e.g. orderer0. */
  name: string;
  mspId: string;
  domain: string;
  host: string;
  port: number;
  adminPort: number;
  operationsPort: number;
  /** Host it is reached at: localhost unless the topology gives an address. */
  address: string;
  /** Address its listeners bind to. */
  listenAddress: string;
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
  chaincode: { name: string; version: string; label: string; sequence: number; port: number; address: string; listenAddress: string };
  /** The first ordering node (the one admin commands talk to). */
  orderer: OrdererNode;
  /** Every etcdraft node: one or three. */
  orderers: OrdererNode[];
  orgs: PeerOrg[];
  /** The shape this configuration was built from. */
  topology: Topology;
  /** Peers require client TLS certificates (FABRIC_PEER_CLIENT_AUTH=true). */
  peerClientAuth: boolean;
}

/** Port offsets from the base; documented in the README. */
export const PORT_OFFSETS = {
  orderer: 50,
  ordererAdmin: 51,
  ordererOperations: 52,
  /** orderer1 and orderer2 sit 3 and 6 ports above orderer0. */
  ordererStride: 3,
  peerStride: 100,
  chaincodeServer: 400,
  /** Organisations beyond the first three: +600, +610, … (peer, chaincode, operations). */
  extraPeers: 600,
  extraPeerStride: 10,
} as const;

/** Peer port of the i-th organisation in topology order. */
function peerPortOf(portBase: number, i: number): number {
  return i < 3 ? portBase + PORT_OFFSETS.peerStride * (i + 1) : portBase + PORT_OFFSETS.extraPeers + PORT_OFFSETS.extraPeerStride * (i - 3);
}

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
  /** The network's shape; default the one kept in the run folder, else the 3-org, 1-orderer devnet. */
  topology?: Topology;
}

/** Builds the devnet configuration from options, then the environment, then defaults. */
export function loadDevnetConfig(options: DevnetOptions = {}, env: NodeJS.ProcessEnv = process.env): DevnetConfig {
  const root = path.resolve(__dirname, '..', '..', '..');
  const portBase = options.portBase ?? parsePortBase(env.FABRIC_PORT_BASE);
  const runDir = path.resolve(options.runDir ?? env.FABRIC_RUN_DIR ?? path.join(root, 'network', 'run', `devnet-${portBase}`));
  const binDir = path.resolve(env.FABRIC_BIN_DIR ?? path.join(root, 'network', '.bin'));
  const topology = options.topology ?? storedTopology(runDir) ?? DEFAULT_TOPOLOGY;
  // Without an address everything stays on loopback; with one, nodes bind to it and publish it.
  const shared = { address: topology.address ?? 'localhost', listenAddress: topology.address ?? '127.0.0.1' };
  // Ports follow each organisation's place in the topology; a removed one keeps its place, unused.
  const orgs = topologyOrgs(topology)
    .map((o, i): PeerOrg => {
      const p = peerPortOf(portBase, i);
      const domain = `${o.name}.coffee.example`;
      const own = topology.hosts?.[o.name];
      const where = own ? { address: own.address, listenAddress: own.address, ...(own.netns ? { netns: own.netns } : {}) } : shared;
      return { ...o, domain, peerHost: `peer0.${domain}`, peerPort: p, chaincodePort: p + 1, operationsPort: p + 2, ...where };
    })
    .filter((o) => !topology.removed?.includes(o.name));
  const orderers = Array.from({ length: topology.orderers }, (_, i): OrdererNode => {
    const p = portBase + PORT_OFFSETS.orderer + PORT_OFFSETS.ordererStride * i;
    return {
      name: `orderer${i}`,
      mspId: 'OrdererMSP',
      domain: 'orderer.coffee.example',
      host: `orderer${i}.orderer.coffee.example`,
      port: p,
      adminPort: p + 1,
      operationsPort: p + 2,
      ...shared,
    };
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
      ...shared,
    },
    orderer: orderers[0],
    orderers,
    orgs,
    topology,
    peerClientAuth: options.peerClientAuth ?? /^(true|1|yes)$/i.test(env.FABRIC_PEER_CLIENT_AUTH ?? ''),
  };
}

/** HTTP port `npm start` gives an organisation's gateway: port base + 500 + the org's index (7500, 7501, 7502). */
export function gatewayPort(cfg: DevnetConfig, mspId: string): number {
  return (
    cfg.portBase +
    500 +
    Math.max(
      0,
      cfg.orgs.findIndex((o) => o.mspId === mspId),
    )
  );
}

/** HTTP port of the indexer's query API under `npm start`: port base + 910. */
export function indexerPort(cfg: DevnetConfig): number {
  return cfg.portBase + 910;
}
