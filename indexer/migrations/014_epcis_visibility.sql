-- Who may see an EPCIS event: the member that captured it (the transaction's creator) and the
-- owners of the locations it names (business location and read point, as GLNs). Rows projected
-- before this migration get their capturer from the transaction; their locations are filled by
-- `npm run indexer -- rebuild`.
ALTER TABLE epcis_events ADD COLUMN capturer_msp text;
ALTER TABLE epcis_events ADD COLUMN location_glns text[] NOT NULL DEFAULT '{}';
UPDATE epcis_events e SET capturer_msp = t.creator_msp FROM transactions t WHERE t.tx_id = e.tx_id AND e.capturer_msp IS NULL;
CREATE INDEX epcis_events_capturer ON epcis_events (capturer_msp, block_number, tx_index, seq);
CREATE INDEX epcis_events_location_glns ON epcis_events USING gin (location_glns);
-- A subscription delivers what its creator may see, decided per event at delivery: the events of
-- organisation scope_org, or every event when it is NULL (an auditor's; and subscriptions made
-- before this migration, which keep delivering what they did).
ALTER TABLE epcis_subscriptions ADD COLUMN scope_org text;
