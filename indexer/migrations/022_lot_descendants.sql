-- Every lot made from each lot, directly or through other lots: one row per lot and descendant, the
-- transitive closure of lot_lineage. The lot rule of the read model (lot_visible and visible_lots
-- below, applied by indexer/src/query/visibility.ts) reads a lot's descendants here in one index
-- range instead of walking the lineage level by level on every check; it still joins them to
-- lot_sites and to the locations' current owners when applied, so a location handed to another
-- member needs no change here, nor does a movement.
--
-- Kept by a statement-level trigger on lot_lineage, which is append-only (its rows are never updated
-- or deleted) and written only by the connection that holds the batch's checkpoint lock (a bulk load
-- writes it on its main connection, project-block.ts): one open transaction at a time writes these
-- rows, and every trigger sees the whole lineage stored before it, its own batch included.
CREATE TABLE lot_descendants (
  gtin                text NOT NULL,
  lot_code            text NOT NULL,
  descendant_gtin     text NOT NULL,
  descendant_lot_code text NOT NULL,
  PRIMARY KEY (gtin, lot_code, descendant_gtin, descendant_lot_code)
);

-- New edges parent -> child: every ancestor of the parent (the parent included) gains every descendant
-- of the child (the child included). The walks read the whole lineage, so edges of one batch that
-- chain into each other are closed too; UNION stops at a lot already reached (a cycle ends).
CREATE FUNCTION lot_descendants_of_lineage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO lot_descendants (gtin, lot_code, descendant_gtin, descendant_lot_code)
  WITH RECURSIVE up(from_gtin, from_lot_code, gtin, lot_code) AS (
    SELECT DISTINCT a.parent_gtin, a.parent_lot_code, a.parent_gtin, a.parent_lot_code FROM added a
    UNION
    SELECT up.from_gtin, up.from_lot_code, ll.parent_gtin, ll.parent_lot_code
      FROM up JOIN lot_lineage ll ON ll.child_gtin = up.gtin AND ll.child_lot_code = up.lot_code
  ), down(from_gtin, from_lot_code, gtin, lot_code) AS (
    SELECT DISTINCT a.child_gtin, a.child_lot_code, a.child_gtin, a.child_lot_code FROM added a
    UNION
    SELECT down.from_gtin, down.from_lot_code, ll.child_gtin, ll.child_lot_code
      FROM down JOIN lot_lineage ll ON ll.parent_gtin = down.gtin AND ll.parent_lot_code = down.lot_code
  )
  SELECT DISTINCT up.gtin, up.lot_code, down.gtin, down.lot_code
    FROM added a
    JOIN up ON up.from_gtin = a.parent_gtin AND up.from_lot_code = a.parent_lot_code
    JOIN down ON down.from_gtin = a.child_gtin AND down.from_lot_code = a.child_lot_code
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER lot_lineage_descendants AFTER INSERT ON lot_lineage REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION lot_descendants_of_lineage();

-- The lineage already stored.
INSERT INTO lot_descendants (gtin, lot_code, descendant_gtin, descendant_lot_code)
WITH RECURSIVE closure(gtin, lot_code, descendant_gtin, descendant_lot_code) AS (
  SELECT parent_gtin, parent_lot_code, child_gtin, child_lot_code FROM lot_lineage
  UNION
  SELECT c.gtin, c.lot_code, ll.child_gtin, ll.child_lot_code
    FROM closure c JOIN lot_lineage ll ON ll.parent_gtin = c.descendant_gtin AND ll.parent_lot_code = c.descendant_lot_code
)
SELECT gtin, lot_code, descendant_gtin, descendant_lot_code FROM closure;

-- A member's locations and the lots it commissioned, in the order lot_sites and lot_descendants keep
-- theirs, so that visible_lots merges the two ranges (below).
CREATE INDEX warehouses_owner ON warehouses (owner_msp, gln);
CREATE INDEX lots_commissioned_by ON lots (commissioned_by, gtin, lot_code);

