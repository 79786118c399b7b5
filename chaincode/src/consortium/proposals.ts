/**
 * Governance proposals: a change to the registry (add or change a member,
 * remove one, set a member's GS1 company prefixes) takes effect only once
 * admins of a majority of the governing members, each a distinct
 * organisation, have approved it before it expires.
 *
 * Stored under `proposal~<proposalId>` (the proposing transaction's id) as
 * canonical JSON; approvals stay on the record, so the ledger shows who
 * approved what and when.
 */
import type { Context } from 'fabric-contract-api';
import { canonicalBytes } from '../traceability/canonical-json';
import { fail } from '../traceability/errors';
import type { Input } from '../traceability/input';
import { compositeKey } from '../traceability/keys';
import {
  MEMBER_ROLES,
  assertPrefixesFree,
  hasRole,
  listMembers,
  memberKey,
  parseGs1Prefixes,
  readMember,
  setMemberPrefixes,
  writeMember,
  type Member,
  type MemberRole,
} from './registry';

export const PROPOSAL_OBJECT_TYPE = 'proposal';

/** How long a proposal stays open unless it names its own lifetime: 7 days. */
export const DEFAULT_PROPOSAL_TTL_SECONDS = 7 * 24 * 3600;
/** Longest lifetime a proposal may ask for: 90 days. */
export const MAX_PROPOSAL_TTL_SECONDS = 90 * 24 * 3600;

const MSP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** A member as a `set-member` proposal names it; without gs1Prefixes an existing member keeps its own (a new one has none). */
export type MemberEntry = Pick<Member, 'mspId' | 'displayName' | 'roles'> & { gs1Prefixes?: string[] };

/** What a proposal changes once approved. */
export type ProposedChange =
  ({ kind: 'set-member' } & MemberEntry) | { kind: 'remove-member'; mspId: string } | { kind: 'set-prefixes'; mspId: string; gs1Prefixes: string[] };

export const CHANGE_KINDS = ['set-member', 'remove-member', 'set-prefixes'] as const;

export interface Approval {
  mspId: string;
  txId: string;
  at: string;
}

export interface Proposal {
  docType: 'proposal';
  proposalId: string;
  change: ProposedChange;
  proposedBy: string;
  proposedAt: string;
  expiresAt: string;
  /** One per approving organisation, in order; the proposer's is the first. */
  approvals: Approval[];
  status: 'open' | 'applied';
  appliedAt?: string;
  appliedTxId?: string;
}

export function proposalKey(proposalId: string): string {
  return compositeKey(PROPOSAL_OBJECT_TYPE, [proposalId]);
}

export async function readProposal(ctx: Context, proposalId: string): Promise<Proposal | undefined> {
  const data = await ctx.stub.getState(proposalKey(proposalId));
  return data && data.length > 0 ? (JSON.parse(Buffer.from(data).toString('utf8')) as Proposal) : undefined;
}

export async function writeProposal(ctx: Context, p: Proposal): Promise<void> {
  await ctx.stub.putState(proposalKey(p.proposalId), canonicalBytes(p));
}

/** Every proposal, in id order. */
export async function listProposals(ctx: Context): Promise<Proposal[]> {
  const out: Proposal[] = [];
  const it = await ctx.stub.getStateByPartialCompositeKey(PROPOSAL_OBJECT_TYPE, []);
  try {
    for (;;) {
      const res = await it.next();
      if (!res || res.done || !res.value) break;
      if (res.value.value && res.value.value.length > 0) out.push(JSON.parse(Buffer.from(res.value.value).toString('utf8')) as Proposal);
    }
  } finally {
    await it.close();
  }
  return out;
}

/** Approvals needed: more than half of the governing members. */
export function majorityOf(governors: number): number {
  return Math.floor(governors / 2) + 1;
}

/** The MSP ids of the members holding the governance role. */
export function governorsOf(members: readonly Member[]): string[] {
  return members.filter((m) => hasRole(m, 'governance')).map((m) => m.mspId);
}

/** Approvals that count: those of organisations that govern now (a member may have lost the role since). */
export function countingApprovals(p: Proposal, governors: readonly string[]): string[] {
  return [...new Set(p.approvals.map((a) => a.mspId))].filter((m) => governors.includes(m));
}

