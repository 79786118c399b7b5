-- Merkle inclusion proofs of POS receipts, one per store and receipt.
-- Tables are created IF NOT EXISTS: databases set up before numbered migrations already have them.
CREATE TABLE IF NOT EXISTS gateway.pos_receipt_proofs (
  store_gln text NOT NULL,
  receipt_id text NOT NULL,
  batch_id text NOT NULL,
  leaf text NOT NULL,
  proof jsonb NOT NULL,
  root text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store_gln, receipt_id)
);
