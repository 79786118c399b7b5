-- The members that commissioned a lot or ever held it at a location they own, kept by triggers on lots,
-- stock movements and locations. The lot rule of the read model (visibility.ts: a lot is visible to its
-- holders and to the holders of every lot made from it) reads this instead of searching each lot's
-- movement history on every read, which grows with the lot's movements.
CREATE TABLE lot_holders (
  gtin     text NOT NULL,
  lot_code text NOT NULL,
  org      text NOT NULL,
  PRIMARY KEY (gtin, lot_code, org)
);

CREATE FUNCTION lot_holders_of_movements() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO lot_holders (gtin, lot_code, org)
  SELECT DISTINCT m.gtin, m.lot_code, w.owner_msp FROM moved m JOIN warehouses w ON w.gln = m.gln
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER stock_movements_lot_holders AFTER INSERT ON stock_movements REFERENCING NEW TABLE AS moved
  FOR EACH STATEMENT EXECUTE FUNCTION lot_holders_of_movements();

CREATE FUNCTION lot_holders_of_lot() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.commissioned_by IS NOT NULL THEN
    INSERT INTO lot_holders (gtin, lot_code, org) VALUES (NEW.gtin, NEW.lot_code, NEW.commissioned_by) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER lots_lot_holders AFTER INSERT OR UPDATE OF commissioned_by ON lots FOR EACH ROW EXECUTE FUNCTION lot_holders_of_lot();

-- A location registered after movements at it, or handed to another member: its owner has held what
-- was moved there (a former owner keeps what it held).
CREATE FUNCTION lot_holders_of_location() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO lot_holders (gtin, lot_code, org)
  SELECT DISTINCT m.gtin, m.lot_code, NEW.owner_msp FROM stock_movements m WHERE m.gln = NEW.gln
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER warehouses_lot_holders_insert AFTER INSERT ON warehouses FOR EACH ROW EXECUTE FUNCTION lot_holders_of_location();
CREATE TRIGGER warehouses_lot_holders_update AFTER UPDATE OF owner_msp ON warehouses FOR EACH ROW
  WHEN (OLD.owner_msp IS DISTINCT FROM NEW.owner_msp) EXECUTE FUNCTION lot_holders_of_location();

INSERT INTO lot_holders (gtin, lot_code, org)
SELECT gtin, lot_code, commissioned_by FROM lots WHERE commissioned_by IS NOT NULL
UNION
SELECT DISTINCT m.gtin, m.lot_code, w.owner_msp FROM stock_movements m JOIN warehouses w ON w.gln = m.gln
ON CONFLICT DO NOTHING;
