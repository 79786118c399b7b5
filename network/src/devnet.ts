/**
 * The devnet as a whole: bring it up (idempotently), report its status, take
 * it down. Each step says what it does; a failed step names the process and
 * its log.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withRetry } from '../../lib/platform/src';
import { osnadmin, peerAdmin } from './admin-cli';
import { ensureBinaries, ensureCaBinaries, fabricSampleConfigDir } from './binaries';
import { CHAINCODE_PROCESS, deployChaincode } from './chaincode-deploy';
import { ensureGenesisBlock, genesisBlockPath } from './channel-config';
import type { DevnetConfig, OrdererNode, PeerOrg } from './config';
import { ensureCryptoMaterial } from './crypto-material';
import { ensureCaMaterial } from './fabric-ca/ca-material';
import { devnetCaServers, startCaServer } from './fabric-ca/ca-server';
import { writeConnectionFiles } from './connection-files';
import { seedConsortium } from './consortium-seed';
import { describeDevnet, devnetInfoPath, readDevnetInfo, type DevnetInfo } from './devnet-info';
import { peerNodeName, writeOrdererConfig, writePeerConfig } from './node-config';
import { logDir, pidDir, stateDir } from './paths';
import { createProcessManager, type ProcessInfo, type ProcessManager } from './processes';
import { storeTopology } from './topology';
import { waitForGossip, waitForLedger } from './readiness';
import { removeOutsideCluster } from './services/postgres-account';
import { POSTGRES_PROCESS } from './services/postgres';

export type Log = (msg: string) => void;

/** Process name of the first ordering node. */
export const ORDERER_PROCESS = 'orderer0';
export const peerProcess = (org: PeerOrg) => peerNodeName(org);

/** Names of every process a devnet runs, in start order. */
export function devnetProcessNames(cfg: DevnetConfig): string[] {
  return [
    ...devnetCaServers(cfg).map((c) => c.name),
    ...cfg.orderers.map((o) => o.name),
    ...cfg.orgs.map(peerProcess),
    ...cfg.secondPeers.map(peerProcess),
    CHAINCODE_PROCESS,
  ];
}

export function processManager(cfg: DevnetConfig): ProcessManager {
  return createProcessManager({ pidDir: pidDir(cfg), logDir: logDir(cfg) });
}

export interface DevnetStatus {
  running: boolean;
  processes: Array<ProcessInfo | { name: string; pid: null; alive: false; logFile: string }>;
  info?: DevnetInfo;
}

/** Which devnet processes are alive. */
export function devnetStatus(cfg: DevnetConfig): DevnetStatus {
  const pm = processManager(cfg);
  const processes = devnetProcessNames(cfg).map((name) => pm.get(name) ?? { name, pid: null, alive: false as const, logFile: pm.logFile(name) });
  const running = processes.every((p) => p.alive) && fs.existsSync(devnetInfoPath(cfg.runDir));
  return { running, processes, info: running ? readDevnetInfo(cfg.runDir) : undefined };
}

async function joinOrderer(cfg: DevnetConfig, node: OrdererNode, log: Log): Promise<void> {
  // The orderer answers its health check before its admin endpoint listens: a refused connection
  // right after start-up means "not yet", anything else is a real failure.
  const list = await withRetry(() => osnadmin(cfg, ['list'], `list ${node.name} channels`, node), {
    deadlineMs: 30_000,
    baseDelayMs: 200,
    maxDelayMs: 1_000,
    retriable: (err) => /connection refused/.test(String(err instanceof Error ? err.message : err)),
  });
  if (list.includes(`"${cfg.channel}"`)) return;
  log(`${node.name} joins channel ${cfg.channel}`);
  await osnadmin(cfg, ['join', '--channelID', cfg.channel, '--config-block', genesisBlockPath(cfg)], `${node.name} join ${cfg.channel}`, node);
}

/** Starts one ordering node and waits for its health check. */
export async function startOrderer(cfg: DevnetConfig, pm: ProcessManager, node: OrdererNode, sampleConfigDir: string): Promise<void> {
  const ordererCfg = writeOrdererConfig(cfg, sampleConfigDir, node);
  await pm.start({
    name: node.name,
    command: path.join(cfg.binDir, 'orderer'),
    args: [],
    env: { ...process.env, FABRIC_CFG_PATH: ordererCfg, FABRIC_LOGGING_SPEC: 'INFO' },
    health: { kind: 'http', url: `http://${node.listenAddress}:${node.operationsPort}/healthz` },
  });
}

/**
 * Starts an organisation's peer and waits for its health check. A peer with a
 * network namespace is started through `ip netns exec`, which execs the peer in
 * place: the PID the process manager keeps is the peer's own, so it is stopped by PID.
 */
export async function startPeer(cfg: DevnetConfig, pm: ProcessManager, org: PeerOrg, sampleConfigDir: string): Promise<ProcessInfo> {
  const peerCfg = writePeerConfig(cfg, org, sampleConfigDir);
  const peer = path.join(cfg.binDir, 'peer');
  return pm.start({
    name: peerProcess(org),
    command: org.netns ? 'ip' : peer,
    args: org.netns ? ['netns', 'exec', org.netns, peer, 'node', 'start'] : ['node', 'start'],
    env: { ...process.env, FABRIC_CFG_PATH: peerCfg, FABRIC_LOGGING_SPEC: 'INFO:gossip=WARN:comm.grpc.server=WARN' },
    health: { kind: 'http', url: `http://${org.listenAddress}:${org.operationsPort}/healthz` },
  });
}

