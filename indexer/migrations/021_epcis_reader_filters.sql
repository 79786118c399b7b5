-- A scoped page of EPCIS events walks its organisation's grants (epcis_event_readers, migration 019). The
-- grants now carry the event's business step, business location, class identifiers and event time, copied
-- from the event when the grant is written, so a page filtered by them reads only the organisation's
-- grants that match, in event order (by the indexes below, or the grants' own rows for the time), instead
-- of every event the organisation's grants are merged with until the page is full.
-- The copies stay equal to the event's: a changed event has its grants written again (019's update
-- triggers), and a grant added for a location is copied from the event it names.
ALTER TABLE epcis_event_readers
  ADD COLUMN biz_step text,
  ADD COLUMN biz_location text,
  ADD COLUMN any_epc_classes text[] NOT NULL DEFAULT '{}',
  ADD COLUMN event_time timestamptz;

UPDATE epcis_event_readers r
   SET biz_step = e.biz_step, biz_location = e.biz_location, any_epc_classes = e.any_epc_classes, event_time = e.event_time
  FROM epcis_events e
 WHERE e.block_number = r.block_number AND e.tx_index = r.tx_index AND e.seq = r.seq;
ALTER TABLE epcis_event_readers ALTER COLUMN event_time SET NOT NULL;

CREATE INDEX epcis_event_readers_biz_step ON epcis_event_readers (org, biz_step, block_number, tx_index, seq);
CREATE INDEX epcis_event_readers_biz_location ON epcis_event_readers (org, biz_location, block_number, tx_index, seq);
-- A class filter finds the organisation's grants naming the class in one search of one posting list: the
-- GIN index is over (organisation, class) keys, the organisation's length first so no two pairs share a key.
CREATE FUNCTION epcis_reader_class_keys(org text, classes text[]) RETURNS text[]
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN ARRAY(SELECT length(org) || ':' || org || c FROM unnest(classes) c);
CREATE INDEX epcis_event_readers_classes ON epcis_event_readers USING gin (epcis_reader_class_keys(org, any_epc_classes));

-- 019's function for events, its grants written with their copies.
CREATE OR REPLACE FUNCTION epcis_event_readers_of_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO epcis_event_readers (org, block_number, tx_index, seq, biz_step, biz_location, any_epc_classes, event_time)
  SELECT e.capturer_msp, e.block_number, e.tx_index, e.seq, e.biz_step, e.biz_location, e.any_epc_classes, e.event_time
    FROM new_events e WHERE e.capturer_msp IS NOT NULL
  UNION
  SELECT w.owner_msp, e.block_number, e.tx_index, e.seq, e.biz_step, e.biz_location, e.any_epc_classes, e.event_time
    FROM new_events e CROSS JOIN LATERAL unnest(e.location_glns) g(gln) JOIN warehouses w ON w.gln = g.gln
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

-- 019's function for locations, its grants written with their copies.
CREATE OR REPLACE FUNCTION epcis_event_readers_of_locations() RETURNS trigger LANGUAGE plpgsql AS $$
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
    INSERT INTO epcis_event_readers (org, block_number, tx_index, seq, biz_step, biz_location, any_epc_classes, event_time)
    SELECT DISTINCT ON (s.owner_msp, e.block_number, e.tx_index, e.seq)
           s.owner_msp, e.block_number, e.tx_index, e.seq, e.biz_step, e.biz_location, e.any_epc_classes, e.event_time
      FROM epcis_events e CROSS JOIN LATERAL unnest(e.location_glns) g(gln)
      JOIN unnest(glns, owners) AS s(gln, owner_msp) ON s.gln = g.gln
     WHERE e.location_glns && glns AND s.owner_msp IS NOT NULL
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
