/**
 * Where a chaincode's lifecycle stands: the committed definition and, for the
 * next sequence, which organisations have approved which definition and how
 * many approvals a commit needs.
 */
import type { OperatorNetwork } from './network-file';
import type { AdminOrg, FabricTools } from './peer-cli';
import { commitReadiness, queryApproved, queryCommitted, type CommittedDefinition } from './lifecycle';
import { DEFAULT_ENDORSEMENT_POLICY, majorityOf } from './rollout';

export interface NextSequenceStatus {
  sequence: number;
  /** The version asked about, or the one the given admins approved at the next sequence. */
  version?: string;
  /** Per organisation of the channel: has it approved this version at this sequence. */
  approvals: Record<string, boolean>;
  /** What each given admin's organisation approved at the next sequence (version and package id), if anything. */
  approvedByGivenAdmins: Record<string, { version: string; packageId?: string } | null>;
  required: number;
  readyToCommit: boolean;
}

export interface LifecycleStatus {
  channel: string;
  name: string;
  committed?: CommittedDefinition;
  next: NextSequenceStatus;
}

/** Reads the lifecycle state of chaincode `name` through the given admins' peers. */
export async function lifecycleStatus(
  tools: FabricTools,
  net: OperatorNetwork,
  admins: AdminOrg[],
  opts: { name: string; version?: string; channelConfigPolicy?: string },
): Promise<LifecycleStatus> {
  const committed = await queryCommitted(tools, net, admins[0], opts.name);
  const sequence = (committed?.sequence ?? 0) + 1;
  const approvedByGivenAdmins: NextSequenceStatus['approvedByGivenAdmins'] = {};
  for (const org of admins) approvedByGivenAdmins[org.mspId] = (await queryApproved(tools, net, org, opts.name, sequence)) ?? null;
  const version = opts.version ?? Object.values(approvedByGivenAdmins).find((a) => a !== null)?.version;
  let approvals: Record<string, boolean> = {};
  if (version) {
    approvals = await commitReadiness(tools, net, admins[0], {
      name: opts.name,
      version,
      sequence,
      channelConfigPolicy: opts.channelConfigPolicy ?? DEFAULT_ENDORSEMENT_POLICY,
    });
  }
  // Without a version to ask about, the channel's organisations are those of the committed definition's approvals.
  const orgs = Object.keys(version ? approvals : (committed?.approvals ?? {}));
  const required = majorityOf(orgs.length);
  const yes = Object.values(approvals).filter(Boolean).length;
  return {
    channel: net.channel,
    name: opts.name,
    committed,
    next: { sequence, version, approvals, approvedByGivenAdmins, required, readyToCommit: yes >= required },
  };
}

/** The status as lines for a terminal. */
export function formatStatus(s: LifecycleStatus): string[] {
  const lines = [
    s.committed
      ? `${s.name} on ${s.channel}: committed version ${s.committed.version}, sequence ${s.committed.sequence}, approved by ${
          Object.keys(s.committed.approvals)
            .filter((m) => s.committed?.approvals[m])
            .join(', ') || 'none'
        }`
      : `${s.name} on ${s.channel}: no committed definition`,
  ];
  const n = s.next;
  if (!n.version) {
    lines.push(`sequence ${n.sequence}: no approval by the given admins (give --version to check another organisation's)`);
    return lines;
  }
  const orgs = Object.keys(n.approvals);
  const yes = orgs.filter((m) => n.approvals[m]);
  lines.push(
    `sequence ${n.sequence}, version ${n.version}: approved by ${yes.length} of ${orgs.length}, a commit needs ${n.required}${n.readyToCommit ? ' (ready to commit)' : ''}`,
  );
  for (const m of orgs) {
    const own = n.approvedByGivenAdmins[m];
    const pkg = own?.packageId ? `  package ${own.packageId}` : '';
    lines.push(`  ${m.padEnd(16)}${n.approvals[m] ? 'approved' : 'not approved'}${pkg}`);
  }
  return lines;
}
