-- Who may read each EPCIS event, one row per organisation and event: the member that captured it and
-- the owners of the locations it names (business location, read point), as the rule of
-- indexer/src/query/epcis/event-visibility.ts says. A scoped page walks its organisation's rows in event
-- order (the primary key) instead of testing every event it passes.
--
-- Kept by statement-level triggers on epcis_events and warehouses. Both tables are written by the
-- connection that holds the batch's checkpoint lock (project-block.ts: epcis_events is not one of the
-- tables a bulk load writes on its second connection), so these rows are only ever written by one open
-- transaction at a time: an insert never waits on another transaction's uncommitted grant, and every
-- trigger sees the locations and events of its own batch.
CREATE TABLE epcis_event_readers (
  org          text NOT NULL,
  block_number bigint NOT NULL,
  tx_index     integer NOT NULL,
  seq          integer NOT NULL,
  PRIMARY KEY (org, block_number, tx_index, seq)
);

-- New events: their capturer and the owners of the locations they name.
CREATE FUNCTION epcis_event_readers_of_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO epcis_event_readers (org, block_number, tx_index, seq)
  SELECT e.capturer_msp, e.block_number, e.tx_index, e.seq FROM new_events e WHERE e.capturer_msp IS NOT NULL
  UNION
  SELECT w.owner_msp, e.block_number, e.tx_index, e.seq
    FROM new_events e CROSS JOIN LATERAL unnest(e.location_glns) g(gln) JOIN warehouses w ON w.gln = g.gln
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

-- Events removed, or changed (their grants are computed again from the new rows).
CREATE FUNCTION epcis_event_readers_drop_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM epcis_event_readers r USING old_events o
   WHERE r.block_number = o.block_number AND r.tx_index = o.tx_index AND r.seq = o.seq;
  RETURN NULL;
END $$;

CREATE TRIGGER epcis_events_readers_insert AFTER INSERT ON epcis_events REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION epcis_event_readers_of_events();
CREATE TRIGGER epcis_events_readers_delete AFTER DELETE ON epcis_events REFERENCING OLD TABLE AS old_events
  FOR EACH STATEMENT EXECUTE FUNCTION epcis_event_readers_drop_events();
CREATE TRIGGER epcis_events_readers_update_old AFTER UPDATE ON epcis_events REFERENCING OLD TABLE AS old_events
  FOR EACH STATEMENT EXECUTE FUNCTION epcis_event_readers_drop_events();
-- Named to fire after the one above (same event: triggers fire in name order).
CREATE TRIGGER epcis_events_readers_update_zz_new AFTER UPDATE ON epcis_events REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION epcis_event_readers_of_events();

-- Locations: the owner of a location registered after events named it reads those events from then on;
-- the former owner of a location handed over (or removed) keeps only the events it captured or that
-- name another location it owns.
CREATE FUNCTION epcis_event_readers_of_locations() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  owners text[];
  glns text[];
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM epcis_event_readers r
     USING (SELECT o.gln, o.owner_msp FROM old_sites o
             WHERE NOT EXISTS (SELECT 1 FROM warehouses w WHERE w.gln = o.gln AND w.owner_msp = o.owner_msp)) gone,
           epcis_events e
     WHERE e.location_glns @> ARRAY[gone.gln]
       AND r.org = gone.owner_msp AND r.block_number = e.block_number AND r.tx_index = e.tx_index AND r.seq = e.seq
       AND e.capturer_msp IS DISTINCT FROM gone.owner_msp
       AND NOT EXISTS (SELECT 1 FROM warehouses w WHERE w.gln = ANY (e.location_glns) AND w.owner_msp = gone.owner_msp);
  END IF;
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(n.gln), array_agg(n.owner_msp) INTO glns, owners FROM new_sites n;
  ELSIF TG_OP = 'UPDATE' THEN
    -- Rows written again with the same owner change no grant.
    SELECT array_agg(n.gln), array_agg(n.owner_msp) INTO glns, owners
      FROM new_sites n JOIN old_sites o ON o.gln = n.gln WHERE o.owner_msp IS DISTINCT FROM n.owner_msp;
  END IF;
  IF glns IS NOT NULL THEN
    -- One pass over the events naming any of these locations (the GIN index on location_glns when it is there).
    INSERT INTO epcis_event_readers (org, block_number, tx_index, seq)
    SELECT DISTINCT s.owner_msp, e.block_number, e.tx_index, e.seq
      FROM epcis_events e CROSS JOIN LATERAL unnest(e.location_glns) g(gln)
      JOIN unnest(glns, owners) AS s(gln, owner_msp) ON s.gln = g.gln
     WHERE e.location_glns && glns AND s.owner_msp IS NOT NULL
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER warehouses_epcis_readers_insert AFTER INSERT ON warehouses REFERENCING NEW TABLE AS new_sites
  FOR EACH STATEMENT EXECUTE FUNCTION epcis_event_readers_of_locations();
CREATE TRIGGER warehouses_epcis_readers_update AFTER UPDATE ON warehouses REFERENCING OLD TABLE AS old_sites NEW TABLE AS new_sites
  FOR EACH STATEMENT EXECUTE FUNCTION epcis_event_readers_of_locations();
CREATE TRIGGER warehouses_epcis_readers_delete AFTER DELETE ON warehouses REFERENCING OLD TABLE AS old_sites
  FOR EACH STATEMENT EXECUTE FUNCTION epcis_event_readers_of_locations();

-- The grants of the events and locations already stored.
INSERT INTO epcis_event_readers (org, block_number, tx_index, seq)
SELECT e.capturer_msp, e.block_number, e.tx_index, e.seq FROM epcis_events e WHERE e.capturer_msp IS NOT NULL
UNION
SELECT w.owner_msp, e.block_number, e.tx_index, e.seq
  FROM epcis_events e CROSS JOIN LATERAL unnest(e.location_glns) g(gln) JOIN warehouses w ON w.gln = g.gln;
