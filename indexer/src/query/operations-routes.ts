/**
 * Lists for the web console's operations and recall views, and its search box:
 *
 *   GET /shipments?status=dispatched|created|received&limit=     shipments with lines and discrepancies
 *   GET /purchase-orders?limit=                                  orders with payment status and each payment's ledger transaction
 *   GET /recalls?limit=                                          declared recalls, newest first
 *   GET /search?q=                                               shipment, BOL/DESADV, purchase order, SSCC or transaction id → the lots it concerns
 *
 * The search reads indexes only (SEARCH_SQL): no document is scanned with LIKE.
 */
import { Router } from 'express';
import type { Pool } from 'pg';
import { gs1CheckDigit } from '../../../lib/domain/src';
import { badRequest } from './http-errors';
import { requestScope, scopeParam, VISIBLE } from './visibility';

const STATUSES = ['created', 'dispatched', 'received'];

function limitParam(raw: unknown): number {
  if (raw === undefined) return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw badRequest('limit must be an integer from 1 to 1000', 'limit');
  return n;
}

/** An SSCC from 18 digits, `urn:epc:id:sscc:…` or a Digital Link with AI 00; undefined when `q` is none of them. */
export function ssccOf(q: string): string | undefined {
  if (/^\d{18}$/.test(q)) return q;
  const dl = /\/00\/(\d{18})(?:[/?#]|$)/.exec(q);
  if (dl) return dl[1];
  const urn = /^urn:epc:id:sscc:(\d+)\.(\d+)$/.exec(q);
  if (urn && urn[1].length + urn[2].length === 17) {
    // urn:epc:id:sscc:<prefix>.<extension digit + serial>: reorder into the 17 digits, then the check digit.
    const body = urn[2][0] + urn[1] + urn[2].slice(1);
    return body + String(gs1CheckDigit(body));
  }
  return undefined;
}

/**
 * The forms an SSCC takes in the search index (migration 015, trace_event_ssccs):
 * its 18 digits (from a Digital Link) and its EPC URN with each company prefix
 * length (6 to 12 digits; a URN carries no check digit).
 */
export function ssccForms(sscc: string): string[] {
  const out = [sscc];
  for (let len = 6; len <= 12; len++) out.push(`urn:epc:id:sscc:${sscc.slice(1, 1 + len)}.${sscc[0]}${sscc.slice(1 + len, 17)}`);
  return out;
}

/** SQL of the search box; every lookup reads an index (migrations 001, 002, 015). */
export const SEARCH_SQL = {
  /** Lots a transaction touched: its stock movements by block position, its lots, lineage and shipment lines by tx_id. */
  transactionLots: `SELECT m.gtin, m.lot_code FROM transactions t JOIN stock_movements m ON m.block_number = t.block_number AND m.tx_index = t.tx_index
                     WHERE t.tx_id = $1
                    UNION SELECT gtin, lot_code FROM lots WHERE tx_id = $1
                    UNION SELECT child_gtin, child_lot_code FROM lot_lineage WHERE tx_id = $1
                    UNION SELECT gtin, lot_code FROM shipment_lines WHERE tx_id = $1`,
  shipments:
    'SELECT shipment_id FROM shipments WHERE shipment_id = $1 UNION SELECT shipment_id FROM shipments WHERE bol = $1 UNION SELECT shipment_id FROM shipments WHERE desadv = $1 LIMIT 20',
  /** Lots moved by the transactions whose EPCIS documents name the SSCC (an aggregation's parentID, an epcList). */
  ssccLots: `SELECT DISTINCT m.gtin, m.lot_code FROM trace_events e
               JOIN stock_movements m ON m.block_number = e.block_number AND m.tx_index = e.tx_index
              WHERE trace_event_ssccs(e.document) && $1::text[] LIMIT 200`,
};

export function operationsRoutes(pool: Pool): Router {
  const r = Router();

  r.get('/shipments', async (req, res) => {
    const status = req.query.status === undefined ? undefined : String(req.query.status);
    if (status !== undefined && !STATUSES.includes(status)) throw badRequest(`status must be one of ${STATUSES.join(', ')}`, 'status');
    const rows = (
      await pool.query(
        `SELECT s.*, fw.name AS from_name, tw.name AS to_name,
                COALESCE((SELECT json_agg(l ORDER BY l.line_no) FROM shipment_lines l WHERE l.shipment_id = s.shipment_id), '[]') AS lines
           FROM shipments s LEFT JOIN warehouses fw ON fw.gln = s.from_gln LEFT JOIN warehouses tw ON tw.gln = s.to_gln
          WHERE ($1::text IS NULL OR s.status = $1) AND ${VISIBLE.shipment('s', '$2')}
          ORDER BY s.created_at DESC LIMIT ${limitParam(req.query.limit)}`,
        [status ?? null, scopeParam(requestScope(res))],
      )
    ).rows;
    res.json({ shipments: rows });
  });

  r.get('/purchase-orders', async (req, res) => {
    const rows = (
      await pool.query(
        `SELECT o.po_id, o.buyer_msp, o.supplier_msp, o.status, o.chain_id, o.asset, o.amount_base_units::text, o.paid_base_units::text,
                o.payment_count, o.lines, o.due_date, o.created_at, o.tx_id, o.block_number,
                COALESCE((SELECT json_agg(json_build_object('chain_id', p.chain_id, 'tx_hash', p.tx_hash, 'log_index', p.log_index, 'payer', p.payer,
                          'amount_base_units', p.amount_base_units::text, 'recorded_at', p.recorded_at, 'tx_id', p.tx_id, 'block_number', p.block_number)
                          ORDER BY p.block_number) FROM payments p WHERE p.po_id = o.po_id), '[]') AS payments
           FROM purchase_orders o WHERE ${VISIBLE.order('o', '$1')} ORDER BY o.created_at DESC LIMIT ${limitParam(req.query.limit)}`,
        [scopeParam(requestScope(res))],
      )
    ).rows;
    res.json({ orders: rows });
  });

  r.get('/recalls', async (req, res) => {
    // A scoped caller sees the recalls that touch its provenance, each with only the affected lots it may see
    // and their positions at its own locations. Status: how many holdings the recall found, and how many of
    // those lots are still on hand somewhere the caller may see now.
    const rows = (
      await pool.query(
        `WITH r AS (
           SELECT r.recall_id, r.reason, r.declared_by, r.declared_at, r.include_descendants, r.lots, r.tx_id, r.block_number,
                  CASE WHEN $1::text IS NULL THEN r.affected ELSE COALESCE((
                    SELECT jsonb_agg(a.value - 'positions' || jsonb_build_object('positions', COALESCE((
                             SELECT jsonb_agg(p.value) FROM jsonb_array_elements(COALESCE(a.value->'positions', '[]')) p
                              WHERE ${VISIBLE.location("p.value->>'gln'", '$1')}), '[]'::jsonb)) ORDER BY a.ordinality)
                      FROM jsonb_array_elements(r.affected) WITH ORDINALITY a
                     WHERE ${VISIBLE.lot("a.value->>'gtin'", "a.value->>'lotCode'", '$1')}), '[]'::jsonb) END AS affected
             FROM recalls r WHERE ${VISIBLE.recall('r', '$1')}
         )
         SELECT r.*,
                (SELECT count(*) FROM jsonb_array_elements(r.affected) a, jsonb_array_elements(COALESCE(a->'positions', '[]')) p)::int AS holdings_at_declaration,
                (SELECT count(*) FROM stock_levels s JOIN jsonb_array_elements(r.affected) a ON s.gtin = a->>'gtin' AND s.lot_code = a->>'lotCode'
                  WHERE s.base_units > 0 AND ${VISIBLE.location('s.gln', '$1')})::int AS holdings_now
           FROM r ORDER BY r.declared_at DESC LIMIT ${limitParam(req.query.limit)}`,
        [scopeParam(requestScope(res))],
      )
    ).rows;
    res.json({ recalls: rows });
  });

  r.get('/search', async (req, res) => {
    const q = String(req.query.q ?? '').trim();
    if (q.length === 0 || q.length > 200) throw badRequest('q must be 1 to 200 characters', 'q');
    const org = scopeParam(requestScope(res));
    const matches: Array<{ kind: string; id: string; lots: Array<{ gtin: string; lotCode: string }>; txIds?: string[] }> = [];
    // Each match as its own rule (visibility.ts): the lines of a shipment are its parties' to see; of a
    // transaction or an SSCC, only the lots of the caller's provenance are named.
    const lotsOf = async (rows: Array<{ gtin: string; lot_code: string }>, scoped = true) => {
      const seen = new Map<string, { gtin: string; lotCode: string }>();
      for (const x of rows) seen.set(`${x.gtin}/${x.lot_code}`, { gtin: x.gtin, lotCode: x.lot_code });
      if (!scoped || org === null || seen.size === 0) return [...seen.values()];
      const keys = [...seen.values()];
      const visible = await pool.query<{ gtin: string; lot_code: string }>(
        `SELECT k.gtin, k.lot_code FROM unnest($1::text[], $2::text[]) AS k(gtin, lot_code) WHERE ${VISIBLE.lot('k.gtin', 'k.lot_code', '$3')}`,
        [keys.map((k) => k.gtin), keys.map((k) => k.lotCode), org],
      );
      const keep = new Set(visible.rows.map((v) => `${v.gtin}/${v.lot_code}`));
      return keys.filter((k) => keep.has(`${k.gtin}/${k.lotCode}`));
    };
    const sees = async (sql: string, id: string) => (await pool.query(sql, [id, org])).rowCount! > 0;
    if (/^[0-9a-f]{64}$/i.test(q)) {
      const txId = q.toLowerCase();
      if (await sees(`SELECT 1 FROM transactions t WHERE t.tx_id = $1 AND ${VISIBLE.transaction('t', '$2')}`, txId)) {
        const rows = (await pool.query(SEARCH_SQL.transactionLots, [txId])).rows;
        matches.push({ kind: 'transaction', id: txId, lots: await lotsOf(rows), txIds: [txId] });
      }
    }
    const shipments = (await pool.query(SEARCH_SQL.shipments, [q])).rows;
    for (const s of shipments) {
      if (!(await sees(`SELECT 1 FROM shipments s WHERE s.shipment_id = $1 AND ${VISIBLE.shipment('s', '$2')}`, s.shipment_id))) continue;
      const lines = (await pool.query('SELECT gtin, lot_code FROM shipment_lines WHERE shipment_id = $1', [s.shipment_id])).rows;
      matches.push({ kind: 'shipment', id: s.shipment_id, lots: await lotsOf(lines, false) });
    }
    const order = (await pool.query(`SELECT o.po_id FROM purchase_orders o WHERE o.po_id = $1 AND ${VISIBLE.order('o', '$2')}`, [q, org])).rows[0];
    if (order) {
      const lines = (
        await pool.query(
          `SELECT l.gtin, l.lot_code FROM shipments s JOIN shipment_lines l USING (shipment_id) WHERE s.po_id = $1 AND ${VISIBLE.shipment('s', '$2')}`,
          [q, org],
        )
      ).rows;
      matches.push({ kind: 'purchase-order', id: order.po_id, lots: await lotsOf(lines, false) });
    }
    const sscc = ssccOf(q);
    if (sscc) {
      const lots = await lotsOf((await pool.query(SEARCH_SQL.ssccLots, [ssccForms(sscc)])).rows);
      if (lots.length) matches.push({ kind: 'sscc', id: sscc, lots });
    }
    res.json({ query: q, matches });
  });

  return r;
}
