/**
 * The lot rule (VISIBLE.lot) reads where each lot moved from lot_sites
 * (migration 020) instead of searching the lot's movement history, and the
 * lots made from each lot from lot_descendants (migration 022) instead of
 * walking the lineage. What a member sees before and after a lot moves to one
 * of its locations, the upstream it gains and the sideways lots it never sees,
 * a location handed to another member, lineage that arrives after the
 * movements (in chains, diamonds and a cycle), and the rule over the kept
 * tables against the rule written out over the movement history and the
 * lineage, on a real PostgreSQL.
 */
import { expect } from 'chai';
import type { Pool } from 'pg';
import { lotsVisibleQuery, lotVisibleQuery, VISIBLE } from '../../../indexer/src/query/visibility';
import { migratedSchema } from './harness';

const GTIN = '04000001000012';
const SUPPLIER_SITE = '4000001000005';
const RETAILER_SITE = '4000002000004';
const RETAILER2_SITE = '4000003000003';
const CARRIER_SITE = '4000004000002';
const ORGS = ['SupplierMSP', 'RetailerMSP', 'Retailer2MSP', 'CarrierMSP', 'NobodyMSP'];

describe('indexer: the lot rule over the sites each lot moved at and the lots made from it (migrations 020, 022)', function () {
  this.timeout(120_000);
  let seq = 0;

  const db = migratedSchema('sites', async (pool: Pool) => {
    await pool.query(`CREATE TABLE stock_movements_all PARTITION OF stock_movements FOR VALUES FROM ('2000-01-01') TO ('2100-01-01')`);
  });
  let pool: Pool;
  before(async () => {
    pool = db.pool();
    for (const [gln, owner] of [
      [SUPPLIER_SITE, 'SupplierMSP'],
      [RETAILER_SITE, 'RetailerMSP'],
      [RETAILER2_SITE, 'Retailer2MSP'],
    ]) {
      await location(gln, owner);
    }
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
       VALUES ($1, $2, 'https://id.gs1.org/01/' || $1 || '/10/' || $2, 'active', '{}', '{}', now(), $3, $4, 'tx', 1)`,
      [GTIN, code, by, SUPPLIER_SITE],
    );
  const madeFrom = (child: string, parent: string) =>
    pool.query(`INSERT INTO lot_lineage (parent_gtin, parent_lot_code, child_gtin, child_lot_code, tx_id, block_number) VALUES ($1, $2, $1, $3, 'tx', 1)`, [
      GTIN,
      parent,
      child,
    ]);
  /** Movements of one statement (gln, lot), as the projection writes a batch's rows. */
  const moves = (rows: Array<[string, string]>) =>
    pool.query(
      `INSERT INTO stock_movements (movement_id, event_time, block_number, tx_index, seq, tx_id, epcis_event_id, position, gln, gtin, lot_code,
                                    delta, delta_base_units, balance, balance_base_units, biz_step)
       SELECT 'm' || ($1::int + o), now(), 1, 0, $1::int + o, 'tx', 'ev', 'on_hand', r.gln, $2, r.lot, 1, 1000, 1, 1000, 'receiving'
         FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS r(gln, lot, o)`,
      [(seq += 100), GTIN, rows.map((r) => r[0]), rows.map((r) => r[1])],
    );

  async function sees(org: string, code: string): Promise<boolean> {
    return (await pool.query(`SELECT ${VISIBLE.lot('$1', '$2', '$3')} AS v`, [GTIN, code, org])).rows[0].v as boolean;
  }
  async function visibleTo(org: string): Promise<string[]> {
    const r = await pool.query(
      `SELECT k.lot_code FROM (SELECT lot_code FROM lots UNION SELECT child_lot_code FROM lot_lineage UNION SELECT lot_code FROM stock_movements) k
        WHERE ${VISIBLE.lot('$1', 'k.lot_code', '$2')} ORDER BY 1`,
      [GTIN, org],
    );
    return r.rows.map((x: { lot_code: string }) => x.lot_code);
  }
  /** The rule written out over the movement history, as the lot predicate searched it before lot_sites. */
  async function byHistory(org: string): Promise<string[]> {
    const r = await pool.query(
      `SELECT k.lot_code FROM (SELECT lot_code FROM lots UNION SELECT child_lot_code FROM lot_lineage UNION SELECT lot_code FROM stock_movements) k
        WHERE EXISTS (
          WITH RECURSIVE made_from(gtin, lot_code) AS (
            SELECT $1::text, k.lot_code
            UNION
            SELECT ll.child_gtin, ll.child_lot_code FROM lot_lineage ll JOIN made_from mf ON ll.parent_gtin = mf.gtin AND ll.parent_lot_code = mf.lot_code)
          SELECT 1 FROM made_from mf
           WHERE EXISTS (SELECT 1 FROM lots l WHERE l.gtin = mf.gtin AND l.lot_code = mf.lot_code AND l.commissioned_by = $2)
              OR EXISTS (SELECT 1 FROM stock_movements m JOIN warehouses w ON w.gln = m.gln
                          WHERE m.gtin = mf.gtin AND m.lot_code = mf.lot_code AND w.owner_msp = $2))
        ORDER BY 1`,
      [GTIN, org],
    );
    return r.rows.map((x: { lot_code: string }) => x.lot_code);
  }
  async function expectHistoryRule(): Promise<void> {
    for (const org of ORGS) expect(await visibleTo(org), org).to.deep.equal(await byHistory(org));
  }

  it('shows a lot to a member once it moves to the member’s location, with its upstream and nothing sideways', async () => {
    await lot('RAW', 'SupplierMSP');
    await madeFrom('L1', 'RAW');
    await madeFrom('L2', 'RAW');
    await moves([
      [SUPPLIER_SITE, 'RAW'],
      [SUPPLIER_SITE, 'L1'],
      [SUPPLIER_SITE, 'L2'],
    ]);
    expect(await sees('RetailerMSP', 'L1')).to.equal(false);
    expect(await sees('RetailerMSP', 'RAW')).to.equal(false);
    expect(await sees('SupplierMSP', 'L1')).to.equal(true);

    await moves([[RETAILER_SITE, 'L1']]); // L1 shipped to the retailer
    await moves([[RETAILER2_SITE, 'L2']]); // L2 to the supplier's other customer
    expect(await visibleTo('RetailerMSP')).to.deep.equal(['L1', 'RAW']);
    expect(await visibleTo('Retailer2MSP')).to.deep.equal(['L2', 'RAW']);
    expect(await visibleTo('NobodyMSP')).to.deep.equal([]);
    expect(await visibleTo('SupplierMSP')).to.deep.equal(['L1', 'L2', 'RAW']);
    await expectHistoryRule();
  });

  it('keeps one site per lot and location however many movements there are', async () => {
    await moves(Array.from({ length: 500 }, (_, i): [string, string] => [i % 2 === 0 ? RETAILER_SITE : SUPPLIER_SITE, 'L1']));
    await moves([[RETAILER_SITE, 'L1']]);
    const r = await pool.query(`SELECT gln, count(*)::int AS n FROM lot_sites WHERE lot_code = 'L1' GROUP BY gln ORDER BY gln`);
    expect(r.rows).to.deep.equal([
      { gln: SUPPLIER_SITE, n: 1 },
      { gln: RETAILER_SITE, n: 1 },
    ]);
    const all = await pool.query(
      `SELECT (SELECT count(*) FROM lot_sites)::int AS kept, (SELECT count(*) FROM (SELECT DISTINCT gtin, lot_code, gln FROM stock_movements) d)::int AS distinct_sites`,
    );
    expect(all.rows[0].kept).to.equal(all.rows[0].distinct_sites);
  });

  it('follows a location to its new owner, and a site registered after the lot moved there', async () => {
    await moves([[CARRIER_SITE, 'L3']]); // the location is not registered yet
    expect(await sees('CarrierMSP', 'L3')).to.equal(false);
    await location(CARRIER_SITE, 'CarrierMSP');
    expect(await sees('CarrierMSP', 'L3')).to.equal(true);
    await location(CARRIER_SITE, 'Retailer2MSP'); // handed over: as the rule over the history, the current owner held it
    expect(await sees('CarrierMSP', 'L3')).to.equal(false);
    expect(await sees('Retailer2MSP', 'L3')).to.equal(true);
    await expectHistoryRule();
  });

  it('follows lineage that arrives after the movements: chains stored in one statement, a diamond, a cycle', async () => {
    await moves([
      [RETAILER2_SITE, 'D4'],
      [RETAILER_SITE, 'E2'],
    ]);
    // One statement of chained edges, parents after their children: D1 -> D2 -> D3 -> D4 and D1 -> D2b -> D3.
    await pool.query(
      `INSERT INTO lot_lineage (parent_gtin, parent_lot_code, child_gtin, child_lot_code, tx_id, block_number)
       SELECT $1, p, $1, c, 'tx', 2 FROM unnest($2::text[], $3::text[]) AS e(p, c)`,
      [GTIN, ['D3', 'D2', 'D2b', 'D1', 'D1'], ['D4', 'D3', 'D3', 'D2', 'D2b']],
    );
    for (const code of ['D1', 'D2', 'D2b', 'D3', 'D4']) expect(await sees('Retailer2MSP', code), code).to.equal(true);
    expect(await sees('RetailerMSP', 'D1')).to.equal(false);
    // A lot made from D4 later, held by the retailer: the whole chain above it becomes its upstream.
    await madeFrom('E1', 'D4');
    await madeFrom('E2', 'E1');
    expect(await sees('RetailerMSP', 'D1')).to.equal(true);
    // A cycle (as bad data could make one) ends the closure instead of looping.
    await madeFrom('D1', 'E2');
    const closure = await pool.query(
      `SELECT count(*)::int AS n, count(DISTINCT (gtin, lot_code, descendant_gtin, descendant_lot_code))::int AS d FROM lot_descendants`,
    );
    expect(closure.rows[0].n).to.equal(closure.rows[0].d);
    await expectHistoryRule();
    // The kept closure is the lineage's: every pair reachable by a walk of lot_lineage, and no other.
    const walked = await pool.query(
      `WITH RECURSIVE c(gtin, lot_code, dg, dl) AS (
         SELECT parent_gtin, parent_lot_code, child_gtin, child_lot_code FROM lot_lineage
         UNION
         SELECT c.gtin, c.lot_code, ll.child_gtin, ll.child_lot_code FROM c JOIN lot_lineage ll ON ll.parent_gtin = c.dg AND ll.parent_lot_code = c.dl)
       SELECT (SELECT count(*) FROM c)::int AS walked,
              (SELECT count(*) FROM lot_descendants)::int AS kept,
              (SELECT count(*) FROM c WHERE NOT EXISTS (SELECT 1 FROM lot_descendants d
                 WHERE d.gtin = c.gtin AND d.lot_code = c.lot_code AND d.descendant_gtin = c.dg AND d.descendant_lot_code = c.dl))::int AS missing`,
    );
    expect(walked.rows[0].missing).to.equal(0);
    expect(walked.rows[0].kept).to.equal(walked.rows[0].walked);
  });

  it('checks a set of lots in one statement as one lot at a time', async () => {
    const codes = (
      await pool.query(
        `SELECT DISTINCT lot_code FROM (SELECT lot_code FROM lots UNION SELECT child_lot_code FROM lot_lineage UNION SELECT lot_code FROM lot_sites) k ORDER BY 1`,
      )
    ).rows.map((r: { lot_code: string }) => r.lot_code);
    for (const org of [...ORGS, null]) {
      const r = await pool.query(
        lotsVisibleQuery(
          codes.map(() => GTIN),
          codes,
          org,
        ),
      );
      const one: string[] = [];
      for (const code of codes) if ((await pool.query(lotVisibleQuery(GTIN, code, org))).rows[0].visible === true) one.push(code);
      expect(r.rows.map((x: { lot_code: string }) => x.lot_code).sort(), String(org)).to.deep.equal([...one].sort());
      if (org === null) expect(one).to.deep.equal(codes);
    }
  });
});
