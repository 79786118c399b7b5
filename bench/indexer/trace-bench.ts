/**
 * Trace query latency on a large read model. The tables are filled DIRECTLY in
 * PostgreSQL (generate_series), not through the ledger: this measures the read
 * model's query, not indexing. One lot with 1,000,000 stock movements, a
 * 110-lot descendant tree (10 children x 10 grandchildren) each held at 10
 * locations, and noise (200,000 unrelated lineage rows, 500,000 unrelated stock
 * levels). Then times the query API's downstream trace (downstreamTrace, the
 * bounded walk of GET /lots/:gtin/:lotCode/trace/downstream) and the upstream
 * one, p50/p99, first without the indexes of migration 004 (dropped), then
 * with them, each beside the baseline: the path-carrying recursive CTE the
 * query API ran before the bounded walk (copied below).
 *
 * Then a diamond-shaped lot graph (each transformation turns two lots into
 * two, so 2^depth paths through 2 lots per level): the baseline's answer grows
 * with the paths, the walk's with the lots. The baseline runs once per depth up
 * to --diamond-baseline-depth (16 by default: it answers 67 MB there).
 *
 *   node dist/bench/indexer/trace-bench.js [--runs 300] [--movements 1000000] [--diamond-baseline-depth 16] [--keep]
 *
 * PostgreSQL: DATABASE_URL, else a local server on port base + 700 (44700), started and stopped here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { Pool } from 'pg';
import { dropSchema, migrate, migrationsDir } from '../../indexer/src/db/migrate';
import { createPool } from '../../indexer/src/db/pool';
import { downstreamTrace, upstreamTrace } from '../../indexer/src/query/lineage-trace';
import { DEFAULT_TRACE_LIMITS, inSnapshot, type TraceLimits } from '../../indexer/src/query/lineage-walk';
import { lotVisibleQuery } from '../../indexer/src/query/visibility';
import { benchPostgres, pct, timeInterleaved } from './bench-env';

/** Baseline: the upstream CTE before the bounded walk (a path array per row stops cycles, nothing stops paths). */
const BASELINE_UPSTREAM_SQL = `
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

/** Baseline: the downstream CTE before the bounded walk. */
const BASELINE_DOWNSTREAM_SQL = `
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

const ROOT_GTIN = '00000000000017';
const DIAMOND_GTIN = '00000000000031';
const CHILD_GTIN = '00000000000024';

const FILL = (movements: number): Array<[string, string[]]> => [
  [
    `INSERT INTO warehouses (gln, name, location_type, owner_msp, sgln, address, tx_id, block_number)
     SELECT lpad(i::text, 13, '0'), 'site ' || i, 'dc', 'RetailerMSP', 'urn:epc:id:sgln:' || i, '{}', 'tx', 1 FROM generate_series(1, 1000) i`,
    [],
  ],
  // the traced tree: ROOT -> C<i> -> C<i>-<j>, and unrelated lineage
  [`INSERT INTO lot_lineage SELECT $1::text, 'ROOT', $2::text, 'C' || i, 'tx-c' || i, 2 FROM generate_series(1, 10) i`, [ROOT_GTIN, CHILD_GTIN]],
  [
    `INSERT INTO lot_lineage SELECT $1::text, 'C' || i, $1::text, 'C' || i || '-' || j, 'tx-g' || i || '-' || j, 3 FROM generate_series(1, 10) i, generate_series(1, 10) j`,
    [CHILD_GTIN],
  ],
  [`INSERT INTO lot_lineage SELECT $1::text, 'N' || i, $1::text, 'M' || i, 'tx-n' || i, 4 FROM generate_series(1, 200000) i`, [CHILD_GTIN]],
  // holdings: each traced lot at 20 locations, half of them empty, and unrelated stock
  [
    `INSERT INTO stock_levels SELECT lpad(g::text, 13, '0'), t.gtin, t.lot, (g % 2) * 5, (g % 2) * 5000, 'tx-s', 5
     FROM (SELECT $1::text AS gtin, 'ROOT' AS lot UNION ALL SELECT $2::text, 'C' || i FROM generate_series(1, 10) i
           UNION ALL SELECT $2::text, 'C' || i || '-' || j FROM generate_series(1, 10) i, generate_series(1, 10) j) t, generate_series(1, 20) g`,
    [ROOT_GTIN, CHILD_GTIN],
  ],
  [
    `INSERT INTO stock_levels SELECT lpad((i % 1000 + 1)::text, 13, '0'), $1::text, 'N' || i, 1, 1000, 'tx-s', 5 FROM generate_series(1, 500000) i`,
    [CHILD_GTIN],
  ],
  [
    `INSERT INTO stock_movements (movement_id, event_time, block_number, tx_index, seq, tx_id, epcis_event_id, position, gln, gtin, lot_code,
       delta, delta_base_units, balance, balance_base_units, biz_step, disposition)
     SELECT 'ev-' || (i / 2) || '#' || (i % 2), timestamptz '2026-01-01' + (i * interval '30 seconds'), 10 + i / 20, i % 20, i % 2, 'tx-' || (i / 2),
            'ev-' || (i / 2), 'on_hand', lpad((i % 1000 + 1)::text, 13, '0'), $1::text, 'ROOT', 1, 1000, 1, 1000, 'shipping', 'in_transit'
       FROM generate_series(0, ${movements - 1}) i`,
    [ROOT_GTIN],
  ],
];

