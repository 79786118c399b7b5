/**
 * A scoped EPCIS page filtered by business step, business location or class
 * is chosen among the organisation's grants, on the copies of those fields
 * they carry (migration 021). Whatever order events and locations arrive in,
 * and when an event is written again or a location changes hands, each
 * scoped page equals the unscoped page with the same filters, kept to the
 * events the rule of event-visibility.ts lets the organisation see, in the
 * same order; also on a pooled connection that reuses a prepared statement.
 */
import { expect } from 'chai';
import type { Pool } from 'pg';
import { parseEventQuery } from '../../../indexer/src/query/epcis/epcis-params';
import { eventPageStatement } from '../../../indexer/src/query/epcis/epcis-sql';
import { migratedSchema } from './harness';

const gln = (i: number) => String(i).padStart(13, '0');
const sgln = (i: number) => `urn:epc:id:sgln:${i}`;
const CLASS = (lot: string) => `https://id.gs1.org/01/09506000134352/10/${lot}`;
const ORGS = ['RetailerMSP', 'Supplier1MSP', 'Supplier2MSP', 'CarrierMSP', 'NobodyMSP'];
const QUERIES: Record<string, string>[] = [
  {},
  { EQ_bizStep: 'shipping' },
  { EQ_bizStep: 'shipping,receiving' },
  { EQ_bizLocation: sgln(1) },
  { EQ_bizLocation: sgln(2) },
  { EQ_bizStep: 'receiving', EQ_bizLocation: sgln(2) },
  { MATCH_anyEPCClass: CLASS('A') },
  { MATCH_anyEPCClass: `${CLASS('A')},${CLASS('B')}` },
  { MATCH_anyEPCClass: CLASS('*') },
  { MATCH_anyEPCClass: CLASS('A'), EQ_bizStep: 'shipping' },
  { EQ_bizStep: 'shipping', GE_eventTime: '2026-01-01T00:00:00Z' },
  { GE_eventTime: '2026-01-01T00:11:00Z', LT_eventTime: '2026-01-01T00:14:00Z' },
  { LT_eventTime: '2026-01-01T00:12:00Z', EQ_bizLocation: sgln(1) },
  { EQ_action: 'OBSERVE' },
  { EQ_action: 'ADD', EQ_bizStep: 'receiving', MATCH_anyEPCClass: CLASS('B') },
];

