/**
 * `network add-org <name>`: onboards a supplier organisation into the running
 * channel without stopping anything, in the order Fabric's "adding an org to a
 * channel" tutorial gives:
 *
 *  1. crypto material for the new org (cryptogen extend keeps the existing orgs');
 *  2. its channel definition (configtxgen -printOrg) added to the current config
 *     block, the delta computed with configtxlator, signed by a majority of the
 *     existing organisations' admins (/Channel/Application/Admins is MAJORITY
 *     Admins), submitted;
 *  3. its peer started and joined from the channel's genesis block (a Fabric peer
 *     builds its ledger from block 0 and pulls the rest from the orderers);
 *  4. the chaincode package installed and the committed definition approved for
 *     the org at the same sequence (the definition's MAJORITY policy refers to the
 *     channel's Endorsement policy, which now counts the new org, so nothing else
 *     changes);
 *  5. the org added to the consortium registry by a governance proposal,
 *     approved by the admins of a majority of the governing organisations;
 *  6. its connection profile and identity written, the topology kept.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { ordererArgs, peerAdmin } from './admin-cli';
import { fabricSampleConfigDir } from './binaries';
import { buildCcaasPackage } from './chaincode-package';
import { peerOrgSection } from './channel-config';
import { configUpdateEnvelope, fetchChannelConfig, majorityOf, signAndSubmit } from './channel-update';
import { loadDevnetConfig, type DevnetConfig, type PeerOrg } from './config';
import { writeConnectionFiles } from './connection-files';
import { governDevnet } from './consortium-governance';
import { devnetMember } from './consortium-seed';
import { cryptoConfig } from './crypto-material';
import { cryptoDir } from './paths';
import { describeDevnet, devnetInfoPath, type DevnetInfo } from './devnet-info';
import { devnetStatus, processManager, startPeer } from './devnet';
import { waitForGossip, waitForLedger } from './readiness';
import { runCommand } from './run-command';
import { checkOrgName, storeTopology, topologyOrgs, type OrgRole } from './topology';

export type Log = (msg: string) => void;

export interface AddOrgResult {
  org: PeerOrg;
  info: DevnetInfo;
  /** Number of the config block that added the organisation. */
  configBlock: number;
  /** Wall time of the whole onboarding, in milliseconds. */
  elapsedMs: number;
}

async function extendCrypto(next: DevnetConfig): Promise<void> {
  const file = path.join(next.runDir, 'crypto-config.yaml');
  fs.writeFileSync(file, YAML.stringify(cryptoConfig(next)));
  await runCommand(path.join(next.binDir, 'cryptogen'), ['extend', `--config=${file}`, `--input=${cryptoDir(next)}`], { step: 'cryptogen extend' });
}

