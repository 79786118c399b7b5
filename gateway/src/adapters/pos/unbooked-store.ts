/**
 * POS lines the ledger could not book, kept in the gateway's PostgreSQL
 * (schema `gateway`) until a replay books them: a till's line is never
 * dropped because the stock, product or lot was not (yet) right on the ledger.
 */
import { migrateGateway, storePool, type StoreDb } from '../../db';

/** One till line kept for replay. */
export interface UnbookedLine {
  batchId: string;
  /** The line's XPath in the POSLog (`/POSLog/Transaction[1]/RetailTransaction/LineItem[3]`) or its JSON field. */
  linePath: string;
  mspId: string;
  gln: string;
  receiptId: string;
  merkleRoot: string;
  gtin: string;
  lotCode?: string;
  kind: 'sale' | 'return';
  quantity: string;
  status: 'pending' | 'booked';
  attempts: number;
  /** The last refusal, its field in the document's own terms. */
  error: { code: string; message: string; field?: string };
  txId?: string;
  receivedAt?: string;
  bookedAt?: string;
}

export interface UnbookedStore {
  migrate(): Promise<void>;
  /** Keeps lines (a line already kept is left as it is: a resent document adds nothing). */
  save(lines: UnbookedLine[]): Promise<void>;
  list(o: { mspId: string; gln?: string; status?: 'pending' | 'booked'; limit: number }): Promise<UnbookedLine[]>;
  /** A replay booked the line in `txId`. */
  booked(batchId: string, linePath: string, txId: string): Promise<void>;
  /** A replay was refused again. */
  refusedAgain(batchId: string, linePath: string, error: UnbookedLine['error']): Promise<void>;
  close(): Promise<void>;
}

export function createMemoryUnbookedStore(): UnbookedStore {
  const m = new Map<string, UnbookedLine>();
  const k = (b: string, p: string) => `${b}|${p}`;
  return {
    async migrate() {},
    async save(lines) {
      for (const l of lines) if (!m.has(k(l.batchId, l.linePath))) m.set(k(l.batchId, l.linePath), { ...l });
    },
    async list(o) {
      return [...m.values()].filter((l) => l.mspId === o.mspId && (!o.gln || l.gln === o.gln) && (!o.status || l.status === o.status)).slice(0, o.limit);
    },
    async booked(b, p, txId) {
      const l = m.get(k(b, p));
      if (l) Object.assign(l, { status: 'booked', txId, bookedAt: new Date().toISOString() });
    },
    async refusedAgain(b, p, error) {
      const l = m.get(k(b, p));
      if (l) Object.assign(l, { attempts: l.attempts + 1, error });
    },
    async close() {},
  };
}

type Row = Record<string, unknown>;
const fromRow = (r: Row): UnbookedLine => ({
  batchId: r.batch_id as string,
  linePath: r.line_path as string,
  mspId: r.msp_id as string,
  gln: r.store_gln as string,
  receiptId: r.receipt_id as string,
  merkleRoot: r.merkle_root as string,
  gtin: r.gtin as string,
  ...(r.lot_code ? { lotCode: r.lot_code as string } : {}),
  kind: r.kind as 'sale' | 'return',
  quantity: r.quantity as string,
  status: r.status as 'pending' | 'booked',
  attempts: r.attempts as number,
  error: r.error as UnbookedLine['error'],
  ...(r.tx_id ? { txId: r.tx_id as string } : {}),
  receivedAt: (r.received_at as Date).toISOString(),
  ...(r.booked_at ? { bookedAt: (r.booked_at as Date).toISOString() } : {}),
});

export function createPgUnbookedStore(opts: StoreDb): UnbookedStore {
  const { pool, owned } = storePool(opts, 2);
  return {
    migrate: () => migrateGateway(pool),
    async save(lines) {
      if (lines.length === 0) return;
      const col = <K extends keyof UnbookedLine>(key: K) => lines.map((l) => l[key] ?? null);
      await pool.query(
        `INSERT INTO gateway.pos_unbooked_lines (batch_id, line_path, msp_id, store_gln, receipt_id, merkle_root, gtin, lot_code, kind, quantity, error)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::jsonb[])
         ON CONFLICT (batch_id, line_path) DO NOTHING`,
        [
          col('batchId'),
          col('linePath'),
          col('mspId'),
          col('gln'),
          col('receiptId'),
          col('merkleRoot'),
          col('gtin'),
          col('lotCode'),
          col('kind'),
          col('quantity'),
          lines.map((l) => JSON.stringify(l.error)),
        ],
      );
    },
    async list(o) {
      const { rows } = await pool.query(
        `SELECT * FROM gateway.pos_unbooked_lines WHERE msp_id = $1 AND ($2::text IS NULL OR store_gln = $2) AND ($3::text IS NULL OR status = $3)
         ORDER BY received_at, batch_id, line_path LIMIT $4`,
        [o.mspId, o.gln ?? null, o.status ?? null, o.limit],
      );
      return rows.map(fromRow);
    },
    async booked(batchId, linePath, txId) {
      await pool.query(`UPDATE gateway.pos_unbooked_lines SET status = 'booked', tx_id = $3, booked_at = now() WHERE batch_id = $1 AND line_path = $2`, [
        batchId,
        linePath,
        txId,
      ]);
    },
    async refusedAgain(batchId, linePath, error) {
      await pool.query(`UPDATE gateway.pos_unbooked_lines SET attempts = attempts + 1, error = $3 WHERE batch_id = $1 AND line_path = $2`, [
        batchId,
        linePath,
        JSON.stringify(error),
      ]);
    },
    async close() {
      if (owned) await pool.end();
    },
  };
}
