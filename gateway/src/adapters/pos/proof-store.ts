/**
 * Where receipt inclusion proofs are kept (PostgreSQL, schema `gateway`),
 * written before the batch is submitted so every recorded receipt can be proven.
 */
import { migrateGateway, storePool, type StoreDb } from '../../db';
import type { ReceiptProof } from './batching';

export interface ProofStore {
  migrate(): Promise<void>;
  save(proofs: ReceiptProof[]): Promise<void>;
  get(gln: string, receiptId: string): Promise<ReceiptProof | undefined>;
  close(): Promise<void>;
}

export function createMemoryProofStore(): ProofStore {
  const m = new Map<string, ReceiptProof>();
  return {
    async migrate() {},
    async save(proofs) {
      for (const p of proofs) m.set(`${p.gln}|${p.receiptId}`, p);
    },
    async get(gln, receiptId) {
      return m.get(`${gln}|${receiptId}`);
    },
    async close() {},
  };
}

export function createPgProofStore(opts: StoreDb): ProofStore {
  const { pool, owned } = storePool(opts, 4);
  return {
    migrate: () => migrateGateway(pool),
    async save(proofs) {
      if (proofs.length === 0) return;
      // One statement per batch: unnest keeps 5,000-receipt batches to one round trip.
      await pool.query(
        `INSERT INTO gateway.pos_receipt_proofs (store_gln, receipt_id, batch_id, leaf, proof, root)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[])
         ON CONFLICT (store_gln, receipt_id) DO NOTHING`,
        [
          proofs.map((p) => p.gln),
          proofs.map((p) => p.receiptId),
          proofs.map((p) => p.batchId),
          proofs.map((p) => p.leaf),
          proofs.map((p) => JSON.stringify(p.proof)),
          proofs.map((p) => p.root),
        ],
      );
    },
    async get(gln, receiptId) {
      const { rows } = await pool.query('SELECT * FROM gateway.pos_receipt_proofs WHERE store_gln = $1 AND receipt_id = $2', [gln, receiptId]);
      const r = rows[0];
      return r ? { gln: r.store_gln, receiptId: r.receipt_id, batchId: r.batch_id, leaf: r.leaf, proof: r.proof, root: r.root } : undefined;
    },
    async close() {
      if (owned) await pool.end();
    },
  };
}
