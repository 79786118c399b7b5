-- The read model, in the inventory domain's names. Every projected row carries the
-- tx_id and block_number of the transaction that last wrote it.

-- Parties, by the organisation that owns their locations (first seen).
CREATE TABLE suppliers (
  msp_id        text PRIMARY KEY,
  tx_id         text NOT NULL,
  block_number  bigint NOT NULL
);

CREATE TABLE warehouses (
  gln           text PRIMARY KEY,
  name          text NOT NULL,
  location_type text NOT NULL,
  owner_msp     text NOT NULL,
  party_gln     text,
  sgln          text NOT NULL,
  address       jsonb NOT NULL,
  tx_id         text NOT NULL,
  block_number  bigint NOT NULL
);

CREATE TABLE inventory_items (
  gtin          text PRIMARY KEY,
  description   text NOT NULL,
  unit          text NOT NULL,
  category      text,
  registered_by text NOT NULL,
  tx_id         text NOT NULL,
  block_number  bigint NOT NULL
);

CREATE TABLE lots (
  gtin             text NOT NULL,
  lot_code         text NOT NULL,
  epc_class        text NOT NULL,
  status           text NOT NULL,
  origin           jsonb,
  production_date  text,
  expiry_date      text,
  best_before_date text,
  certificates     text[] NOT NULL,
  recall_ids       text[] NOT NULL,
  commissioned_at  timestamptz NOT NULL,
  commissioned_by  text NOT NULL,
  commissioned_gln text NOT NULL,
  tx_id            text NOT NULL,
  block_number     bigint NOT NULL,
  PRIMARY KEY (gtin, lot_code)
);

CREATE TABLE lot_lineage (
  parent_gtin     text NOT NULL,
  parent_lot_code text NOT NULL,
  child_gtin      text NOT NULL,
  child_lot_code  text NOT NULL,
  tx_id           text NOT NULL,
  block_number    bigint NOT NULL,
  PRIMARY KEY (parent_gtin, parent_lot_code, child_gtin, child_lot_code)
);
CREATE INDEX lot_lineage_child ON lot_lineage (child_gtin, child_lot_code);

-- On-hand balance per location and lot, as of the last movement.
CREATE TABLE stock_levels (
  gln           text NOT NULL,
  gtin          text NOT NULL,
  lot_code      text NOT NULL,
  quantity      numeric(24, 3) NOT NULL,
  base_units    bigint NOT NULL,
  tx_id         text NOT NULL,
  block_number  bigint NOT NULL,
  PRIMARY KEY (gln, gtin, lot_code)
);
CREATE INDEX stock_levels_lot ON stock_levels (gtin, lot_code);

-- Balance per shipment and lot while goods are in transit.
CREATE TABLE transit_levels (
  shipment_id   text NOT NULL,
  gtin          text NOT NULL,
  lot_code      text NOT NULL,
  quantity      numeric(24, 3) NOT NULL,
  base_units    bigint NOT NULL,
  tx_id         text NOT NULL,
  block_number  bigint NOT NULL,
  PRIMARY KEY (shipment_id, gtin, lot_code)
);

-- Every signed change to a position; partitioned by month of the event time
-- (partitions are created by the indexer as months appear).
CREATE TABLE stock_movements (
  movement_id     text NOT NULL,
  event_time      timestamptz NOT NULL,
  block_number    bigint NOT NULL,
  tx_index        integer NOT NULL,
  seq             integer NOT NULL,
  tx_id           text NOT NULL,
  epcis_event_id  text NOT NULL,
  position        text NOT NULL CHECK (position IN ('on_hand', 'in_transit')),
  gln             text,
  shipment_id     text,
  gtin            text NOT NULL,
  lot_code        text NOT NULL,
  delta           numeric(24, 3) NOT NULL,
  delta_base_units bigint NOT NULL,
  balance         numeric(24, 3) NOT NULL,
  balance_base_units bigint NOT NULL,
  biz_step        text NOT NULL,
  disposition     text,
  PRIMARY KEY (movement_id, event_time)
) PARTITION BY RANGE (event_time);
CREATE INDEX stock_movements_order ON stock_movements (block_number, tx_index, seq);
CREATE INDEX stock_movements_lot ON stock_movements (gtin, lot_code, block_number, tx_index, seq);
CREATE INDEX stock_movements_gln ON stock_movements (gln, block_number, tx_index, seq);

