/**
 * Who owns a GS1 key: the member whose GS1 company prefixes (registry data)
 * cover it. A member registers locations (GLN) and products (GTIN) and
 * assigns SSCCs only within its own prefixes; it makes lots (commissioning,
 * transformation outputs) only of its own GTINs or of GTINs whose owner
 * granted it a licence on the ledger (`licence~<gtin>~<licenseeMsp>`), e.g. a
 * retailer's private label roasted by a supplier.
 *
 * A product registered before members held prefixes, under a prefix no member
 * holds, still belongs to the member that registered it, so existing data
 * keeps working until governance assigns that prefix.
 */
import { listMembers, prefixHolder } from '../consortium/registry';
import { fail } from './errors';
import { companyPrefixDigits, withinPrefixes, type PrefixedKey } from './gs1';
import { requireProduct } from './access';
import { OBJECT_TYPES } from './keys';
import type { TxEnv } from './tx-env';
import type { ProductRecord } from './types';

/** A licence to make lots of another member's GTIN. */
export interface LicenceRecord {
  docType: 'licence';
  gtin: string;
  licenseeMsp: string;
  licensorMsp: string;
  status: 'active' | 'revoked';
  grantedAt: string;
  grantedTxId: string;
  revokedAt?: string;
  revokedTxId?: string;
}

/** The caller's GS1 company prefixes. */
export function callerPrefixes(env: TxEnv): string[] {
  return env.member?.gs1Prefixes ?? [];
}

function prefixList(prefixes: readonly string[]): string {
  return prefixes.length > 0 ? prefixes.join(', ') : 'none';
}

/** True when `key` lies within the caller's GS1 company prefixes. */
export function ownsKey(env: TxEnv, kind: PrefixedKey, key: string): boolean {
  return withinPrefixes(kind, key, callerPrefixes(env));
}

/** Refuses (FORBIDDEN) a key outside the caller's GS1 company prefixes. */
export function assertOwnKey(env: TxEnv, kind: PrefixedKey, key: string, field: string, action: string): void {
  if (ownsKey(env, kind, key)) return;
  throw fail.forbidden(
    `${env.mspId} may not ${action} ${kind} ${key}: it lies outside ${env.mspId}'s GS1 company prefixes (${prefixList(callerPrefixes(env))}); ` +
      'a member uses only keys within its own prefixes',
    field,
  );
}

/** The member that owns a GTIN: its prefix holder, else (no holder) the member that registered the product. */
export async function gtinOwner(env: TxEnv, product: ProductRecord): Promise<string> {
  if (ownsKey(env, 'GTIN', product.gtin)) return env.mspId;
  const holder = prefixHolder(await listMembers(env.ctx), companyPrefixDigits('GTIN', product.gtin));
  return holder ? holder.mspId : product.registeredBy;
}

export function licenceKey(env: TxEnv, gtin: string, licenseeMsp: string): string {
  return env.ledger.key(OBJECT_TYPES.licence, [gtin, licenseeMsp]);
}

/**
 * The product of `gtin`, provided the caller may make lots of it: its own
 * GTIN, or one whose owner licensed the caller. FORBIDDEN otherwise.
 */
export async function requireLotProduct(env: TxEnv, gtin: string, field: string): Promise<ProductRecord> {
  const product = await requireProduct(env, gtin, field);
  if (ownsKey(env, 'GTIN', gtin)) return product;
  const licence = await env.ledger.get<LicenceRecord>(licenceKey(env, gtin, env.mspId));
  if (licence?.status === 'active') return product;
  const owner = await gtinOwner(env, product);
  if (owner === env.mspId) return product;
  throw fail.forbidden(
    `${env.mspId} may not make lots of GTIN ${gtin}: it lies outside ${env.mspId}'s GS1 company prefixes ` +
      `(${prefixList(callerPrefixes(env))}) and its owner ${owner} has granted ${env.mspId} no licence`,
    field,
  );
}
