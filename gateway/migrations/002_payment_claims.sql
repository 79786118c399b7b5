-- Crypto payment claims, checked until final or expired.
-- Tables are created IF NOT EXISTS: databases set up before numbered migrations already have them.
CREATE TABLE IF NOT EXISTS gateway.payment_claims (
  id bigserial PRIMARY KEY,
  po_id text NOT NULL,
  chain_id bigint NOT NULL,
  tx_hash text NOT NULL,
  msp_id text NOT NULL,
  status text NOT NULL,
  reason text,
  block_number bigint,
  block_hash text,
  confirmations int,
  transfers jsonb NOT NULL DEFAULT '[]',
  ledger_tx_ids jsonb NOT NULL DEFAULT '[]',
  claimed_by text,
  checks int NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  next_check_at timestamptz NOT NULL DEFAULT now()
);
-- Each organisation's gateway checks and records its own claims.
ALTER TABLE gateway.payment_claims ADD COLUMN IF NOT EXISTS msp_id text NOT NULL DEFAULT '';
ALTER TABLE gateway.payment_claims DROP CONSTRAINT IF EXISTS payment_claims_po_id_chain_id_tx_hash_key;
CREATE UNIQUE INDEX IF NOT EXISTS payment_claims_claim ON gateway.payment_claims (msp_id, po_id, chain_id, tx_hash);
CREATE INDEX IF NOT EXISTS payment_claims_due ON gateway.payment_claims (msp_id, next_check_at) WHERE status = 'pending';
