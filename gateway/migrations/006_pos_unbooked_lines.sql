-- POS lines the ledger could not book (too little stock, an unknown product, a recalled lot), kept for replay.
-- One row per till line: its store batch and the line's XPath (POSLog) or field (JSON) identify it.
CREATE TABLE IF NOT EXISTS gateway.pos_unbooked_lines (
  batch_id text NOT NULL,
  line_path text NOT NULL,
  msp_id text NOT NULL,
  store_gln text NOT NULL,
  receipt_id text NOT NULL,
  merkle_root text NOT NULL,
  gtin text NOT NULL,
  lot_code text,
  kind text NOT NULL CHECK (kind IN ('sale', 'return')),
  quantity text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'booked')),
  attempts integer NOT NULL DEFAULT 1,
  -- The ledger's last refusal: {code, message, field} with field in the document's own terms.
  error jsonb NOT NULL,
  tx_id text,
  received_at timestamptz NOT NULL DEFAULT now(),
  booked_at timestamptz,
  PRIMARY KEY (batch_id, line_path)
);
CREATE INDEX IF NOT EXISTS pos_unbooked_lines_pending ON gateway.pos_unbooked_lines (msp_id, store_gln, received_at) WHERE status = 'pending';
