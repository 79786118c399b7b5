/**
 * Trace query latency on a large read model. The tables are filled DIRECTLY in
 * PostgreSQL (generate_series), not through the ledger: this measures the read
 * model's query, not indexing. One lot with 1,000,000 stock movements, a
 * 110-lot descendant tree (10 children x 10 grandchildren) each held at 10
 * locations, and noise (200,000 unrelated lineage rows, 500,000 unrelated stock
 * levels). Then times the query API's downstream trace (DOWNSTREAM_SQL, the
 * exact SQL of GET /lots/:gtin/:lotCode/trace/downstream) and the upstream one,
 * p50/p99, first without the indexes of migration 004 (dropped), then with them.
 *
 *   node dist/bench/indexer/trace-bench.js [--runs 300] [--movements 1000000] [--keep]
 *
 * PostgreSQL: DATABASE_URL, else a local server on port base + 700 (44700), started and stopped here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { Pool } from 'pg';
import { dropSchema, migrate, migrationsDir } from '../../indexer/src/db/migrate';
import { createPool } from '../../indexer/src/db/pool';
import { DOWNSTREAM_SQL, UPSTREAM_SQL } from '../../indexer/src/query/trace-routes';
import { benchPostgres, pct } from './bench-env';

const ROOT_GTIN = '00000000000017';
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

async function timeQueries(pool: Pool, runs: number, label: string): Promise<void> {
  for (const [name, sql, gtin, lot] of [
    ['downstream from ROOT', DOWNSTREAM_SQL, ROOT_GTIN, 'ROOT'],
    ['upstream from C5-5', UPSTREAM_SQL, CHILD_GTIN, 'C5-5'],
  ] as const) {
    const first = await pool.query(sql, [gtin, lot]);
    const plan = (await pool.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, [gtin, lot])).rows.map((r) => r['QUERY PLAN'] as string);
    for (let i = 0; i < 20; i++) await pool.query(sql, [gtin, lot]);
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = process.hrtime.bigint();
      await pool.query(sql, [gtin, lot]);
      ms.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
    ms.sort((a, b) => a - b);
    console.log(
      `${label}: ${name}: ${first.rowCount} rows; ${runs} runs: p50 ${pct(ms, 50).toFixed(2)} ms, p99 ${pct(ms, 99).toFixed(2)} ms, max ${ms[ms.length - 1].toFixed(2)} ms (client round trip included)`,
    );
    const scans = plan
      .filter((l) => /Scan using|Seq Scan/.test(l))
      .map((l) =>
        l
          .trim()
          .replace(/\s+\(cost.*$/, '')
          .replace(/^->\s+/, ''),
      );
    console.log(`  server: ${plan.find((l) => l.includes('Execution Time'))?.trim()}; ${scans.join(', ')}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '300' }, movements: { type: 'string', default: '1000000' }, keep: { type: 'boolean', default: false } },
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
