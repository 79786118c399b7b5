/**
 * Per-node configuration files. Each starts from Fabric's own defaults
 * (sampleconfig in the Go module cache, read at run time) and sets what this
 * devnet needs: its listen and published addresses (loopback by default), TLS everywhere, the node's MSP, its state
 * folder, its operations endpoint, and for peers the external chaincode builder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import type { DevnetConfig, OrdererNode, PeerOrg } from './config';
import { ordererAdminDir, ordererNodeDir, peerNodeDir, stateDir, tlsFiles } from './paths';

type Doc = Record<string, any>;

function readDefaults(sampleConfigDir: string, file: string): Doc {
  return YAML.parse(fs.readFileSync(path.join(sampleConfigDir, file), 'utf8')) as Doc;
}

function write(dir: string, file: string, doc: Doc): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, file), YAML.stringify(doc));
  return dir;
}

/** Folder holding a node's generated configuration (its FABRIC_CFG_PATH). */
export function nodeConfigDir(cfg: DevnetConfig, node: string): string {
  return path.join(cfg.runDir, 'config', node);
}

/** Writes orderer.yaml for an ordering node (default the first); returns its FABRIC_CFG_PATH. */
export function writeOrdererConfig(cfg: DevnetConfig, sampleConfigDir: string, o: OrdererNode = cfg.orderer): string {
  const doc = readDefaults(sampleConfigDir, 'orderer.yaml');
  const tls = tlsFiles(ordererNodeDir(cfg, o), 'server');
  const state = stateDir(cfg, o.name);
  Object.assign(doc.General, {
    ListenAddress: o.listenAddress,
    ListenPort: o.port,
    BootstrapMethod: 'none',
    BootstrapFile: '',
    LocalMSPDir: path.join(ordererNodeDir(cfg, o), 'msp'),
    LocalMSPID: o.mspId,
  });
  doc.General.TLS = {
    ...doc.General.TLS,
    Enabled: true,
    PrivateKey: tls.key,
    Certificate: tls.cert,
    RootCAs: [tls.ca],
    ClientAuthRequired: false,
  };
  doc.General.Cluster = {
    ...doc.General.Cluster,
    ClientCertificate: tls.cert,
    ClientPrivateKey: tls.key,
    ListenPort: '',
    ListenAddress: '',
    ServerCertificate: '',
    ServerPrivateKey: '',
  };
  doc.FileLedger.Location = path.join(state, 'ledger');
  doc.Consensus = { WALDir: path.join(state, 'etcdraft', 'wal'), SnapDir: path.join(state, 'etcdraft', 'snapshot') };
  doc.Operations = { ...doc.Operations, ListenAddress: `${o.listenAddress}:${o.operationsPort}`, TLS: { ...doc.Operations.TLS, Enabled: false } };
  doc.Metrics = { ...doc.Metrics, Provider: 'prometheus' };
  doc.Admin = {
    ListenAddress: `${o.listenAddress}:${o.adminPort}`,
    TLS: {
      Enabled: true,
      Certificate: tls.cert,
      PrivateKey: tls.key,
      RootCAs: [tls.ca],
      ClientAuthRequired: true,
      ClientRootCAs: [tlsFiles(ordererAdminDir(cfg), 'client').ca],
    },
  };
  doc.ChannelParticipation = { ...doc.ChannelParticipation, Enabled: true };
  return write(nodeConfigDir(cfg, o.name), 'orderer.yaml', doc);
}

/** Folder of the project's external chaincode builder (chaincode as a service). */
export function builderDir(cfg: DevnetConfig): string {
  return path.join(cfg.root, 'network', 'builders', 'ccaas');
}

/** Process, state and configuration folder name of a peer: peer0-supplier, peer1-supplier. */
export function peerNodeName(org: PeerOrg): string {
  return `${org.peerHost.split('.')[0]}-${org.name}`;
}

/** Writes core.yaml for an org's peer; returns its FABRIC_CFG_PATH. */
export function writePeerConfig(cfg: DevnetConfig, org: PeerOrg, sampleConfigDir: string): string {
  const doc = readDefaults(sampleConfigDir, 'core.yaml');
  const node = peerNodeDir(cfg, org);
  const name = peerNodeName(org);
  const tls = tlsFiles(node, 'server');
  const endpoint = `${org.address}:${org.peerPort}`;
  const p = doc.peer;
  Object.assign(p, {
    id: org.peerHost,
    networkId: `devnet-${cfg.portBase}`,
    listenAddress: `${org.listenAddress}:${org.peerPort}`,
    address: endpoint,
    chaincodeListenAddress: `${org.listenAddress}:${org.chaincodePort}`,
    chaincodeAddress: `${org.address}:${org.chaincodePort}`,
    fileSystemPath: stateDir(cfg, name),
    mspConfigPath: path.join(node, 'msp'),
    localMspId: org.mspId,
  });
  p.gossip = {
    ...p.gossip,
    bootstrap: org.gossipBootstrap ?? endpoint,
    endpoint,
    externalEndpoint: endpoint,
    useLeaderElection: false,
    orgLeader: true,
    // Faster than Fabric's defaults so that discovery knows every peer and its
    // chaincode seconds after start-up; fine for a three-peer loopback network.
    aliveTimeInterval: '2s',
    aliveExpirationTimeout: '10s',
    publishStateInfoInterval: '1s',
    requestStateInfoInterval: '1s',
    pullInterval: '2s',
    membershipTrackerInterval: '1s',
  };
  p.tls = {
    ...p.tls,
    enabled: true,
    clientAuthRequired: cfg.peerClientAuth,
    cert: { file: tls.cert },
    key: { file: tls.key },
    rootcert: { file: tls.ca },
    clientRootCAs: { files: [tls.ca] },
  };
  doc.vm = { ...doc.vm, endpoint: '' };
  doc.chaincode = {
    ...doc.chaincode,
    externalBuilders: [{ name: 'ccaas', path: builderDir(cfg), propagateEnvironment: ['HOME'] }],
  };
  doc.ledger.snapshots = { rootDir: snapshotsRootDir(cfg, org) };
  doc.operations = { ...doc.operations, listenAddress: `${org.listenAddress}:${org.operationsPort}`, tls: { ...doc.operations.tls, enabled: false } };
  doc.metrics = { ...doc.metrics, provider: 'prometheus' };
  return write(nodeConfigDir(cfg, name), 'core.yaml', doc);
}

/** A peer's ledger.snapshots.rootDir: completed snapshots are in completed/<channel>/<block>. */
export function snapshotsRootDir(cfg: DevnetConfig, org: PeerOrg): string {
  return path.join(stateDir(cfg, peerNodeName(org)), 'snapshots');
}
