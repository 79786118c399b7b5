-- POS store batches waiting for, or carried by, a region roll-up (RecordRegionSales).
-- One row per store batch; the batch id is derived from the content, so a resent upload finds its row.
CREATE TABLE IF NOT EXISTS gateway.pos_store_batches (
  batch_id text PRIMARY KEY,
  msp_id text NOT NULL,
  store_gln text NOT NULL,
  region text NOT NULL,
  merkle_root text NOT NULL,
  receipt_count integer NOT NULL,
  lines jsonb NOT NULL,
  -- RecordSales field -> the source element behind it (POSLog path or JSON receipt field), for refusals.
  fields jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'committed', 'refused')),
  received_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz,
  rollup_id text,
  region_root text,
  -- The store batch's inclusion proof in its region root.
  region_proof jsonb,
  tx_id text,
  block_number bigint,
  finished_at timestamptz,
  error jsonb
);
CREATE INDEX IF NOT EXISTS pos_store_batches_pending ON gateway.pos_store_batches (msp_id, received_at) WHERE status = 'pending';
