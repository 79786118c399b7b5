/**
 * Verifies a claimed on-chain payment against a purchase order's terms:
 * receipt status, chain, token contract, transfers to the payee (summed),
 * payer, age against the order, and finality, re-reading the receipt before
 * settling so a reorg sends it back to pending.
 */
import type { ChainRegistry, CountingProvider } from './chain-registry';
import { getBlockHeader, getHeadNumber, getReceipt, getTransaction, type RpcReceipt } from './chain-reads';
import { transfersToPayee, type Transfer } from './transfers';

/** The part of an order's payment terms the verifier needs (as the ledger stores them). */
export interface PaymentTerms {
  chainId: number;
  /** 'native' or a lower-case token address. */
  asset: string;
  decimals: number;
  amountBaseUnits: string;
  payee: string;
  payer?: string;
}

export interface PaymentClaim {
  chainId: number;
  txHash: string;
}

export type VerificationStatus = 'confirmed' | 'pending' | 'invalid';

export interface Verification {
  status: VerificationStatus;
  reason?: string;
  transfers: Transfer[];
  totalBaseUnits: bigint;
  blockNumber?: number;
  blockHash?: string;
  confirmations?: number;
}

export interface VerifyOptions {
  /** The order's creation time: a payment mined before it cannot be for it. */
  notBefore: Date;
  /** Block hash seen by an earlier check; a different one now means a reorg. */
  knownBlockHash?: string;
}

/**
 * Block times have whole seconds and come from another clock than the ledger's,
 * so "before the order" allows this much.
 */
export const CLOCK_SKEW_SECONDS = 60;

const TX_HASH = /^0x[0-9a-fA-F]{64}$/;

const invalid = (reason: string, extra: Partial<Verification> = {}): Verification => ({
  status: 'invalid',
  reason,
  transfers: [],
  totalBaseUnits: 0n,
  ...extra,
});
const pending = (reason: string, extra: Partial<Verification> = {}): Verification => ({
  status: 'pending',
  reason,
  transfers: [],
  totalBaseUnits: 0n,
  ...extra,
});

export interface PaymentVerifier {
  verify(terms: PaymentTerms, claim: PaymentClaim, opts: VerifyOptions): Promise<Verification>;
}

export function createPaymentVerifier(deps: { registry: ChainRegistry }): PaymentVerifier {
  const { registry } = deps;

  async function transfersIn(
    provider: CountingProvider,
    terms: PaymentTerms,
    txHash: string,
    receipt: RpcReceipt,
  ): Promise<{ transfers: Transfer[]; reason?: string }> {
    if (terms.asset !== 'native') return transfersToPayee(receipt.logs, terms.asset, terms.payee);
    const tx = await getTransaction(provider, txHash);
    if (!tx) return { transfers: [], reason: 'the transaction is no longer known to the chain' };
    if (tx.to !== terms.payee) return { transfers: [], reason: `wrong payee: the transaction pays ${tx.to?.toLowerCase() ?? 'no one'}, not ${terms.payee}` };
    if (tx.value === 0n) return { transfers: [], reason: 'the transaction sends no native coin' };
    return { transfers: [{ logIndex: null, from: tx.from, to: terms.payee, amountBaseUnits: tx.value }] };
  }

  return {
    async verify(terms, claim, opts) {
      if (!TX_HASH.test(claim.txHash)) return invalid('txHash must be a 0x-prefixed 32-byte hex hash');
      if (claim.chainId !== terms.chainId)
        return invalid(`wrong chain: the order is payable on chain ${terms.chainId}, the claim names chain ${claim.chainId}`);
      const chain = registry.chain(terms.chainId);
      if (terms.asset !== 'native') {
        const token = registry.token(terms.chainId, terms.asset);
        if (!token) return invalid(`token ${terms.asset} is not on the allowlist of chain ${terms.chainId}`);
        if (token.decimals !== terms.decimals) return invalid(`the order states ${terms.decimals} decimals for ${token.symbol}, which has ${token.decimals}`);
      }
      const provider = await registry.provider(terms.chainId);
      const receipt = await getReceipt(provider, claim.txHash);
      if (!receipt) return pending('transaction not found on the chain (yet)');
      const where = { blockNumber: receipt.blockNumber, blockHash: receipt.blockHash };
      if (receipt.status !== 1) return invalid('the transaction reverted', where);

      // The block's time, the chain head (or finalized block) and the transfers, in one round trip.
      const [block, finalBlock, found] = await Promise.all([
        getBlockHeader(provider, { hash: receipt.blockHash }),
        chain.finality.kind === 'finalized' ? getBlockHeader(provider, { tag: 'finalized' }) : getHeadNumber(provider),
        transfersIn(provider, terms, claim.txHash, receipt),
      ]);
      if (!block) return pending('the block of the transaction is no longer on the chain', where);
      let transfers = found.transfers;
      if (transfers.length === 0) return invalid(found.reason ?? 'no transfer to the payee', where);
      if (terms.payer) {
        transfers = transfers.filter((t) => t.from === terms.payer);
        if (transfers.length === 0) return invalid(`wrong payer: the order must be paid from ${terms.payer}`, where);
      }
      if (block.timestamp < Math.floor(opts.notBefore.getTime() / 1000) - CLOCK_SKEW_SECONDS) {
        return invalid(`the transaction was mined at ${new Date(block.timestamp * 1000).toISOString()}, before the order existed`, where);
      }
      const totalBaseUnits = transfers.reduce((a, t) => a + t.amountBaseUnits, 0n);
      const facts = { ...where, transfers, totalBaseUnits };

      let final: boolean;
      let confirmations: number;
      if (typeof finalBlock === 'number') {
        confirmations = finalBlock - receipt.blockNumber + 1;
        final = confirmations >= (chain.finality.kind === 'confirmations' ? chain.finality.blocks : Infinity);
      } else {
        confirmations = finalBlock ? finalBlock.number - receipt.blockNumber + 1 : 0;
        final = finalBlock !== null && finalBlock.number >= receipt.blockNumber;
      }
      if (opts.knownBlockHash && opts.knownBlockHash !== receipt.blockHash) {
        return pending(`reorg: the transaction moved from block ${opts.knownBlockHash} to ${receipt.blockHash}`, { ...facts, confirmations });
      }
      if (!final) return pending(`waiting for finality (${confirmations} confirmation${confirmations === 1 ? '' : 's'})`, { ...facts, confirmations });

      // Settle only if the receipt still sits in the same block.
      const again = await getReceipt(provider, claim.txHash);
      if (!again || again.blockHash !== receipt.blockHash) {
        return pending('reorg: the transaction left its block while it was being verified', { ...facts, confirmations: 0 });
      }
      return { status: 'confirmed', ...facts, confirmations };
    },
  };
}

/** How a total compares with the amount due. */
export function paymentOutcome(paidBaseUnits: bigint, dueBaseUnits: bigint): 'partial' | 'paid' | 'overpaid' {
  if (paidBaseUnits < dueBaseUnits) return 'partial';
  return paidBaseUnits === dueBaseUnits ? 'paid' : 'overpaid';
}
