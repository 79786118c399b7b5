/**
 * The lot graph walked breadth-first with a visited set, so every lot is
 * expanded once and every lineage edge read once: the work and the answer are
 * linear in the part of the graph reached, never in its paths (a diamond-shaped
 * graph, where each transformation turns two lots into two, has 2^depth paths
 * but only 2 lots per level).
 *
 * One SQL statement per level, all in one read-only REPEATABLE READ
 * transaction, so the answer is one snapshot while indexing goes on. The walk
 * stops at `maxDepth` levels or at `maxRows` lineage steps and then says so
 * (`truncated`); each statement is bounded by the pool's statement_timeout and
 * the whole walk by `deadlineMs`.
 */
import type { Pool, PoolClient } from 'pg';
import { ServiceError } from '../../../lib/platform/src';

/** Bounds of one lineage or recall answer. */
export interface TraceLimits {
  /** Most lineage levels walked from the starting lots. */
  maxDepth: number;
  /** Most lineage steps (edges) in one answer; holdings are capped at the same number. */
  maxRows: number;
  /** Longest a whole walk may take, ms (each statement is also bounded by the pool's statement_timeout). */
  deadlineMs: number;
}

/** The defaults of {@link TraceLimits} (INDEXER_TRACE_MAX_DEPTH, INDEXER_TRACE_MAX_ROWS, INDEXER_QUERY_TIMEOUT_MS). */
export const DEFAULT_TRACE_LIMITS: TraceLimits = { maxDepth: 64, maxRows: 10_000, deadlineMs: 10_000 };

/** One lineage edge met by the walk, `depth` levels from the nearest starting lot. */
export interface LineageStep {
  /** The lot reached (a parent when walking upstream, a child downstream). */
  gtin: string;
  lot_code: string;
  /** The lot it was reached from. */
  from_gtin: string;
  from_lot_code: string;
  depth: number;
  tx_id: string;
  block_number: string;
}

/** Why a walk stopped early, as the answers report it. */
export interface Truncation {
  truncated: boolean;
  /** Present when truncated: which limit cut the answer, and the limits. */
  truncatedBy?: 'depth' | 'rows';
  limits: { maxDepth: number; maxRows: number };
}

export interface WalkResult extends Truncation {
  steps: LineageStep[];
  /** Every lot reached, the starting lots first, each once. */
  lots: Array<{ gtin: string; lot_code: string; depth: number }>;
}

const LEVEL_SQL = {
  up: `SELECT l.parent_gtin AS gtin, l.parent_lot_code AS lot_code, l.child_gtin AS from_gtin, l.child_lot_code AS from_lot_code, l.tx_id, l.block_number
         FROM unnest($1::text[], $2::text[]) AS f(gtin, lot_code)
         JOIN lot_lineage l ON l.child_gtin = f.gtin AND l.child_lot_code = f.lot_code
        ORDER BY 1, 2, 3, 4 LIMIT $3`,
  down: `SELECT l.child_gtin AS gtin, l.child_lot_code AS lot_code, l.parent_gtin AS from_gtin, l.parent_lot_code AS from_lot_code, l.tx_id, l.block_number
           FROM unnest($1::text[], $2::text[]) AS f(gtin, lot_code)
           JOIN lot_lineage l ON l.parent_gtin = f.gtin AND l.parent_lot_code = f.lot_code
          ORDER BY 1, 2, 3, 4 LIMIT $3`,
};

/** PostgreSQL's query_canceled: the statement_timeout fired. */
const QUERY_CANCELED = '57014';

/** The 503 a query past its time limit answers (never a hanging request, never a 500). */
export function queryTimeout(limitMs?: number): ServiceError {
  return new ServiceError({
    code: 'QUERY_TIMEOUT',
    message: `the query ran longer than its ${limitMs ? `${limitMs} ms ` : ''}limit; narrow it (fewer lots, a shorter period) or try again later`,
    httpStatus: 503,
    retriable: true,
    details: { retryAfterSec: 5 },
  });
}

/** True for an error that means "this query took too long" (statement_timeout, or no pool connection in time). */
export function isQueryTimeout(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  return e?.code === QUERY_CANCELED || /timeout exceeded when trying to connect/.test(e?.message ?? '');
}

/**
 * Runs `fn` on one connection inside a read-only REPEATABLE READ transaction:
 * one snapshot for every statement of an answer.
 */
export async function inSnapshot<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Walks the lineage from `roots` (upstream to ancestors, or downstream to
 * descendants) breadth-first; see the file comment for the bounds.
 */
export async function walkLineage(
  db: Pick<PoolClient, 'query'>,
  opts: { roots: Array<[gtin: string, lotCode: string]>; direction: 'up' | 'down'; limits: TraceLimits; now?: () => number },
): Promise<WalkResult> {
  const { maxDepth, maxRows, deadlineMs } = opts.limits;
  const now = opts.now ?? Date.now;
  const started = now();
  const seen = new Set<string>();
  const lots: WalkResult['lots'] = [];
  let frontier: Array<[string, string]> = [];
  for (const [g, l] of opts.roots) {
    const k = `${g}/${l}`;
    if (seen.has(k)) continue;
    seen.add(k);
    lots.push({ gtin: g, lot_code: l, depth: 0 });
    frontier.push([g, l]);
  }
  const steps: LineageStep[] = [];
  let truncatedBy: Truncation['truncatedBy'];
  for (let depth = 1; frontier.length > 0; depth++) {
    if (now() - started > deadlineMs) throw queryTimeout(deadlineMs);
    const room = maxRows - steps.length;
    // One row past the room (or past the depth limit: LIMIT 1) tells whether anything was left out.
    const limit = depth > maxDepth ? 1 : room + 1;
    const rows = (await db.query<Omit<LineageStep, 'depth'>>(LEVEL_SQL[opts.direction], [frontier.map((f) => f[0]), frontier.map((f) => f[1]), limit])).rows;
    if (depth > maxDepth) {
      if (rows.length > 0) truncatedBy = 'depth';
      break;
    }
    const next: Array<[string, string]> = [];
    for (const row of rows.slice(0, room)) {
      steps.push({ ...row, block_number: String(row.block_number), depth });
      const k = `${row.gtin}/${row.lot_code}`;
      if (seen.has(k)) continue;
      seen.add(k);
      lots.push({ gtin: row.gtin, lot_code: row.lot_code, depth });
      next.push([row.gtin, row.lot_code]);
    }
    if (rows.length > room) {
      truncatedBy = 'rows';
      break;
    }
    frontier = next;
  }
  return { steps, lots, truncated: truncatedBy !== undefined, ...(truncatedBy ? { truncatedBy } : {}), limits: { maxDepth, maxRows } };
}
