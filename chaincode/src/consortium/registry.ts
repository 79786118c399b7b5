/**
 * The consortium registry: which organisations (MSP ids) belong to the
 * consortium, under which display name, in which roles. Access rules read
 * roles from here, never from MSP ids compiled into the code, so a
 * consortium of any members and names runs the same chaincode.
 *
 * Each member also holds its GS1 company prefixes: the GLNs, GTINs and SSCCs
 * it may register or assign are those within them (see
 * traceability/identifier-rules.ts). No prefix is held by two members, and
 * none lies within another member's.
 *
 * Stored under `member~<mspId>` as canonical JSON.
 */
import type { Context } from 'fabric-contract-api';
import { canonicalBytes } from '../traceability/canonical-json';
import { fail } from '../traceability/errors';
import { COMPANY_PREFIX } from '../traceability/gs1';
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
  /** GS1 company prefixes (4-12 digits, sorted); an entry written before prefixes existed has none. */
  gs1Prefixes: string[];
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

export function hasRole(m: Member | undefined, ...roles: readonly MemberRole[]): boolean {
  return !!m && m.roles.some((r) => roles.includes(r));
}

/** Most prefixes one member holds: keeps the entry and the ownership scan small. */
export const MAX_PREFIXES = 100;

/** Validates a list of GS1 company prefixes; returns them de-duplicated and sorted. */
export function parseGs1Prefixes(raw: unknown, field = 'gs1Prefixes'): string[] {
  if (!Array.isArray(raw) || raw.length > MAX_PREFIXES) throw fail.invalid(field, `must be a list of at most ${MAX_PREFIXES} GS1 company prefixes`);
  raw.forEach((p, i) => {
    if (typeof p !== 'string' || !COMPANY_PREFIX.test(p)) throw fail.invalid(`${field}[${i}]`, 'must be a GS1 company prefix of 4 to 12 digits');
  });
  const list = [...new Set(raw as string[])].sort();
  for (const a of list) {
    const inner = list.find((b) => b !== a && b.startsWith(a));
    if (inner) throw fail.invalid(field, `prefix ${inner} lies within prefix ${a}`);
  }
  return list;
}

/** The GS1 company prefixes of `mspId` (none when it is not a member or its entry predates prefixes). */
export async function memberPrefixes(ctx: Context, mspId: string): Promise<string[]> {
  return (await readMember(ctx, mspId))?.gs1Prefixes ?? [];
}

/**
 * Refuses (CONFLICT) prefixes of `mspId` that equal, contain or lie within
 * another member's: every key has at most one owner.
 */
export function assertPrefixesFree(members: readonly Member[], mspId: string, prefixes: readonly string[], field = 'gs1Prefixes'): void {
  for (const m of members) {
    if (m.mspId === mspId) continue;
    for (const theirs of m.gs1Prefixes ?? []) {
      const clash = prefixes.find((p) => p.startsWith(theirs) || theirs.startsWith(p));
      if (clash) throw fail.conflict(`GS1 company prefix ${clash} overlaps prefix ${theirs} of ${m.mspId}`, field);
    }
  }
}

/**
 * Replaces the GS1 company prefixes of member `mspId` (the change a
 * governance decision applies). Validates them, refuses overlaps with other
 * members, and writes the entry stamped with this transaction.
 */
export async function setMemberPrefixes(
  ctx: Context,
  mspId: string,
  prefixes: unknown,
  meta: { txId: string; at: string },
  fields: { mspId?: string; gs1Prefixes?: string } = {},
): Promise<Member> {
  const member = await readMember(ctx, mspId);
  if (!member) throw fail.notFound(`member ${mspId}`, fields.mspId ?? 'mspId');
  const list = parseGs1Prefixes(prefixes, fields.gs1Prefixes);
  assertPrefixesFree(await listMembers(ctx), mspId, list, fields.gs1Prefixes);
  const next: Member = { ...member, gs1Prefixes: list, txId: meta.txId, updatedAt: meta.at };
  await writeMember(ctx, next);
  return next;
}

/** The member whose prefixes cover `digits` (a key's digits from its company prefix on), if any. */
export function prefixHolder(members: readonly Member[], digits: string): Member | undefined {
  return members.find((m) => (m.gs1Prefixes ?? []).some((p) => digits.startsWith(p)));
}
