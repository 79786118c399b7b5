/**
 * Purchase orders with crypto payment terms, and verified payments against
 * them. A payment is keyed by (chainId, txHash, logIndex), so one on-chain
 * transfer can settle at most one order, once.
 *
 * The commercial part (payment terms, amounts, addresses) is private data of
 * the buyer and the supplier (private-terms.ts): it travels as transient
 * data, is written to both parties' implicit collections, and the channel
 * keeps the order's parties, lines, status and the hash of its terms.
 *
 * A payment settles only on the payee's word: RecordPayment must be submitted
 * by the order's supplier (the organisation paid), whose gateway verified the
 * transfer on its chain, and the order's key carries a key-level endorsement
 * policy naming the supplier, so its own peer must endorse every payment
 * written against the order. The buyer cannot mark an order paid.
 */
import { KeyEndorsementPolicy } from 'fabric-shim';
import { assertNotAuditor, requireLocation, requireOwnLocation, requireProduct } from './access';
import { fail } from './errors';
import type { Input } from './input';
import { OBJECT_TYPES } from './keys';
import { accountKey, privateHash, putShared, termsKey, transientInput, verifiedCopy } from './private-terms';
import { formatQuantity, formatTokenAmount, parseBaseUnits, parseTokenAmount } from './quantity';
import type { HandlerResult } from './submit';
import type { TxEnv } from './tx-env';
import type { OrderAccountRecord, OrderStatus, OrderTermsRecord, PaymentRecord, PaymentTerms, PurchaseOrderRecord } from './types';

const MSP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const TX_HASH = /^0x[0-9a-fA-F]{64}$/;
const SALT = /^[0-9a-f]{32,128}$/;
const ADDRESS_HINT = 'must be a 0x-prefixed 20-byte hex address';
/** How long terms are kept when the order does not say: seven years. */
export const DEFAULT_TERMS_RETENTION_SECONDS = 7 * 365 * 86_400;
const MAX_TERMS_RETENTION_SECONDS = 100 * 365 * 86_400;

function poKey(env: TxEnv, poId: string): string {
  return env.ledger.key(OBJECT_TYPES.po, [poId]);
}

/** `termsexp~mspId~poId`: the orders whose terms a party still keeps, found by PurgeExpiredTerms. */
export function termsExpiryKey(env: TxEnv, mspId: string, poId: string): string {
  return env.ledger.key(OBJECT_TYPES.termsExpiry, [mspId, poId]);
}

function readTerms(t: Input): PaymentTerms {
  const decimals = t.int('decimals', 0, 36);
  const asset =
    t.has('asset') && t.raw('asset') === 'native' ? 'native' : t.str('asset', { pattern: ADDRESS, hint: `must be "native" or ${ADDRESS_HINT}` }).toLowerCase();
  const amount = parseTokenAmount(t.raw('amount'), decimals, t.at('amount'));
  return {
    chainId: t.int('chainId', 1, Number.MAX_SAFE_INTEGER),
    asset,
    decimals,
    amount: formatTokenAmount(amount, decimals),
    amountBaseUnits: amount.toString(),
    payee: t.str('payee', { pattern: ADDRESS, hint: ADDRESS_HINT }).toLowerCase(),
    payer: t.optStr('payer', { pattern: ADDRESS, hint: ADDRESS_HINT })?.toLowerCase(),
    dueDate: t.optDate('dueDate'),
  };
}

/** Commercial fields never belong in the arguments, which every member's peer stores in the block. */
function refuseInArgs(input: Input, fields: string[], transientName: string): void {
  for (const f of fields) {
    if (input.has(f)) throw fail.invalid(f, `must be passed in transient data "${transientName}", not in the transaction arguments, which every member stores`);
  }
}

