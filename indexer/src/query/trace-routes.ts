/**
 * Provenance queries: lot detail, shipment detail with its custody chain, and
 * recursive traces upstream (to the origins) and downstream (to every location
 * holding stock) of a lot. Every step carries the tx_id and block_number that
 * established it.
 */
import { Router } from 'express';
import type { Pool } from 'pg';
import { badRequest, notFound } from './http-errors';
import { LOT_CODE } from '../../../lib/domain/src';

const GTIN = /^\d{14}$/;
const LOT = LOT_CODE;

function lotParams(p: Record<string, string>): [string, string] {
  if (!GTIN.test(p.gtin)) throw badRequest('gtin must have 14 digits', 'gtin');
  if (!LOT.test(p.lotCode)) throw badRequest('lotCode is malformed', 'lotCode');
  return [p.gtin, p.lotCode];
}

/** Ancestors of a lot, nearest first; a path array stops cycles. */
export const UPSTREAM_SQL = `
WITH RECURSIVE up AS (
  SELECT parent_gtin AS gtin, parent_lot_code AS lot_code, child_gtin, child_lot_code, tx_id, block_number, 1 AS depth,
         ARRAY[child_gtin || '/' || child_lot_code, parent_gtin || '/' || parent_lot_code] AS path
    FROM lot_lineage WHERE child_gtin = $1 AND child_lot_code = $2
  UNION ALL
  SELECT l.parent_gtin, l.parent_lot_code, l.child_gtin, l.child_lot_code, l.tx_id, l.block_number, up.depth + 1,
         up.path || (l.parent_gtin || '/' || l.parent_lot_code)
    FROM lot_lineage l JOIN up ON l.child_gtin = up.gtin AND l.child_lot_code = up.lot_code
   WHERE NOT (l.parent_gtin || '/' || l.parent_lot_code) = ANY (up.path) AND up.depth < 64
)
SELECT up.gtin, up.lot_code, up.child_gtin, up.child_lot_code, up.depth, up.tx_id, up.block_number,
       lots.origin, lots.commissioned_gln, lots.commissioned_at, lots.status,
       NOT EXISTS (SELECT 1 FROM lot_lineage p WHERE p.child_gtin = up.gtin AND p.child_lot_code = up.lot_code) AS is_origin
  FROM up LEFT JOIN lots ON lots.gtin = up.gtin AND lots.lot_code = up.lot_code
 ORDER BY up.depth, up.gtin, up.lot_code`;

/** The lot and its descendants, then every location holding stock of any of them. */
export const DOWNSTREAM_SQL = `
WITH RECURSIVE down AS (
  SELECT $1::text AS gtin, $2::text AS lot_code, NULL::text AS parent_gtin, NULL::text AS parent_lot_code, NULL::text AS tx_id,
         NULL::bigint AS block_number, 0 AS depth, ARRAY[$1::text || '/' || $2::text] AS path
  UNION ALL
  SELECT l.child_gtin, l.child_lot_code, l.parent_gtin, l.parent_lot_code, l.tx_id, l.block_number, down.depth + 1,
         down.path || (l.child_gtin || '/' || l.child_lot_code)
    FROM lot_lineage l JOIN down ON l.parent_gtin = down.gtin AND l.parent_lot_code = down.lot_code
   WHERE NOT (l.child_gtin || '/' || l.child_lot_code) = ANY (down.path) AND down.depth < 64
)
SELECT down.gtin, down.lot_code, down.parent_gtin, down.parent_lot_code, down.depth, down.tx_id, down.block_number,
       s.gln, w.name AS location_name, s.quantity, s.tx_id AS stock_tx_id, s.block_number AS stock_block_number
  FROM down
  LEFT JOIN stock_levels s ON s.gtin = down.gtin AND s.lot_code = down.lot_code AND s.base_units > 0
  LEFT JOIN warehouses w ON w.gln = s.gln
 ORDER BY down.depth, down.gtin, down.lot_code, s.gln`;