/** The new org's channel group, as configtxgen prints it. */
async function orgDefinition(next: DevnetConfig, org: PeerOrg, workDir: string): Promise<Record<string, unknown>> {
  fs.writeFileSync(path.join(workDir, 'configtx.yaml'), YAML.stringify({ Organizations: [peerOrgSection(next, org)] }));
  const out = await runCommand(path.join(next.binDir, 'configtxgen'), ['-printOrg', org.mspId, '-configPath', workDir], {
    env: { ...process.env, FABRIC_LOGGING_SPEC: 'ERROR' },
    step: `configtxgen -printOrg ${org.mspId}`,
  });
  // The JSON document starts at the first line that opens an object (log lines may precede it).
  return JSON.parse(out.slice(Math.max(0, out.search(/^\{/m)))) as Record<string, unknown>;
}

/** The channel height a peer reports (peer channel getinfo). */
async function peerHeight(cfg: DevnetConfig, org: PeerOrg): Promise<number> {
  const out = await peerAdmin(cfg, org, ['channel', 'getinfo', '-c', cfg.channel], `height of ${org.peerHost}`);
  return (JSON.parse(out.slice(out.indexOf('{'))) as { height: number }).height;
}

/** Waits until the new peer has pulled the blocks up to `height` (it learns its own org from the config update block). */
async function waitForHeight(cfg: DevnetConfig, org: PeerOrg, height: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const h = await peerHeight(cfg, org).catch(() => 0);
    if (h >= height) return;
    if (Date.now() > deadline) throw new Error(`${org.peerHost} reached height ${h}, not ${height}, within ${timeoutMs} ms; see its log`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function joinFromGenesis(next: DevnetConfig, org: PeerOrg, workDir: string): Promise<void> {
  const genesis = path.join(workDir, 'genesis.block');
  await peerAdmin(next, org, ['channel', 'fetch', '0', genesis, '-c', next.channel, ...ordererArgs(next)], `${org.mspId} fetches block 0`);
  await peerAdmin(next, org, ['channel', 'join', '-b', genesis], `${org.peerHost} joins ${next.channel}`);
}

/**
 * The definition committed on the channel and the package the first organisation approved for it:
 * the devnet's own (1.0, sequence 1) or a later one a `network chaincode upgrade` committed, whose
 * package `serve-chaincode` built into the same folder.
 */
async function committedRelease(cfg: DevnetConfig, fallbackPackageId: string): Promise<{ version: string; sequence: number; packageId: string; file: string }> {
  const c = cfg.chaincode;
  const out = await peerAdmin(
    cfg,
    cfg.orgs[0],
    ['lifecycle', 'chaincode', 'querycommitted', '--channelID', cfg.channel, '--name', c.name, '--output', 'json'],
    'query the committed chaincode definition',
  );
  const committed = JSON.parse(out.slice(out.indexOf('{'))) as { version: string; sequence: number };
  if (committed.sequence === c.sequence)
    return { version: c.version, sequence: c.sequence, packageId: fallbackPackageId, file: (await buildCcaasPackage(cfg)).file };
  const approved = await peerAdmin(
    cfg,
    cfg.orgs[0],
    ['lifecycle', 'chaincode', 'queryapproved', '--channelID', cfg.channel, '--name', c.name, '--sequence', String(committed.sequence), '--output', 'json'],
    `query ${cfg.orgs[0].mspId}'s approval at sequence ${committed.sequence}`,
  );
  const packageId = /"package_id"\s*:\s*"([^"]+)"/.exec(approved)?.[1];
  if (!packageId) throw new Error(`${cfg.orgs[0].mspId} approved no package at sequence ${committed.sequence}`);
  const file = path.join(cfg.runDir, 'chaincode', `${packageId.split(':')[0]}.tar.gz`);
  if (!fs.existsSync(file)) throw new Error(`the package of ${packageId} is not at ${file}; start its server with "network serve-chaincode" first`);
  return { version: committed.version, sequence: committed.sequence, packageId, file };
}

async function approveForOrg(next: DevnetConfig, org: PeerOrg, release: { version: string; sequence: number; packageId: string; file: string }): Promise<void> {
  await peerAdmin(next, org, ['lifecycle', 'chaincode', 'install', release.file], `install chaincode on ${org.peerHost}`);
  await peerAdmin(
    next,
    org,
    [
      'lifecycle',
      'chaincode',
      'approveformyorg',
      ...ordererArgs(next),
      '--channelID',
      next.channel,
      '--name',
      next.chaincode.name,
      '--version',
      release.version,
      '--sequence',
      String(release.sequence),
      '--channel-config-policy',
      '/Channel/Application/Endorsement',
      '--package-id',
      release.packageId,
      '--waitForEvent',
    ],
    `approve chaincode for ${org.mspId}`,
  );
}

/** Onboards organisation `name` (role supplier by default) into a running devnet. */
export async function addOrg(cfg: DevnetConfig, name: string, opts: { role?: OrgRole; log?: Log } = {}): Promise<AddOrgResult> {
  const log = opts.log ?? (() => undefined);
  const t0 = Date.now();
  const status = devnetStatus(cfg);
  if (!status.running || !status.info) throw new Error(`the devnet on port base ${cfg.portBase} is not running; run "network up" first`);
  checkOrgName(name, topologyOrgs(cfg.topology));
  const role = opts.role ?? 'supplier';
  const topology = { ...cfg.topology, added: [...(cfg.topology.added ?? []), { name, role }] };
  const next = loadDevnetConfig({ portBase: cfg.portBase, runDir: cfg.runDir, peerClientAuth: cfg.peerClientAuth, topology });
  const org = next.orgs[next.orgs.length - 1];
  const workDir = path.join(cfg.runDir, 'add-org', name);
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });

  await extendCrypto(next);
  log(`crypto material for ${org.mspId} (cryptogen extend)`);

  const { config: current } = await fetchChannelConfig(cfg, cfg.orgs[0], workDir);
  const updated = JSON.parse(JSON.stringify(current)) as typeof current;
  const apps = updated.channel_group.groups.Application.groups as Record<string, unknown>;
  if (apps[org.mspId]) throw new Error(`${org.mspId} is already in channel ${cfg.channel}`);
  apps[org.mspId] = await orgDefinition(next, org, workDir);
  const envelope = await configUpdateEnvelope(cfg, current, updated, workDir);
  const members = Object.keys(current.channel_group.groups.Application.groups as object);
  const signers = cfg.orgs.filter((o) => members.includes(o.mspId)).slice(0, majorityOf(members.length));
  await signAndSubmit(cfg, envelope, signers, log);
  // `peer channel update` returns once the orderer accepted it; the block that carries it comes a moment later.
  let configHeight = 0;
  for (let i = 0; !configHeight; i++) {
    const latest = await fetchChannelConfig(cfg, cfg.orgs[0], path.join(workDir, 'after'));
    if (latest.config.channel_group.groups.Application.groups[org.mspId]) configHeight = latest.number + 1;
    else if (i >= 120) throw new Error(`the config update adding ${org.mspId} was not committed within a minute`);
    else await new Promise((r) => setTimeout(r, 500));
  }

  const pm = processManager(next);
  log(`starting ${org.peerHost} (${org.mspId}) on ${org.address}:${org.peerPort}`);
  await startPeer(next, pm, org, await fabricSampleConfigDir(next.root));
  await joinFromGenesis(next, org, workDir);
  await waitForHeight(next, org, configHeight);
  log(`${org.peerHost} joined ${next.channel} from its genesis block and caught up to height ${configHeight}`);

  const release = await committedRelease(cfg, status.info.packageId);
  await approveForOrg(next, org, release);
  log(`chaincode ${release.version} installed and approved for ${org.mspId} (sequence ${release.sequence}, definition unchanged)`);

  // From here on the new org is part of the devnet: status, down and later add-orgs see it.
  storeTopology(next.runDir, topology);
  const info = describeDevnet(next, status.info.packageId);
  await writeConnectionFiles(next, info);
  await waitForGossip(next, 120_000);
  await waitForLedger({ ...info, orgs: info.orgs.filter((o) => o.mspId === org.mspId) }, 120_000);

  const { proposal, approvers } = await governDevnet(info, { kind: 'set-member', ...devnetMember({ mspId: org.mspId, role }) }, log);
  log(`${org.mspId} added to the consortium registry as ${role} by proposal ${proposal.proposalId.slice(0, 12)}, approved by ${approvers.join(', ')}`);
  fs.writeFileSync(devnetInfoPath(next.runDir), JSON.stringify(info, null, 2));
  const elapsedMs = Date.now() - t0;
  log(`${org.mspId} onboarded in ${(elapsedMs / 1000).toFixed(1)} s`);
  return { org, info, configBlock: configHeight - 1, elapsedMs };
}