export async function createPurchaseOrder(env: TxEnv, input: Input): Promise<HandlerResult> {
  assertNotAuditor(env, 'place purchase orders');
  const poId = input.id('poId');
  const supplierMsp = input.str('supplierMsp', { max: 64, pattern: MSP_ID });
  const buyerGln = input.has('buyerGln') ? input.gln('buyerGln') : undefined;
  if (buyerGln) await requireOwnLocation(env, buyerGln, 'buyerGln', 'order for location');
  const shipToGln = input.has('shipToGln') ? input.gln('shipToGln') : undefined;
  if (shipToGln) await requireOwnLocation(env, shipToGln, 'shipToGln', 'order for location');
  const supplierGln = input.has('supplierGln') ? input.gln('supplierGln') : undefined;
  if (supplierGln) {
    const loc = await requireLocation(env, supplierGln, 'supplierGln');
    if (loc.ownerMsp !== supplierMsp) throw fail.invalid('supplierGln', `belongs to ${loc.ownerMsp}, not ${supplierMsp}`);
  }
  const lines = [];
  for (const [i, l] of input.list('lines', 1, 500).entries()) {
    const gtin = l.gtin('gtin');
    await requireProduct(env, gtin, l.at('gtin'));
    lines.push({ lineNo: i + 1, gtin, quantity: formatQuantity(l.quantity('quantity')) });
  }
  refuseInArgs(input, ['paymentTerms'], 'terms');
  const transient = transientInput(env.ctx, 'terms');
  if (!transient) throw fail.invalid('paymentTerms', 'is required, in transient data "terms"');
  const paymentTerms = readTerms(transient.input.object('paymentTerms'));
  const salt = transient.input.str('salt', { pattern: SALT, hint: 'must be 32-128 lower-case hex digits' });
  const retention = input.has('termsRetentionSeconds') ? input.int('termsRetentionSeconds', 1, MAX_TERMS_RETENTION_SECONDS) : DEFAULT_TERMS_RETENTION_SECONDS;
  const key = poKey(env, poId);
  if (await env.ledger.exists(key)) throw fail.duplicate(`purchase order ${poId}`, 'poId');
  const parties = [env.mspId, supplierMsp];
  const terms: OrderTermsRecord = { docType: 'po_terms', poId, buyerMsp: env.mspId, supplierMsp, paymentTerms, salt };
  const termsHash = await putShared(env.ctx, parties, termsKey(poId), terms);
  const termsRetainUntil = new Date(Date.parse(env.time) + retention * 1000).toISOString();
  for (const [msp, counterpartyMsp] of [
    [env.mspId, supplierMsp],
    [supplierMsp, env.mspId],
  ]) {
    await env.ledger.put(termsExpiryKey(env, msp, poId), { counterpartyMsp, poId, retainUntil: termsRetainUntil });
  }
  const po: PurchaseOrderRecord = {
    docType: 'po',
    poId,
    buyerMsp: env.mspId,
    supplierMsp,
    buyerGln,
    supplierGln,
    shipToGln,
    lines,
    termsHash,
    termsRetainUntil,
    paymentCount: 0,
    payments: [],
    status: 'open',
    overpaid: false,
    createdAt: env.time,
    createdTxId: env.txId,
    updatedAt: env.time,
  };
  await env.ledger.put(key, po);
  // Later writes to the order (its payments) need the payee's own endorsement.
  const policy = new KeyEndorsementPolicy();
  policy.addOrgs('MEMBER', supplierMsp);
  await env.ctx.stub.setStateValidationParameter(key, policy.getPolicy());
  return { order: po, termsHash };
}

/** Order status from the total paid against the amount due. */
export function orderStatus(paid: bigint, due: bigint): OrderStatus {
  if (paid === 0n) return 'open';
  if (paid < due) return 'partial';
  return paid === due ? 'paid' : 'overpaid';
}

