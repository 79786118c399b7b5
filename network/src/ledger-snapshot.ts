/**
 * Ledger snapshots (Fabric 2.5) on the devnet:
 *
 *  - `network snapshot --org <name>` asks the organisation's peer for a
 *    snapshot of the channel at its last committed block (`peer snapshot
 *    submitrequest`, signed by the org's admin) and waits until the peer has
 *    written it to `<ledger.snapshots.rootDir>/completed/<channel>/<block>/`;
 *  - `network join-from-snapshot --org <name>` adds the organisation's second
 *    peer, `peer1`, and joins it to the channel from that snapshot (`peer
 *    channel joinbysnapshot`): it holds the world state as of the snapshot and
 *    the blocks after it only, which it pulls from the orderers. The chaincode
 *    package is installed on it, so it endorses and answers queries like the
 *    org's first peer; its connection files are written beside the org's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withRetry } from '../../lib/platform/src';
import { peerHeight, waitForHeight } from './add-org';
import { peerAdmin } from './admin-cli';
import { fabricSampleConfigDir } from './binaries';
import { buildCcaasPackage } from './chaincode-package';
import { loadDevnetConfig, type DevnetConfig, type PeerOrg } from './config';
import { connectionDir, connectionProfileOf, devnetLedgerEnv } from './connection-files';
import { extendCryptoMaterial } from './crypto-material';
import { devnetStatus, processManager, startPeer } from './devnet';
import type { DevnetInfo } from './devnet-info';
import { snapshotsRootDir } from './node-config';
import { waitForPeerMembership } from './readiness';
import { orgTlsCa } from './paths';
import { storeTopology } from './topology';

export type Log = (msg: string) => void;

/** The file Fabric writes last into a completed snapshot (with the hashes of the others). */
export const SNAPSHOT_METADATA = '_snapshot_signable_metadata.json';

/** A completed snapshot on disk. */
export interface Snapshot {
  /** Last block the snapshot covers; the peer joined from it holds blocks from block + 1. */
  block: number;
  dir: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function runningInfo(cfg: DevnetConfig): DevnetInfo {
  const status = devnetStatus(cfg);
  if (!status.running || !status.info) throw new Error(`the devnet on port base ${cfg.portBase} is not running; run "network up" first`);
  return status.info;
}

/** An organisation of the devnet by name (supplier) or MSP id (SupplierMSP). */
export function orgNamed(cfg: DevnetConfig, name: string): PeerOrg {
  const org = cfg.orgs.find((o) => o.name === name || o.mspId === name);
  if (!org) throw new Error(`the devnet has no organisation "${name}"; it has ${cfg.orgs.map((o) => o.name).join(', ')}`);
  return org;
}

const peerArgs = (cfg: DevnetConfig, peer: PeerOrg) => ['--peerAddress', `${peer.address}:${peer.peerPort}`, '--tlsRootCertFile', orgTlsCa(cfg, peer)];

function completedDir(cfg: DevnetConfig, peer: PeerOrg): string {
  return path.join(snapshotsRootDir(cfg, peer), 'completed', cfg.channel);
}

/** The completed snapshots of a peer, oldest first. */
export function listSnapshots(cfg: DevnetConfig, peer: PeerOrg): Snapshot[] {
  const dir = completedDir(cfg, peer);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((d) => /^\d+$/.test(d) && fs.existsSync(path.join(dir, d, SNAPSHOT_METADATA)))
    .map((d) => ({ block: Number(d), dir: path.join(dir, d) }))
    .sort((a, b) => a.block - b.block);
}

/**
 * Asks `org`'s peer for a snapshot at `block` (default: its last committed
 * block) and waits until it is complete.
 */
export async function takeSnapshot(cfg: DevnetConfig, orgName: string, opts: { block?: number; log?: Log; timeoutMs?: number } = {}): Promise<Snapshot> {
  const log = opts.log ?? (() => undefined);
  runningInfo(cfg);
  const peer = orgNamed(cfg, orgName);
  let block: number;
  for (let attempt = 1; ; attempt++) {
    block = opts.block ?? (await peerHeight(cfg, peer)) - 1;
    const done = listSnapshots(cfg, peer).find((s) => s.block === block);
    if (done) {
      log(`${peer.peerHost} already holds a snapshot of block ${block}`);
      return done;
    }
    try {
      await peerAdmin(
        cfg,
        peer,
        ['snapshot', 'submitrequest', '-c', cfg.channel, '-b', String(block), ...peerArgs(cfg, peer)],
        `snapshot request to ${peer.peerHost}`,
      );
      break;
    } catch (err) {
      // A block committed between reading the height and the request: ask for the new last block.
      if (opts.block === undefined && attempt < 5 && /cannot be less than/.test(String(err))) continue;
      throw err;
    }
  }
  log(`${peer.peerHost} snapshots channel ${cfg.channel} at block ${block}`);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = listSnapshots(cfg, peer).find((s) => s.block === block);
    if (done) return done;
    if (Date.now() > deadline) {
      const pending = await peerAdmin(cfg, peer, ['snapshot', 'listpending', '-c', cfg.channel, ...peerArgs(cfg, peer)], 'pending snapshots').catch(String);
      throw new Error(`the snapshot of block ${block} was not completed within ${timeoutMs} ms (${pending.trim()}); see the log of ${peer.peerHost}`);
    }
    await sleep(500);
  }
}

