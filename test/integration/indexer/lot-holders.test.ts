/**
 * The holders the lot rule reads (lot_holders, migration 020) are the members
 * that commissioned a lot or moved it at a location they own, whatever order
 * lots, movements and locations arrive in; checked against that rule written
 * out over lots and the movement history, on a real PostgreSQL.
 */
import { expect } from 'chai';
import type { Pool } from 'pg';
import { dropSchema, migrate } from '../../../indexer/src/db/migrate';
import { createPool } from '../../../indexer/src/db/pool';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { testPostgres, unique } from './harness';

const GTIN = '04000001000012';

describe('indexer: the holders of each lot (migration 020)', function () {
  this.timeout(120_000);
  let pg: PostgresServer;
  let pool: Pool;
  const schema = unique('holders');
  let seq = 0;

  before(async () => {
    pg = testPostgres();
    await pg.start();
    pool = createPool({ connectionString: pg.connectionString, schema, max: 1 });
    await migrate(pool, schema);
    await pool.query(`CREATE TABLE stock_movements_all PARTITION OF stock_movements FOR VALUES FROM ('2000-01-01') TO ('2100-01-01')`);
  });
  after(async () => {
    await dropSchema(pool, schema).catch(() => undefined);
    await pool.end();
    await pg.stop();
  });

  const location = (gln: string, owner: string) =>
    pool.query(
      `INSERT INTO warehouses (gln, name, location_type, owner_msp, sgln, address, tx_id, block_number)
       VALUES ($1::text, 'site', 'dc', $2, 'urn:epc:id:sgln:' || $1::text, '{}', 'tx', 1)
       ON CONFLICT (gln) DO UPDATE SET owner_msp = EXCLUDED.owner_msp`,
      [gln, owner],
    );
  const lot = (code: string, by: string) =>
    pool.query(
      `INSERT INTO lots (gtin, lot_code, epc_class, status, certificates, recall_ids, commissioned_at, commissioned_by, commissioned_gln, tx_id, block_number)
       VALUES ($1, $2, 'https://id.gs1.org/01/' || $1 || '/10/' || $2, 'active', '{}', '{}', now(), $3, '0000000000001', 'tx', 1)`,
      [GTIN, code, by],
    );
  /** Movements of one statement, as the projection writes a block's rows. */
  const moves = (rows: Array<[string, string]>) =>
    pool.query(
      `INSERT INTO stock_movements (movement_id, event_time, block_number, tx_index, seq, tx_id, epcis_event_id, position, gln, gtin, lot_code,
                                    delta, delta_base_units, balance, balance_base_units, biz_step)
       SELECT 'm' || ($1::int + o), now(), 1, 0, $1::int + o, 'tx', 'ev', 'on_hand', r.gln, $2, r.lot, 1, 1000, 1, 1000, 'receiving'
         FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS r(gln, lot, o)`,
      [(seq += 100), GTIN, rows.map((r) => r[0]), rows.map((r) => r[1])],
    );

  async function holders(): Promise<string[]> {
    return (await pool.query(`SELECT lot_code || ':' || org AS h FROM lot_holders ORDER BY 1`)).rows.map((r: { h: string }) => r.h);
  }
  /** The rule over the history, as the lot predicate searched it before the holders were kept. */
  async function byRule(): Promise<string[]> {
    return (
      await pool.query(
        `SELECT lot_code || ':' || commissioned_by AS h FROM lots
          UNION SELECT m.lot_code || ':' || w.owner_msp FROM stock_movements m JOIN warehouses w ON w.gln = m.gln ORDER BY 1`,
      )
    ).rows.map((r: { h: string }) => r.h);
  }

  it('holds the commissioner and every owner of a location the lot moved at', async () => {
    await location('4000001000005', 'SupplierMSP');
    await location('4000002000004', 'RetailerMSP');
    await lot('L1', 'SupplierMSP');
    await moves([
      ['4000001000005', 'L1'],
      ['4000002000004', 'L1'],
      ['4000002000004', 'L2'],
    ]);
    expect(await holders()).to.deep.equal(['L1:RetailerMSP', 'L1:SupplierMSP', 'L2:RetailerMSP']);
    expect(await holders()).to.deep.equal(await byRule());
  });

  it('adds the owner of a location registered after movements at it, and keeps a former owner', async () => {
    await moves([['4000003000003', 'L3']]); // the location is not registered yet
    expect(await holders()).to.not.include('L3:CarrierMSP');
    await location('4000003000003', 'CarrierMSP');
    expect(await holders()).to.include('L3:CarrierMSP');
    await location('4000003000003', 'Supplier2MSP'); // handed over: the carrier held L3, the new owner holds it now
    expect(await holders()).to.include.members(['L3:CarrierMSP', 'L3:Supplier2MSP']);
  });
});
