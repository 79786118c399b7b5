-- Named queries and subscriptions belong to the organisation that created them (the token's organisation claim)
-- and record the creating user (the token's subject); indexer/src/query/epcis/subscriptions.ts shows and deletes
-- them only for their organisation. Each organisation has a namespace of query names of its own, so a name taken
-- by another organisation is neither refused nor revealed. owner_org '' stands for "no organisation": rows made
-- with a token that names none (and rows from before this migration), visible only to such tokens.
ALTER TABLE epcis_subscriptions DROP CONSTRAINT epcis_subscriptions_query_name_fkey;
ALTER TABLE epcis_named_queries
  ADD COLUMN owner_org   text NOT NULL DEFAULT '',
  ADD COLUMN created_by  text;
ALTER TABLE epcis_named_queries DROP CONSTRAINT epcis_named_queries_pkey, ADD PRIMARY KEY (owner_org, name);
ALTER TABLE epcis_subscriptions
  ADD COLUMN owner_org   text NOT NULL DEFAULT '',
  ADD COLUMN created_by  text;
-- A subscription belongs to its query's organisation; deleting the query deletes its subscriptions.
ALTER TABLE epcis_subscriptions ADD CONSTRAINT epcis_subscriptions_query_fkey
  FOREIGN KEY (owner_org, query_name) REFERENCES epcis_named_queries (owner_org, name) ON DELETE CASCADE;
CREATE INDEX epcis_subscriptions_owner ON epcis_subscriptions (owner_org, query_name);
