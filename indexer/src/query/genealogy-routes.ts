/**
 * A lot's genealogy in one answer, for the web console's graph and timeline:
 *
 *   GET /lots/:gtin/:lotCode/genealogy
 *
 * Lots upstream to the origins and downstream to every descendant, the
 * lineage between them, every location holding stock of them, the shipments
 * that carried them with their custody chain, and their stock movements in
 * event-time order. Every fact carries the tx_id and block_number it came from,
 * so the console can prove each one against the ledger.
 *
 * Scoped to the caller (visibility.ts): the lot must be in its provenance (404
 * otherwise); upstream is shown whole, downstream only the lots of its own
 * provenance; shipments and their custody only those it is a party to;
 * movements and holdings only at its locations and of its shipments.
 */
import { Router } from 'express';
import type { Pool } from 'pg';
import { badRequest, notFound } from './http-errors';
import { downstreamTrace, upstreamTrace } from './lineage-trace';
import { DEFAULT_TRACE_LIMITS, inSnapshot, type TraceLimits } from './lineage-walk';
import { LOT_CODE } from '../../../lib/domain/src';
import { requestScope, scopeParam, VISIBLE } from './visibility';

const GTIN = /^\d{14}$/;
const LOT = LOT_CODE;
/** The timeline is capped; the graph is bounded by the trace limits (`truncated` says when it was cut). */
const MAX_MOVEMENTS = 5000;

type Row = Record<string, any>;

export function genealogyRoutes(pool: Pool, limits: TraceLimits = DEFAULT_TRACE_LIMITS): Router {
  const r = Router();
  r.get('/lots/:gtin/:lotCode/genealogy', async (req, res) => {
    const { gtin, lotCode } = req.params;
    if (!GTIN.test(gtin)) throw badRequest('gtin must have 14 digits', 'gtin');
    if (!LOT.test(lotCode)) throw badRequest('lotCode is malformed', 'lotCode');
    const org = scopeParam(requestScope(res));
    const root = await pool.query(`SELECT 1 FROM lots WHERE gtin = $1 AND lot_code = $2 AND ${VISIBLE.lot('$1', '$2', '$3')}`, [gtin, lotCode, org]);
    if (root.rowCount === 0) throw notFound(`lot ${gtin}/${lotCode}`);

    const [up, down] = await inSnapshot(
      pool,
      async (c) => [await upstreamTrace(c, [[gtin, lotCode]], limits), await downstreamTrace(c, [[gtin, lotCode]], limits, org)] as const,
    );
    const lineage = new Map<string, Row>();
    const lotKeys = new Set<string>([`${gtin}/${lotCode}`]);
    for (const s of up.steps) {
      lotKeys.add(`${s.gtin}/${s.lot_code}`);
      lineage.set(`${s.gtin}/${s.lot_code}>${s.child_gtin}/${s.child_lot_code}`, {
        parent: `${s.gtin}/${s.lot_code}`,
        child: `${s.child_gtin}/${s.child_lot_code}`,
        tx_id: s.tx_id,
        block_number: s.block_number,
      });
    }
    const holdings = new Map<string, Row>();
    for (const s of down.steps) {
      const key = `${s.gtin}/${s.lot_code}`;
      lotKeys.add(key);
      if (s.parent_gtin)
        lineage.set(`${s.parent_gtin}/${s.parent_lot_code}>${key}`, {
          parent: `${s.parent_gtin}/${s.parent_lot_code}`,
          child: key,
          tx_id: s.tx_id,
          block_number: s.block_number,
        });
    }
    for (const h of down.holdings) {
      const key = `${h.gtin}/${h.lot_code}`;
      holdings.set(`${key}@${h.gln}`, { lot: key, gln: h.gln, quantity: h.quantity, tx_id: h.tx_id, block_number: h.block_number });
    }
    const gtins = [...lotKeys].map((k) => k.slice(0, k.indexOf('/')));
    const lots = [...lotKeys].map((k) => k.slice(k.indexOf('/') + 1));

    const [lotRows, lines, movements] = await Promise.all([
      pool.query(
        `SELECT l.gtin, l.lot_code, l.status, l.origin, l.certificates, l.recall_ids, l.best_before_date, l.commissioned_at, l.commissioned_gln,
                l.commissioned_by, l.tx_id, l.block_number, i.description, i.unit
           FROM lots l JOIN unnest($1::text[], $2::text[]) AS k(gtin, lot_code) USING (gtin, lot_code)
           LEFT JOIN inventory_items i ON i.gtin = l.gtin`,
        [gtins, lots],
      ),
      pool.query(
        `SELECT sl.shipment_id, sl.gtin, sl.lot_code, sl.quantity, sl.received, sl.damaged, sl.short, sl.over,
                s.from_gln, s.to_gln, s.status, s.sender_msp, s.receiver_msp, s.po_id, s.bol, s.desadv, s.has_discrepancy,
                s.created_at, s.dispatched_at, s.received_at, s.tx_id, s.block_number
           FROM shipment_lines sl JOIN unnest($1::text[], $2::text[]) AS k(gtin, lot_code) USING (gtin, lot_code)
           JOIN shipments s ON s.shipment_id = sl.shipment_id
          WHERE ${VISIBLE.shipment('s', '$3')}
          ORDER BY s.created_at, sl.shipment_id, sl.line_no`,
        [gtins, lots, org],
      ),
      pool.query(
        `SELECT m.event_time, m.tx_id, m.block_number, m.tx_index, m.position, m.gln, m.shipment_id, m.gtin, m.lot_code,
                m.delta, m.balance, m.biz_step, m.disposition, m.epcis_event_id
           FROM stock_movements m JOIN unnest($1::text[], $2::text[]) AS k(gtin, lot_code) USING (gtin, lot_code)
          WHERE ${VISIBLE.location('m.gln', '$3')} OR (m.shipment_id IS NOT NULL AND ${VISIBLE.shipmentId('m.shipment_id', '$3')})
          ORDER BY m.event_time, m.block_number, m.tx_index, m.seq LIMIT ${MAX_MOVEMENTS}`,
        [gtins, lots, org],
      ),
    ]);
    const shipmentIds = [...new Set((lines.rows as Row[]).map((l) => l.shipment_id as string))];
    const custody = shipmentIds.length
      ? (
          await pool.query(
            'SELECT shipment_id, tx_id, block_number, status, owner, possessor, submitted_by, endorsed_by, event_time FROM custody_events WHERE shipment_id = ANY($1) ORDER BY block_number, tx_index',
            [shipmentIds],
          )
        ).rows
      : [];
    const glns = new Set<string>();
    for (const l of lotRows.rows as Row[]) glns.add(l.commissioned_gln);
    for (const h of holdings.values()) glns.add(h.gln);
    for (const l of lines.rows as Row[]) {
      glns.add(l.from_gln);
      glns.add(l.to_gln);
    }
    const locations = (
      await pool.query('SELECT gln, name, location_type, owner_msp, address, tx_id, block_number FROM warehouses WHERE gln = ANY($1)', [[...glns]])
    ).rows;

    res.json({
      root: `${gtin}/${lotCode}`,
      lots: lotRows.rows,
      lineage: [...lineage.values()],
      holdings: [...holdings.values()],
      shipments: lines.rows,
      custody,
      locations,
      movements: movements.rows,
      movementsTruncated: movements.rowCount === MAX_MOVEMENTS,
      truncated: up.truncated || down.truncated,
      ...(up.truncatedBy || down.truncatedBy ? { truncatedBy: up.truncatedBy ?? down.truncatedBy } : {}),
      limits: up.limits,
    });
  });
  return r;
}