/** Writes connection files that name the second peer as the organisation's peer: connection/<MSP>/peer1/. */
function writeSecondPeerConnection(info: DevnetInfo, peer: PeerOrg): string {
  const org = info.orgs.find((o) => o.mspId === peer.mspId);
  if (!org) throw new Error(`the devnet description has no organisation ${peer.mspId}`);
  const endpoint = { ...org, peerName: peer.peerHost, peerEndpoint: `${peer.address}:${peer.peerPort}` };
  const dir = path.join(connectionDir(info.runDir, peer.mspId), 'peer1');
  fs.mkdirSync(dir, { recursive: true });
  const profile = path.join(dir, 'connection-profile.json');
  fs.writeFileSync(profile, JSON.stringify(connectionProfileOf(info, endpoint), null, 2));
  for (const as of ['user', 'admin'] as const) {
    const env = { ...devnetLedgerEnv(info, peer.mspId, as), FABRIC_CONNECTION_PROFILE: profile };
    fs.writeFileSync(
      path.join(dir, `${as}.env`),
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n') + '\n',
    );
  }
  return dir;
}

/** Waits until a joinbysnapshot has finished and the peer lists the channel. */
async function waitForJoin(cfg: DevnetConfig, peer: PeerOrg, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await peerAdmin(cfg, peer, ['channel', 'joinbysnapshotstatus'], `joinbysnapshot status of ${peer.peerHost}`).catch(String);
    // "A joinbysnapshot operation is in progress …" while it runs, "No joinbysnapshot operation is in progress" after.
    const busy = /in progress/i.test(status) && !/\bno\b[^\n]*in progress/i.test(status);
    if (!busy) {
      const list = await peerAdmin(cfg, peer, ['channel', 'list'], `channels of ${peer.peerHost}`).catch(() => '');
      if (list.split('\n').some((l) => l.trim() === cfg.channel)) return;
    }
    if (Date.now() > deadline)
      throw new Error(`${peer.peerHost} did not finish joining from the snapshot within ${timeoutMs} ms (${status.trim()}); see its log`);
    await sleep(500);
  }
}

export interface JoinFromSnapshotResult {
  peer: PeerOrg;
  snapshot: Snapshot;
  /** Height the new peer reached, at least the org's first peer's when it joined. */
  height: number;
  /** Folder of the connection files naming the new peer. */
  connectionDir: string;
  elapsedMs: number;
}

/**
 * Starts `org`'s second peer and joins it to the channel from a snapshot
 * (default: the latest one of the org's first peer).
 */
