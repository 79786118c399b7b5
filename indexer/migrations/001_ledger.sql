-- The ledger as committed: every block and every transaction (valid or not), the
-- indexer's checkpoint and its transactional outbox.

CREATE TABLE blocks (
  block_number   bigint PRIMARY KEY,
  header_hash    bytea NOT NULL,
  previous_hash  bytea NOT NULL,
  data_hash      bytea NOT NULL,
  tx_count       integer NOT NULL,
  -- Wall-clock time of indexing: the only non-deterministic column (rebuild comparisons skip it).
  indexed_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE transactions (
  tx_id            text NOT NULL,
  block_number     bigint NOT NULL REFERENCES blocks (block_number),
  tx_index         integer NOT NULL,
  validation_code  text NOT NULL,
  tx_type          text NOT NULL,
  creator_msp      text NOT NULL,
  endorser_msps    text[] NOT NULL,
  chaincode_id     text,
  fn               text,
  event_id         text,
  -- True when the transaction is valid and its TraceEvents payload was projected.
  projected        boolean NOT NULL,
  replay_of_tx_id  text,
  tx_time          timestamptz,
  PRIMARY KEY (block_number, tx_index)
);
-- A tx id may appear twice in the ledger (a duplicate submission is committed as DUPLICATE_TXID).
CREATE INDEX transactions_tx_id ON transactions (tx_id);
CREATE INDEX transactions_event_id ON transactions (event_id) WHERE event_id IS NOT NULL;

-- One row: the last block whose effects are fully committed here. Its header hash is
-- read from `blocks`, so a tampered stored block breaks the chain check of the next one.
CREATE TABLE checkpoint (
  id            boolean PRIMARY KEY DEFAULT true CHECK (id),
  block_number  bigint NOT NULL REFERENCES blocks (block_number)
);

CREATE TABLE outbox (
  id            bigserial PRIMARY KEY,
  -- CloudEvents id: stable across rebuilds and restarts, so consumers can de-duplicate.
  event_id      text NOT NULL UNIQUE,
  topic         text NOT NULL,
  message_key   text NOT NULL,
  ce_type       text NOT NULL,
  ce_subject    text NOT NULL,
  ce_time       timestamptz NOT NULL,
  payload       jsonb NOT NULL,
  tx_id         text NOT NULL,
  block_number  bigint NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  published_at  timestamptz
);
CREATE INDEX outbox_pending ON outbox (id) WHERE published_at IS NULL;
