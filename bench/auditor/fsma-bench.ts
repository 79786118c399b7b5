/**
 * FSMA 204 export speed — a READ-MODEL benchmark. The read-model tables
 * (trace_events, lots, inventory_items, warehouses) are filled DIRECTLY in
 * PostgreSQL with generate_series, NOT through the ledger: this measures the
 * export (its SQL, row mapping and CSV/XLSX writing), not indexing. Events are
 * a quarter each initial packing, transformation, shipping and receiving,
 * shaped like the chaincode's EPCIS events. Then it produces the whole export
 * as CSV and as XLSX (into a byte-counting sink) and prints rows/s.
 *
 *   node dist/bench/auditor/fsma-bench.js [--events 100000] [--runs 2] [--keep]
 *
 * PostgreSQL: DATABASE_URL, else a local server on FSMA_BENCH_PORT_BASE (default 46000) + 700,
 * with its state in indexer/.run/fsma-bench-<base>, started and stopped here.
 */
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { Pool } from 'pg';
import { loadDevnetConfig } from '../../network/src/config';
import { createPostgres } from '../../network/src/services/postgres';
import { dropSchema, migrate } from '../../indexer/src/db/migrate';
import { createPool } from '../../indexer/src/db/pool';
import { writeCsv } from '../../indexer/src/query/fsma/fsma-csv';
import { fsmaRows } from '../../indexer/src/query/fsma/fsma-rows';
import { writeXlsx } from '../../indexer/src/query/fsma/fsma-xlsx';
import type { FsmaQuery } from '../../indexer/src/query/fsma/fsma-params';

const PORT_BASE = Number(process.env.FSMA_BENCH_PORT_BASE ?? 46000);
const GREEN = '00761234510013';
const ROASTED = '00761234510020';

/** Digital Link class of a lot, in SQL. */
const cls = (gtin: string, lot: string) => `'https://id.gs1.org/01/${gtin}/10/' || ${lot}`;
const sgln = (w: string) => `'urn:epc:id:sgln:7612345.' || lpad((${w})::text, 5, '0') || '.0'`;

const FILL = (events: number): string[] => [
  `INSERT INTO warehouses (gln, name, location_type, owner_msp, sgln, address, tx_id, block_number)
     SELECT '7612345' || lpad(w::text, 5, '0') || '0', 'Site ' || w, 'roastery', 'SupplierMSP', ${sgln('w')},
            jsonb_build_object('line1', w || ' Coffee Road', 'city', 'Bremen', 'region', 'HB', 'postalCode', '28' || lpad(w::text, 3, '0'), 'country', 'DE', 'phone', '+49 421 ' || w),
            'tx-w', 1 FROM generate_series(1, 1000) w`,
  `INSERT INTO inventory_items (gtin, description, unit, registered_by, tx_id, block_number)
     VALUES ('${GREEN}', 'Green coffee, washed arabica', 'KGM', 'SupplierMSP', 'tx-p', 1), ('${ROASTED}', 'Roasted beans 1 kg', 'KGM', 'SupplierMSP', 'tx-p', 1)`,
  `INSERT INTO lots (gtin, lot_code, epc_class, status, certificates, recall_ids, commissioned_at, commissioned_by, commissioned_gln, tx_id, block_number)
     SELECT g.gtin, g.p || k, 'https://id.gs1.org/01/' || g.gtin || '/10/' || g.p || k, 'active', '{}', '{}', now(), 'SupplierMSP',
            '7612345' || lpad((k % 1000 + 1)::text, 5, '0') || '0', 'tx-l', 2
       FROM generate_series(0, ${Math.ceil(events / 4)}) k, (VALUES ('${GREEN}', 'G'), ('${ROASTED}', 'R')) g(gtin, p)`,
  `INSERT INTO trace_events (epcis_event_id, tx_id, block_number, tx_index, seq, ledger_event_id, event_type, event_time, biz_step, disposition, biz_location, document)
   SELECT 'urn:coffee-trace:event:b-' || i || ':0', 'tx-' || i, 10 + i / 50, i % 50, 0, 'b-' || i,
          CASE WHEN i % 4 = 1 THEN 'TransformationEvent' ELSE 'ObjectEvent' END, e.t,
          CASE i % 4 WHEN 2 THEN 'shipping' WHEN 3 THEN 'receiving' ELSE 'commissioning' END,
          CASE i % 4 WHEN 2 THEN 'in_transit' WHEN 3 THEN 'in_progress' ELSE 'active' END, e.loc,
          jsonb_strip_nulls(jsonb_build_object(
            'type', CASE WHEN i % 4 = 1 THEN 'TransformationEvent' ELSE 'ObjectEvent' END,
            'eventID', 'urn:coffee-trace:event:b-' || i || ':0', 'eventTime', to_char(e.t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            'eventTimeZoneOffset', '+00:00',
            'action', CASE i % 4 WHEN 0 THEN 'ADD' WHEN 1 THEN NULL ELSE 'OBSERVE' END,
            'bizStep', CASE i % 4 WHEN 2 THEN 'shipping' WHEN 3 THEN 'receiving' ELSE 'commissioning' END,
            'quantityList', CASE i % 4 WHEN 0 THEN jsonb_build_array(jsonb_build_object('epcClass', ${cls(GREEN, "'G' || i / 4")}, 'quantity', 1000, 'uom', 'KGM'))
                                      WHEN 1 THEN NULL
                                      ELSE jsonb_build_array(jsonb_build_object('epcClass', ${cls(ROASTED, "'R' || i / 4")}, 'quantity', 400, 'uom', 'KGM')) END,
            'inputQuantityList', CASE WHEN i % 4 = 1 THEN jsonb_build_array(jsonb_build_object('epcClass', ${cls(GREEN, "'G' || i / 4")}, 'quantity', 600, 'uom', 'KGM')) END,
            'outputQuantityList', CASE WHEN i % 4 = 1 THEN jsonb_build_array(jsonb_build_object('epcClass', ${cls(ROASTED, "'R' || i / 4")}, 'quantity', 500, 'uom', 'KGM')) END,
            'bizLocation', jsonb_build_object('id', e.loc), 'readPoint', jsonb_build_object('id', e.loc),
            'sourceList', CASE WHEN i % 4 >= 2 THEN jsonb_build_array(jsonb_build_object('type', 'location', 'source', ${sgln('(i / 4) % 1000 + 1')})) END,
            'destinationList', CASE WHEN i % 4 >= 2 THEN jsonb_build_array(jsonb_build_object('type', 'location', 'destination', ${sgln('(i / 4 + 1) % 1000 + 1')})) END,
            'bizTransactionList', CASE WHEN i % 4 >= 2 THEN jsonb_build_array(jsonb_build_object('type', 'bol', 'bizTransaction', 'urn:epcglobal:cbv:bt:7612345000010:BOL-' || i / 4)) END,
            'ct:ledger', jsonb_build_object('function', CASE i % 4 WHEN 0 THEN 'CommissionLot' WHEN 1 THEN 'TransformLots' WHEN 2 THEN 'DispatchShipment' ELSE 'ReceiveShipment' END,
                                            'txId', 'tx-' || i, 'eventId', 'b-' || i, 'mspId', 'SupplierMSP')))
     FROM generate_series(0, ${events - 1}) i,
          LATERAL (SELECT timestamptz '2025-01-01' + i * interval '1 minute' AS t,
                          ${sgln('CASE WHEN i % 4 = 3 THEN (i / 4 + 1) % 1000 + 1 ELSE (i / 4) % 1000 + 1 END')} AS loc) e`,
];