type Answer = () => Promise<{ rows: number; bytes: number }>;

/** p50/p99 of `runs` calls after 20 warm-up calls; the first call's answer size. */
async function time(label: string, answer: Answer, runs: number): Promise<number> {
  const first = await answer();
  for (let i = 0; i < Math.min(20, runs); i++) await answer();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    await answer();
    ms.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  ms.sort((a, b) => a - b);
  console.log(
    `${label}: ${first.rows} rows, ${(first.bytes / 1024).toFixed(1)} KiB as JSON; ${runs} runs: p50 ${pct(ms, 50).toFixed(2)} ms, p99 ${pct(ms, 99).toFixed(2)} ms, max ${ms[ms.length - 1].toFixed(2)} ms (client round trips included)`,
  );
  return pct(ms, 50);
}

const sized = (rows: unknown[]) => ({ rows: rows.length, bytes: Buffer.byteLength(JSON.stringify(rows)) });
const baseline =
  (pool: Pool, sql: string, gtin: string, lot: string): Answer =>
  async () =>
    sized((await pool.query(sql, [gtin, lot])).rows);
const walkUp =
  (pool: Pool, gtin: string, lot: string, limits: TraceLimits): Answer =>
  async () =>
    sized((await inSnapshot(pool, (c) => upstreamTrace(c, [[gtin, lot]], limits))).steps);
const walkDown =
  (pool: Pool, gtin: string, lot: string, limits: TraceLimits, org: string | null = null): Answer =>
  async () => {
    const t = await inSnapshot(pool, (c) => downstreamTrace(c, [[gtin, lot]], limits, org));
    return sized([...t.steps, ...t.holdings]);
  };
/** The query API's 404 test of a lot route: may `org` see the lot (visibility.ts)? */
const lotVisible =
  (pool: Pool, gtin: string, lot: string, org: string | null): Answer =>
  async () =>
    sized((await pool.query(lotVisibleQuery(gtin, lot, org))).rows);

/**
 * The cost of scoping a trace to the caller's organisation, beside the
 * unscoped answer (the auditor's, and every caller's before answers were
 * scoped), interleaved so load on the machine hits both alike: the lot check
 * every lot route runs first, and the downstream walk with its holdings.
 * RetailerMSP owns every location of the fill; SupplierMSP none.
 */
