/**
 * The `consortium` contract: the registry's governance transactions.
 *
 * - InitConsortium seeds an empty registry once (the network's bootstrap,
 *   e.g. right after the chaincode is first committed). The submitter must be
 *   an admin identity of a listed member with the governance role.
 * - Every later change is a proposal: ProposeChange (`set-member` adds a
 *   member or replaces its display name and roles, `remove-member` takes one
 *   out, `set-prefixes` sets its GS1 company prefixes) records it with the
 *   proposer's approval; ApproveProposal adds another organisation's. The
 *   change applies in the transaction that brings the approvals of distinct
 *   governing organisations to a majority of the governing members. Only an
 *   admin identity (the certificate's NodeOU `admin`) of a member holding the
 *   governance role proposes or approves; each organisation counts once, and
 *   a proposal expires (default 7 days, by transaction time). A change that
 *   would leave no governance member is refused, so the consortium cannot
 *   lock itself out.
 *
 * Each transaction emits one `ConsortiumChanged` event: the registry it
 * seeded, or the proposal with what the transaction did to it (and the entry
 * changed when it applied).
 */
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { CONSORTIUM_EVENT_NAME, CONTRACT, type ConsortiumFn } from '../../../lib/domain/src';
import { canonicalBytes, canonicalJson } from '../traceability/canonical-json';
import { fail } from '../traceability/errors';
import { Input } from '../traceability/input';
import { txTimeIso } from '../traceability/tx-env';
import { isAdminIdentity } from './admin-identity';
import {
  DEFAULT_PROPOSAL_TTL_SECONDS,
  MAX_PROPOSAL_TTL_SECONDS,
  applyChange,
  checkChange,
  countingApprovals,
  governorsOf,
  isExpired,
  listProposals,
  majorityOf,
  parseChange,
  readProposal,
  writeProposal,
  type AppliedChange,
  type Proposal,
} from './proposals';
import { MEMBER_ROLES, assertPrefixesFree, hasRole, listMembers, parseGs1Prefixes, readMember, writeMember, type Member, type MemberRole } from './registry';

export { isAdminIdentity } from './admin-identity';

export { CONSORTIUM_EVENT_NAME };

const MSP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function memberFrom(input: Input, field = ''): Omit<Member, 'txId' | 'updatedAt' | 'docType'> {
  const mspId = input.str('mspId', { max: 100 });
  if (!MSP_ID.test(mspId)) throw fail.invalid(`${field}mspId`, 'must be an MSP id (letters, digits, . _ -)');
  const displayName = input.str('displayName', { max: 200 });
  const raw = input.raw('roles');
  if (!Array.isArray(raw) || raw.length === 0) throw fail.invalid(`${field}roles`, `must be a non-empty list of ${MEMBER_ROLES.join(', ')}`);
  const roles = [...new Set(raw as unknown[])].map((r, i) => {
    if (!(MEMBER_ROLES as readonly unknown[]).includes(r)) throw fail.invalid(`${field}roles[${i}]`, `must be one of ${MEMBER_ROLES.join(', ')}`);
    return r as MemberRole;
  });
  const gs1Prefixes = input.has('gs1Prefixes') ? parseGs1Prefixes(input.raw('gs1Prefixes'), `${field}gs1Prefixes`) : [];
  return { mspId, displayName, roles: roles.sort(), gs1Prefixes };
}

/** The caller must be an admin of a member with the governance role; returns its MSP id. */
async function assertGovernor(ctx: Context): Promise<string> {
  const msp = ctx.clientIdentity.getMSPID();
  const caller = await readMember(ctx, msp);
  if (!caller) throw fail.forbidden(`${msp} is not a member of the consortium`);
  if (!hasRole(caller, 'governance')) throw fail.forbidden(`${msp} does not hold the governance role`);
  if (!isAdminIdentity(ctx)) throw fail.forbidden(`governance needs an admin identity (NodeOU admin) of ${msp}`);
  return msp;
}

/** The proposal with its current standing, as answers and events show it. */
function standing(p: Proposal, members: readonly Member[], nowIso: string) {
  const governors = governorsOf(members);
  const approvedBy = countingApprovals(p, governors);
  const status = p.status === 'open' && isExpired(p, nowIso) ? 'expired' : p.status;
  return { ...p, status, approvedBy, required: majorityOf(governors.length), governors };
}

/** Stores the proposal, applying its change when the counting approvals reach a majority; emits the event. */
async function settle(ctx: Context, p: Proposal, action: 'proposed' | 'approved', by: string): Promise<string> {
  const members = await listMembers(ctx);
  const at = txTimeIso(ctx);
  const txId = ctx.stub.getTxID();
  let applied: AppliedChange | undefined;
  let proposal = p;
  if (countingApprovals(p, governorsOf(members)).length >= majorityOf(governorsOf(members).length)) {
    applied = await applyChange(ctx, p.change, { txId, updatedAt: at });
    proposal = { ...p, status: 'applied', appliedAt: at, appliedTxId: txId };
  }
  await writeProposal(ctx, proposal);
  const out = { action, by, proposal: standing(proposal, members, at), ...(applied ?? {}), txId };
  ctx.stub.setEvent(CONSORTIUM_EVENT_NAME, canonicalBytes(out));
  return canonicalJson(out);
}

@Info({ title: 'ConsortiumContract', description: 'Members of the consortium and their roles, changed by governance' })
export class ConsortiumContract extends Contract {
  constructor() {
    super(CONTRACT.consortium);
  }

