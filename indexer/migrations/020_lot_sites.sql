-- The locations each lot ever moved at, one row per lot and location: what the lot rule of the read
-- model (indexer/src/query/visibility.ts) joins to the locations' owners, instead of searching each
-- lot's movement history, which grows with the lot's movements. The owner is read from warehouses
-- when the rule is applied, so a location handed to another member needs no change here.
--
-- Kept by a statement-level trigger on stock_movements: rows are derived from the movements alone, by
-- whichever connection writes them (a bulk load's second connection, see project-block.ts). There is
-- no unique key: an insert never waits on another transaction's uncommitted row, and the rule reads
-- with EXISTS, which a duplicate (two transactions adding the same pair at once) does not change.
CREATE TABLE lot_sites (
  gtin     text NOT NULL,
  lot_code text NOT NULL,
  gln      text NOT NULL
);
-- Kept during a bulk load (indexer/src/db/bulk-load.ts): the trigger looks it up on every insert.
CREATE INDEX lot_sites_lot ON lot_sites (gtin, lot_code, gln);

CREATE FUNCTION lot_sites_of_movements() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO lot_sites (gtin, lot_code, gln)
  SELECT DISTINCT m.gtin, m.lot_code, m.gln FROM moved m
   WHERE m.gln IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM lot_sites s WHERE s.gtin = m.gtin AND s.lot_code = m.lot_code AND s.gln = m.gln);
  RETURN NULL;
END $$;

CREATE TRIGGER stock_movements_lot_sites AFTER INSERT ON stock_movements REFERENCING NEW TABLE AS moved
  FOR EACH STATEMENT EXECUTE FUNCTION lot_sites_of_movements();

-- The sites of the movements already stored.
INSERT INTO lot_sites (gtin, lot_code, gln)
SELECT DISTINCT gtin, lot_code, gln FROM stock_movements WHERE gln IS NOT NULL;
