/**
 * Fabric's chaincode lifecycle, one `peer lifecycle chaincode` call per
 * function: what is committed, installed and approved, install, approve,
 * check commit readiness, commit.
 */
import { CommandError } from '../run-command';
import type { OperatorNetwork, TlsEndpoint } from './network-file';
import { jsonOutput, ordererFlags, peerAs, peerFlags, type AdminOrg, type FabricTools } from './peer-cli';

/** A chaincode definition at one sequence, as organisations approve and the channel commits it. */
export interface Definition {
  name: string;
  version: string;
  sequence: number;
  /** The endorsement policy as a channel config policy reference, e.g. /Channel/Application/Endorsement. */
  channelConfigPolicy: string;
}

/** The committed definition, with which organisations approved it. */
export interface CommittedDefinition {
  name: string;
  version: string;
  sequence: number;
  approvals: Record<string, boolean>;
}

/** The peer answers a query for a definition it does not have with 404 (committed) or "could not fetch" (approved). */
const notDefined = (err: unknown) => err instanceof CommandError && /404|not defined|not found|does not exist|could not fetch/i.test(err.output);

/** The package id inside an approval's `source` (a oneof, whose JSON shape differs between encoders). */
function packageIdIn(source: unknown): string | undefined {
  if (typeof source !== 'object' || source === null) return undefined;
  for (const [k, v] of Object.entries(source)) {
    if (k === 'package_id' || k === 'packageId') return typeof v === 'string' ? v : undefined;
    const inner = packageIdIn(v);
    if (inner) return inner;
  }
  return undefined;
}

const definitionFlags = (net: OperatorNetwork, d: Definition) => [
  '--channelID',
  net.channel,
  '--name',
  d.name,
  '--version',
  d.version,
  '--sequence',
  String(d.sequence),
  '--channel-config-policy',
  d.channelConfigPolicy,
];

/** The definition committed on the channel, or undefined when the chaincode has none yet. */
export async function queryCommitted(tools: FabricTools, net: OperatorNetwork, org: AdminOrg, name: string): Promise<CommittedDefinition | undefined> {
  try {
    const out = await peerAs(
      tools,
      org,
      ['lifecycle', 'chaincode', 'querycommitted', '--channelID', net.channel, '--name', name, '--output', 'json'],
      `query the committed definition of ${name} on ${org.peer.endpoint}`,
    );
    const j = jsonOutput<{ sequence: number; version: string; approvals?: Record<string, boolean> }>(out);
    return { name, version: j.version, sequence: Number(j.sequence), approvals: j.approvals ?? {} };
  } catch (err) {
    if (notDefined(err)) return undefined;
    throw err;
  }
}

/** Package ids installed on the organisation's peer. */
export async function queryInstalled(tools: FabricTools, org: AdminOrg): Promise<string[]> {
  const out = await peerAs(tools, org, ['lifecycle', 'chaincode', 'queryinstalled', '--output', 'json'], `list packages on ${org.peer.endpoint}`);
  const j = out.trim() === '' ? {} : jsonOutput<{ installed_chaincodes?: Array<{ package_id: string }> }>(out);
  return (j.installed_chaincodes ?? []).map((c) => c.package_id);
}

/** Installs a package file on the organisation's peer (unless it holds it already); returns whether it installed. */
export async function install(tools: FabricTools, org: AdminOrg, file: string, packageId: string): Promise<boolean> {
  if ((await queryInstalled(tools, org)).includes(packageId)) return false;
  await peerAs(tools, org, ['lifecycle', 'chaincode', 'install', file], `install ${packageId} on ${org.peer.endpoint}`);
  return true;
}

/** What the organisation approved at `sequence`: its version and package id, or undefined. */
export async function queryApproved(
  tools: FabricTools,
  net: OperatorNetwork,
  org: AdminOrg,
  name: string,
  sequence: number,
): Promise<{ version: string; packageId?: string } | undefined> {
  try {
    const out = await peerAs(
      tools,
      org,
      ['lifecycle', 'chaincode', 'queryapproved', '--channelID', net.channel, '--name', name, '--sequence', String(sequence), '--output', 'json'],
      `query ${org.mspId}'s approval of ${name} at sequence ${sequence}`,
    );
    const j = jsonOutput<{ version: string; source?: unknown }>(out);
    return { version: j.version, packageId: packageIdIn(j.source) };
  } catch (err) {
    if (notDefined(err)) return undefined;
    throw err;
  }
}

/** Approves the definition for the admin's organisation, pointing it at `packageId`; waits until its peer has the approval. */
export async function approve(tools: FabricTools, net: OperatorNetwork, org: AdminOrg, d: Definition, packageId: string): Promise<void> {
  await peerAs(
    tools,
    org,
    ['lifecycle', 'chaincode', 'approveformyorg', ...ordererFlags(net, org), ...definitionFlags(net, d), '--package-id', packageId, '--waitForEvent'],
    `approve ${d.name} ${d.version} (sequence ${d.sequence}) for ${org.mspId}`,
  );
}

/** Which organisations of the channel have approved exactly this definition. */
export async function commitReadiness(tools: FabricTools, net: OperatorNetwork, org: AdminOrg, d: Definition): Promise<Record<string, boolean>> {
  const out = await peerAs(
    tools,
    org,
    ['lifecycle', 'chaincode', 'checkcommitreadiness', ...definitionFlags(net, d), '--output', 'json'],
    `check commit readiness of ${d.name} ${d.version} (sequence ${d.sequence})`,
  );
  return jsonOutput<{ approvals: Record<string, boolean> }>(out).approvals;
}

/** Commits the definition, endorsed by `peers`; waits until those peers have committed it. */
export async function commit(tools: FabricTools, net: OperatorNetwork, org: AdminOrg, d: Definition, peers: TlsEndpoint[]): Promise<void> {
  await peerAs(
    tools,
    org,
    ['lifecycle', 'chaincode', 'commit', ...ordererFlags(net, org), ...definitionFlags(net, d), ...peerFlags(peers), '--waitForEvent'],
    `commit ${d.name} ${d.version} (sequence ${d.sequence})`,
  );
}
