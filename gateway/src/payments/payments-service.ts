/**
 * Payments for purchase orders: a claimed on-chain payment is stored, verified
 * against the order's terms on the ledger, and once final recorded on the
 * ledger with RecordPayment (one per transfer). The ledger, not this service,
 * refuses a second use of the same (chainId, txHash, logIndex). A watcher
 * re-checks pending claims from PostgreSQL until final or expired.
 *
 * Only the payee settles: the chaincode records a payment only when the
 * order's supplier submits it, endorsed by its own peer (the order's
 * key-level policy). So claims are taken at the payee's gateway, which
 * verifies the transfer itself; another organisation's gateway refuses them.
 */
import type { Logger } from 'pino';
import { ServiceError, withRetry } from '../../../lib/platform/src';
import { type LedgerClient } from '../../../lib/fabric/src';
import { createEndorsementResolver, type EndorsementResolver } from '../submission/endorsement';
import type { ClaimRow, ClaimStatus, ClaimStore } from './claim-store';
import type { PaymentTerms, PaymentVerifier } from './verifier';
import { CONTRACT, QUERY, TX } from '../../../lib/domain/src';

/** The order as this organisation's peer answers it (the fields payments need). */
export interface LedgerOrder {
  poId: string;
  buyerMsp: string;
  /** The payee organisation: only it records payments of the order. */
  supplierMsp: string;
  status: string;
  /** From the parties' private account of the order ('0' before the first payment). */
  paidBaseUnits: string;
  createdAt: string;
  /** From the private terms in this organisation's implicit collection; absent once purged (or to a non-party). */
  paymentTerms?: PaymentTerms & { amount: string };
  /** The private records as this peer holds them, passed back to the chaincode (which checks their hashes). */
  privateCopies: { terms?: Record<string, unknown>; account?: Record<string, unknown> };
}

interface OrderAnswer {
  order: Omit<LedgerOrder, 'paidBaseUnits' | 'paymentTerms' | 'privateCopies'>;
  terms?: { paymentTerms: PaymentTerms & { amount: string } };
  account?: { paidBaseUnits: string };
}

function termsGone(poId: string): ServiceError {
  return new ServiceError({
    code: 'CONFLICT',
    message: `the terms of order ${poId} are not held on this organisation's peer (purged after their retention period)`,
    httpStatus: 409,
    details: { field: 'poId' },
  });
}

export interface PaymentsServiceOptions {
  ledger: LedgerClient;
  verifier: PaymentVerifier;
  store: ClaimStore;
  /** Picks the endorsers of RecordPayment (this org, the payee, plus a majority); one over `ledger` by default. */
  endorsement?: EndorsementResolver;
  logger?: Logger;
  /** How long a claim may stay pending (unknown hash, never final). Default 24 h. */
  expiryMs?: number;
  /** Wait between checks of a pending claim. Default 5 s. */
  recheckMs?: number;
  /** Watcher poll interval. Default 1 s. */
  pollMs?: number;
}

export interface ClaimView extends Omit<ClaimRow, 'createdAt' | 'expiresAt' | 'nextCheckAt'> {
  createdAt: string;
  expiresAt: string;
  /** The order's payment status on the ledger after this claim, when recorded. */
  order?: { status: string; paidBaseUnits: string };
}

