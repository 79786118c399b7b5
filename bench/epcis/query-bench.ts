/**
 * The cost of scoping EPCIS queries by organisation. The repository is filled
 * DIRECTLY in PostgreSQL (generate_series): 300,000 events captured by 20
 * organisations at 1,000 locations (each organisation owns 50), so one
 * organisation may see about a tenth of them (those it captured and those
 * naming a location it owns). Each query shape runs as the statement the query
 * API sends for an auditor (no scope: the statement every caller got before
 * answers were scoped) and for one organisation, interleaved run by run so
 * load on the machine hits both alike; p50/p99 and the scoped/unscoped ratio.
 *
 *   node dist/bench/epcis/query-bench.js [--events 300000] [--runs 200] [--keep]
 *
 * PostgreSQL: DATABASE_URL, else a local server on INDEXER_BENCH_PORT_BASE + 700 (44700), started and stopped here.
 */
import { parseArgs } from 'node:util';
import type { Pool } from 'pg';
import { dropSchema, migrate } from '../../indexer/src/db/migrate';
import { createPool } from '../../indexer/src/db/pool';
import { parseEventQuery } from '../../indexer/src/query/epcis/epcis-params';
import { eventPageStatement } from '../../indexer/src/query/epcis/epcis-sql';
import type { EventScope } from '../../indexer/src/query/epcis/event-visibility';
import { benchPostgres, pct, timeInterleaved } from '../indexer/bench-env';

const ORGS = 20;
const LOCATIONS = 1000;
const CLASS = 'https://id.gs1.org/01/09506000134352/10/LOT7';
const SCOPE: EventScope = { org: 'Org7' };

async function fill(pool: Pool, events: number): Promise<void> {
  const q = parseEventQuery({ EQ_bizStep: 'shipping,receiving,commissioning,packing,storing', MATCH_anyEPCClass: CLASS });
  const steps = q.bizSteps!;
  const lotClass = q.anyEpcClass!.exact[0];
  await pool.query(
    `INSERT INTO warehouses (gln, name, location_type, owner_msp, sgln, address, tx_id, block_number)
     SELECT lpad(i::text, 13, '0'), 'site ' || i, 'dc', 'Org' || (i % $1::int), 'urn:epc:id:sgln:' || i, '{}', 'tx', 1
       FROM generate_series(1, $2::int) i`,
    [ORGS, LOCATIONS],
  );
  await pool.query(
    `INSERT INTO epcis_events (block_number, tx_index, seq, tx_id, ledger_event_id, event_id, event_type, event_time, record_time,
                               biz_step, disposition, biz_location, read_point, captured, epc_classes, any_epc_classes, document,
                               capturer_msp, location_glns)
     SELECT 10 + i / 10, i % 10, 0, 'tx-' || i, 'le-' || i, 'urn:uuid:ev-' || i, 'ObjectEvent',
            timestamptz '2026-01-01' + i * interval '10 seconds', timestamptz '2026-01-01' + i * interval '10 seconds',
            ($1::text[])[1 + i % 5], 'in_progress', 'urn:epc:id:sgln:' || (1 + abs(hashint4(i + 7919)) % $4::int), NULL, true,
            CASE WHEN i % 97 = 0 THEN ARRAY[$2::text] ELSE ARRAY['https://id.gs1.org/01/09506000134352/10/L' || i] END,
            CASE WHEN i % 97 = 0 THEN ARRAY[$2::text] ELSE ARRAY['https://id.gs1.org/01/09506000134352/10/L' || i] END,
            jsonb_build_object('type', 'ObjectEvent', 'eventID', 'urn:uuid:ev-' || i, 'action', 'OBSERVE'),
            'Org' || (abs(hashint4(i)) % $3::int), ARRAY[lpad((1 + abs(hashint4(i + 7919)) % $4::int)::text, 13, '0')]
       FROM generate_series(0, $5::int - 1) i`,
    [steps, lotClass, ORGS, LOCATIONS, events],
  );
  await pool.query('VACUUM ANALYZE');
}

type Shape = { name: string; params: Record<string, string>; deep?: boolean };

const SHAPES: Shape[] = [
  { name: 'first page, no filter (30)', params: {} },
  { name: 'EQ_bizStep=shipping, 100 per page', params: { EQ_bizStep: 'shipping', perPage: '100' } },
  { name: 'EQ_bizLocation of one of the org’s sites', params: { EQ_bizLocation: 'urn:epc:id:sgln:' + 7 } },
  { name: 'EQ_bizLocation of another org’s site', params: { EQ_bizLocation: 'urn:epc:id:sgln:' + 8 } },
  { name: 'MATCH_anyEPCClass of a lot', params: { MATCH_anyEPCClass: CLASS } },
  { name: 'GE_eventTime a day into the data, 30', params: { GE_eventTime: '2026-01-02T00:00:00Z' } },
  { name: 'a page halfway into the results', params: {}, deep: true },
];

async function run(pool: Pool, shape: Shape, scope: EventScope, events: number): Promise<number> {
  const q = parseEventQuery(shape.params);
  const after = shape.deep ? { block: String(10 + Math.floor(events / 20)), tx: 0, seq: 0 } : undefined;
  const st = eventPageStatement(q, after, q.perPage, scope);
  return (await pool.query(st)).rowCount ?? 0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { events: { type: 'string', default: '300000' }, runs: { type: 'string', default: '200' }, keep: { type: 'boolean', default: false } },
  });
  const events = Number(values.events);
  const runs = Number(values.runs);
  const pg = process.env.DATABASE_URL ? undefined : benchPostgres();
  await pg?.start();
  const schema = 'bench_epcis_query';
  const pool = createPool({ connectionString: process.env.DATABASE_URL ?? pg!.connectionString, schema, max: 2 });
  try {
    await dropSchema(pool, schema);
    await migrate(pool, schema);
    const t0 = Date.now();
    await fill(pool, events);
    const visible = (
      await pool.query(
        `SELECT count(*)::int AS n FROM epcis_events te
          WHERE te.capturer_msp = $1 OR EXISTS (SELECT 1 FROM warehouses w WHERE w.gln = ANY (te.location_glns) AND w.owner_msp = $1)`,
        [SCOPE!.org],
      )
    ).rows[0].n as number;
    console.log(
      `filled DIRECTLY in PostgreSQL in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${events} events, ${ORGS} organisations, ` +
        `${LOCATIONS} locations; ${SCOPE!.org} may see ${visible} (${((100 * visible) / events).toFixed(1)} %)`,
    );
    const ratios: number[] = [];
    for (const shape of SHAPES) {
      const rowsAll = await run(pool, shape, undefined, events);
      const rowsOrg = await run(pool, shape, SCOPE, events);
      const [all, org] = await timeInterleaved(
        () => run(pool, shape, undefined, events),
        () => run(pool, shape, SCOPE, events),
        runs,
      );
      const ratio = pct(org, 50) / pct(all, 50);
      ratios.push(ratio);
      console.log(
        `${shape.name}: unscoped ${rowsAll} rows p50 ${pct(all, 50).toFixed(2)} ms p99 ${pct(all, 99).toFixed(2)} ms; ` +
          `scoped to ${SCOPE!.org} ${rowsOrg} rows p50 ${pct(org, 50).toFixed(2)} ms p99 ${pct(org, 99).toFixed(2)} ms; scoped/unscoped p50 ${ratio.toFixed(2)}x`,
      );
    }
    console.log(`worst scoped/unscoped p50 ratio: ${Math.max(...ratios).toFixed(2)}x (${runs} interleaved runs per shape; 2 shared cores)`);
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
