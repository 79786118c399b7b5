/**
 * The consortium registry: which organisations (MSP ids) belong to the
 * consortium, under which display name, in which roles. Access rules read
 * roles from here, never from MSP ids compiled into the code, so a
 * consortium of any members and names runs the same chaincode.
 *
 * Stored under `member~<mspId>` as canonical JSON.
 */
import type { Context } from 'fabric-contract-api';
import { canonicalBytes } from '../traceability/canonical-json';
import { compositeKey } from '../traceability/keys';

/** Roles a member can hold. */
export const MEMBER_ROLES = ['retailer', 'supplier', 'carrier', 'auditor', 'governance'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** Roles that may hold stock, own locations and move goods. The auditor role reads and attests only. */
export const TRADING_ROLES: readonly MemberRole[] = ['retailer', 'supplier', 'carrier'];

export interface Member {
  docType: 'member';
  mspId: string;
  displayName: string;
  roles: MemberRole[];
  /** GS1 company prefixes the member's identifiers must fall within (set by governance). */
  gs1Prefixes?: string[];
  /** Transaction that last set this entry, and its time. */
  txId: string;
  updatedAt: string;
}

export const MEMBER_OBJECT_TYPE = 'member';

export function memberKey(mspId: string): string {
  return compositeKey(MEMBER_OBJECT_TYPE, [mspId]);
}

/** The registry entry of `mspId`, if it is a member. */
export async function readMember(ctx: Context, mspId: string): Promise<Member | undefined> {
  const data = await ctx.stub.getState(memberKey(mspId));
  return data && data.length > 0 ? (JSON.parse(Buffer.from(data).toString('utf8')) as Member) : undefined;
}

/** Every member, in MSP id order. */
export async function listMembers(ctx: Context): Promise<Member[]> {
  const out: Member[] = [];
  const it = await ctx.stub.getStateByPartialCompositeKey(MEMBER_OBJECT_TYPE, []);
  try {
    for (;;) {
      const res = await it.next();
      if (!res || res.done || !res.value) break;
      if (res.value.value && res.value.value.length > 0) out.push(JSON.parse(Buffer.from(res.value.value).toString('utf8')) as Member);
    }
  } finally {
    await it.close();
  }
  return out.sort((a, b) => (a.mspId < b.mspId ? -1 : a.mspId > b.mspId ? 1 : 0));
}

export async function writeMember(ctx: Context, m: Member): Promise<void> {
  await ctx.stub.putState(memberKey(m.mspId), canonicalBytes(m));
}

/**
 * Replaces a member's GS1 company prefixes (the change a `set-prefixes`
 * proposal applies); returns the updated entry, or undefined for a non-member.
 */
export async function setMemberPrefixes(
  ctx: Context,
  mspId: string,
  gs1Prefixes: readonly string[],
  stamp: { txId: string; updatedAt: string },
): Promise<Member | undefined> {
  const m = await readMember(ctx, mspId);
  if (!m) return undefined;
  const updated: Member = { ...m, gs1Prefixes: [...new Set(gs1Prefixes)].sort(), ...stamp };
  await writeMember(ctx, updated);
  return updated;
}

export function hasRole(m: Member | undefined, ...roles: readonly MemberRole[]): boolean {
  return !!m && m.roles.some((r) => roles.includes(r));
}
