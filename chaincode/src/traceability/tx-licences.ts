/**
 * Licences to make lots of another member's GTIN. The GTIN's owner (the
 * member whose GS1 company prefixes cover it) grants one to a trading member,
 * e.g. a retailer to the supplier that roasts its private label; while it is
 * active the licensee commissions and transforms into lots of that GTIN.
 * Revoking stops new lots; lots already made stay as they are.
 */
import { TRADING_ROLES, hasRole, readMember } from '../consortium/registry';
import { assertNotAuditor, requireProduct } from './access';
import { fail } from './errors';
import { gtinOwner, licenceKey, type LicenceRecord } from './identifier-rules';
import type { Input } from './input';
import type { HandlerResult } from './submit';
import type { TxEnv } from './tx-env';

const MSP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

async function readRequest(env: TxEnv, input: Input, action: string): Promise<{ gtin: string; licenseeMsp: string; key: string }> {
  assertNotAuditor(env, action);
  const gtin = input.gtin('gtin');
  const product = await requireProduct(env, gtin, 'gtin');
  const licenseeMsp = input.str('licenseeMsp', { max: 100, pattern: MSP_ID, hint: 'must be an MSP id' });
  const owner = await gtinOwner(env, product);
  if (owner !== env.mspId) throw fail.forbidden(`only the owner of GTIN ${gtin} (${owner}, by GS1 company prefix) may ${action} for it`, 'gtin');
  if (licenseeMsp === env.mspId) throw fail.invalid('licenseeMsp', 'names the GTIN owner itself, which needs no licence');
  return { gtin, licenseeMsp, key: licenceKey(env, gtin, licenseeMsp) };
}

export async function grantLicence(env: TxEnv, input: Input): Promise<HandlerResult> {
  const { gtin, licenseeMsp, key } = await readRequest(env, input, 'grant licences');
  const licensee = await readMember(env.ctx, licenseeMsp);
  if (!hasRole(licensee, ...TRADING_ROLES)) throw fail.invalid('licenseeMsp', `${licenseeMsp} is not a trading member of the consortium`);
  const prior = await env.ledger.get<LicenceRecord>(key);
  if (prior?.status === 'active') throw fail.duplicate(`licence of GTIN ${gtin} to ${licenseeMsp}`, 'licenseeMsp');
  const licence: LicenceRecord = {
    docType: 'licence',
    gtin,
    licenseeMsp,
    licensorMsp: env.mspId,
    status: 'active',
    grantedAt: env.time,
    grantedTxId: env.txId,
  };
  await env.ledger.put(key, licence);
  return { licence };
}

export async function revokeLicence(env: TxEnv, input: Input): Promise<HandlerResult> {
  const { gtin, licenseeMsp, key } = await readRequest(env, input, 'revoke licences');
  const prior = await env.ledger.get<LicenceRecord>(key);
  if (prior?.status !== 'active') throw fail.notFound(`active licence of GTIN ${gtin} to ${licenseeMsp}`, 'licenseeMsp');
  const licence: LicenceRecord = { ...prior, status: 'revoked', revokedAt: env.time, revokedTxId: env.txId };
  await env.ledger.put(key, licence);
  return { licence };
}
