/**
 * Purchase orders with crypto payment terms, and verified payments against
 * them. A payment is keyed by (chainId, txHash, logIndex), so one on-chain
 * transfer can settle at most one order, once.
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
import { formatQuantity, formatTokenAmount, parseBaseUnits, parseTokenAmount } from './quantity';
import type { HandlerResult } from './submit';
import type { TxEnv } from './tx-env';
import type { OrderStatus, PaymentRecord, PaymentTerms, PurchaseOrderRecord } from './types';

const MSP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const TX_HASH = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS_HINT = 'must be a 0x-prefixed 20-byte hex address';

function poKey(env: TxEnv, poId: string): string {
  return env.ledger.key(OBJECT_TYPES.po, [poId]);
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
  const paymentTerms = readTerms(input.object('paymentTerms'));
  const key = poKey(env, poId);
  if (await env.ledger.exists(key)) throw fail.duplicate(`purchase order ${poId}`, 'poId');
  const po: PurchaseOrderRecord = {
    docType: 'po',
    poId,
    buyerMsp: env.mspId,
    supplierMsp,
    buyerGln,
    supplierGln,
    shipToGln,
    lines,
    paymentTerms,
    paidBaseUnits: '0',
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
  return { order: po };
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
  const asset =
    input.has('asset') && input.raw('asset') === 'native'
      ? 'native'
      : input.str('asset', { pattern: ADDRESS, hint: `must be "native" or ${ADDRESS_HINT}` }).toLowerCase();
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
  const terms = po.paymentTerms;
  if (chainId !== terms.chainId) throw fail.invalid('chainId', `order ${poId} is payable on chain ${terms.chainId}`);
  if (asset !== terms.asset) throw fail.invalid('asset', `order ${poId} is payable in ${terms.asset}`);
  const from = input.str('from', { pattern: ADDRESS, hint: ADDRESS_HINT }).toLowerCase();
  const to = input.str('to', { pattern: ADDRESS, hint: ADDRESS_HINT }).toLowerCase();
  if (to !== terms.payee) throw fail.invalid('to', `order ${poId} is payable to ${terms.payee}`);
  if (terms.payer && from !== terms.payer) throw fail.invalid('from', `order ${poId} must be paid from ${terms.payer}`);
  const amount = parseBaseUnits(input.raw('amountBaseUnits'), input.at('amountBaseUnits'));
  if (amount === 0n) throw fail.invalid('amountBaseUnits', 'must be greater than zero');

  const payment: PaymentRecord = {
    docType: 'payment',
    chainId,
    txHash,
    logIndex,
    poId,
    asset,
    from,
    to,
    amountBaseUnits: amount.toString(),
    blockNumber: input.int('blockNumber', 0, Number.MAX_SAFE_INTEGER),
    blockHash: input.optStr('blockHash', { pattern: TX_HASH, hint: 'must be a 0x-prefixed 32-byte hex hash' })?.toLowerCase(),
    recordedBy: env.mspId,
    recordedAt: env.time,
    recordedTxId: env.txId,
  };
  await env.ledger.put(key, payment);
  const paid = BigInt(po.paidBaseUnits) + amount;
  const due = BigInt(terms.amountBaseUnits);
  const status = orderStatus(paid, due);
  const updated: PurchaseOrderRecord = {
    ...po,
    paidBaseUnits: paid.toString(),
    paymentCount: po.paymentCount + 1,
    payments: [...po.payments, { amountBaseUnits: payment.amountBaseUnits, chainId, logIndex, txHash }],
    status,
    overpaid: status === 'overpaid',
    updatedAt: env.time,
  };
  await env.ledger.put(poKey(env, poId), updated);
  return {
    payment,
    order: updated,
    paid: formatTokenAmount(paid, terms.decimals),
    outstanding: formatTokenAmount(due > paid ? due - paid : 0n, terms.decimals),
    overpaidBy: formatTokenAmount(paid > due ? paid - due : 0n, terms.decimals),
  };
}
