/**
 * Commercial terms kept in Fabric private data: each trading partner's
 * implicit collection (`_implicit_org_<MSPID>`), which only that
 * organisation's peers store. The channel keeps the SHA-256 of each private
 * value (Fabric's private-data hash, the same bytes hashed), so anyone can
 * check a disclosed copy against it.
 *
 * Every endorser of a transaction must compute the same result, and a peer
 * holds only its own organisation's collection. So a transaction never reads
 * private values: what it needs of them comes in the proposal's transient
 * data (which never reaches a block) and is accepted only when its hash is the
 * one the channel keeps (GetPrivateDataHash, answered by every peer).
 */
import { createHash } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import { canonicalBytes } from './canonical-json';
import { fail } from './errors';
import { Input } from './input';
import { compositeKey } from './keys';

/** The implicit private data collection of an organisation. */
export function implicitCollection(mspId: string): string {
  return `_implicit_org_${mspId}`;
}

/** Private keys: `poterms~poId` (the agreed terms), `poaccount~poId` (what was paid, transfer by transfer). */
export const PRIVATE_TYPES = { terms: 'poterms', account: 'poaccount' } as const;

export function termsKey(poId: string): string {
  return compositeKey(PRIVATE_TYPES.terms, [poId]);
}

export function accountKey(poId: string): string {
  return compositeKey(PRIVATE_TYPES.account, [poId]);
}

/** Hex SHA-256 of a value's canonical JSON: what the channel keeps of the private value. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes one value to each party's implicit collection; returns the hash the channel keeps of it. */
export async function putShared(ctx: Context, parties: readonly string[], key: string, value: unknown): Promise<string> {
  const bytes = canonicalBytes(value);
  for (const msp of new Set(parties)) await ctx.stub.putPrivateData(implicitCollection(msp), key, bytes);
  return sha256Hex(bytes);
}

/** Removes a value from each party's implicit collection for good (Fabric 2.5 purge: the hash stays). */
export async function purgeShared(ctx: Context, parties: readonly string[], key: string): Promise<void> {
  for (const msp of new Set(parties)) await ctx.stub.purgePrivateData(implicitCollection(msp), key);
}

/** The hash the channel keeps of `key` in `mspId`'s collection (every peer answers); undefined when absent. */
export async function privateHash(ctx: Context, mspId: string, key: string): Promise<string | undefined> {
  const h = await ctx.stub.getPrivateDataHash(implicitCollection(mspId), key);
  return h && h.length > 0 ? Buffer.from(h).toString('hex') : undefined;
}

/** A transient entry as JSON input; undefined when the proposal does not carry it. */
export function transientInput(ctx: Context, name: string): { input: Input; bytes: Buffer } | undefined {
  const raw = ctx.stub.getTransient().get(name);
  if (!raw || raw.length === 0) return undefined;
  const bytes = Buffer.from(raw);
  return { input: Input.parse(bytes.toString('utf8')), bytes };
}

/**
 * A private value passed in transient data by a party that read it from its
 * own peer, accepted only if its canonical form hashes to `expected` (the
 * hash the channel keeps). `field` names it in errors.
 */
export function verifiedCopy<T>(ctx: Context, name: string, expected: string, field: string): T {
  const t = transientInput(ctx, name);
  if (!t) throw fail.invalid(field, `the private ${name} record must be passed as transient data "${name}"`);
  const value = JSON.parse(t.bytes.toString('utf8')) as T;
  if (sha256Hex(canonicalBytes(value)) !== expected) {
    throw fail.conflict(`transient data "${name}" does not match the hash the channel keeps of it`, field);
  }
  return value;
}

/** Reads the caller's own organisation's copy of a private value (queries only: each peer holds its own organisation's). */
export async function readOwnCopy<T>(ctx: Context, key: string): Promise<T | undefined> {
  let data: Uint8Array | undefined;
  try {
    data = await ctx.stub.getPrivateData(implicitCollection(ctx.clientIdentity.getMSPID()), key);
  } catch {
    // Asked of a peer outside the caller's organisation, which does not hold the collection.
    return undefined;
  }
  return data && data.length > 0 ? (JSON.parse(Buffer.from(data).toString('utf8')) as T) : undefined;
}
