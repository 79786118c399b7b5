/**
 * Inventory queries: current stock by location / product / lot, low-stock
 * items and their reorder points, pending orders, and stock movements with
 * cursor pagination.
 */
import { Router } from 'express';
import type { Pool } from 'pg';
import { badRequest, notFound } from './http-errors';
import { requestScope, scopeParam, VISIBLE } from './visibility';
import { LOT_CODE } from '../../../lib/domain/src';

const GLN = /^\d{13}$/;
const GTIN = /^\d{14}$/;
const DECIMAL = /^\d{1,15}(\.\d{1,3})?$/;

function param(v: unknown, re: RegExp, field: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !re.test(v)) throw badRequest(`${field} is malformed`, field);
  return v;
}

function limitOf(v: unknown, max = 1000, fallback = 100): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw badRequest(`limit must be an integer from 1 to ${max}`, 'limit');
  return n;
}

/** Cursor of the movements list: the (block, tx index, seq) of the last row returned. */
export function encodeCursor(row: { block_number: string; tx_index: number; seq: number }): string {
  return Buffer.from(JSON.stringify([row.block_number, row.tx_index, row.seq])).toString('base64url');
}

export function decodeCursor(cursor: string): [string, number, number] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 3 && /^\d+$/.test(String(v[0])) && Number.isInteger(v[1]) && Number.isInteger(v[2])) return [String(v[0]), v[1], v[2]];
  } catch {
    /* falls through */
  }
  throw badRequest('cursor is malformed', 'cursor');
}

export function inventoryRoutes(pool: Pool): Router {
  const r = Router();

  r.get('/inventory', async (req, res) => {
    const gln = param(req.query.gln, GLN, 'gln');
    const gtin = param(req.query.gtin, GTIN, 'gtin');
    const lotCode = param(req.query.lotCode, LOT_CODE, 'lotCode');
    const rows = await pool.query(
      `SELECT * FROM v_current_inventory
        WHERE ($1::text IS NULL OR gln = $1) AND ($2::text IS NULL OR gtin = $2) AND ($3::text IS NULL OR lot_code = $3)
          AND ($5::text IS NULL OR owner_msp = $5)
        ORDER BY gln, gtin, lot_code LIMIT $4`,
      [gln ?? null, gtin ?? null, lotCode ?? null, limitOf(req.query.limit, 10_000, 1000), scopeParam(requestScope(res))],
    );
    const total = rows.rows.reduce((a, x) => a + BigInt(x.base_units), 0n);
    res.json({ items: rows.rows, totalBaseUnits: total.toString() });
  });

  r.get('/inventory/low-stock', async (_req, res) => {
    const rows = await pool.query(`SELECT * FROM v_low_stock_items l WHERE ${VISIBLE.location('l.gln', '$1')} ORDER BY gln, gtin`, [
      scopeParam(requestScope(res)),
    ]);
    res.json({ items: rows.rows });
  });

  r.put('/reorder-points/:gln/:gtin', async (req, res) => {
    const gln = param(req.params.gln, GLN, 'gln')!;
    const gtin = param(req.params.gtin, GTIN, 'gtin')!;
    const point = (req.body as { reorderPoint?: unknown } | undefined)?.reorderPoint;
    if (typeof point !== 'string' || !DECIMAL.test(point)) throw badRequest('reorderPoint must be a decimal string such as "25.000"', 'reorderPoint');
    // Only at a location of the caller's organisation; another's is as absent as one never registered.
    const own = await pool.query(`SELECT 1 WHERE ${VISIBLE.location('$1', '$2')}`, [gln, scopeParam(requestScope(res))]);
    if (own.rowCount === 0) throw notFound(`location ${gln}`);
    const row = await pool.query(
      `INSERT INTO reorder_points (gln, gtin, reorder_point) VALUES ($1, $2, $3)
       ON CONFLICT (gln, gtin) DO UPDATE SET reorder_point = EXCLUDED.reorder_point, updated_at = now()
       RETURNING gln, gtin, reorder_point, updated_at`,
      [gln, gtin, point],
    );
    res.json(row.rows[0]);
  });

  r.get('/orders/pending', async (_req, res) => {
    const org = scopeParam(requestScope(res));
    const rows = await pool.query('SELECT * FROM v_pending_orders WHERE ($1::text IS NULL OR party_a = $1 OR party_b = $1) ORDER BY created_at, id', [org]);
    res.json({ items: rows.rows });
  });

  r.get('/movements', async (req, res) => {
    const gln = param(req.query.gln, GLN, 'gln');
    const gtin = param(req.query.gtin, GTIN, 'gtin');
    const lotCode = param(req.query.lotCode, LOT_CODE, 'lotCode');
    const shipmentId = param(req.query.shipmentId, /^[\w.:-]{1,128}$/, 'shipmentId');
    const limit = limitOf(req.query.limit);
    const after = typeof req.query.cursor === 'string' ? decodeCursor(req.query.cursor) : undefined;
    const rows = await pool.query(
      `SELECT movement_id, event_time, block_number, tx_index, seq, tx_id, epcis_event_id, position, gln, shipment_id, gtin, lot_code,
              delta, balance, biz_step, disposition
         FROM stock_movements m
        WHERE ($1::text IS NULL OR gln = $1) AND ($2::text IS NULL OR gtin = $2) AND ($3::text IS NULL OR lot_code = $3)
          AND ($4::text IS NULL OR shipment_id = $4)
          AND ($5::bigint IS NULL OR (block_number, tx_index, seq) > ($5::bigint, $6::int, $7::int))
          AND (${VISIBLE.location('m.gln', '$9')} OR (m.shipment_id IS NOT NULL AND ${VISIBLE.shipmentId('m.shipment_id', '$9')}))
        ORDER BY block_number, tx_index, seq LIMIT $8`,
      [
        gln ?? null,
        gtin ?? null,
        lotCode ?? null,
        shipmentId ?? null,
        after?.[0] ?? null,
        after?.[1] ?? 0,
        after?.[2] ?? 0,
        limit + 1,
        scopeParam(requestScope(res)),
      ],
    );
    const items = rows.rows.slice(0, limit);
    res.json({ items, nextCursor: rows.rows.length > limit ? encodeCursor(items[items.length - 1]) : null });
  });

  return r;
}
