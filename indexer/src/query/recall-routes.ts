/**
 * Recall workspace: the scope of a recall before (or after) it is declared.
 *
 *   GET /recalls/scope?lot=<gtin>/<lotCode>[,…]                 by traceability lot codes
 *   GET /recalls/scope?gtin=<gtin>&from=<date>&to=<date>        every lot of a product commissioned in a period
 *
 * Answers every affected downstream lot and every location still holding
 * stock of any of them, with quantities and the tx_id/block_number of each fact.
 * All roots are walked together, each lot once, within the trace limits
 * (`truncated: true` with the limits when the scope was cut).
 * A caller that is not an auditor names only lots of its own provenance (an
 * unknown or invisible lot is 404), finds only those in a period, and sees the
 * affected lots of its provenance and the holdings at its own locations.
 * Declaring the recall is a ledger transaction (gateway POST /recalls); the
 * indexer then publishes it on the recalls topic.
 */
import { Router } from 'express';
import type { Pool } from 'pg';
import { badRequest, notFound } from './http-errors';
import { requestScope, scopeParam, VISIBLE } from './visibility';
import { downstreamTrace } from './lineage-trace';
import { DEFAULT_TRACE_LIMITS, inSnapshot, type TraceLimits } from './lineage-walk';
import { LOT_CODE } from '../../../lib/domain/src';

const GTIN = /^\d{14}$/;
const LOT = LOT_CODE;
const MAX_ROOTS = 500;

function parseLots(raw: unknown): Array<[string, string]> {
  const list = String(raw)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0 || list.length > MAX_ROOTS) throw badRequest(`lot must list 1 to ${MAX_ROOTS} lots as <gtin>/<lotCode>`, 'lot');
  return list.map((item) => {
    const i = item.indexOf('/');
    const gtin = item.slice(0, i);
    const lot = item.slice(i + 1);
    if (i < 0 || !GTIN.test(gtin) || !LOT.test(lot)) throw badRequest(`"${item}" is not <gtin14>/<lotCode>`, 'lot');
    return [gtin, lot];
  });
}

function parseDate(raw: unknown, field: string): Date {
  const d = new Date(String(raw));
  if (raw === undefined || Number.isNaN(d.getTime())) throw badRequest(`${field} must be an ISO date or date-time`, field);
  return d;
}

export function recallRoutes(pool: Pool, limits: TraceLimits = DEFAULT_TRACE_LIMITS): Router {
  const r = Router();
  r.get('/recalls/scope', async (req, res) => {
    const q = req.query;
    const org = scopeParam(requestScope(res));
    let roots: Array<[string, string]>;
    if (q.lot !== undefined) {
      if (q.gtin !== undefined) throw badRequest('give either lot or gtin with from/to, not both', 'gtin');
      roots = parseLots(q.lot);
      if (org !== null) {
        const seen = await pool.query<{ gtin: string; lot_code: string }>(
          `SELECT k.gtin, k.lot_code FROM unnest($1::text[], $2::text[]) AS k(gtin, lot_code) WHERE ${VISIBLE.lot('k.gtin', 'k.lot_code', '$3')}`,
          [roots.map((x) => x[0]), roots.map((x) => x[1]), org],
        );
        const keep = new Set(seen.rows.map((x) => `${x.gtin}/${x.lot_code}`));
        const hidden = roots.find(([g, l]) => !keep.has(`${g}/${l}`));
        if (hidden) throw notFound(`lot ${hidden[0]}/${hidden[1]}`);
      }
    } else {
      if (typeof q.gtin !== 'string' || !GTIN.test(q.gtin)) throw badRequest('gtin must be a 14-digit GTIN (or give lot)', 'gtin');
      const from = parseDate(q.from, 'from');
      const to = parseDate(q.to, 'to');
      if (to < from) throw badRequest('to must not be before from', 'to');
      const lots = await pool.query(
        `SELECT l.gtin, l.lot_code FROM lots l WHERE l.gtin = $1 AND l.commissioned_at >= $2 AND l.commissioned_at <= $3
            AND ${VISIBLE.lot('l.gtin', 'l.lot_code', '$5')} ORDER BY l.commissioned_at LIMIT $4`,
        [q.gtin, from, to, MAX_ROOTS + 1, org],
      );
      if (lots.rowCount! > MAX_ROOTS) throw badRequest(`more than ${MAX_ROOTS} lots in the period: narrow it`, 'from');
      roots = lots.rows.map((l) => [l.gtin, l.lot_code]);
    }
    const affected = new Map<string, Record<string, unknown>>();
    const holdings = new Map<string, Record<string, unknown>>();
    const { steps, holdings: held, ...bounds } = await inSnapshot(pool, (c) => downstreamTrace(c, roots, limits, org));
    for (const row of steps) {
      const k = `${row.gtin}/${row.lot_code}`;
      if (!affected.has(k))
        affected.set(k, {
          gtin: row.gtin,
          lot_code: row.lot_code,
          depth: row.depth,
          from_lot: row.parent_gtin ? `${row.parent_gtin}/${row.parent_lot_code}` : null,
          tx_id: row.tx_id,
          block_number: row.block_number,
        });
    }
    for (const h of held) holdings.set(`${h.gtin}/${h.lot_code}@${h.gln}`, { ...h });
    const byLocation = new Map<string, { gln: string; location_name: string; lots: number }>();
    for (const h of holdings.values()) {
      const e = byLocation.get(h.gln as string) ?? { gln: h.gln as string, location_name: h.location_name as string, lots: 0 };
      e.lots += 1;
      byLocation.set(e.gln, e);
    }
    res.json({
      roots: roots.map(([gtin, lot_code]) => ({ gtin, lot_code })),
      affectedLots: [...affected.values()],
      holdings: [...holdings.values()],
      locations: [...byLocation.values()],
      ...bounds,
    });
  });
  return r;
}