  @Transaction()
  @Returns('string')
  public async InitConsortium(ctx: Context, request: string): Promise<string> {
    const input = Input.parse(request);
    if ((await listMembers(ctx)).length > 0) throw fail.conflict('the consortium registry is already initialised; propose changes with ProposeChange');
    const at = txTimeIso(ctx);
    const list = input.raw('members');
    if (!Array.isArray(list) || list.length === 0) throw fail.invalid('members', 'must be a non-empty list of {mspId, displayName, roles}');
    const members: Member[] = list.map((m, i) => ({
      docType: 'member',
      ...memberFrom(Input.parse(JSON.stringify(m)), `members[${i}].`),
      txId: ctx.stub.getTxID(),
      updatedAt: at,
    }));
    const ids = new Set(members.map((m) => m.mspId));
    if (ids.size !== members.length) throw fail.invalid('members', 'lists an MSP id twice');
    members.forEach((m, i) => assertPrefixesFree(members, m.mspId, m.gs1Prefixes, `members[${i}].gs1Prefixes`));
    const msp = ctx.clientIdentity.getMSPID();
    const self = members.find((m) => m.mspId === msp);
    if (!self || !hasRole(self, 'governance')) throw fail.forbidden(`${msp} must list itself with the governance role to initialise the registry`);
    if (!isAdminIdentity(ctx)) throw fail.forbidden(`initialising the registry needs an admin identity of ${msp}`);
    for (const m of members) await writeMember(ctx, m);
    ctx.stub.setEvent(CONSORTIUM_EVENT_NAME, canonicalBytes({ members, txId: ctx.stub.getTxID() }));
    return canonicalJson({ members });
  }

  /**
   * Proposes a registry change: `{change: {kind, mspId, …}, expiresInSeconds?}`.
   * Counts as the proposer's approval; applies at once only when that is
   * already a majority (a consortium with one governing member).
   */
  @Transaction()
  @Returns('string')
  public async ProposeChange(ctx: Context, request: string): Promise<string> {
    const input = Input.parse(request);
    const msp = await assertGovernor(ctx);
    const change = parseChange(input.object('change'));
    const ttl = input.has('expiresInSeconds') ? input.int('expiresInSeconds', 1, MAX_PROPOSAL_TTL_SECONDS) : DEFAULT_PROPOSAL_TTL_SECONDS;
    checkChange(change, await listMembers(ctx));
    const at = txTimeIso(ctx);
    const txId = ctx.stub.getTxID();
    const proposal: Proposal = {
      docType: 'proposal',
      proposalId: txId,
      change,
      proposedBy: msp,
      proposedAt: at,
      expiresAt: new Date(Date.parse(at) + ttl * 1000).toISOString(),
      approvals: [{ mspId: msp, txId, at }],
      status: 'open',
    };
    return settle(ctx, proposal, 'proposed', msp);
  }

  /** Adds the caller's organisation's approval to an open proposal: `{proposalId}`. */
  @Transaction()
  @Returns('string')
  public async ApproveProposal(ctx: Context, request: string): Promise<string> {
    const input = Input.parse(request);
    const msp = await assertGovernor(ctx);
    const proposalId = input.id('proposalId');
    const p = await readProposal(ctx, proposalId);
    if (!p) throw fail.notFound(`proposal ${proposalId}`, 'proposalId');
    const at = txTimeIso(ctx);
    if (p.status !== 'open') throw fail.conflict(`proposal ${proposalId} is already ${p.status}`, 'proposalId');
    if (isExpired(p, at)) throw fail.conflict(`proposal ${proposalId} expired at ${p.expiresAt}`, 'proposalId');
    if (p.approvals.some((a) => a.mspId === msp)) throw fail.conflict(`${msp} has already approved proposal ${proposalId}`, 'proposalId');
    const approved: Proposal = { ...p, approvals: [...p.approvals, { mspId: msp, txId: ctx.stub.getTxID(), at }] };
    return settle(ctx, approved, 'approved', msp);
  }

  /** One proposal with its standing (approvals that count, approvals required, open/applied/expired). */
  @Transaction(false)
  @Returns('string')
  public async GetProposal(ctx: Context, proposalId: string): Promise<string> {
    const p = await readProposal(ctx, String(proposalId ?? ''));
    if (!p) throw fail.notFound(`proposal ${proposalId}`, 'proposalId');
    return canonicalJson({ proposal: standing(p, await listMembers(ctx), txTimeIso(ctx)) });
  }

  /** Every proposal with its standing, newest first. */
  @Transaction(false)
  @Returns('string')
  public async ListProposals(ctx: Context): Promise<string> {
    const members = await listMembers(ctx);
    const now = txTimeIso(ctx);
    const all = (await listProposals(ctx)).sort((a, b) => (a.proposedAt < b.proposedAt ? 1 : a.proposedAt > b.proposedAt ? -1 : 0));
    return canonicalJson({ proposals: all.map((p) => standing(p, members, now)) });
  }

  @Transaction(false)
  @Returns('string')
  public async GetMembers(ctx: Context): Promise<string> {
    return canonicalJson({ members: await listMembers(ctx) });
  }
}

/** Every function the domain library names for this contract is a method here (and the build fails otherwise). */
type Unimplemented = Exclude<ConsortiumFn, keyof ConsortiumContract>;
export const CONSORTIUM_COMPLETE: [Unimplemented] extends [never] ? true : Unimplemented = true;
