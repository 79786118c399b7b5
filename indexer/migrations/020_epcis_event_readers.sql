-- Who may read each EPCIS event, one row per organisation and event: the member that captured it and
-- the owners of the locations it names (business location, read point). Kept by triggers, so every
-- path that writes events or locations keeps it right. A scoped query walks an organisation's rows in
-- event order instead of testing every event it passes, so a page costs about what it costs unscoped.
CREATE TABLE epcis_event_readers (
  org          text NOT NULL,
  block_number bigint NOT NULL,
  tx_index     integer NOT NULL,
  seq          integer NOT NULL,
  PRIMARY KEY (org, block_number, tx_index, seq)
);

CREATE FUNCTION epcis_event_readers_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO epcis_event_readers (org, block_number, tx_index, seq)
  SELECT r.org, NEW.block_number, NEW.tx_index, NEW.seq
    FROM (SELECT NEW.capturer_msp AS org UNION SELECT w.owner_msp FROM warehouses w WHERE w.gln = ANY (NEW.location_glns)) r
   WHERE r.org IS NOT NULL
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE FUNCTION epcis_event_readers_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM epcis_event_readers r
   WHERE r.block_number = OLD.block_number AND r.tx_index = OLD.tx_index AND r.seq = OLD.seq;
  RETURN NULL;
END $$;

CREATE TRIGGER epcis_events_readers_add AFTER INSERT ON epcis_events FOR EACH ROW EXECUTE FUNCTION epcis_event_readers_add();
CREATE TRIGGER epcis_events_readers_remove AFTER DELETE ON epcis_events FOR EACH ROW EXECUTE FUNCTION epcis_event_readers_remove();

-- A location registered after events named it, or handed to another member: its owner reads those
-- events from then on; a former owner keeps only what it captured or sees through another location.
CREATE FUNCTION epcis_event_readers_of_location() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM epcis_event_readers r USING epcis_events e
     WHERE r.org = OLD.owner_msp AND e.location_glns @> ARRAY[OLD.gln]
       AND e.block_number = r.block_number AND e.tx_index = r.tx_index AND e.seq = r.seq
       AND e.capturer_msp IS DISTINCT FROM OLD.owner_msp
       AND NOT EXISTS (SELECT 1 FROM warehouses w WHERE w.gln = ANY (e.location_glns) AND w.gln <> OLD.gln AND w.owner_msp = OLD.owner_msp);
  END IF;
  INSERT INTO epcis_event_readers (org, block_number, tx_index, seq)
  SELECT NEW.owner_msp, e.block_number, e.tx_index, e.seq FROM epcis_events e WHERE e.location_glns @> ARRAY[NEW.gln]
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER warehouses_epcis_readers_insert AFTER INSERT ON warehouses FOR EACH ROW EXECUTE FUNCTION epcis_event_readers_of_location();
CREATE TRIGGER warehouses_epcis_readers_update AFTER UPDATE OF owner_msp ON warehouses FOR EACH ROW
  WHEN (OLD.owner_msp IS DISTINCT FROM NEW.owner_msp) EXECUTE FUNCTION epcis_event_readers_of_location();

INSERT INTO epcis_event_readers (org, block_number, tx_index, seq)
SELECT e.capturer_msp, e.block_number, e.tx_index, e.seq FROM epcis_events e WHERE e.capturer_msp IS NOT NULL
UNION
SELECT w.owner_msp, e.block_number, e.tx_index, e.seq FROM epcis_events e JOIN warehouses w ON w.gln = ANY (e.location_glns)
ON CONFLICT DO NOTHING;