export function traceRoutes(pool: Pool): Router {
  const r = Router();

  r.get('/lots/:gtin/:lotCode', async (req, res) => {
    const [gtin, lotCode] = lotParams(req.params);
    const lot = await pool.query('SELECT * FROM lots WHERE gtin = $1 AND lot_code = $2', [gtin, lotCode]);
    if (lot.rowCount === 0) throw notFound(`lot ${gtin}/${lotCode}`);
    const [positions, parents, children, inTransit] = await Promise.all([
      pool.query('SELECT gln, quantity, base_units, tx_id, block_number FROM stock_levels WHERE gtin = $1 AND lot_code = $2 AND base_units > 0 ORDER BY gln', [
        gtin,
        lotCode,
      ]),
      pool.query(
        'SELECT parent_gtin AS gtin, parent_lot_code AS lot_code, tx_id, block_number FROM lot_lineage WHERE child_gtin = $1 AND child_lot_code = $2',
        [gtin, lotCode],
      ),
      pool.query(
        'SELECT child_gtin AS gtin, child_lot_code AS lot_code, tx_id, block_number FROM lot_lineage WHERE parent_gtin = $1 AND parent_lot_code = $2',
        [gtin, lotCode],
      ),
      pool.query('SELECT shipment_id, quantity, tx_id, block_number FROM transit_levels WHERE gtin = $1 AND lot_code = $2 AND base_units > 0', [gtin, lotCode]),
    ]);
    res.json({ lot: lot.rows[0], positions: positions.rows, inTransit: inTransit.rows, parents: parents.rows, children: children.rows });
  });

  r.get('/lots/:gtin/:lotCode/trace/upstream', async (req, res) => {
    const [gtin, lotCode] = lotParams(req.params);
    const steps = (await pool.query(UPSTREAM_SQL, [gtin, lotCode])).rows;
    res.json({ lot: { gtin, lotCode }, steps, origins: steps.filter((s) => s.is_origin) });
  });

  r.get('/lots/:gtin/:lotCode/trace/downstream', async (req, res) => {
    const [gtin, lotCode] = lotParams(req.params);
    const rows = (await pool.query(DOWNSTREAM_SQL, [gtin, lotCode])).rows;
    const lots = new Map<string, Record<string, unknown>>();
    const holdings = [];
    for (const row of rows) {
      const k = `${row.gtin}/${row.lot_code}/${row.parent_gtin}/${row.parent_lot_code}`;
      if (!lots.has(k)) {
        lots.set(k, {
          gtin: row.gtin,
          lot_code: row.lot_code,
          parent_gtin: row.parent_gtin,
          parent_lot_code: row.parent_lot_code,
          depth: row.depth,
          tx_id: row.tx_id,
          block_number: row.block_number,
        });
      }
      if (row.gln)
        holdings.push({
          gtin: row.gtin,
          lot_code: row.lot_code,
          gln: row.gln,
          location_name: row.location_name,
          quantity: row.quantity,
          tx_id: row.stock_tx_id,
          block_number: row.stock_block_number,
        });
    }
    res.json({ lot: { gtin, lotCode }, steps: [...lots.values()], holdings });
  });

  r.get('/shipments/:shipmentId', async (req, res) => {
    const id = req.params.shipmentId;
    if (!/^[\w.:-]{1,128}$/.test(id)) throw badRequest('shipmentId is malformed', 'shipmentId');
    const shipment = await pool.query('SELECT * FROM shipments WHERE shipment_id = $1', [id]);
    if (shipment.rowCount === 0) throw notFound(`shipment ${id}`);
    const [lines, custody, inTransit] = await Promise.all([
      pool.query('SELECT * FROM shipment_lines WHERE shipment_id = $1 ORDER BY line_no', [id]),
      pool.query('SELECT * FROM custody_events WHERE shipment_id = $1 ORDER BY block_number, tx_index', [id]),
      pool.query('SELECT gtin, lot_code, quantity, tx_id, block_number FROM transit_levels WHERE shipment_id = $1 AND base_units > 0', [id]),
    ]);
    res.json({ shipment: shipment.rows[0], lines: lines.rows, custodyChain: custody.rows, inTransit: inTransit.rows });
  });

  return r;
}
