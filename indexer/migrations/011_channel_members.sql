-- Channel membership as the ledger's config blocks record it: one row per
-- config block, one row per organisation (application or orderer section) in
-- that block's configuration. The configuration in force for a transaction is
-- the one of the latest config block at or before the transaction's block.
CREATE TABLE channel_configs (
  block_number bigint PRIMARY KEY,
  tx_id        text,
  config_time  timestamptz,
  members      text[] NOT NULL
);

CREATE TABLE channel_members (
  block_number bigint NOT NULL,
  msp_id       text   NOT NULL,
  section      text   NOT NULL CHECK (section IN ('application', 'orderer')),
  org_name     text   NOT NULL,
  PRIMARY KEY (block_number, section, msp_id)
);
