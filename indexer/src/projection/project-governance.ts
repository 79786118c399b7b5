/**
 * Projection of the consortium contract's `ConsortiumChanged` events: the
 * registry entries as last set, each governance proposal as it last stood,
 * and who proposed or approved it in which transaction. The chaincode emits
 * the seeded registry (InitConsortium) or a proposal with what the
 * transaction did to it and, once applied, the changed entry.
 */
import { CONSORTIUM_EVENT_NAME } from '../../../lib/domain/src';
import type { LedgerTransaction } from '../../../lib/fabric/src';
import type { RowBuffer } from './row-buffer';
import { T } from './tables';

export { CONSORTIUM_EVENT_NAME };

interface MemberEntry {
  mspId: string;
  displayName: string;
  roles: string[];
  gs1Prefixes?: string[];
}

interface ProposalEntry {
  proposalId: string;
  change: { kind: string; mspId: string };
  proposedBy: string;
  proposedAt: string;
  expiresAt: string;
  status: string;
  approvedBy: string[];
  required: number;
  approvals: Array<{ mspId: string; txId: string; at: string }>;
  appliedAt?: string;
  appliedTxId?: string;
}

interface ConsortiumPayload {
  members?: MemberEntry[];
  member?: MemberEntry;
  removed?: string;
  action?: 'proposed' | 'approved';
  by?: string;
  proposal?: ProposalEntry;
}

/** Buffers the rows of one valid transaction's ConsortiumChanged event; throws on an unreadable payload. */
export function projectGovernance(rows: RowBuffer, tx: LedgerTransaction, blockNumber: string): void {
  const p = JSON.parse(Buffer.from(tx.event!.payload).toString('utf8')) as ConsortiumPayload;
  const member = (m: MemberEntry, removed = false) =>
    rows.add(T.consortiumMembers, [m.mspId, m.displayName, m.roles, m.gs1Prefixes ?? null, removed, tx.txId, blockNumber]);
  for (const m of p.members ?? []) member(m);
  if (p.member) member(p.member);
  // A removed member's row stays, marked removed, its name and roles cleared.
  if (p.removed) rows.add(T.consortiumMembers, [p.removed, '', [], null, true, tx.txId, blockNumber]);
  const q = p.proposal;
  if (!q) return;
  rows.add(T.governanceProposals, [
    q.proposalId,
    q.change.kind,
    q.change.mspId,
    JSON.stringify(q.change),
    q.proposedBy,
    q.proposedAt,
    q.expiresAt,
    q.status === 'applied' ? 'applied' : 'open',
    q.approvedBy,
    q.required,
    q.appliedAt ?? null,
    q.appliedTxId ?? null,
    tx.txId,
    blockNumber,
  ]);
  if (p.by && p.action) {
    const at = q.approvals.find((a) => a.mspId === p.by)?.at ?? tx.timestamp;
    rows.add(T.governanceApprovals, [q.proposalId, p.by, p.action, at, q.status === 'applied', tx.txId, blockNumber, tx.index]);
  }
}