-- The lot rule (indexer/src/query/visibility.ts, VISIBLE.lot) for a set of lots and one organisation:
-- the lots of `gtins`/`lot_codes` it may see, because it commissioned or held (moved at a location it
-- owns now) the lot or a lot made from it. A function of its own so that each connection plans its
-- statement once and reuses the plan, for any lots and organisation, instead of planning the rule
-- inside every query that applies it (that planning took longer than running it), and so that a set
-- of lots is tested in one statement. A plan made for any lot cannot know how many sites that lot has,
-- nor how many locations the member owns, so the plan is fixed by the settings below: each lot's sites
-- (lot_sites_lot, by gln) are merged with the member's locations (warehouses_owner, by gln), which ends
-- as soon as either range does or at the first location in both; a lot's descendants (by key) are
-- merged with the lots the member commissioned. The lot itself is tested first, its descendants only
-- when it does not answer; their sites only if the member owns a location, their commissioners only
-- if it commissioned a lot. OFFSET 0 keeps each lot's (or descendant's) test a lookup of its own
-- rather than one join the planner may turn around. STABLE: it reads the snapshot of its caller.
CREATE FUNCTION visible_lots(gtins text[], lot_codes text[], org text) RETURNS TABLE (gtin text, lot_code text)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET enable_bitmapscan = off
SET enable_nestloop = off SET enable_hashjoin = off
AS $$
BEGIN
  IF org IS NULL THEN
    RETURN QUERY SELECT k.g, k.l FROM unnest(gtins, lot_codes) AS k(g, l);
    RETURN;
  END IF;
  RETURN QUERY SELECT k.g, k.l FROM unnest(gtins, lot_codes) AS k(g, l)
   WHERE EXISTS (SELECT 1 FROM lot_sites s JOIN warehouses w ON w.gln = s.gln
                  WHERE s.gtin = k.g AND s.lot_code = k.l AND w.owner_msp = org OFFSET 0)
      OR EXISTS (SELECT 1 FROM lots c WHERE c.gtin = k.g AND c.lot_code = k.l AND c.commissioned_by = org OFFSET 0)
      OR ((SELECT EXISTS (SELECT 1 FROM warehouses w WHERE w.owner_msp = org))
          AND EXISTS (SELECT 1 FROM lot_descendants d WHERE d.gtin = k.g AND d.lot_code = k.l
                        AND EXISTS (SELECT 1 FROM lot_sites s JOIN warehouses w ON w.gln = s.gln
                                     WHERE s.gtin = d.descendant_gtin AND s.lot_code = d.descendant_lot_code AND w.owner_msp = org OFFSET 0)))
      OR ((SELECT EXISTS (SELECT 1 FROM lots c WHERE c.commissioned_by = org))
          AND EXISTS (SELECT 1 FROM lot_descendants d JOIN lots c ON c.gtin = d.descendant_gtin AND c.lot_code = d.descendant_lot_code
                       WHERE d.gtin = k.g AND d.lot_code = k.l AND c.commissioned_by = org OFFSET 0));
END $$;

-- The same rule for one lot, as the predicate of other queries (VISIBLE.lot) and the check of a lot
-- route: in small statements, the lot's own sites first, so that a member that held the lot is
-- answered by one merge, and one that owns no location (or commissioned no lot) is not searched for
-- among the descendants' sites (or commissioners).
CREATE FUNCTION lot_visible(lot_gtin text, lot_lot_code text, org text) RETURNS boolean
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET enable_bitmapscan = off
SET enable_nestloop = off SET enable_hashjoin = off
AS $$
DECLARE
  commissions boolean;
  owns boolean;
BEGIN
  IF org IS NULL THEN
    RETURN true;
  END IF;
  IF EXISTS (SELECT 1 FROM lot_sites s JOIN warehouses w ON w.gln = s.gln
              WHERE s.gtin = lot_gtin AND s.lot_code = lot_lot_code AND w.owner_msp = org) THEN
    RETURN true;
  END IF;
  SELECT EXISTS (SELECT 1 FROM lots c WHERE c.commissioned_by = org), EXISTS (SELECT 1 FROM warehouses w WHERE w.owner_msp = org)
    INTO commissions, owns;
  IF commissions THEN
    IF EXISTS (SELECT 1 FROM lots c WHERE c.gtin = lot_gtin AND c.lot_code = lot_lot_code AND c.commissioned_by = org)
       OR EXISTS (SELECT 1 FROM lot_descendants d JOIN lots c ON c.gtin = d.descendant_gtin AND c.lot_code = d.descendant_lot_code
                   WHERE d.gtin = lot_gtin AND d.lot_code = lot_lot_code AND c.commissioned_by = org) THEN
      RETURN true;
    END IF;
  END IF;
  IF owns THEN
    RETURN EXISTS (SELECT 1 FROM lot_descendants d WHERE d.gtin = lot_gtin AND d.lot_code = lot_lot_code
                     AND EXISTS (SELECT 1 FROM lot_sites s JOIN warehouses w ON w.gln = s.gln
                                  WHERE s.gtin = d.descendant_gtin AND s.lot_code = d.descendant_lot_code AND w.owner_msp = org OFFSET 0));
  END IF;
  RETURN false;
END $$;