async function timeScoped(pool: Pool, runs: number): Promise<void> {
  const limits = DEFAULT_TRACE_LIMITS;
  const cases: Array<[string, Answer, Answer]> = [
    ['downstream from C1 for a holder', walkDown(pool, CHILD_GTIN, 'C1', limits), walkDown(pool, CHILD_GTIN, 'C1', limits, 'RetailerMSP')],
    ['downstream from C1 for a member holding nothing', walkDown(pool, CHILD_GTIN, 'C1', limits), walkDown(pool, CHILD_GTIN, 'C1', limits, 'SupplierMSP')],
    [
      'upstream from C5-5 with the lot check of a holder',
      walkUp(pool, CHILD_GTIN, 'C5-5', limits),
      both(lotVisible(pool, CHILD_GTIN, 'C5-5', 'RetailerMSP'), walkUp(pool, CHILD_GTIN, 'C5-5', limits)),
    ],
    ['lot check of ROOT (1,000,000 movements) for a holder', lotVisible(pool, ROOT_GTIN, 'ROOT', null), lotVisible(pool, ROOT_GTIN, 'ROOT', 'RetailerMSP')],
    // The rule reads the lot's sites (lot_sites: 1,000 here), not its movement history.
    ['lot check of ROOT for a member holding nothing', lotVisible(pool, ROOT_GTIN, 'ROOT', null), lotVisible(pool, ROOT_GTIN, 'ROOT', 'SupplierMSP')],
  ];
  for (const [name, unscoped, scoped] of cases) {
    // A lot check answers in a fraction of a millisecond, where 100 runs leave the p50 to the machine's
    // noise: it is run 30 times as often (3,000 pairs by default, under 2 s).
    const n = name.startsWith('lot check') ? runs * 30 : runs;
    const [a, b] = await timeInterleaved(unscoped, scoped, n);
    const ms = (v: number) => v.toFixed(v < 1 ? 3 : 2);
    console.log(
      `scoped: ${name} (${n} runs): unscoped p50 ${ms(pct(a, 50))} ms p99 ${ms(pct(a, 99))} ms; scoped p50 ${ms(pct(b, 50))} ms p99 ${ms(pct(b, 99))} ms; ` +
        `scoped/unscoped p50 ${(pct(b, 50) / pct(a, 50)).toFixed(2)}x`,
    );
  }
}

const both =
  (first: Answer, second: Answer): Answer =>
  async () => {
    await first();
    return second();
  };

async function timeQueries(pool: Pool, runs: number, label: string): Promise<void> {
  const limits = DEFAULT_TRACE_LIMITS;
  for (const [name, before, after] of [
    ['downstream from ROOT', baseline(pool, BASELINE_DOWNSTREAM_SQL, ROOT_GTIN, 'ROOT'), walkDown(pool, ROOT_GTIN, 'ROOT', limits)],
    ['upstream from C5-5', baseline(pool, BASELINE_UPSTREAM_SQL, CHILD_GTIN, 'C5-5'), walkUp(pool, CHILD_GTIN, 'C5-5', limits)],
  ] as const) {
    const b = await time(`${label}: ${name}: baseline CTE`, before, runs);
    const a = await time(`${label}: ${name}: bounded walk`, after, runs);
    console.log(`  ${label}: ${name}: walk/baseline p50 ${(a / b).toFixed(2)}x`);
  }
}

/** A diamond of `depth` transformations: level k holds lots L<k>a and L<k>b, each a parent of both lots of level k + 1. */
async function fillDiamond(pool: Pool, depth: number): Promise<void> {
  await pool.query('DELETE FROM lot_lineage WHERE parent_gtin = $1', [DIAMOND_GTIN]);
  await pool.query(
    `INSERT INTO lot_lineage SELECT $1::text, 'L' || k || p, $1::text, 'L' || (k + 1) || c, 'tx-d' || k, 100 + k
       FROM generate_series(0, $2::int - 1) k, (VALUES ('a'), ('b')) pa(p), (VALUES ('a'), ('b')) ch(c)`,
    [DIAMOND_GTIN, depth],
  );
  await pool.query('ANALYZE lot_lineage');
}