/** A proposal is expired once the transaction time is at or past its expiry. */
export function isExpired(p: Proposal, nowIso: string): boolean {
  return nowIso >= p.expiresAt;
}

/** Reads `change` of a ProposeChange request; errors name the field as `change.<name>`. */
export function parseChange(change: Input): ProposedChange {
  const kind = change.str('kind', { max: 32 });
  if (!(CHANGE_KINDS as readonly string[]).includes(kind)) throw fail.invalid(change.at('kind'), `must be one of ${CHANGE_KINDS.join(', ')}`);
  const mspId = change.str('mspId', { max: 100, pattern: MSP_ID, hint: 'must be an MSP id (letters, digits, . _ -)' });
  if (kind === 'remove-member') return { kind, mspId };
  if (kind === 'set-prefixes') {
    return { kind, mspId, gs1Prefixes: parseGs1Prefixes(change.raw('gs1Prefixes'), change.at('gs1Prefixes')) };
  }
  const displayName = change.str('displayName', { max: 200 });
  const raw = change.raw('roles');
  if (!Array.isArray(raw) || raw.length === 0) throw fail.invalid(change.at('roles'), `must be a non-empty list of ${MEMBER_ROLES.join(', ')}`);
  const roles = [...new Set(raw as unknown[])].map((r, i) => {
    if (!(MEMBER_ROLES as readonly unknown[]).includes(r)) throw fail.invalid(`${change.at('roles')}[${i}]`, `must be one of ${MEMBER_ROLES.join(', ')}`);
    return r as MemberRole;
  });
  const entry: { kind: 'set-member' } & MemberEntry = { kind: 'set-member', mspId, displayName, roles: roles.sort() };
  if (change.has('gs1Prefixes')) entry.gs1Prefixes = parseGs1Prefixes(change.raw('gs1Prefixes'), change.at('gs1Prefixes'));
  return entry;
}

/**
 * Refuses a change that cannot apply to `members` (removing or re-prefixing a
 * non-member, leaving no governing member). Checked when proposed and again
 * when applied, since the registry may have changed in between.
 */
export function checkChange(change: ProposedChange, members: readonly Member[]): void {
  const exists = members.some((m) => m.mspId === change.mspId);
  if (change.kind !== 'set-member' && !exists) throw fail.notFound(`member ${change.mspId}`, 'change.mspId');
  // Every key has at most one owner: no prefix may overlap another member's.
  if (change.kind !== 'remove-member' && change.gs1Prefixes) assertPrefixesFree(members, change.mspId, change.gs1Prefixes, 'change.gs1Prefixes');
  if (change.kind === 'set-prefixes') return;
  const after = members.filter((m) => m.mspId !== change.mspId).map((m) => m.roles);
  if (change.kind === 'set-member') after.push(change.roles);
  if (!after.some((roles) => roles.includes('governance'))) {
    throw fail.conflict('the change would leave no member with the governance role', change.kind === 'set-member' ? 'change.roles' : 'change.mspId');
  }
}

/** What an applied change did, for the event payload. */
export type AppliedChange = { member: Member } | { removed: string };

/** Applies an approved change to the registry. */
export async function applyChange(ctx: Context, change: ProposedChange, stamp: { txId: string; updatedAt: string }): Promise<AppliedChange> {
  checkChange(change, await listMembers(ctx));
  if (change.kind === 'remove-member') {
    await ctx.stub.deleteState(memberKey(change.mspId));
    return { removed: change.mspId };
  }
  if (change.kind === 'set-prefixes') {
    const member = await setMemberPrefixes(
      ctx,
      change.mspId,
      change.gs1Prefixes,
      { txId: stamp.txId, at: stamp.updatedAt },
      { mspId: 'change.mspId', gs1Prefixes: 'change.gs1Prefixes' },
    );
    return { member };
  }
  const current = await readMember(ctx, change.mspId);
  const member: Member = {
    docType: 'member',
    mspId: change.mspId,
    displayName: change.displayName,
    roles: change.roles,
    // Without prefixes of its own, the proposal leaves the member's as they are.
    gs1Prefixes: change.gs1Prefixes ?? current?.gs1Prefixes ?? [],
    ...stamp,
  };
  await writeMember(ctx, member);
  return { member };
}