describe('indexer: scoped EPCIS pages filtered on the grants (migration 021)', function () {
  this.timeout(120_000);

  const db = migratedSchema('reader_filters');
  let pool: Pool;
  before(() => (pool = db.pool()));

  const addLocation = (i: number, owner: string) =>
    pool.query(
      `INSERT INTO warehouses (gln, name, location_type, owner_msp, sgln, address, tx_id, block_number)
       VALUES ($1::text, 'site', 'dc', $2, $3, '{}', 'tx', 1)
       ON CONFLICT (gln) DO UPDATE SET owner_msp = EXCLUDED.owner_msp`,
      [gln(i), owner, sgln(i)],
    );
  const addEvent = (block: number, capturer: string, step: string, location: number, lots: string[]) =>
    pool.query(
      `INSERT INTO epcis_events (block_number, tx_index, seq, tx_id, ledger_event_id, event_id, event_type, event_time, record_time,
                                 biz_step, biz_location, captured, epc_classes, any_epc_classes, document, capturer_msp, location_glns)
       VALUES ($1::int, 0, 0, 'tx' || $1::int, 'le' || $1::int, 'urn:uuid:e' || $1::int, 'ObjectEvent',
               timestamptz '2026-01-01T00:00:00Z' + $1::int * interval '1 minute', now(),
               $2, $3, true, $4, $4, jsonb_build_object('action', CASE WHEN $1::int % 2 = 0 THEN 'OBSERVE' ELSE 'ADD' END), $5, $6)`,
      [block, step, sgln(location), lots.map(CLASS), capturer, [gln(location)]],
    );

  async function blocks(params: Record<string, string>, org?: string): Promise<number[]> {
    const q = parseEventQuery({ ...params, perPage: '1000' });
    const st = eventPageStatement(q, undefined, q.perPage, org === undefined ? undefined : { org });
    return (await pool.query(st)).rows.map((x: { block_number: string }) => Number(x.block_number));
  }
  async function visibleTo(org: string): Promise<Set<number>> {
    const r = await pool.query(
      `SELECT te.block_number::int AS b FROM epcis_events te
        WHERE te.capturer_msp = $1 OR EXISTS (SELECT 1 FROM warehouses w WHERE w.gln = ANY (te.location_glns) AND w.owner_msp = $1)`,
      [org],
    );
    return new Set(r.rows.map((x: { b: number }) => x.b));
  }
  async function expectRule(): Promise<void> {
    for (const org of ORGS) {
      const seen = await visibleTo(org);
      for (const params of QUERIES) {
        const expected = (await blocks(params)).filter((b) => seen.has(b));
        expect(await blocks(params, org), `${org} ${JSON.stringify(params)}`).to.deep.equal(expected);
      }
    }
  }

  it('answers each filter as the rule over the filtered events does, as events and locations arrive and change', async () => {
    await addLocation(1, 'RetailerMSP');
    await addEvent(10, 'Supplier1MSP', 'shipping', 1, ['A']);
    await addEvent(11, 'Supplier2MSP', 'receiving', 2, ['A', 'B']); // location 2 is not registered yet
    await addEvent(12, 'Supplier2MSP', 'shipping', 2, ['B']);
    await addEvent(13, 'CarrierMSP', 'shipping', 1, ['C']);
    await addEvent(14, 'Supplier1MSP', 'receiving', 1, []);
    const filtered = await blocks({ EQ_bizStep: 'shipping', MATCH_anyEPCClass: CLASS('A') }, 'RetailerMSP');
    expect(filtered).to.deep.equal([10]);
    await expectRule();

    await addLocation(2, 'CarrierMSP'); // registered after the events naming it
    expect(await blocks({ MATCH_anyEPCClass: CLASS('B') }, 'CarrierMSP')).to.deep.equal([11, 12]);
    await expectRule();

    // An event written again with another step, location and classes: its grants carry the new ones.
    await pool.query(
      `UPDATE epcis_events SET biz_step = 'receiving', biz_location = $1, location_glns = $2, any_epc_classes = $3,
                               event_time = event_time - interval '1 hour'
        WHERE block_number = 12`,
      [sgln(1), [gln(1)], [CLASS('D')]],
    );
    expect(await blocks({ MATCH_anyEPCClass: CLASS('D') }, 'RetailerMSP')).to.deep.equal([12]);
    expect(await blocks({ EQ_bizStep: 'shipping' }, 'CarrierMSP')).to.deep.equal([13]);
    expect(await blocks({ LT_eventTime: '2026-01-01T00:00:00Z' }, 'RetailerMSP')).to.deep.equal([12]);
    await expectRule();

    // A location handed over: the new owner's grants carry the events' fields, the former owner keeps its own.
    await addLocation(1, 'Supplier2MSP');
    expect(await blocks({ EQ_bizLocation: sgln(1) }, 'Supplier2MSP')).to.deep.equal([10, 12, 13, 14]);
    expect(await blocks({ EQ_bizLocation: sgln(1) }, 'RetailerMSP')).to.deep.equal([]);
    await expectRule();
  });

  it('pages a filtered scope after a position, the same statement answering again after new events', async () => {
    const q = parseEventQuery({ EQ_bizStep: 'receiving', perPage: '2' });
    const first = await pool.query(eventPageStatement(q, undefined, 2, { org: 'Supplier2MSP' }));
    const last = first.rows[first.rows.length - 1] as { block_number: string; tx_index: number; seq: number };
    const after = { block: last.block_number, tx: last.tx_index, seq: last.seq };
    const rest = async () =>
      (await pool.query(eventPageStatement(q, after, 10, { org: 'Supplier2MSP' }))).rows.map((x: { block_number: string }) => Number(x.block_number));
    const all = [...first.rows.map((x: { block_number: string }) => Number(x.block_number)), ...(await rest())];
    const seen = await visibleTo('Supplier2MSP');
    expect(all).to.deep.equal((await blocks({ EQ_bizStep: 'receiving' })).filter((b) => seen.has(b)));
    expect(all.length).to.be.greaterThan(2);
    await addEvent(30, 'Supplier2MSP', 'receiving', 9, []);
    await addEvent(31, 'CarrierMSP', 'receiving', 9, []);
    expect(await rest())
      .to.include(30)
      .and.not.include(31);
  });
});
