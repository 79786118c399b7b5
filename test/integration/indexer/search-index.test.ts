/**
 * GET /search reads indexes only: each of its statements, planned on the
 * migrated read model with sequential scans discouraged, uses an index (a
 * plan with a Seq Scan would mean no index can answer it).
 */
import { expect } from 'chai';
import type { Pool } from 'pg';
import { SEARCH_SQL, ssccForms } from '../../../indexer/src/query/operations-routes';
import { migratedSchema } from './harness';

describe('indexer: the search box reads indexes (EXPLAIN)', function () {
  this.timeout(120_000);

  const db = migratedSchema('search', async (pool: Pool) => {
    // The projection adds a month's partition when it first writes one; one partition stands in for them.
    await pool.query(`CREATE TABLE stock_movements_all PARTITION OF stock_movements FOR VALUES FROM ('2000-01-01') TO ('2100-01-01')`);
    await pool.query(
      `INSERT INTO trace_events (epcis_event_id, tx_id, block_number, tx_index, seq, ledger_event_id, event_type, event_time, document)
       SELECT 'ev' || i, 'tx' || i, i, 0, 0, 'le' || i, 'AggregationEvent', now(),
              jsonb_build_object('parentID', 'urn:epc:id:sscc:0614141.' || lpad(i::text, 10, '0'), 'childEPCs', jsonb_build_array('https://id.gs1.org/00/' || lpad(i::text, 18, '0')))
         FROM generate_series(1, 2000) i`,
    );
    // Each of those transactions moved a lot.
    await pool.query(
      `INSERT INTO stock_movements (movement_id, event_time, block_number, tx_index, seq, tx_id, epcis_event_id, position, gln, gtin, lot_code,
                                    delta, delta_base_units, balance, balance_base_units, biz_step)
       SELECT 'ev' || i || '#0', now(), i, 0, 0, 'tx' || i, 'ev' || i, 'on_hand', '4000001000005', '04000001000012', 'L' || i, 1, 1000, 1, 1000, 'packing'
         FROM generate_series(1, 2000) i`,
    );
    await pool.query('ANALYZE');
  });
  let pool: Pool;
  before(() => (pool = db.pool()));

  async function plan(sql: string, params: unknown[]): Promise<string> {
    const client = await pool.connect();
    try {
      await client.query('SET enable_seqscan = off');
      return (await client.query(`EXPLAIN ${sql}`, params)).rows.map((r) => r['QUERY PLAN'] as string).join('\n');
    } finally {
      await client.query('RESET enable_seqscan');
      client.release();
    }
  }

  it('finds SSCCs through the GIN index of migration 015, in either form', async () => {
    const p = await plan(SEARCH_SQL.ssccLots, [ssccForms('000000000000000042')]);
    expect(p, p).to.include('trace_events_ssccs').and.not.include('Seq Scan');
    const lots = await pool.query(SEARCH_SQL.ssccLots, [ssccForms('000000000000000042')]);
    expect(lots.rows).to.deep.equal([{ gtin: '04000001000012', lot_code: 'L42' }]);
    const extracted = await pool.query(`SELECT trace_event_ssccs(document) AS s FROM trace_events WHERE epcis_event_id = 'ev42'`);
    expect(extracted.rows[0].s).to.have.members(['urn:epc:id:sscc:0614141.0000000042', '000000000000000042']);
    const found = await pool.query(`SELECT epcis_event_id FROM trace_events WHERE trace_event_ssccs(document) && $1::text[]`, [
      ['urn:epc:id:sscc:0614141.0000000042'],
    ]);
    expect(found.rows.map((r) => r.epcis_event_id)).to.deep.equal(['ev42']);
  });

  it('finds transactions and shipments by index', async () => {
    for (const [name, sql] of [
      ['transactionLots', SEARCH_SQL.transactionLots],
      ['shipments', SEARCH_SQL.shipments],
    ] as const) {
      const p = await plan(sql, ['x'.repeat(64)]);
      expect(p, `${name}:\n${p}`).to.not.include('Seq Scan');
    }
  });
});
