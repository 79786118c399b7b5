-- Scheduled EPCIS subscriptions (indexer/src/query/epcis/subscriptions.ts). A scheduled subscription reports
-- the events recorded since its last report each time its schedule fires (next_run_at). A report, once due,
-- is fixed by the position of the newest event at that time (report_*): retries after a failed delivery send
-- the same events again, so delivery is at least once and a restart resumes the pending report.
ALTER TABLE epcis_subscriptions
  ADD COLUMN schedule          jsonb,
  ADD COLUMN report_if_empty   boolean NOT NULL DEFAULT false,
  ADD COLUMN next_run_at       timestamptz,
  ADD COLUMN report_id         uuid,
  ADD COLUMN report_block      bigint,
  ADD COLUMN report_tx         integer,
  ADD COLUMN report_seq        integer,
  ADD COLUMN report_sent       boolean NOT NULL DEFAULT false,
  ADD COLUMN initial_record_time timestamptz,
  ADD COLUMN last_notified_at  timestamptz;
-- Deleting a named query deletes its subscriptions.
ALTER TABLE epcis_subscriptions DROP CONSTRAINT epcis_subscriptions_query_name_fkey,
  ADD CONSTRAINT epcis_subscriptions_query_name_fkey FOREIGN KEY (query_name) REFERENCES epcis_named_queries (name) ON DELETE CASCADE;