export async function joinFromSnapshot(
  cfg: DevnetConfig,
  orgName: string,
  opts: { snapshotDir?: string; log?: Log; timeoutMs?: number } = {},
): Promise<JoinFromSnapshotResult> {
  const log = opts.log ?? (() => undefined);
  const t0 = Date.now();
  const info = runningInfo(cfg);
  const org = orgNamed(cfg, orgName);
  if (cfg.topology.secondPeers?.includes(org.name)) throw new Error(`${org.name} already runs a second peer, peer1.${org.domain}`);
  let snapshot: Snapshot | undefined;
  if (opts.snapshotDir) {
    const dir = path.resolve(opts.snapshotDir);
    if (!fs.existsSync(path.join(dir, SNAPSHOT_METADATA))) throw new Error(`${dir} is no completed snapshot (no ${SNAPSHOT_METADATA})`);
    snapshot = { dir, block: Number(path.basename(dir)) };
  } else {
    snapshot = listSnapshots(cfg, org).at(-1);
  }
  if (!snapshot) throw new Error(`${org.peerHost} holds no completed snapshot; take one with "npm run network -- snapshot --org ${org.name}"`);

  const topology = { ...cfg.topology, secondPeers: [...(cfg.topology.secondPeers ?? []), org.name] };
  const next = loadDevnetConfig({ portBase: cfg.portBase, runDir: cfg.runDir, peerClientAuth: cfg.peerClientAuth, topology });
  const peer = next.secondPeers.find((p) => p.name === org.name)!;
  await extendCryptoMaterial(next);
  log(`crypto material for ${peer.peerHost} (cryptogen extend)`);
  log(`starting ${peer.peerHost} (${peer.mspId}) on ${peer.address}:${peer.peerPort}`);
  await startPeer(next, processManager(next), peer, await fabricSampleConfigDir(next.root));
  // The peer answers its health check before its gRPC listener accepts connections: a refused
  // connection right after start-up means "not yet" (nothing was asked of the peer), anything else is a failure.
  await withRetry(
    () => peerAdmin(next, peer, ['channel', 'joinbysnapshot', '--snapshotpath', snapshot.dir], `${peer.peerHost} joins ${next.channel} from ${snapshot.dir}`),
    {
      deadlineMs: 30_000,
      baseDelayMs: 200,
      maxDelayMs: 1_000,
      retriable: (err) => /connection refused/.test(String(err instanceof Error ? err.message : err)),
    },
  );
  const timeoutMs = opts.timeoutMs ?? 180_000;
  await waitForJoin(next, peer, timeoutMs);
  log(`${peer.peerHost} joined ${next.channel} from the snapshot of block ${snapshot.block}`);

  const { file } = await buildCcaasPackage(next);
  await peerAdmin(next, peer, ['lifecycle', 'chaincode', 'install', file], `install chaincode on ${peer.peerHost}`);
  log(`chaincode installed on ${peer.peerHost} (the org's approval and the committed definition came with the snapshot)`);
  // From here on status and down see the peer, and `network up` restarts it.
  storeTopology(next.runDir, topology);
  const dir = writeSecondPeerConnection(info, peer);

  const target = await peerHeight(next, org);
  await waitForHeight(next, peer, target, timeoutMs);
  const height = await peerHeight(next, peer);
  log(`${peer.peerHost} pulled the blocks after the snapshot: height ${height}`);
  // Discovery through the new peer lists only the peers its gossip knows: wait until that is every other peer of the channel.
  const others = [...next.orgs, ...next.secondPeers].filter((p) => p.peerHost !== peer.peerHost);
  const gossipFrom = Date.now();
  const known = await waitForPeerMembership(next, peer, others, opts.timeoutMs ?? 120_000);
  log(`${peer.peerHost} knows the channel's ${known} other peers through gossip (after ${((Date.now() - gossipFrom) / 1000).toFixed(1)} s more)`);
  return { peer, snapshot, height, connectionDir: dir, elapsedMs: Date.now() - t0 };
}
