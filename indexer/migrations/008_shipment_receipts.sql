-- A shipment may be dispatched per goods-issue item and received in several
-- receipts, each at its own location; a final receipt closes it.
ALTER TABLE shipment_lines ADD COLUMN dispatched numeric(24, 3);
ALTER TABLE shipments ADD COLUMN receipt_count integer NOT NULL DEFAULT 0;
ALTER TABLE shipments ADD COLUMN closed_at timestamptz;

CREATE TABLE shipment_receipts (
  shipment_id   text NOT NULL REFERENCES shipments (shipment_id),
  receipt_no    integer NOT NULL,
  gln           text NOT NULL,
  event_id      text NOT NULL,
  closed        boolean NOT NULL,
  lines         jsonb NOT NULL,
  discrepancies jsonb NOT NULL,
  received_at   timestamptz NOT NULL,
  tx_id         text NOT NULL,
  block_number  bigint NOT NULL,
  PRIMARY KEY (shipment_id, receipt_no)
);
CREATE INDEX shipment_receipts_gln ON shipment_receipts (gln);
