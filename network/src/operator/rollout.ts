/**
 * Deploying or upgrading the chaincode as a service on a running channel: the
 * definition at the next sequence is packaged, installed and approved by the
 * organisations whose admins are given, and committed once a majority of the
 * channel's organisations has approved it. Each step is skipped when already
 * done, so every organisation's admin can run the same command in turn.
 */
import * as fs from 'node:fs';
import { buildCcaasPackageFile } from '../chaincode-package';
import type { OperatorNetwork } from './network-file';
import type { AdminOrg, FabricTools } from './peer-cli';
import { approve, commit, commitReadiness, install, queryApproved, queryCommitted, type CommittedDefinition, type Definition } from './lifecycle';

export type Log = (msg: string) => void;

/** What to deploy: the chaincode's name and version, the package label and where its server listens. */
export interface ReleaseSpec {
  name: string;
  version: string;
  /** Package label, default `<name>_<version>`. */
  label?: string;
  /** host:port the peers dial to reach the chaincode server of this version. */
  address: string;
  /** Endorsement policy reference; default /Channel/Application/Endorsement. */
  channelConfigPolicy?: string;
}

export interface RolloutContext {
  tools: FabricTools;
  net: OperatorNetwork;
  /** Admins acting in this run, in order; the first one queries and commits. */
  admins: AdminOrg[];
  /** Folder the package is written to. */
  workDir: string;
  log: Log;
}

export interface RolloutResult {
  definition: Definition;
  packageId: string;
  packageFile: string;
  /** Approvals of this definition per organisation of the channel, after this run's approvals. */
  approvals: Record<string, boolean>;
  /** How many approvals the commit needs (a majority of the channel's organisations). */
  required: number;
  /** The definition is committed (by this run or an earlier one). */
  committed: boolean;
  /** This run committed it. */
  committedNow: boolean;
}

/** Approvals a MAJORITY policy over `n` organisations needs. */
export const majorityOf = (n: number) => Math.floor(n / 2) + 1;

export const DEFAULT_ENDORSEMENT_POLICY = '/Channel/Application/Endorsement';

/** The package of a release: label, server address; its id is fixed by its bytes. */
export function packageOf(ctx: Pick<RolloutContext, 'workDir'>, spec: ReleaseSpec) {
  fs.mkdirSync(ctx.workDir, { recursive: true });
  return buildCcaasPackageFile({ label: spec.label ?? `${spec.name}_${spec.version}`, address: spec.address, dir: ctx.workDir });
}

/**
 * Brings `spec` to the channel at the next sequence after `committed` (or
 * keeps the committed one when it already is `spec.version`).
 */
export async function rollOut(ctx: RolloutContext, spec: ReleaseSpec, committed: CommittedDefinition | undefined): Promise<RolloutResult> {
  const { tools, net, admins, log } = ctx;
  const { file, packageId } = await packageOf(ctx, spec);
  log(`package ${packageId} (server ${spec.address})`);
  const already = committed?.version === spec.version;
  const definition: Definition = {
    name: spec.name,
    version: spec.version,
    sequence: already ? committed.sequence : (committed?.sequence ?? 0) + 1,
    channelConfigPolicy: spec.channelConfigPolicy ?? DEFAULT_ENDORSEMENT_POLICY,
  };
  for (const org of admins) {
    if (await install(tools, org, file, packageId)) log(`installed on ${org.peer.endpoint} (${org.mspId})`);
    else log(`already installed on ${org.peer.endpoint} (${org.mspId})`);
  }
  // A peer runs the package its own organisation approved: an organisation that comes after the commit
  // approves the committed definition (same sequence) before its peer can run it.
  for (const org of admins) {
    const approved = await queryApproved(tools, net, org, spec.name, definition.sequence);
    if (approved?.version === spec.version && approved.packageId === packageId) {
      log(`${org.mspId} has already approved ${spec.name} ${spec.version} at sequence ${definition.sequence}`);
      continue;
    }
    await approve(tools, net, org, definition, packageId);
    log(`${org.mspId} approved ${spec.name} ${spec.version} at sequence ${definition.sequence}${already ? ' (committed)' : ''}`);
  }
  if (already) {
    log(`${spec.name} ${spec.version} is already committed at sequence ${committed.sequence}`);
    const now = await queryCommitted(tools, net, admins[0], spec.name);
    return { definition, packageId, packageFile: file, approvals: now?.approvals ?? committed.approvals, required: 0, committed: true, committedNow: false };
  }
  const approvals = await commitReadiness(tools, net, admins[0], definition);
  const orgs = Object.keys(approvals);
  const yes = orgs.filter((m) => approvals[m]);
  const required = majorityOf(orgs.length);
  log(
    `approvals for sequence ${definition.sequence}: ${yes.length} of ${orgs.length} (${orgs.map((m) => `${m} ${approvals[m] ? 'yes' : 'no'}`).join(', ')}); a commit needs ${required}`,
  );
  if (yes.length < required) {
    return { definition, packageId, packageFile: file, approvals, required, committed: false, committedNow: false };
  }
  const peers = net.organizations.filter((o) => approvals[o.mspId]).map((o) => o.peer);
  if (peers.length < required) {
    throw new Error(`${net.file} lists the peers of ${peers.length} approving organisations; the commit must be endorsed by ${required}`);
  }
  await commit(tools, net, admins[0], definition, peers);
  log(`committed ${spec.name} ${spec.version} at sequence ${definition.sequence} (endorsed by ${peers.map((p) => p.endpoint).join(', ')})`);
  return { definition, packageId, packageFile: file, approvals, required, committed: true, committedNow: true };
}

/** Deploys the first definition of a chaincode (nothing committed yet) or carries on a deploy in progress. */
export async function deploy(ctx: RolloutContext, spec: ReleaseSpec): Promise<RolloutResult> {
  const committed = await queryCommitted(ctx.tools, ctx.net, ctx.admins[0], spec.name);
  if (committed && committed.version !== spec.version) {
    throw new Error(`${spec.name} is already committed on ${ctx.net.channel} as version ${committed.version} (sequence ${committed.sequence}); use "upgrade"`);
  }
  return rollOut(ctx, spec, committed);
}

/** Upgrades a committed chaincode to `spec.version` at the next sequence. */
export async function upgrade(ctx: RolloutContext, spec: ReleaseSpec): Promise<RolloutResult> {
  const committed = await queryCommitted(ctx.tools, ctx.net, ctx.admins[0], spec.name);
  if (!committed) throw new Error(`${spec.name} has no committed definition on ${ctx.net.channel}; use "deploy"`);
  return rollOut(ctx, spec, committed);
}
