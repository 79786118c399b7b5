-- Downstream trace (GET /lots/:gtin/:lotCode/trace/downstream) without heap visits:
-- the recursive step reads children of a lot, the final join reads the locations
-- holding stock of each lot (only positive stock, the query's filter).

CREATE INDEX lot_lineage_parent_steps ON lot_lineage (parent_gtin, parent_lot_code)
  INCLUDE (child_gtin, child_lot_code, tx_id, block_number);

CREATE INDEX stock_levels_lot_held ON stock_levels (gtin, lot_code)
  INCLUDE (gln, quantity, tx_id, block_number) WHERE base_units > 0;