async function joinPeer(cfg: DevnetConfig, org: PeerOrg, log: Log): Promise<void> {
  const list = await peerAdmin(cfg, org, ['channel', 'list'], `list channels of ${org.peerHost}`);
  if (list.split('\n').some((l) => l.trim() === cfg.channel)) return;
  log(`${org.peerHost} joins channel ${cfg.channel}`);
  await peerAdmin(cfg, org, ['channel', 'join', '-b', genesisBlockPath(cfg)], `${org.peerHost} join ${cfg.channel}`);
}

/**
 * Creates what the devnet's nodes and users need to identify themselves: with
 * cryptogen, once; with Fabric CA, each organisation's CA server is started
 * (every `up`: it also serves `register-user`) and issues what is missing.
 */
export async function ensureIdentities(cfg: DevnetConfig, pm: ProcessManager, log: Log): Promise<void> {
  if (cfg.identities !== 'ca') {
    if (await ensureCryptoMaterial(cfg)) log('generated crypto material (cryptogen, NodeOUs, TLS)');
    return;
  }
  const built = await ensureCaBinaries({ root: cfg.root, binDir: cfg.binDir, log });
  if (built.length) log(`built ${built.join(', ')}`);
  const servers = devnetCaServers(cfg);
  for (const ca of servers.filter((c) => !pm.get(c.name)?.alive))
    log(`starting ${ca.name} (TLS CA ${ca.tlsCaName}, identity CA ${ca.caName}) on ${ca.address}:${ca.port}`);
  await Promise.all(servers.map((ca) => startCaServer(cfg, pm, ca)));
  const issued = await ensureCaMaterial(cfg);
  if (issued.length) log(`registered and enrolled the identities of ${issued.join(', ')} with their Fabric CAs (NodeOUs, TLS)`);
}

/**
 * Brings the devnet up. Creates what is missing (binaries, crypto, channel,
 * chaincode) and starts what is not running. A running devnet is reported as is.
 */
export async function devnetUp(cfg: DevnetConfig, log: Log = console.log): Promise<DevnetInfo> {
  const before = devnetStatus(cfg);
  if (before.running && before.info) {
    log(`devnet (port base ${cfg.portBase}) is already running`);
    return before.info;
  }
  const t0 = Date.now();
  storeTopology(cfg.runDir, cfg.topology);
  const built = await ensureBinaries({ root: cfg.root, binDir: cfg.binDir, log });
  if (built.length) log(`built ${built.join(', ')}`);
  const pm = processManager(cfg);
  await ensureIdentities(cfg, pm, log);
  if (await ensureGenesisBlock(cfg)) log(`created genesis block of channel ${cfg.channel} (configtxgen, etcdraft)`);
  const sample = await fabricSampleConfigDir(cfg.root);

  for (const node of cfg.orderers) {
    log(`starting ${node.name} on ${node.address}:${node.port}`);
    await startOrderer(cfg, pm, node, sample);
  }
  for (const node of cfg.orderers) await joinOrderer(cfg, node, log);

  for (const org of cfg.orgs) {
    log(`starting ${org.peerHost} (${org.mspId}) on ${org.address}:${org.peerPort}${org.netns ? ` in network namespace ${org.netns}` : ''}`);
    await startPeer(cfg, pm, org, sample);
  }
  for (const org of cfg.orgs) await joinPeer(cfg, org, log);
  // Second peers joined from a snapshot when they were added; their ledger holds the channel.
  for (const peer of cfg.secondPeers) {
    log(`starting ${peer.peerHost} (${peer.mspId}) on ${peer.address}:${peer.peerPort}`);
    await startPeer(cfg, pm, peer, sample);
  }

  const packageId = await deployChaincode(cfg, pm, log);
  const info = describeDevnet(cfg, packageId);
  await writeConnectionFiles(cfg, info);
  log('waiting for gossip and service discovery');
  await waitForGossip(cfg);
  await waitForLedger(info);
  await seedConsortium(info, log);
  fs.writeFileSync(devnetInfoPath(cfg.runDir), JSON.stringify(info, null, 2));
  log(`devnet up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return info;
}

/** Stops every process the devnet started; with `wipe`, deletes its state too. */
export async function devnetDown(cfg: DevnetConfig, opts: { wipe?: boolean } = {}, log: Log = console.log): Promise<string[]> {
  const pm = processManager(cfg);
  const stopped = await pm.stopAll();
  for (const name of stopped) log(`stopped ${name}`);
  fs.rmSync(devnetInfoPath(cfg.runDir), { force: true });
  if (opts.wipe) {
    if (removeOutsideCluster(stateDir(cfg, POSTGRES_PROCESS))) log('removed the local PostgreSQL cluster');
    fs.rmSync(cfg.runDir, { recursive: true, force: true });
    log(`wiped ${cfg.runDir}`);
  }
  return stopped;
}
