/**
 * Who may record what, decided by the submitting identity's MSP and its roles
 * in the consortium registry: an organisation acts only for locations it
 * owns; only members with a trading role (retailer, supplier, carrier) record
 * custody, stock or commerce; the auditor role reads and attests.
 */
import { TRADING_ROLES, hasRole } from '../consortium/registry';
import { fail } from './errors';
import { OBJECT_TYPES } from './keys';
import type { TxEnv } from './tx-env';
import type { LocationRecord, LotRecord, ProductRecord } from './types';

/** True when the caller's registry entry holds a trading role. */
export function mayTrade(env: TxEnv): boolean {
  return hasRole(env.member, ...TRADING_ROLES);
}

/**
 * Rejects callers without a trading role for anything that records custody,
 * stock or commerce: non-members, and members that only audit or govern.
 */
export function assertNotAuditor(env: TxEnv, action: string): void {
  if (!env.member) throw fail.forbidden(`${env.mspId} is not a member of the consortium and may not ${action}`);
  if (!mayTrade(env)) throw fail.forbidden(`${env.mspId} holds the roles ${env.member.roles.join(', ')}: it may read and attest but not ${action}`);
}

export async function requireLocation(env: TxEnv, gln: string, field: string): Promise<LocationRecord> {
  const loc = await env.ledger.get<LocationRecord>(env.ledger.key(OBJECT_TYPES.location, [gln]));
  if (!loc) throw fail.notFound(`location ${gln}`, field);
  return loc;
}

/** The location, provided the caller's MSP owns it. */
export async function requireOwnLocation(env: TxEnv, gln: string, field: string, action: string): Promise<LocationRecord> {
  assertNotAuditor(env, action);
  const loc = await requireLocation(env, gln, field);
  if (loc.ownerMsp !== env.mspId) {
    throw fail.forbidden(`${env.mspId} may not ${action} at location ${gln}, which belongs to ${loc.ownerMsp}`, field);
  }
  return loc;
}

export async function requireProduct(env: TxEnv, gtin: string, field: string): Promise<ProductRecord> {
  const product = await env.ledger.get<ProductRecord>(env.ledger.key(OBJECT_TYPES.product, [gtin]));
  if (!product) throw fail.notFound(`product ${gtin}`, field);
  return product;
}

export async function requireLot(env: TxEnv, gtin: string, lotCode: string, field: string): Promise<LotRecord> {
  const lot = await env.ledger.get<LotRecord>(env.ledger.key(OBJECT_TYPES.lot, [gtin, lotCode]));
  if (!lot) throw fail.notFound(`lot ${gtin}/${lotCode}`, field);
  return lot;
}
