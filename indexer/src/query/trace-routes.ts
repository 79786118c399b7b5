/**
 * Provenance queries: lot detail, shipment detail with its custody chain, and
 * traces upstream (to the origins) and downstream (to every location holding
 * stock) of a lot. Every step carries the tx_id and block_number that
 * established it. Traces are bounded (lineage-walk.ts): each lineage edge once,
 * at most `maxDepth` levels and `maxRows` steps, `truncated: true` when cut.
 */
import { Router } from 'express';
import type { Pool } from 'pg';
import { badRequest, notFound } from './http-errors';
import { lotVisibleQuery, requestScope, scopeParam, VISIBLE } from './visibility';
import { downstreamTrace, upstreamTrace } from './lineage-trace';
import { DEFAULT_TRACE_LIMITS, inSnapshot, type TraceLimits } from './lineage-walk';
import { LOT_CODE } from '../../../lib/domain/src';

const GTIN = /^\d{14}$/;
const LOT = LOT_CODE;

function lotParams(p: Record<string, string>): [string, string] {
  if (!GTIN.test(p.gtin)) throw badRequest('gtin must have 14 digits', 'gtin');
  if (!LOT.test(p.lotCode)) throw badRequest('lotCode is malformed', 'lotCode');
  return [p.gtin, p.lotCode];
}

/** Routes of lots and shipments; the traces are bounded by `limits`. */
export function traceRoutes(pool: Pool, limits: TraceLimits = DEFAULT_TRACE_LIMITS): Router {
  const r = Router();

  r.get('/lots/:gtin/:lotCode', async (req, res) => {
    const [gtin, lotCode] = lotParams(req.params);
    const org = scopeParam(requestScope(res));
    // A lot outside the caller's provenance is as absent as one never commissioned.
    const lot = await pool.query(`SELECT * FROM lots WHERE gtin = $1 AND lot_code = $2 AND ${VISIBLE.lot('$1', '$2', '$3')}`, [gtin, lotCode, org]);
    if (lot.rowCount === 0) throw notFound(`lot ${gtin}/${lotCode}`);
    const [positions, parents, children, inTransit] = await Promise.all([
      // Where the lot is now: only the caller's own locations.
      pool.query(
        `SELECT s.gln, s.quantity, s.base_units, s.tx_id, s.block_number FROM stock_levels s
          WHERE s.gtin = $1 AND s.lot_code = $2 AND s.base_units > 0 AND ${VISIBLE.location('s.gln', '$3')} ORDER BY s.gln`,
        [gtin, lotCode, org],
      ),
      pool.query(
        'SELECT parent_gtin AS gtin, parent_lot_code AS lot_code, tx_id, block_number FROM lot_lineage WHERE child_gtin = $1 AND child_lot_code = $2',
        [gtin, lotCode],
      ),
      pool.query(
        'SELECT child_gtin AS gtin, child_lot_code AS lot_code, tx_id, block_number FROM lot_lineage WHERE parent_gtin = $1 AND parent_lot_code = $2',
        [gtin, lotCode],
      ),
      pool.query(
        `SELECT t.shipment_id, t.quantity, t.tx_id, t.block_number FROM transit_levels t
          WHERE t.gtin = $1 AND t.lot_code = $2 AND t.base_units > 0 AND ${VISIBLE.shipmentId('t.shipment_id', '$3')}`,
        [gtin, lotCode, org],
      ),
    ]);
    res.json({ lot: lot.rows[0], positions: positions.rows, inTransit: inTransit.rows, parents: parents.rows, children: children.rows });
  });

  /** 404 unless the caller may see the lot (its provenance: see visibility.ts). */
  async function visibleLot(gtin: string, lotCode: string, org: string | null): Promise<void> {
    if (org === null) return;
    const seen = await pool.query<{ visible: boolean }>(lotVisibleQuery(gtin, lotCode, org));
    if (seen.rows[0]?.visible !== true) throw notFound(`lot ${gtin}/${lotCode}`);
  }

  r.get('/lots/:gtin/:lotCode/trace/upstream', async (req, res) => {
    const [gtin, lotCode] = lotParams(req.params);
    // Every step back to the origins is the provenance of what the caller holds: all of it is shown.
    await visibleLot(gtin, lotCode, scopeParam(requestScope(res)));
    const { steps, ...bounds } = await inSnapshot(pool, (c) => upstreamTrace(c, [[gtin, lotCode]], limits));
    const origins = new Map(steps.filter((s) => s.is_origin).map((s) => [`${s.gtin}/${s.lot_code}`, s]));
    res.json({ lot: { gtin, lotCode }, steps, origins: [...origins.values()], ...bounds });
  });

  r.get('/lots/:gtin/:lotCode/trace/downstream', async (req, res) => {
    const [gtin, lotCode] = lotParams(req.params);
    const org = scopeParam(requestScope(res));
    await visibleLot(gtin, lotCode, org);
    // Downstream: only lots in the caller's own provenance and holdings at its own locations, never other customers'.
    const { steps, holdings, ...bounds } = await inSnapshot(pool, (c) => downstreamTrace(c, [[gtin, lotCode]], limits, org));
    res.json({ lot: { gtin, lotCode }, steps, holdings, ...bounds });
  });

  r.get('/shipments/:shipmentId', async (req, res) => {
    const id = req.params.shipmentId;
    if (!/^[\w.:-]{1,128}$/.test(id)) throw badRequest('shipmentId is malformed', 'shipmentId');
    // A shipment of other members is as absent as one never created.
    const shipment = await pool.query(`SELECT * FROM shipments s WHERE s.shipment_id = $1 AND ${VISIBLE.shipment('s', '$2')}`, [
      id,
      scopeParam(requestScope(res)),
    ]);
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
