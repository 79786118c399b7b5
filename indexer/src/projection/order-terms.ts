/**
 * Orders' private terms in the read model, for the orders this indexer's own
 * organisation is a party to. The channel carries an order's parties, lines
 * and status and only the hash of its terms; the amounts are private data of
 * the buyer and the supplier. So the block projection leaves the amount
 * columns empty, and this step asks the organisation's own peer
 * (GetPurchaseOrder, which answers the terms and the payment account only to
 * a party, from the caller's own implicit collection) and fills them in.
 *
 * An order is read again when a payment changed it (payment_count differs
 * from the count last read) or while its terms have not reached the peer yet.
 * Once the parties purged the terms, the amounts leave the read model too.
 * An indexer of a member that is no party never holds the amounts.
 */
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { LedgerClient } from '../../../lib/fabric/src';
import { CONTRACT, QUERY } from '../../../lib/domain/src';

export interface OrderTermsOptions {
  pool: Pool;
  /** This indexer's organisation: only its orders are read. */
  mspId: string;
  connect: () => Promise<LedgerClient>;
  log: Logger;
  /** How often orders still waiting for their terms are tried again, ms. Default 5000. */
  retryMs?: number;
  /** Orders read per pass. Default 100. */
  batch?: number;
}

export interface OrderTerms {
  start(): void;
  /** Asks for a pass soon (after a block was stored). */
  wake(): void;
  /** One pass now; resolves to the number of orders updated. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

interface Answer {
  order: { paymentCount: number; termsPurgedAt?: string };
  terms?: { paymentTerms: { chainId: number; asset: string; amountBaseUnits: string; dueDate?: string } };
  account?: {
    paidBaseUnits: string;
    payments: { chainId: number; txHash: string; logIndex: number | null; asset: string; from: string; to: string; amountBaseUnits: string }[];
  };
}

/** The party's orders whose private columns are stale: never read, read before a later payment, or purged but still filled. */
const DUE_SQL = `SELECT po_id FROM purchase_orders
  WHERE (buyer_msp = $1 OR supplier_msp = $1) AND terms_hash IS NOT NULL
    AND (terms_read_payment_count IS DISTINCT FROM payment_count
         OR (terms_purged_at IS NULL AND amount_base_units IS NULL)
         OR (terms_purged_at IS NOT NULL AND (amount_base_units IS NOT NULL
             OR EXISTS (SELECT 1 FROM payments p WHERE p.po_id = purchase_orders.po_id AND p.amount_base_units IS NOT NULL))))
  ORDER BY created_at LIMIT $2`;

export function createOrderTerms(opts: OrderTermsOptions): OrderTerms {
  const batch = opts.batch ?? 100;
  let ledger: Promise<LedgerClient> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = true;

  async function apply(poId: string, a: Answer): Promise<void> {
    const t = a.terms?.paymentTerms;
    const client = await opts.pool.connect();
    try {
      await client.query('BEGIN');
      // Filled from the peer's copy, or emptied when the peer holds none (purged): never older amounts kept.
      await client.query(
        `UPDATE purchase_orders SET chain_id = $2, asset = $3, amount_base_units = $4, paid_base_units = $5, due_date = $6, terms_read_payment_count = $7
          WHERE po_id = $1`,
        [
          poId,
          t?.chainId ?? null,
          t?.asset ?? null,
          t?.amountBaseUnits ?? null,
          t ? (a.account?.paidBaseUnits ?? '0') : null,
          t?.dueDate ?? null,
          a.order.paymentCount,
        ],
      );
      if (!t) await client.query('UPDATE payments SET asset = NULL, payer = NULL, payee = NULL, amount_base_units = NULL WHERE po_id = $1', [poId]);
      for (const p of t ? (a.account?.payments ?? []) : []) {
        await client.query(
          'UPDATE payments SET asset = $4, payer = $5, payee = $6, amount_base_units = $7 WHERE chain_id = $1 AND tx_hash = $2 AND log_index = $3',
          [p.chainId, p.txHash, p.logIndex ?? -1, p.asset, p.from, p.to, p.amountBaseUnits],
        );
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async function pass(): Promise<number> {
    const due = (await opts.pool.query<{ po_id: string }>(DUE_SQL, [opts.mspId, batch])).rows;
    if (due.length === 0) return 0;
    ledger ??= opts.connect();
    const client = await ledger;
    let updated = 0;
    for (const { po_id: poId } of due) {
      // Evaluated on this organisation's own peer, as this organisation: a party's answer carries its private copies.
      const a = JSON.parse((await client.evaluate({ contract: CONTRACT.traceability, fn: QUERY.GetPurchaseOrder, args: [poId] })).toString('utf8')) as Answer;
      // Terms not on the peer yet (private data still on its way) and not purged: left for a later pass.
      if (!a.terms && !a.order.termsPurgedAt) continue;
      await apply(poId, a);
      updated++;
    }
    return updated;
  }

  function runOnce(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = pass().finally(() => {
      running = undefined;
      if (again && !stopped) {
        again = false;
        void runOnce().catch((err: unknown) => opts.log.warn({ err: (err as Error).message }, 'reading order terms failed; retried'));
      }
    });
    return running;
  }

  function tick(): void {
    runOnce().catch((err: unknown) => opts.log.warn({ err: (err as Error).message }, 'reading order terms failed; retried'));
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      timer = setInterval(tick, opts.retryMs ?? 5000);
      timer.unref();
      tick();
    },
    wake() {
      if (!stopped) tick();
    },
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
      if (ledger) (await ledger.catch(() => undefined))?.close();
      ledger = undefined;
    },
  };
}