async function diamond(pool: Pool, runs: number, baselineDepth: number): Promise<void> {
  const limits = DEFAULT_TRACE_LIMITS;
  let measured: { depth: number; bytes: number } | undefined;
  for (const depth of [12, 16, 22]) {
    await fillDiamond(pool, depth);
    const top = `L${depth}a`;
    if (depth <= baselineDepth) {
      await time(`diamond depth ${depth}: upstream: baseline CTE`, baseline(pool, BASELINE_UPSTREAM_SQL, DIAMOND_GTIN, top), 1);
      await time(`diamond depth ${depth}: downstream: baseline CTE`, baseline(pool, BASELINE_DOWNSTREAM_SQL, DIAMOND_GTIN, 'L0a'), 1);
      measured = { depth, bytes: (await baseline(pool, BASELINE_UPSTREAM_SQL, DIAMOND_GTIN, top)()).bytes };
    } else if (measured) {
      // The baseline's answer doubles per level.
      const mib = (measured.bytes * 2 ** (depth - measured.depth)) / 2 ** 20;
      console.log(`diamond depth ${depth}: baseline CTE not run (its upstream answer would be about ${Math.round(mib)} MiB as JSON)`);
    }
    await time(`diamond depth ${depth}: upstream: bounded walk`, walkUp(pool, DIAMOND_GTIN, top, limits), runs);
    await time(`diamond depth ${depth}: downstream: bounded walk`, walkDown(pool, DIAMOND_GTIN, 'L0a', limits), runs);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '300' },
      movements: { type: 'string', default: '1000000' },
      'diamond-baseline-depth': { type: 'string', default: '16' },
      keep: { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  const movements = Number(values.movements);
  const pg = process.env.DATABASE_URL ? undefined : benchPostgres();
  await pg?.start();
  const schema = 'bench_trace';
  const pool = createPool({ connectionString: process.env.DATABASE_URL ?? pg!.connectionString, schema, max: 2 });
  try {
    await dropSchema(pool, schema);
    const applied = await migrate(pool, schema);
    console.log(`schema ${schema}: migrations ${applied.join(', ')}`);
    // Partitions for the months the movements span (30 s apart).
    const months = Math.ceil((movements * 30) / (86400 * 28)) + 1;
    for (let m = 0; m < months; m++) {
      const from = new Date(Date.UTC(2026, m, 1)).toISOString().slice(0, 10);
      const to = new Date(Date.UTC(2026, m + 1, 1)).toISOString().slice(0, 10);
      await pool.query(`CREATE TABLE stock_movements_p${m} PARTITION OF stock_movements FOR VALUES FROM ('${from}') TO ('${to}')`);
    }
    const t0 = Date.now();
    for (const [sql, params] of FILL(movements)) await pool.query(sql, params);
    await pool.query('ANALYZE');
    const counts = (
      await pool.query(
        `SELECT (SELECT count(*) FROM stock_movements WHERE gtin = $1 AND lot_code = 'ROOT') AS movements,
      (SELECT count(*) FROM lot_lineage) AS lineage, (SELECT count(*) FROM stock_levels) AS levels`,
        [ROOT_GTIN],
      )
    ).rows[0];
    console.log(
      `filled DIRECTLY in PostgreSQL (not through the ledger) in ${((Date.now() - t0) / 1000).toFixed(1)} s: ` +
        `${counts.movements} movements of lot ${ROOT_GTIN}/ROOT, ${counts.lineage} lineage rows, ${counts.levels} stock levels`,
    );

    const m004 = fs.readFileSync(path.join(migrationsDir(), '004_trace_indexes.sql'), 'utf8');
    await pool.query('DROP INDEX IF EXISTS lot_lineage_parent_steps, stock_levels_lot_held');
    await pool.query('VACUUM ANALYZE');
    await timeQueries(pool, runs, 'without migration 004');
    await pool.query(m004);
    await pool.query('VACUUM ANALYZE');
    await timeQueries(pool, runs, 'with migration 004');
    await timeScoped(pool, Math.min(runs, 100));
    await diamond(pool, Math.min(runs, 50), Number(values['diamond-baseline-depth']));
    console.log('2 shared cores: figures vary with other load on the machine');
    if (!values.keep) await dropSchema(pool, schema);
  } finally {
    await pool.end();
    await pg?.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
