/**
 * Operator side of registry governance on the devnet, which holds every
 * organisation's admin identity: a change is proposed by the admin of one
 * governing organisation and approved by the admins of the others until a
 * majority of the governing organisations has approved it and it applies.
 * On a real network each organisation's admin approves on its own
 * (docs/connect-your-network.md).
 */
import type { LedgerClient } from '../../lib/fabric/src';
import { CONSORTIUM, CONTRACT } from '../../lib/domain/src';
import { connectDevnet } from './connect-devnet';
import type { DevnetInfo } from './devnet-info';

/** A registry change, as ProposeChange takes it. */
export type RegistryChange =
  | { kind: 'set-member'; mspId: string; displayName: string; roles: string[]; gs1Prefixes?: string[] }
  | { kind: 'remove-member'; mspId: string }
  | { kind: 'set-prefixes'; mspId: string; gs1Prefixes: string[] };

/** A proposal as the consortium contract answers it. */
export interface ProposalView {
  proposalId: string;
  status: 'open' | 'applied' | 'expired';
  approvedBy: string[];
  required: number;
  governors: string[];
  expiresAt: string;
}

export interface GovernResult {
  proposal: ProposalView;
  /** Organisations whose admins proposed or approved, in order. */
  approvers: string[];
}

/** The MSP ids of the members holding the governance role. */
export async function governingOrgs(client: LedgerClient): Promise<string[]> {
  const out = JSON.parse((await client.evaluate({ contract: CONTRACT.consortium, fn: CONSORTIUM.GetMembers })).toString('utf8')) as {
    members: Array<{ mspId: string; roles: string[] }>;
  };
  return out.members.filter((m) => m.roles.includes('governance')).map((m) => m.mspId);
}

/** Submits ProposeChange or ApproveProposal with `admin`; returns the proposal as it stands after. */
export async function governanceTx(
  admin: LedgerClient,
  fn: typeof CONSORTIUM.ProposeChange | typeof CONSORTIUM.ApproveProposal,
  body: unknown,
): Promise<ProposalView> {
  const res = await admin.submit({ contract: CONTRACT.consortium, fn, args: [JSON.stringify(body)] });
  return (JSON.parse(res.payload.toString('utf8')) as { proposal: ProposalView }).proposal;
}

/**
 * Proposes `change` with the admin of the first governing organisation of the
 * devnet and approves it with the next ones until it applies.
 */
export async function governDevnet(info: DevnetInfo, change: RegistryChange, log: (m: string) => void = () => undefined): Promise<GovernResult> {
  const onNetwork = info.orgs.map((o) => o.mspId);
  const reader = await connectDevnet(info, info.orgs[0].mspId);
  let governors: string[];
  try {
    governors = (await governingOrgs(reader)).filter((m) => onNetwork.includes(m));
  } finally {
    reader.close();
  }
  if (governors.length === 0) throw new Error('no governing organisation of the registry runs on this devnet');
  const approvers: string[] = [];
  let proposal: ProposalView | undefined;
  for (const msp of governors) {
    const admin = await connectDevnet(info, msp, 'admin');
    try {
      proposal = proposal
        ? await governanceTx(admin, CONSORTIUM.ApproveProposal, { proposalId: proposal.proposalId })
        : await governanceTx(admin, CONSORTIUM.ProposeChange, { change });
    } finally {
      admin.close();
    }
    approvers.push(msp);
    log(`${msp} admin ${approvers.length === 1 ? 'proposed' : 'approved'} ${change.kind} ${change.mspId} (${proposal.approvedBy.length}/${proposal.required})`);
    if (proposal.status === 'applied') return { proposal, approvers };
  }
  throw new Error(`proposal ${proposal?.proposalId} did not reach a majority of the governing organisations (${governors.join(', ')})`);
}