/** A sink that counts bytes. */
function counter(): Writable & { bytes: number } {
  const w = new Writable({
    write(chunk, _enc, cb) {
      w.bytes += chunk.length;
      cb();
    },
  }) as Writable & { bytes: number };
  w.bytes = 0;
  return w;
}

async function timeOne(pool: Pool, format: 'csv' | 'xlsx', q: FsmaQuery): Promise<{ rows: number; ms: number; bytes: number }> {
  const sink = counter();
  const t0 = process.hrtime.bigint();
  const rows = format === 'csv' ? await writeCsv(sink, fsmaRows(pool, q)) : await writeXlsx(sink, fsmaRows(pool, q));
  if (format === 'csv') sink.end();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { rows, ms, bytes: sink.bytes };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { events: { type: 'string', default: '100000' }, runs: { type: 'string', default: '2' }, keep: { type: 'boolean', default: false } },
  });
  const events = Number(values.events);
  const base = loadDevnetConfig({ portBase: PORT_BASE });
  const cfg = loadDevnetConfig({ portBase: PORT_BASE, runDir: path.join(base.root, 'indexer', '.run', `fsma-bench-${PORT_BASE}`) });
  const pg = process.env.DATABASE_URL ? undefined : createPostgres({ cfg, database: 'fsma_bench' });
  await pg?.start();
  const schema = 'bench_fsma';
  const pool = createPool({ connectionString: process.env.DATABASE_URL ?? pg!.connectionString, schema, max: 2 });
  try {
    await dropSchema(pool, schema);
    console.log(`schema ${schema}: migrations ${(await migrate(pool, schema)).join(', ')}`);
    const t0 = Date.now();
    for (const sql of FILL(events)) await pool.query(sql);
    await pool.query('ANALYZE');
    const n = (await pool.query('SELECT count(*)::int AS n FROM trace_events')).rows[0].n;
    console.log(
      `READ-MODEL BENCHMARK: ${n} EPCIS events written DIRECTLY into PostgreSQL (not through the ledger) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    for (let run = 1; run <= Number(values.runs); run++) {
      for (const format of ['csv', 'xlsx'] as const) {
        const r = await timeOne(pool, format, { format });
        console.log(
          `run ${run} ${format}: ${r.rows} rows in ${(r.ms / 1000).toFixed(2)} s = ${Math.round(r.rows / (r.ms / 1000))} rows/s, ${(r.bytes / 1e6).toFixed(1)} MB`,
        );
      }
    }
    const one = await timeOne(pool, 'csv', { format: 'csv', tlcs: [{ gtin: ROASTED, lotCode: `R${Math.floor(events / 8)}` }] });
    console.log(`one TLC (csv): ${one.rows} rows in ${one.ms.toFixed(1)} ms`);
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
