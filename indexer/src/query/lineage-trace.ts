/**
 * Upstream and downstream traces built on the bounded lineage walk
 * (lineage-walk.ts): the rows the trace, genealogy and recall answers are made
 * of, each lineage edge once, with the lot facts and holdings of every lot
 * reached read in one statement each.
 */
import type { PoolClient } from 'pg';
import { walkLineage, type TraceLimits, type Truncation } from './lineage-walk';
import { lotsVisibleQuery, VISIBLE } from './visibility';

type Db = Pick<PoolClient, 'query'>;

/** One ancestor step: the parent lot (gtin, lot_code) of a child, with the parent's lot facts. */
export interface UpstreamStep {
  gtin: string;
  lot_code: string;
  child_gtin: string;
  child_lot_code: string;
  depth: number;
  tx_id: string;
  block_number: string;
  origin: unknown;
  commissioned_gln: string | null;
  commissioned_at: string | null;
  status: string | null;
  /** The lot has no parents of its own. */
  is_origin: boolean;
}

/** One descendant step (the starting lots have depth 0 and no parent), then the holdings of every lot reached. */
export interface DownstreamStep {
  gtin: string;
  lot_code: string;
  parent_gtin: string | null;
  parent_lot_code: string | null;
  depth: number;
  tx_id: string | null;
  block_number: string | null;
}

export interface Holding {
  gtin: string;
  lot_code: string;
  gln: string;
  location_name: string | null;
  quantity: string;
  tx_id: string;
  block_number: string;
}

const columns = (keys: Array<{ gtin: string; lot_code: string }>) => [keys.map((k) => k.gtin), keys.map((k) => k.lot_code)];

/** Ancestors of `roots`, nearest first, each lineage edge once. */
export async function upstreamTrace(db: Db, roots: Array<[string, string]>, limits: TraceLimits): Promise<Truncation & { steps: UpstreamStep[] }> {
  const w = await walkLineage(db, { roots, direction: 'up', limits });
  const reached = w.lots.filter((l) => l.depth > 0);
  const facts = new Map<string, Record<string, unknown>>();
  if (reached.length > 0) {
    const rows = (
      await db.query(
        `SELECT k.gtin, k.lot_code, lots.origin, lots.commissioned_gln, lots.commissioned_at, lots.status,
                NOT EXISTS (SELECT 1 FROM lot_lineage p WHERE p.child_gtin = k.gtin AND p.child_lot_code = k.lot_code) AS is_origin
           FROM unnest($1::text[], $2::text[]) AS k(gtin, lot_code) LEFT JOIN lots ON lots.gtin = k.gtin AND lots.lot_code = k.lot_code`,
        columns(reached),
      )
    ).rows;
    for (const r of rows) facts.set(`${r.gtin}/${r.lot_code}`, r);
  }
  const steps = w.steps.map((s) => {
    const f = facts.get(`${s.gtin}/${s.lot_code}`) ?? {};
    return {
      gtin: s.gtin,
      lot_code: s.lot_code,
      child_gtin: s.from_gtin,
      child_lot_code: s.from_lot_code,
      depth: s.depth,
      tx_id: s.tx_id,
      block_number: s.block_number,
      origin: f.origin ?? null,
      commissioned_gln: (f.commissioned_gln as string) ?? null,
      commissioned_at: (f.commissioned_at as string) ?? null,
      status: (f.status as string) ?? null,
      is_origin: f.is_origin === true,
    };
  });
  return { truncated: w.truncated, ...(w.truncatedBy ? { truncatedBy: w.truncatedBy } : {}), limits: w.limits, steps };
}

/** `roots` and their descendants, each lineage edge once, then every location holding stock of any of them. */
export async function downstreamTrace(
  db: Db,
  roots: Array<[string, string]>,
  limits: TraceLimits,
  /** The caller's organisation (visibility.ts), or null for every lot and holding. */
  org: string | null = null,
): Promise<Truncation & { steps: DownstreamStep[]; holdings: Holding[] }> {
  const w = await walkLineage(db, { roots, direction: 'down', limits });
  let lots = w.lots;
  if (org !== null) {
    const [gtins, lotCodes] = columns(w.lots);
    const seen = await db.query<{ gtin: string; lot_code: string }>(lotsVisibleQuery(gtins, lotCodes, org));
    const keep = new Set(seen.rows.map((r) => `${r.gtin}/${r.lot_code}`));
    lots = w.lots.filter((l) => keep.has(`${l.gtin}/${l.lot_code}`));
    w.steps = w.steps.filter((s) => keep.has(`${s.gtin}/${s.lot_code}`));
  }
  const steps: DownstreamStep[] = [
    ...lots
      .filter((l) => l.depth === 0)
      .map((l) => ({ gtin: l.gtin, lot_code: l.lot_code, parent_gtin: null, parent_lot_code: null, depth: 0, tx_id: null, block_number: null })),
    ...w.steps.map((s) => ({
      gtin: s.gtin,
      lot_code: s.lot_code,
      parent_gtin: s.from_gtin,
      parent_lot_code: s.from_lot_code,
      depth: s.depth,
      tx_id: s.tx_id,
      block_number: s.block_number,
    })),
  ];
  const holdings = (
    await db.query<Holding>(
      `SELECT s.gtin, s.lot_code, s.gln, w.name AS location_name, s.quantity, s.tx_id, s.block_number::text AS block_number
         FROM unnest($1::text[], $2::text[]) AS k(gtin, lot_code)
         JOIN stock_levels s ON s.gtin = k.gtin AND s.lot_code = k.lot_code AND s.base_units > 0
         LEFT JOIN warehouses w ON w.gln = s.gln
        WHERE ${VISIBLE.location('s.gln', '$4')}
        ORDER BY s.gtin, s.lot_code, s.gln LIMIT $3`,
      [...columns(lots), limits.maxRows + 1, org],
    )
  ).rows;
  let truncatedBy = w.truncatedBy;
  if (holdings.length > limits.maxRows) {
    holdings.length = limits.maxRows;
    truncatedBy ??= 'rows';
  }
  // Nearest lots first, as the steps are.
  const depthOf = new Map(lots.map((l) => [`${l.gtin}/${l.lot_code}`, l.depth]));
  holdings.sort((a, b) => depthOf.get(`${a.gtin}/${a.lot_code}`)! - depthOf.get(`${b.gtin}/${b.lot_code}`)!);
  return { truncated: truncatedBy !== undefined, ...(truncatedBy ? { truncatedBy } : {}), limits: w.limits, steps, holdings };
}
