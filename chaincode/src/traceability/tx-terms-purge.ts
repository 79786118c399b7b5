/**
 * Retention of commercial terms: once an order's `termsRetainUntil` has
 * passed, either party may purge its terms and payment account from both
 * parties' implicit collections with Fabric 2.5's PurgePrivateData. The data
 * leaves the peers' private stores (and their history) for good; the channel
 * keeps the order, its terms hash and the hashes Fabric recorded of every
 * private write, so a copy disclosed later can still be checked.
 *
 * A purge is a write to both parties' collections, so both parties' peers
 * endorse it (each implicit collection's endorsement policy is its owner's);
 * one transaction purges orders with one counterparty.
 */
import type { Context } from 'fabric-contract-api';
import { assertNotAuditor } from './access';
import { canonicalJson } from './canonical-json';
import { fail } from './errors';
import { ID_PATTERN, type Input } from './input';
import { Ledger } from './ledger';
import { OBJECT_TYPES } from './keys';
import { accountKey, purgeShared, termsKey } from './private-terms';
import type { HandlerResult } from './submit';
import { txTimeIso, type TxEnv } from './tx-env';
import { termsExpiryKey } from './tx-orders';
import type { PurchaseOrderRecord } from './types';

export async function purgeExpiredTerms(env: TxEnv, input: Input): Promise<HandlerResult> {
  assertNotAuditor(env, 'purge order terms');
  const poIds = input.strList('poIds', 1, 100, ID_PATTERN);
  let counterparty: string | undefined;
  const purged: string[] = [];
  const alreadyPurged: string[] = [];
  for (const [i, poId] of poIds.entries()) {
    const field = `poIds[${i}]`;
    const key = env.ledger.key(OBJECT_TYPES.po, [poId]);
    const po = await env.ledger.get<PurchaseOrderRecord>(key);
    // Another member's order is as invisible here as anywhere.
    if (!po || (po.buyerMsp !== env.mspId && po.supplierMsp !== env.mspId)) throw fail.notFound(`purchase order ${poId}`, field);
    if (!po.termsHash) throw fail.invalid(field, `order ${poId} keeps no private terms`);
    if (po.termsPurgedAt) {
      alreadyPurged.push(poId);
      continue;
    }
    if (po.termsRetainUntil > env.time) throw fail.conflict(`the terms of ${poId} are kept until ${po.termsRetainUntil}`, field);
    const other = po.buyerMsp === env.mspId ? po.supplierMsp : po.buyerMsp;
    counterparty ??= other;
    if (other !== counterparty) throw fail.invalid(field, `one transaction purges the orders of one counterparty (${counterparty}), not ${other}`);
    const parties = [po.buyerMsp, po.supplierMsp];
    await purgeShared(env.ctx, parties, termsKey(poId));
    if (po.paymentCount > 0) await purgeShared(env.ctx, parties, accountKey(poId));
    for (const msp of parties) await env.ledger.del(termsExpiryKey(env, msp, poId));
    await env.ledger.put(key, { ...po, termsPurgedAt: env.time, termsPurgedTxId: env.txId, updatedAt: env.time });
    purged.push(poId);
  }
  return { purged, alreadyPurged, counterpartyMsp: counterparty };
}

/** The caller's orders whose terms may be purged now (at the query's time), oldest retention first, at most `limit`. */
export async function listExpiredTerms(ctx: Context, limitText: string): Promise<string> {
  const limit = Number(limitText || '100');
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw fail.invalid('limit', 'must be an integer from 1 to 1000');
  const now = txTimeIso(ctx);
  const entries = await new Ledger(ctx).list<{ poId: string; counterpartyMsp: string; retainUntil: string }>(OBJECT_TYPES.termsExpiry, [
    ctx.clientIdentity.getMSPID(),
  ]);
  const orders = entries
    .map((e) => e.value)
    .filter((e) => e.retainUntil <= now)
    .sort((a, b) => (a.retainUntil < b.retainUntil ? -1 : a.retainUntil > b.retainUntil ? 1 : 0))
    .slice(0, limit);
  return canonicalJson({ orders, asOf: now });
}
