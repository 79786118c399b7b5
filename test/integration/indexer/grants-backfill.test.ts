/**
 * Migrations 019, 020 and 022 on a read model that already holds events,
 * locations, movements and lineage: they fill epcis_event_readers, lot_sites
 * and lot_descendants from the stored rows, so the scoped reads answer as the
 * per-row rules did before them, and the triggers keep them from then on.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Pool } from 'pg';
import { applyMigrations } from '../../../lib/platform/src';
import { dropSchema, listMigrations, migrate } from '../../../indexer/src/db/migrate';
import { createPool } from '../../../indexer/src/db/pool';
import { VISIBLE } from '../../../indexer/src/query/visibility';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { testPostgres, unique } from './harness';

const GTIN = '04000001000012';
const gln = (i: number) => String(i).padStart(13, '0');

describe('indexer: grants filled by migration from the rows already stored (019, 020, 022)', function () {
  this.timeout(120_000);
  let pg: PostgresServer;
  let pool: Pool;
  let before018: string;
  const schema = unique('backfill');

  before(async () => {
    pg = testPostgres();
    await pg.start();
    pool = createPool({ connectionString: pg.connectionString, schema, max: 1 });
    // The migrations up to 018, as a database made before the grants were kept.
    before018 = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-018-'));
    for (const m of listMigrations().filter((x) => x.version <= 18)) fs.copyFileSync(m.file, path.join(before018, path.basename(m.file)));
    await applyMigrations({ pool, schema, dir: before018 });
  });
  after(async () => {
    fs.rmSync(before018, { recursive: true, force: true });
    await dropSchema(pool, schema).catch(() => undefined);
    await pool.end();
    await pg.stop();
  });

  it('grants what the stored rows grant, and keeps them after', async () => {
    expect((await pool.query(`SELECT to_regclass('epcis_event_readers') AS t, to_regclass('lot_sites') AS s`)).rows[0]).to.deep.equal({ t: null, s: null });
    await pool.query(
      `INSERT INTO warehouses (gln, name, location_type, owner_msp, sgln, address, tx_id, block_number)
       VALUES ($1, 'a', 'dc', 'RetailerMSP', 'urn:epc:id:sgln:1', '{}', 'tx', 1), ($2, 'b', 'dc', 'SupplierMSP', 'urn:epc:id:sgln:2', '{}', 'tx', 1)`,
      [gln(1), gln(2)],
    );
    await pool.query(
      `INSERT INTO epcis_events (block_number, tx_index, seq, tx_id, ledger_event_id, event_id, event_type, event_time, record_time,
                                 captured, document, capturer_msp, location_glns, biz_step, biz_location, any_epc_classes)
       VALUES (10, 0, 0, 'tx10', 'le10', 'urn:uuid:e10', 'ObjectEvent', now(), now(), true, '{}', 'SupplierMSP', $1,
               'shipping', 'urn:epc:id:sgln:1', '{https://id.gs1.org/01/04000001000012/10/L1}'),
              (11, 0, 0, 'tx11', 'le11', 'urn:uuid:e11', 'ObjectEvent', now() - interval '1 day', now(), true, '{}', 'CarrierMSP', '{}',
               'receiving', NULL, '{}')`,
      [[gln(1)]],
    );
    await pool.query(`CREATE TABLE stock_movements_all PARTITION OF stock_movements FOR VALUES FROM ('2000-01-01') TO ('2100-01-01')`);
    await pool.query(
      `INSERT INTO stock_movements (movement_id, event_time, block_number, tx_index, seq, tx_id, epcis_event_id, position, gln, gtin, lot_code,
                                    delta, delta_base_units, balance, balance_base_units, biz_step)
       SELECT 'm' || i, now(), 1, 0, i, 'tx', 'ev', 'on_hand', CASE WHEN i % 2 = 0 THEN $1 ELSE $2 END, $3, 'L' || (i % 3), 1, 1000, 1, 1000, 'receiving'
         FROM generate_series(1, 60) i`,
      [gln(1), gln(2), GTIN],
    );

    // Lineage: P0 -> P1 -> L1 (L1 moved at both locations) and P0 -> X (never moved).
    await pool.query(
      `INSERT INTO lot_lineage (parent_gtin, parent_lot_code, child_gtin, child_lot_code, tx_id, block_number)
       VALUES ($1, 'P0', $1, 'P1', 'tx', 1), ($1, 'P1', $1, 'L1', 'tx', 1), ($1, 'P0', $1, 'X', 'tx', 1)`,
      [GTIN],
    );

    expect(await migrate(pool, schema)).to.include.members([19, 20, 21, 22]);
    // Migration 021: each grant carries its event's filtered fields.
    const copies = await pool.query(
      `SELECT count(*)::int AS n FROM epcis_event_readers r JOIN epcis_events e USING (block_number, tx_index, seq)
        WHERE (r.biz_step, r.biz_location, r.any_epc_classes, r.event_time) IS NOT DISTINCT FROM (e.biz_step, e.biz_location, e.any_epc_classes, e.event_time)`,
    );
    expect(copies.rows[0].n).to.equal(3);

    const readers = await pool.query(`SELECT org, block_number::int AS b FROM epcis_event_readers ORDER BY 2, 1`);
    expect(readers.rows).to.deep.equal([
      { org: 'RetailerMSP', b: 10 },
      { org: 'SupplierMSP', b: 10 },
      { org: 'CarrierMSP', b: 11 },
    ]);
    const sites = await pool.query(`SELECT lot_code || '@' || gln AS s FROM lot_sites ORDER BY 1`);
    expect(sites.rows.map((r: { s: string }) => r.s)).to.deep.equal(['L0', 'L1', 'L2'].flatMap((l) => [`${l}@${gln(1)}`, `${l}@${gln(2)}`]));
    const seen = await pool.query(`SELECT ${VISIBLE.lot('$1', '$2', '$3')} AS v`, [GTIN, 'L1', 'RetailerMSP']);
    expect(seen.rows[0].v).to.equal(true);
    const closure = await pool.query(`SELECT lot_code || '>' || descendant_lot_code AS d FROM lot_descendants ORDER BY 1`);
    expect(closure.rows.map((r: { d: string }) => r.d)).to.deep.equal(['P0>L1', 'P0>P1', 'P0>X', 'P1>L1']);
    const sees = async (code: string, org: string) => (await pool.query(`SELECT ${VISIBLE.lot('$1', '$2', '$3')} AS v`, [GTIN, code, org])).rows[0].v;
    expect(await sees('P0', 'RetailerMSP')).to.equal(true); // upstream of L1, two levels up
    expect(await sees('X', 'RetailerMSP')).to.equal(false); // sideways

    // From now on the triggers keep them.
    await pool.query(
      `INSERT INTO stock_movements (movement_id, event_time, block_number, tx_index, seq, tx_id, epcis_event_id, position, gln, gtin, lot_code,
                                    delta, delta_base_units, balance, balance_base_units, biz_step)
       VALUES ('m-new', now(), 2, 0, 0, 'tx', 'ev', 'on_hand', $1, $2, 'L9', 1, 1000, 1, 1000, 'receiving')`,
      [gln(2), GTIN],
    );
    expect((await pool.query(`SELECT ${VISIBLE.lot('$1', '$2', '$3')} AS v`, [GTIN, 'L9', 'SupplierMSP'])).rows[0].v).to.equal(true);
    expect((await pool.query(`SELECT ${VISIBLE.lot('$1', '$2', '$3')} AS v`, [GTIN, 'L9', 'RetailerMSP'])).rows[0].v).to.equal(false);
    await pool.query(
      `INSERT INTO lot_lineage (parent_gtin, parent_lot_code, child_gtin, child_lot_code, tx_id, block_number) VALUES ($1, 'Q', $1, 'P0', 'tx', 2)`,
      [GTIN],
    );
    expect(await sees('Q', 'RetailerMSP')).to.equal(true);
    expect(await sees('Q', 'CarrierMSP')).to.equal(false);
  });
});