CREATE TABLE shipments (
  shipment_id     text PRIMARY KEY,
  from_gln        text NOT NULL,
  to_gln          text NOT NULL,
  sender_msp      text NOT NULL,
  receiver_msp    text NOT NULL,
  status          text NOT NULL,
  owner           text NOT NULL,
  possessor       text NOT NULL,
  ownership_transfer text NOT NULL,
  carrier         text,
  po_id           text,
  desadv          text,
  bol             text,
  has_discrepancy boolean NOT NULL,
  created_at      timestamptz NOT NULL,
  dispatched_at   timestamptz,
  received_at     timestamptz,
  tx_id           text NOT NULL,
  block_number    bigint NOT NULL
);

CREATE TABLE shipment_lines (
  shipment_id  text NOT NULL REFERENCES shipments (shipment_id),
  line_no      integer NOT NULL,
  gtin         text NOT NULL,
  lot_code     text NOT NULL,
  quantity     numeric(24, 3) NOT NULL,
  received     numeric(24, 3),
  damaged      numeric(24, 3),
  short        numeric(24, 3),
  over         numeric(24, 3),
  tx_id        text NOT NULL,
  block_number bigint NOT NULL,
  PRIMARY KEY (shipment_id, line_no)
);

-- One row per committed change of a shipment: the custody chain.
CREATE TABLE custody_events (
  shipment_id   text NOT NULL,
  tx_id         text NOT NULL,
  block_number  bigint NOT NULL,
  tx_index      integer NOT NULL,
  status        text NOT NULL,
  owner         text NOT NULL,
  possessor     text NOT NULL,
  from_gln      text NOT NULL,
  to_gln        text NOT NULL,
  submitted_by  text NOT NULL,
  endorsed_by   text[] NOT NULL,
  event_time    timestamptz NOT NULL,
  PRIMARY KEY (shipment_id, tx_id)
);

CREATE TABLE purchase_orders (
  po_id           text PRIMARY KEY,
  buyer_msp       text NOT NULL,
  supplier_msp    text NOT NULL,
  ship_to_gln     text,
  status          text NOT NULL,
  chain_id        bigint NOT NULL,
  asset           text NOT NULL,
  amount_base_units numeric(80, 0) NOT NULL,
  paid_base_units numeric(80, 0) NOT NULL,
  payment_count   integer NOT NULL,
  lines           jsonb NOT NULL,
  due_date        text,
  created_at      timestamptz NOT NULL,
  tx_id           text NOT NULL,
  block_number    bigint NOT NULL
);

CREATE TABLE payments (
  chain_id          bigint NOT NULL,
  tx_hash           text NOT NULL,
  log_index         integer NOT NULL,
  po_id             text NOT NULL,
  asset             text NOT NULL,
  payer             text NOT NULL,
  payee             text NOT NULL,
  amount_base_units numeric(80, 0) NOT NULL,
  evm_block_number  bigint NOT NULL,
  recorded_by       text NOT NULL,
  recorded_at       timestamptz NOT NULL,
  tx_id             text NOT NULL,
  block_number      bigint NOT NULL,
  -- log_index -1 stands for "no log index" (a native transfer), keeping the key non-null.
  PRIMARY KEY (chain_id, tx_hash, log_index)
);

CREATE TABLE recalls (
  recall_id           text PRIMARY KEY,
  reason              text NOT NULL,
  declared_by         text NOT NULL,
  declared_at         timestamptz NOT NULL,
  include_descendants boolean NOT NULL,
  lots                jsonb NOT NULL,
  affected            jsonb NOT NULL,
  tx_id               text NOT NULL,
  block_number        bigint NOT NULL
);

-- EPCIS events as recorded (JSON-LD), including error declarations.
CREATE TABLE trace_events (
  epcis_event_id  text NOT NULL,
  tx_id           text NOT NULL,
  block_number    bigint NOT NULL,
  tx_index        integer NOT NULL,
  seq             integer NOT NULL,
  ledger_event_id text NOT NULL,
  event_type      text NOT NULL,
  event_time      timestamptz NOT NULL,
  biz_step        text,
  disposition     text,
  biz_location    text,
  document        jsonb NOT NULL,
  PRIMARY KEY (tx_id, seq)
);
CREATE INDEX trace_events_id ON trace_events (epcis_event_id);

-- Every other entity the ledger reports (sales batches, attestations, corrections), last version per key.
CREATE TABLE ledger_records (
  record_key    text PRIMARY KEY,
  doc_type      text NOT NULL,
  value         jsonb NOT NULL,
  tx_id         text NOT NULL,
  block_number  bigint NOT NULL
);

-- Set by inventory services (PUT /reorder-points), not by the ledger.
CREATE TABLE reorder_points (
  gln           text NOT NULL,
  gtin          text NOT NULL,
  reorder_point numeric(24, 3) NOT NULL CHECK (reorder_point >= 0),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (gln, gtin)
);
