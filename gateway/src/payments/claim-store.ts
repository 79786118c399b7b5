/**
 * Payment claims in PostgreSQL (schema `gateway`): what was claimed, what the
 * last check found, and when to check again. The watcher works from this
 * table, so pending claims survive restarts.
 */
import { migrateGateway, storePool, type StoreDb } from '../db';

export type ClaimStatus = 'pending' | 'paid' | 'partial' | 'overpaid' | 'invalid' | 'rejected' | 'expired';

export interface ClaimRow {
  id: string;
  /** The organisation whose gateway checks and records the claim. */
  mspId: string;
  poId: string;
  chainId: number;
  txHash: string;
  status: ClaimStatus;
  reason?: string;
  blockNumber?: number;
  blockHash?: string;
  confirmations?: number;
  /** Transfers to the payee found on chain (amounts as decimal strings of base units). */
  transfers: Array<{ logIndex: number | null; from: string; to: string; amountBaseUnits: string }>;
  /** Ledger transactions that recorded the transfers. */
  ledgerTxIds: string[];
  claimedBy?: string;
  checks: number;
  createdAt: Date;
  expiresAt: Date;
  nextCheckAt: Date;
}

function toRow(r: Record<string, any>): ClaimRow {
  return {
    id: String(r.id),
    mspId: r.msp_id,
    poId: r.po_id,
    chainId: Number(r.chain_id),
    txHash: r.tx_hash,
    status: r.status,
    reason: r.reason ?? undefined,
    blockNumber: r.block_number === null ? undefined : Number(r.block_number),
    blockHash: r.block_hash ?? undefined,
    confirmations: r.confirmations ?? undefined,
    transfers: r.transfers,
    ledgerTxIds: r.ledger_tx_ids,
    claimedBy: r.claimed_by ?? undefined,
    checks: r.checks,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    nextCheckAt: r.next_check_at,
  };
}

export interface ClaimStore {
  migrate(): Promise<void>;
  /** Records a claim, or returns the existing one for the same (order, chain, tx). */
  upsert(c: { mspId: string; poId: string; chainId: number; txHash: string; claimedBy?: string; expiresAt: Date }): Promise<ClaimRow>;
  /** A claim of organisation `mspId`; another organisation's claim is not found. */
  get(id: string, mspId: string): Promise<ClaimRow | undefined>;
  /** The claims organisation `mspId` made against an order. */
  listForOrder(poId: string, mspId: string): Promise<ClaimRow[]>;
  /** An organisation's pending claims due for a check, oldest first. */
  due(mspId: string, limit: number): Promise<ClaimRow[]>;
  update(
    id: string,
    patch: Partial<Pick<ClaimRow, 'status' | 'reason' | 'blockNumber' | 'blockHash' | 'confirmations' | 'transfers' | 'ledgerTxIds' | 'nextCheckAt'>>,
  ): Promise<ClaimRow>;
  close(): Promise<void>;
}

export function createPgClaimStore(opts: StoreDb): ClaimStore {
  const { pool, owned } = storePool(opts, 4);
  return {
    migrate: () => migrateGateway(pool),
    async upsert(c) {
      const r = await pool.query(
        `INSERT INTO gateway.payment_claims (msp_id, po_id, chain_id, tx_hash, status, claimed_by, expires_at)
         VALUES ($1, $2, $3, $4, 'pending', $5, $6)
         ON CONFLICT (msp_id, po_id, chain_id, tx_hash) DO UPDATE SET updated_at = gateway.payment_claims.updated_at
         RETURNING *`,
        [c.mspId, c.poId, c.chainId, c.txHash.toLowerCase(), c.claimedBy ?? null, c.expiresAt],
      );
      return toRow(r.rows[0]);
    },
    async get(id, mspId) {
      if (!/^\d{1,18}$/.test(id)) return undefined;
      // Gateways of several organisations may share one database: a claim is read only by its own.
      const r = await pool.query('SELECT * FROM gateway.payment_claims WHERE id = $1 AND msp_id = $2', [id, mspId]);
      return r.rows[0] ? toRow(r.rows[0]) : undefined;
    },
    async listForOrder(poId, mspId) {
      const r = await pool.query('SELECT * FROM gateway.payment_claims WHERE po_id = $1 AND msp_id = $2 ORDER BY id', [poId, mspId]);
      return r.rows.map(toRow);
    },
    async due(mspId, limit) {
      const r = await pool.query(
        `SELECT * FROM gateway.payment_claims WHERE msp_id = $1 AND status = 'pending' AND next_check_at <= now() ORDER BY next_check_at LIMIT $2`,
        [mspId, limit],
      );
      return r.rows.map(toRow);
    },
    async update(id, p) {
      const r = await pool.query(
        `UPDATE gateway.payment_claims SET
           status = COALESCE($2, status), reason = $3, block_number = COALESCE($4, block_number),
           block_hash = COALESCE($5, block_hash), confirmations = COALESCE($6, confirmations),
           transfers = COALESCE($7, transfers), ledger_tx_ids = COALESCE($8, ledger_tx_ids),
           next_check_at = COALESCE($9, next_check_at), checks = checks + 1, updated_at = now()
         WHERE id = $1 RETURNING *`,
        [
          id,
          p.status ?? null,
          p.reason ?? null,
          p.blockNumber ?? null,
          p.blockHash ?? null,
          p.confirmations ?? null,
          p.transfers ? JSON.stringify(p.transfers) : null,
          p.ledgerTxIds ? JSON.stringify(p.ledgerTxIds) : null,
          p.nextCheckAt ?? null,
        ],
      );
      return toRow(r.rows[0]);
    },
    close: async () => {
      if (owned) await pool.end();
    },
  };
}
