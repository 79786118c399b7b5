/**
 * The `consortium` contract: the registry's governance transactions.
 *
 * - InitConsortium seeds an empty registry once (the network's bootstrap,
 *   e.g. right after the chaincode is first committed). The submitter must be
 *   an admin identity of a listed member with the governance role.
 * - SetMember adds a member or replaces its display name and roles;
 *   RemoveMember takes one out. Both need an admin identity (NodeOU `admin`)
 *   of a member holding the governance role, and, like every transaction of
 *   this chaincode, the endorsement of the channel's majority (the chaincode's
 *   MAJORITY policy). A change that would leave no governance member is
 *   refused, so the consortium cannot lock itself out.
 *
 * Each change emits one `ConsortiumChanged` event with the entry.
 */
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { CONTRACT, type ConsortiumFn } from '../../../lib/domain/src';
import { canonicalBytes, canonicalJson } from '../traceability/canonical-json';
import { fail } from '../traceability/errors';
import { Input } from '../traceability/input';
import { txTimeIso } from '../traceability/tx-env';
import { MEMBER_ROLES, hasRole, listMembers, readMember, writeMember, memberKey, type Member, type MemberRole } from './registry';

export const CONSORTIUM_EVENT_NAME = 'ConsortiumChanged';

const MSP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** True when the submitting certificate carries the admin NodeOU (subject OU=admin). */
export function isAdminIdentity(ctx: Context): boolean {
  // getID() is `x509::<subject>::<issuer>`, the subject as /K=V/K=V.
  const subject = ctx.clientIdentity.getID().split('::')[1] ?? '';
  return subject.split('/').includes('OU=admin');
}

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
  return { mspId, displayName, roles: roles.sort() };
}

/** The caller must be an admin of a member with the governance role. */
async function assertGovernor(ctx: Context): Promise<void> {
  const msp = ctx.clientIdentity.getMSPID();
  const caller = await readMember(ctx, msp);
  if (!caller) throw fail.forbidden(`${msp} is not a member of the consortium`);
  if (!hasRole(caller, 'governance')) throw fail.forbidden(`${msp} does not hold the governance role`);
  if (!isAdminIdentity(ctx)) throw fail.forbidden(`governance changes need an admin identity of ${msp}`);
}

async function assertGovernanceRemains(ctx: Context, changed: Member | { mspId: string; removed: true }): Promise<void> {
  const members = (await listMembers(ctx)).filter((m) => m.mspId !== changed.mspId);
  if ('roles' in changed) members.push(changed);
  if (!members.some((m) => hasRole(m, 'governance'))) throw fail.conflict('the change would leave no member with the governance role', 'roles');
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
    if ((await listMembers(ctx)).length > 0) throw fail.conflict('the consortium registry is already initialised; use SetMember');
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
    const msp = ctx.clientIdentity.getMSPID();
    const self = members.find((m) => m.mspId === msp);
    if (!self || !hasRole(self, 'governance')) throw fail.forbidden(`${msp} must list itself with the governance role to initialise the registry`);
    if (!isAdminIdentity(ctx)) throw fail.forbidden(`initialising the registry needs an admin identity of ${msp}`);
    for (const m of members) await writeMember(ctx, m);
    ctx.stub.setEvent(CONSORTIUM_EVENT_NAME, canonicalBytes({ members, txId: ctx.stub.getTxID() }));
    return canonicalJson({ members });
  }

  @Transaction()
  @Returns('string')
  public async SetMember(ctx: Context, request: string): Promise<string> {
    const input = Input.parse(request);
    await assertGovernor(ctx);
    const at = txTimeIso(ctx);
    const member: Member = { docType: 'member', ...memberFrom(input), txId: ctx.stub.getTxID(), updatedAt: at };
    await assertGovernanceRemains(ctx, member);
    await writeMember(ctx, member);
    ctx.stub.setEvent(CONSORTIUM_EVENT_NAME, canonicalBytes({ member, txId: member.txId }));
    return canonicalJson({ member });
  }

  @Transaction()
  @Returns('string')
  public async RemoveMember(ctx: Context, request: string): Promise<string> {
    const input = Input.parse(request);
    await assertGovernor(ctx);
    const mspId = input.str('mspId', { max: 100 });
    if (!(await readMember(ctx, mspId))) throw fail.notFound(`member ${mspId}`, 'mspId');
    await assertGovernanceRemains(ctx, { mspId, removed: true });
    await ctx.stub.deleteState(memberKey(mspId));
    ctx.stub.setEvent(CONSORTIUM_EVENT_NAME, canonicalBytes({ removed: mspId, txId: ctx.stub.getTxID() }));
    return canonicalJson({ removed: mspId });
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
