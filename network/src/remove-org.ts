/**
 * `network remove-org <name>`: takes an organisation out of the running
 * channel and out of the consortium registry, the reverse of add-org:
 *
 *  1. its group deleted from the channel's Application groups in the current
 *     config block; configtxlator computes the update, which the admins of the
 *     remaining organisations sign, as many as /Channel/Application/Admins
 *     (MAJORITY Admins, counted over the current members, the leaving one
 *     included) needs, and submitted;
 *  2. from the config block on, its peer receives no more blocks: the ordering
 *     service refuses its Deliver requests (the org no longer satisfies the
 *     channel's Readers policy) and the other peers no longer gossip with it;
 *     the endorsement policy's MAJORITY is counted over the remaining members;
 *  3. a `remove-member` proposal approved by a majority of the governing
 *     organisations' admins takes it out of the registry;
 *  4. the topology, devnet.json and the connection files no longer list it.
 *     Its peer process keeps running (it stands for a peer the devnet does not
 *     own) until `network down` stops it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONSORTIUM, CONTRACT } from '../../lib/domain/src';
import { configUpdateEnvelope, fetchChannelConfig, majorityOf, signAndSubmit } from './channel-update';
import { loadDevnetConfig, type DevnetConfig } from './config';
import { connectDevnet } from './connect-devnet';
import { writeConnectionFiles } from './connection-files';
import { governDevnet } from './consortium-governance';
import { describeDevnet, devnetInfoPath, type DevnetInfo } from './devnet-info';
import { devnetStatus } from './devnet';
import { storeTopology } from './topology';

export type Log = (msg: string) => void;

export interface RemoveOrgResult {
  mspId: string;
  /** Number of the config block that removed the organisation. */
  configBlock: number;
  /** Organisations whose admins signed the config update. */
  signers: string[];
  /** Whether a registry proposal removed it (false when the registry did not list it). */
  removedFromRegistry: boolean;
  elapsedMs: number;
}

/** The registry's entry of `mspId`, read through `reader`'s organisation. */
async function registryEntry(info: DevnetInfo, reader: string, mspId: string): Promise<{ mspId: string; roles: string[] } | undefined> {
  const client = await connectDevnet(info, reader);
  try {
    const out = JSON.parse((await client.evaluate({ contract: CONTRACT.consortium, fn: CONSORTIUM.GetMembers })).toString('utf8')) as {
      members: Array<{ mspId: string; roles: string[] }>;
    };
    return out.members.find((m) => m.mspId === mspId);
  } finally {
    client.close();
  }
}

/** Removes organisation `name` (e.g. supplier2) from a running devnet's channel and registry. */
export async function removeOrg(cfg: DevnetConfig, name: string, opts: { log?: Log } = {}): Promise<RemoveOrgResult> {
  const log = opts.log ?? (() => undefined);
  const t0 = Date.now();
  const status = devnetStatus(cfg);
  if (!status.running || !status.info) throw new Error(`the devnet on port base ${cfg.portBase} is not running; run "network up" first`);
  const org = cfg.orgs.find((o) => o.name === name);
  if (!org) throw new Error(`the devnet has no organisation "${name}" (it has ${cfg.orgs.map((o) => o.name).join(', ')})`);
  const remaining = cfg.orgs.filter((o) => o !== org);
  if (remaining.length === 0) throw new Error(`${org.mspId} is the channel's only organisation`);
  // A governing organisation's approval counts towards every registry change: its role goes first,
  // by a registry change, before the channel can drop it.
  const entry = await registryEntry(status.info, remaining[0].mspId, org.mspId);
  if (entry?.roles.includes('governance')) {
    throw new Error(`${org.mspId} governs the consortium registry; remove its governance role by a registry change before removing it`);
  }
  const workDir = path.join(cfg.runDir, 'remove-org', name);
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });

  const { config: current } = await fetchChannelConfig(cfg, remaining[0], workDir);
  const updated = JSON.parse(JSON.stringify(current)) as typeof current;
  const apps = updated.channel_group.groups.Application.groups as Record<string, unknown>;
  if (!apps[org.mspId]) throw new Error(`${org.mspId} is not a member of channel ${cfg.channel}`);
  delete apps[org.mspId];
  const members = Object.keys(current.channel_group.groups.Application.groups as object);
  const needed = majorityOf(members.length);
  const candidates = remaining.filter((o) => members.includes(o.mspId));
  if (candidates.length < needed) {
    throw new Error(
      `removing ${org.mspId} needs ${needed} admin signatures of ${members.length} members; only ${candidates.length} other organisations remain`,
    );
  }
  const signers = candidates.slice(0, needed);
  const envelope = await configUpdateEnvelope(cfg, current, updated, workDir);
  await signAndSubmit(cfg, envelope, signers, log);
  let configBlock = -1;
  for (let i = 0; configBlock < 0; i++) {
    const latest = await fetchChannelConfig(cfg, remaining[0], path.join(workDir, 'after'));
    if (!latest.config.channel_group.groups.Application.groups[org.mspId]) configBlock = latest.number;
    else if (i >= 120) throw new Error(`the config update removing ${org.mspId} was not committed within a minute`);
    else await new Promise((r) => setTimeout(r, 500));
  }
  log(`${org.mspId} removed from channel ${cfg.channel} by config block ${configBlock}`);

  const topology = { ...cfg.topology, removed: [...(cfg.topology.removed ?? []), name] };
  const next = loadDevnetConfig({ portBase: cfg.portBase, runDir: cfg.runDir, peerClientAuth: cfg.peerClientAuth, topology });
  const info = describeDevnet(next, status.info.packageId);
  let removedFromRegistry = false;
  if (entry) {
    const { proposal, approvers } = await governDevnet(info, { kind: 'remove-member', mspId: org.mspId }, log);
    log(`${org.mspId} removed from the consortium registry by proposal ${proposal.proposalId.slice(0, 12)}, approved by ${approvers.join(', ')}`);
    removedFromRegistry = true;
  } else log(`${org.mspId} was not in the consortium registry`);

  storeTopology(next.runDir, topology);
  await writeConnectionFiles(next, info);
  fs.writeFileSync(devnetInfoPath(next.runDir), JSON.stringify(info, null, 2));
  log(`${org.peerHost} keeps running without new blocks until "network down" stops it`);
  return { mspId: org.mspId, configBlock, signers: signers.map((s) => s.mspId), removedFromRegistry, elapsedMs: Date.now() - t0 };
}
