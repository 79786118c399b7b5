-- Views for inventory services.

CREATE VIEW v_current_inventory AS
SELECT s.gln, w.name AS location_name, w.location_type, w.owner_msp,
       s.gtin, i.description, i.unit, s.lot_code, l.status AS lot_status,
       s.quantity, s.base_units, s.tx_id, s.block_number
FROM stock_levels s
LEFT JOIN warehouses w ON w.gln = s.gln
LEFT JOIN inventory_items i ON i.gtin = s.gtin
LEFT JOIN lots l ON l.gtin = s.gtin AND l.lot_code = s.lot_code
WHERE s.base_units > 0;

-- Stock per location and product (all lots) at or below its reorder point.
CREATE VIEW v_low_stock_items AS
SELECT r.gln, w.name AS location_name, r.gtin, i.description,
       COALESCE(sum(s.quantity), 0)::numeric(24, 3) AS quantity,
       r.reorder_point,
       max(s.block_number) AS block_number
FROM reorder_points r
LEFT JOIN warehouses w ON w.gln = r.gln
LEFT JOIN inventory_items i ON i.gtin = r.gtin
LEFT JOIN stock_levels s ON s.gln = r.gln AND s.gtin = r.gtin
GROUP BY r.gln, w.name, r.gtin, i.description, r.reorder_point
HAVING COALESCE(sum(s.quantity), 0) <= r.reorder_point;

-- Orders not fully paid, and shipments not yet received.
CREATE VIEW v_pending_orders AS
SELECT 'purchase_order'::text AS kind, po_id AS id, status, buyer_msp AS party_a, supplier_msp AS party_b,
       amount_base_units - paid_base_units AS outstanding_base_units, created_at, tx_id, block_number
FROM purchase_orders WHERE status IN ('open', 'partial')
UNION ALL
SELECT 'shipment', shipment_id, status, sender_msp, receiver_msp, NULL, created_at, tx_id, block_number
FROM shipments WHERE status <> 'received';
