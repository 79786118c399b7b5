-- EPCIS named queries and webhook subscriptions (indexer/src/query/epcis/subscriptions.ts). A subscription's
-- position is the last event delivered, in record order (block, transaction, event).
CREATE TABLE epcis_named_queries (
  name        text PRIMARY KEY,
  query       jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE epcis_subscriptions (
  id               uuid PRIMARY KEY,
  query_name       text NOT NULL REFERENCES epcis_named_queries (name),
  dest             text NOT NULL,
  signature_token  text,
  after_block      bigint NOT NULL,
  after_tx         integer NOT NULL,
  after_seq        integer NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  delivered        bigint NOT NULL DEFAULT 0,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now()
);