export interface PaymentsService {
  claim(c: { poId: string; chainId: number; txHash: string; actor?: string }): Promise<ClaimView>;
  get(id: string): Promise<ClaimView | undefined>;
  listForOrder(poId: string): Promise<ClaimView[]>;
  /** Checks every due pending claim once; returns how many were checked. */
  checkDue(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

const TX_HASH = /^0x[0-9a-fA-F]{64}$/;

function view(row: ClaimRow, order?: LedgerOrder): ClaimView {
  return {
    ...row,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    nextCheckAt: undefined,
    order: order ? { status: order.status, paidBaseUnits: order.paidBaseUnits } : undefined,
  } as ClaimView;
}

export function createPaymentsService(opts: PaymentsServiceOptions): PaymentsService {
  const { ledger, verifier, store } = opts;
  const expiryMs = opts.expiryMs ?? 24 * 3600_000;
  const recheckMs = opts.recheckMs ?? 5000;
  const endorsement = opts.endorsement ?? createEndorsementResolver({ ledger });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  async function readOrder(poId: string): Promise<LedgerOrder> {
    // Evaluated on this organisation's own peer: the terms and the account come from its implicit collection.
    const out = await ledger.evaluate({ contract: CONTRACT.traceability, fn: QUERY.GetPurchaseOrder, args: [poId] });
    const { order, terms, account } = JSON.parse(out.toString('utf8')) as OrderAnswer;
    return {
      ...order,
      paymentTerms: terms?.paymentTerms,
      paidBaseUnits: account?.paidBaseUnits ?? '0',
      privateCopies: { terms: terms as Record<string, unknown> | undefined, account: account as Record<string, unknown> | undefined },
    };
  }

  async function record(row: ClaimRow, order: LedgerOrder): Promise<ClaimRow> {
    // The claimant is the acting user whichever path records it, so a repeat carries the same content.
    const actor = row.claimedBy;
    const txIds: string[] = [];
    const terms = order.paymentTerms;
    if (!terms) throw termsGone(row.poId);
    // The order's key-level policy names the payee (this organisation), and the amounts go to both parties'
    // implicit collections, each of which needs its owner's endorsement: both parties' peers endorse.
    const endorsingOrgs = await endorsement.resolve({ kind: 'orgs', orgs: [ledger.mspId, order.buyerMsp] });
    for (const t of row.transfers) {
      // Amounts and addresses go as transient data: the block keeps which transfer settled the order, not how much.
      const body = {
        eventId: `pay:${row.poId}:${row.chainId}:${row.txHash}:${t.logIndex ?? 'native'}`,
        actor,
        poId: row.poId,
        chainId: row.chainId,
        txHash: row.txHash,
        ...(t.logIndex === null ? {} : { logIndex: t.logIndex }),
        blockNumber: row.blockNumber,
        blockHash: row.blockHash,
      };
      const payment = { asset: terms.asset, from: t.from, to: t.to, amountBaseUnits: t.amountBaseUnits };
      try {
        const res = await withRetry(
          async () => {
            // The account as it stands now (an earlier transfer of this claim, or a retry, changed it).
            const { privateCopies } = await readOrder(row.poId);
            const transient: Record<string, Buffer> = { payment: Buffer.from(JSON.stringify(payment)) };
            for (const [name, value] of Object.entries(privateCopies)) if (value) transient[name] = Buffer.from(JSON.stringify(value));
            return ledger.submit({ contract: CONTRACT.traceability, fn: TX.RecordPayment, args: [JSON.stringify(body)], endorsingOrgs, transient });
          },
          {
            attempts: 4,
            baseDelayMs: 100,
          },
        );
        txIds.push(res.txId);
      } catch (err) {
        if (err instanceof ServiceError && err.code === 'DUPLICATE') {
          return store.update(row.id, {
            status: 'rejected',
            reason: `the ledger already records transfer ${row.txHash}/${t.logIndex ?? 'native'} as a payment: ${err.message}`,
          });
        }
        if (err instanceof ServiceError && err.retriable) {
          return store.update(row.id, {
            status: 'pending',
            reason: `recording on the ledger failed, will retry: ${err.message}`,
            nextCheckAt: new Date(Date.now() + recheckMs),
          });
        }
        return store.update(row.id, { status: 'invalid', reason: `the ledger refused the payment: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
    const after = await readOrder(row.poId);
    const status: ClaimStatus = after.status === 'paid' || after.status === 'overpaid' ? (after.status as ClaimStatus) : 'partial';
    return store.update(row.id, { status, reason: undefined, ledgerTxIds: txIds });
  }

  async function check(row: ClaimRow): Promise<{ row: ClaimRow; order?: LedgerOrder }> {
    const order = await readOrder(row.poId);
    if (!order.paymentTerms) return { row: await store.update(row.id, { status: 'invalid', reason: termsGone(row.poId).message }) };
    const v = await verifier.verify(
      order.paymentTerms,
      { chainId: row.chainId, txHash: row.txHash },
      { notBefore: new Date(order.createdAt), knownBlockHash: row.blockHash },
    );
    const facts = {
      blockNumber: v.blockNumber,
      blockHash: v.blockHash,
      confirmations: v.confirmations,
      transfers: v.transfers.map((t) => ({ ...t, amountBaseUnits: t.amountBaseUnits.toString() })),
    };
    if (v.status === 'invalid') return { row: await store.update(row.id, { status: 'invalid', reason: v.reason, ...facts }) };
    if (v.status === 'pending') {
      if (Date.now() >= row.expiresAt.getTime()) {
        return { row: await store.update(row.id, { status: 'expired', reason: `still pending at expiry: ${v.reason}`, ...facts }) };
      }
      return { row: await store.update(row.id, { status: 'pending', reason: v.reason, ...facts, nextCheckAt: new Date(Date.now() + recheckMs) }) };
    }
    const confirmed = await store.update(row.id, { ...facts });
    const recorded = await record(confirmed, order);
    return { row: recorded, order: recorded.status === 'pending' ? undefined : await readOrder(row.poId) };
  }

  async function checkDue(): Promise<number> {
    // Only this organisation's claims: another org's gateway records its own.
    const due = await store.due(ledger.mspId, 20);
    for (const row of due) {
      try {
        await check(row);
      } catch (err) {
        opts.logger?.warn({ claim: row.id, err: (err as Error).message }, 'payment check failed; will retry');
        await store.update(row.id, { status: 'pending', reason: `check failed: ${(err as Error).message}`, nextCheckAt: new Date(Date.now() + recheckMs) });
      }
    }
    return due.length;
  }

  return {
    async claim(c) {
      if (!TX_HASH.test(c.txHash))
        throw new ServiceError({
          code: 'INVALID_ARGUMENT',
          message: 'txHash must be a 0x-prefixed 32-byte hex hash',
          httpStatus: 422,
          details: { field: 'txHash' },
        });
      const order = await readOrder(c.poId); // 404 for an unknown order, before anything is stored
      if (order.supplierMsp !== ledger.mspId) {
        throw new ServiceError({
          code: 'FORBIDDEN',
          message: `payments of order ${c.poId} are claimed at its payee's gateway (${order.supplierMsp}), which verifies the transfer and records it`,
          httpStatus: 403,
          details: { field: 'poId' },
        });
      }
      const row = await store.upsert({
        mspId: ledger.mspId,
        poId: c.poId,
        chainId: c.chainId,
        txHash: c.txHash,
        claimedBy: c.actor,
        expiresAt: new Date(Date.now() + expiryMs),
      });
      if (row.status !== 'pending') return view(row);
      const out = await check(row);
      return view(out.row, out.order);
    },
    async get(id) {
      const row = await store.get(id, ledger.mspId);
      return row ? view(row) : undefined;
    },
    async listForOrder(poId) {
      return (await store.listForOrder(poId, ledger.mspId)).map((r) => view(r));
    },
    checkDue,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        running = running.then(checkDue).catch((err) => opts.logger?.error({ err: (err as Error).message }, 'payment watcher failed'));
      }, opts.pollMs ?? 1000);
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
