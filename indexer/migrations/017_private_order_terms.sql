-- Purchase orders and payments written since their commercial terms became
-- private data of the buyer and the supplier carry no amounts, assets or
-- addresses on the channel: those columns are filled only from records that
-- still have them. An order keeps the hash of its private terms, when they may
-- be purged, and when they were. An indexer whose organisation is a party
-- fills the amounts from its own peer's private copy (order-terms.ts) and
-- notes the payment count it read them at.
ALTER TABLE purchase_orders
  ALTER COLUMN chain_id DROP NOT NULL,
  ALTER COLUMN asset DROP NOT NULL,
  ALTER COLUMN amount_base_units DROP NOT NULL,
  ALTER COLUMN paid_base_units DROP NOT NULL,
  ADD COLUMN terms_hash text,
  ADD COLUMN terms_retain_until timestamptz,
  ADD COLUMN terms_purged_at timestamptz,
  ADD COLUMN terms_read_payment_count integer;

ALTER TABLE payments
  ALTER COLUMN asset DROP NOT NULL,
  ALTER COLUMN payer DROP NOT NULL,
  ALTER COLUMN payee DROP NOT NULL,
  ALTER COLUMN amount_base_units DROP NOT NULL;