export async function recordPayment(env: TxEnv, input: Input): Promise<HandlerResult> {
  assertNotAuditor(env, 'record payments');
  const poId = input.id('poId');
  const chainId = input.int('chainId', 1, Number.MAX_SAFE_INTEGER);
  const txHash = input.str('txHash', { pattern: TX_HASH, hint: 'must be a 0x-prefixed 32-byte hex hash' }).toLowerCase();
  refuseInArgs(input, ['asset', 'from', 'to', 'amountBaseUnits'], 'payment');
  const transfer = transientInput(env.ctx, 'payment')?.input;
  if (!transfer) throw fail.invalid('payment', 'the transfer (asset, from, to, amountBaseUnits) is required, in transient data "payment"');
  const asset =
    transfer.has('asset') && transfer.raw('asset') === 'native'
      ? 'native'
      : transfer.str('asset', { pattern: ADDRESS, hint: `must be "native" or ${ADDRESS_HINT}` }).toLowerCase();
  // A native-coin transfer has no log; its key slot is "native".
  let logIndex: number | null = null;
  if (asset === 'native') {
    if (input.has('logIndex')) throw fail.invalid('logIndex', 'must be absent for a native-coin payment');
  } else {
    logIndex = input.int('logIndex', 0, 1_000_000);
  }
  const key = env.ledger.key(OBJECT_TYPES.payment, [String(chainId), txHash, logIndex === null ? 'native' : String(logIndex)]);
  if (await env.ledger.exists(key)) {
    throw fail.duplicate(`payment ${chainId}/${txHash}/${logIndex ?? 'native'}`, 'txHash');
  }

  const po = await env.ledger.get<PurchaseOrderRecord>(poKey(env, poId));
  if (!po) throw fail.notFound(`purchase order ${poId}`, 'poId');
  if (env.mspId !== po.buyerMsp && env.mspId !== po.supplierMsp) {
    throw fail.forbidden(`${env.mspId} is neither buyer nor supplier of ${poId}`, 'poId');
  }
  if (env.mspId !== po.supplierMsp) {
    throw fail.forbidden(`payments of ${poId} are recorded by its payee ${po.supplierMsp}, whose gateway verifies the transfer, not by ${env.mspId}`, 'poId');
  }
  if (po.termsPurgedAt) throw fail.conflict(`the terms of ${poId} were purged at ${po.termsPurgedAt}; no payment can be checked against them`, 'poId');
  const terms = verifiedCopy<OrderTermsRecord>(env.ctx, 'terms', po.termsHash, 'terms').paymentTerms;
  const account = await currentAccount(env, po);
  if (chainId !== terms.chainId) throw fail.invalid('chainId', `order ${poId} is payable on chain ${terms.chainId}`);
  if (asset !== terms.asset) throw fail.invalid('asset', `order ${poId} is payable in ${terms.asset}`);
  const from = transfer.str('from', { pattern: ADDRESS, hint: ADDRESS_HINT }).toLowerCase();
  const to = transfer.str('to', { pattern: ADDRESS, hint: ADDRESS_HINT }).toLowerCase();
  if (to !== terms.payee) throw fail.invalid('to', `order ${poId} is payable to ${terms.payee}`);
  if (terms.payer && from !== terms.payer) throw fail.invalid('from', `order ${poId} must be paid from ${terms.payer}`);
  const amount = parseBaseUnits(transfer.raw('amountBaseUnits'), transfer.at('amountBaseUnits'));
  if (amount === 0n) throw fail.invalid('amountBaseUnits', 'must be greater than zero');

  const payment: PaymentRecord = {
    docType: 'payment',
    chainId,
    txHash,
    logIndex,
    poId,
    blockNumber: input.int('blockNumber', 0, Number.MAX_SAFE_INTEGER),
    blockHash: input.optStr('blockHash', { pattern: TX_HASH, hint: 'must be a 0x-prefixed 32-byte hex hash' })?.toLowerCase(),
    recordedBy: env.mspId,
    recordedAt: env.time,
    recordedTxId: env.txId,
  };
  await env.ledger.put(key, payment);
  const paid = BigInt(account.paidBaseUnits) + amount;
  const due = BigInt(terms.amountBaseUnits);
  const status = orderStatus(paid, due);
  const nextAccount: OrderAccountRecord = {
    ...account,
    paidBaseUnits: paid.toString(),
    payments: [...account.payments, { chainId, txHash, logIndex, asset, from, to, amountBaseUnits: amount.toString() }],
  };
  await putShared(env.ctx, [po.buyerMsp, po.supplierMsp], accountKey(poId), nextAccount);
  const updated: PurchaseOrderRecord = {
    ...po,
    paymentCount: po.paymentCount + 1,
    payments: [...po.payments, { chainId, logIndex, txHash }],
    status,
    overpaid: status === 'overpaid',
    updatedAt: env.time,
  };
  await env.ledger.put(poKey(env, poId), updated);
  return { payment, order: updated };
}

/** The order's private account so far: empty before the first payment, else the copy in transient data "account", checked against its hash. */
async function currentAccount(env: TxEnv, po: PurchaseOrderRecord): Promise<OrderAccountRecord> {
  const hash = await privateHash(env.ctx, po.supplierMsp, accountKey(po.poId));
  if (!hash) return { docType: 'po_account', poId: po.poId, paidBaseUnits: '0', payments: [] };
  return verifiedCopy<OrderAccountRecord>(env.ctx, 'account', hash, 'account');
}
