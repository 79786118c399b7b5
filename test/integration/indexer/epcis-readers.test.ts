/**
 * The grants a scoped EPCIS query walks (epcis_event_readers, migration 019)
 * follow the rule of event-visibility.ts whatever order events and locations
 * arrive in: an event is readable by its capturer and by the owners of the
 * locations it names, also when a location is registered after the events
 * naming it or handed to another member. Checked against the rule written out
 * as a predicate over the events, on a real PostgreSQL, and the scoped page
 * statement answers the same events in the same order.
 */
import { expect } from 'chai';
import type { Pool } from 'pg';
import { parseEventQuery } from '../../../indexer/src/query/epcis/epcis-params';
import { eventPageStatement } from '../../../indexer/src/query/epcis/epcis-sql';
import { VISIBLE } from '../../../indexer/src/query/visibility';
import { migratedSchema } from './harness';

const gln = (i: number) => String(i).padStart(13, '0');

describe('indexer: who may read each EPCIS event (migration 019)', function () {
  this.timeout(120_000);

  const db = migratedSchema('readers');
  let pool: Pool;
  before(() => (pool = db.pool()));

  const addLocation = (i: number, owner: string) =>
    pool.query(
      `INSERT INTO warehouses (gln, name, location_type, owner_msp, sgln, address, tx_id, block_number)
       VALUES ($1::text, 'site', 'dc', $2, 'urn:epc:id:sgln:' || $1::text, '{}', 'tx', 1)
       ON CONFLICT (gln) DO UPDATE SET owner_msp = EXCLUDED.owner_msp`,
      [gln(i), owner],
    );
  const addEvent = (block: number, capturer: string, locations: number[]) =>
    pool.query(
      `INSERT INTO epcis_events (block_number, tx_index, seq, tx_id, ledger_event_id, event_id, event_type, event_time, record_time,
                                 captured, document, capturer_msp, location_glns)
       VALUES ($1, 0, 0, 'tx' || $4, 'le' || $4, 'urn:uuid:e' || $4, 'ObjectEvent', now(), now(), true, '{}', $2, $3)`,
      [block, capturer, locations.map(gln), String(block)],
    );

  /** The rule, as the predicate the query ran over each event before the grants were kept. */
  async function byRule(org: string): Promise<number[]> {
    const r = await pool.query(
      `SELECT te.block_number::int AS b FROM epcis_events te
        WHERE te.capturer_msp = $1 OR EXISTS (SELECT 1 FROM warehouses w WHERE w.gln = ANY (te.location_glns) AND w.owner_msp = $1)
        ORDER BY 1`,
      [org],
    );
    return r.rows.map((x: { b: number }) => x.b);
  }
  async function byGrants(org: string): Promise<number[]> {
    const q = parseEventQuery({ perPage: '1000' });
    const st = eventPageStatement(q, undefined, q.perPage, { org });
    return (await pool.query(st.text, st.values)).rows.map((x: { block_number: string }) => Number(x.block_number));
  }
  async function expectRule(orgs: string[]): Promise<void> {
    for (const org of orgs) expect(await byGrants(org), org).to.deep.equal(await byRule(org));
  }

  it('grants the capturer and the owners of the named locations, whichever arrived first', async () => {
    await addLocation(1, 'RetailerMSP');
    await addEvent(10, 'Supplier1MSP', [1]);
    await addEvent(11, 'Supplier2MSP', [2]); // location 2 is not registered yet
    await addEvent(12, 'Supplier2MSP', [1, 2]);
    await addEvent(13, 'CarrierMSP', []);
    expect(await byGrants('RetailerMSP')).to.deep.equal([10, 12]);
    expect(await byGrants('Supplier1MSP')).to.deep.equal([10]);
    expect(await byGrants('CarrierMSP')).to.deep.equal([13]);

    await addLocation(2, 'CarrierMSP'); // registered after the events naming it
    expect(await byGrants('CarrierMSP')).to.deep.equal([11, 12, 13]);
    await expectRule(['RetailerMSP', 'Supplier1MSP', 'Supplier2MSP', 'CarrierMSP']);
  });

  it('moves the grants of a location handed to another member, and the former owner keeps only what it may still see', async () => {
    await addLocation(3, 'CarrierMSP');
    await addEvent(20, 'Supplier1MSP', [2, 3]); // the carrier owns both locations
    await addEvent(21, 'CarrierMSP', [2]); // captured by the carrier itself
    await addLocation(2, 'Supplier2MSP');
    const carrier = await byGrants('CarrierMSP');
    expect(carrier).to.include.members([13, 20, 21]);
    expect(carrier).to.not.include(11);
    expect(carrier).to.not.include(12); // it named locations 1 (the retailer's) and 2, and the carrier captured neither
    expect(await byGrants('Supplier2MSP')).to.include.members([11, 12, 20, 21]);
    await expectRule(['RetailerMSP', 'Supplier1MSP', 'Supplier2MSP', 'CarrierMSP']);
  });

  it('answers the ledger view’s EPCIS fact (VISIBLE.epcisEvent) by the same grants', async () => {
    for (const org of ['RetailerMSP', 'Supplier1MSP', 'Supplier2MSP', 'CarrierMSP', 'NobodyMSP']) {
      const r = await pool.query(`SELECT te.block_number::int AS b FROM epcis_events te WHERE ${VISIBLE.epcisEvent('te', '$1')} ORDER BY 1`, [org]);
      expect(
        r.rows.map((x: { b: number }) => x.b),
        org,
      ).to.deep.equal(await byRule(org));
    }
    expect(await byGrants('NobodyMSP')).to.deep.equal([]);
  });

  it('drops the grants of a removed location and of removed events', async () => {
    await pool.query(`DELETE FROM warehouses WHERE gln = $1`, [gln(3)]);
    await expectRule(['RetailerMSP', 'Supplier1MSP', 'Supplier2MSP', 'CarrierMSP']);
    await pool.query(`DELETE FROM epcis_events WHERE block_number = 20`);
    await addLocation(3, 'CarrierMSP');
    await expectRule(['RetailerMSP', 'Supplier1MSP', 'Supplier2MSP', 'CarrierMSP']);
    const left = await pool.query(`SELECT count(*)::int AS n FROM epcis_event_readers WHERE block_number = 20`);
    expect(left.rows[0].n).to.equal(0);
  });

  it('pages an organisation’s events after a position, in event order', async () => {
    const q = parseEventQuery({ perPage: '2' });
    const first = await pool.query(
      eventPageStatement(q, undefined, 2, { org: 'Supplier2MSP' }).text,
      eventPageStatement(q, undefined, 2, { org: 'Supplier2MSP' }).values,
    );
    const firstBlocks = first.rows.map((x: { block_number: string }) => Number(x.block_number));
    const last = first.rows[first.rows.length - 1] as { block_number: string; tx_index: number; seq: number };
    const st = eventPageStatement(q, { block: last.block_number, tx: last.tx_index, seq: last.seq }, 10, { org: 'Supplier2MSP' });
    const rest = (await pool.query(st.text, st.values)).rows.map((x: { block_number: string }) => Number(x.block_number));
    expect([...firstBlocks, ...rest]).to.deep.equal(await byRule('Supplier2MSP'));
  });
});
