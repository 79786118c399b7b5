import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'pg';
import { dropSchema, migrate } from '../../../indexer/src/db/migrate';
import { createPool } from '../../../indexer/src/db/pool';
import { createSubscriptions, tipPosition } from '../../../indexer/src/query/epcis/subscriptions';
import { createWebhookSender } from '../../../indexer/src/query/epcis/webhook-sender';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { testPostgres, unique } from './harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The subscribers: five organisations scoped to what they may see, and an auditor that sees every event. */
const ORGS = ['RetailerMSP', 'SupplierMSP', 'Supplier2MSP', 'Supplier3MSP', 'CarrierMSP'] as const;
const AUDITOR = 'auditor';
const SUBSCRIBERS = [...ORGS, AUDITOR];
/** A location of the retailer's: events of the suppliers naming it are the retailer's to see too. */
const RETAILER_GLN = '0614141000005';

interface Written {
  id: string;
  capturer: string;
  glns: string[];
}

/**
 * Webhook subscriptions of six subscribers, all delivering to one receiver (one destination: at most two
 * deliveries in flight to it), while two suppliers' events land block by block, interleaved in the same blocks,
 * as the projection commits them, and the receiver is at times slow or failing. Every subscriber receives every
 * event it may see, in record order, and nothing else; those that may see none of them receive nothing, though
 * they are offered on every pass.
 */
describe('indexer: EPCIS webhook subscriptions sharing one receiver each get every event they may see', function () {
  this.timeout(180_000);
  let pg: PostgresServer;
  let pool: Pool;
  let server: http.Server;
  const schema = unique('subs');
  const received = new Map<string, string[]>(SUBSCRIBERS.map((s) => [s, []]));

  before(async () => {
    pg = testPostgres();
    await pg.start();
    pool = createPool({ connectionString: pg.connectionString, schema });
    await migrate(pool, schema);
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        // Slow at times, and at times failing: a failed page is not taken and comes again.
        const delay = Math.random() < 0.3 ? Math.floor(Math.random() * 150) : 0;
        setTimeout(() => {
          if (Math.random() < 0.1) return void res.writeHead(503).end();
          const subscriber = decodeURIComponent((req.url ?? '/').slice(1));
          const doc = JSON.parse(body) as { epcisBody?: { queryResults?: { resultsBody?: { eventList?: Array<{ eventID: string }> } } } };
          for (const e of doc.epcisBody?.queryResults?.resultsBody?.eventList ?? []) received.get(subscriber)?.push(e.eventID);
          res.writeHead(204).end();
        }, delay);
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  });
  after(async () => {
    server?.close();
    if (pool) {
      await dropSchema(pool, schema).catch(() => undefined);
      await pool.end();
    }
    await pg?.stop();
  });

  /** One block's events in one transaction, as the projection commits a block. */
  async function writeBlock(block: number, txs: Array<Array<{ capturer: string; glns: string[] }>>): Promise<Written[]> {
    const written: Written[] = [];
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('INSERT INTO blocks (block_number, header_hash, previous_hash, data_hash, tx_count) VALUES ($1, $2, $2, $2, $3)', [
        block,
        Buffer.from(randomUUID()),
        txs.length,
      ]);
      for (const [txIndex, events] of txs.entries()) {
        const txId = randomUUID().replace(/-/g, '');
        for (const [seq, e] of events.entries()) {
          const id = `urn:uuid:${randomUUID()}`;
          const doc = { type: 'ObjectEvent', eventID: id, eventTime: '2025-09-01T00:00:00.000Z', eventTimeZoneOffset: '+00:00', action: 'OBSERVE' };
          await c.query(
            `INSERT INTO epcis_events (block_number, tx_index, seq, tx_id, ledger_event_id, event_id, event_type, event_time, record_time, captured,
               document, capturer_msp, location_glns, biz_location)
             VALUES ($1, $2, $3, $4, $5, $6, 'ObjectEvent', $7, now(), true, $8, $9, $10, $11)`,
            [
              block,
              txIndex,
              seq,
              txId,
              `ev-${txId}`,
              id,
              doc.eventTime,
              JSON.stringify(doc),
              e.capturer,
              e.glns,
              e.glns[0] ? `urn:epc:id:sgln:${e.glns[0]}` : null,
            ],
          );
          written.push({ id, ...e });
        }
      }
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
    return written;
  }

  it('two suppliers capture into the same blocks while deliveries are in flight: every subscriber gets all it may see, in order', async () => {
    const port = (server.address() as AddressInfo).port;
    await pool.query(
      `INSERT INTO warehouses (gln, name, location_type, owner_msp, sgln, address, tx_id, block_number) VALUES ($1, 'DC', 'DC', 'RetailerMSP', $2, '{}', 'tx-dc', 1)`,
      [RETAILER_GLN, `urn:epc:id:sgln:${RETAILER_GLN}`],
    );
    // Earlier history: the subscriptions start after it.
    let block = 1;
    await writeBlock(block++, [[{ capturer: 'SupplierMSP', glns: [] }], [{ capturer: 'Supplier3MSP', glns: [] }]]);
    const start = await tipPosition(pool);
    for (const s of SUBSCRIBERS) {
      const org = s === AUDITOR ? 'AuditorMSP' : s;
      const name = `all-${s}`;
      await pool.query('INSERT INTO epcis_named_queries (owner_org, name, query) VALUES ($1, $2, $3)', [org, name, '{}']);
      await pool.query(
        `INSERT INTO epcis_subscriptions (id, owner_org, query_name, dest, after_block, after_tx, after_seq, scope_org)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [randomUUID(), org, name, `http://127.0.0.1:${port}/${encodeURIComponent(s)}`, start.block, start.tx, start.seq, s === AUDITOR ? null : s],
      );
      // Created one after another, as six members subscribing would.
      await sleep(5);
    }
    const subs = createSubscriptions({ pool, maxBackoffMs: 1000, sender: createWebhookSender({ allow: ['127.0.0.1/32'], timeoutMs: 5000 }) });
    subs.start();
    const written: Written[] = [];
    try {
      // Blocks of both suppliers' transactions, interleaved, at irregular intervals: some land while a page is on its way.
      const capturers = ['SupplierMSP', 'Supplier2MSP'];
      for (let b = 0; b < 24; b++) {
        const txs = Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () => {
          const capturer = capturers[Math.floor(Math.random() * 2)];
          // Now and then a supplier's event at the retailer's location.
          return Array.from({ length: 1 + Math.floor(Math.random() * 2) }, () => ({ capturer, glns: Math.random() < 0.2 ? [RETAILER_GLN] : [] }));
        });
        // Both suppliers in the first block, so both have something to send from the start.
        if (b === 0) txs.push([{ capturer: 'SupplierMSP', glns: [] }], [{ capturer: 'Supplier2MSP', glns: [] }]);
        written.push(...(await writeBlock(block++, txs)));
        await sleep(Math.floor(Math.random() * 400));
      }
      const visible = (s: string) =>
        written.filter((e) => s === AUDITOR || e.capturer === s || (s === 'RetailerMSP' && e.glns.includes(RETAILER_GLN))).map((e) => e.id);
      const arrived = () => SUBSCRIBERS.every((s) => visible(s).every((id) => received.get(s)!.includes(id)));
      for (let i = 0; i < 300 && !arrived(); i++) await sleep(100);

      const summary = SUBSCRIBERS.map((s) => `${s} ${new Set(received.get(s)).size}/${visible(s).length}`).join(', ');
      for (const s of SUBSCRIBERS) {
        // At least once (a page whose answer was lost comes again): compared in the order of first arrival.
        expect([...new Set(received.get(s))], `${s} (received/visible: ${summary})`).to.deep.equal(visible(s));
      }
      expect(visible('Supplier2MSP').length, "supplier 2's events").to.be.greaterThan(3);
      for (const idle of ['Supplier3MSP', 'CarrierMSP']) expect(received.get(idle), idle).to.deep.equal([]);
      const states = (
        await pool.query<{ scope_org: string | null; delivered: string; last_error: string | null }>(
          'SELECT scope_org, delivered, last_error FROM epcis_subscriptions',
        )
      ).rows;
      for (const st of states) expect(Number(st.delivered), `${st.scope_org ?? AUDITOR}: delivered count`).to.equal(visible(st.scope_org ?? AUDITOR).length);
      // Events a subscriber may not see are read once: every subscription's position ends at the newest event,
      // so none is offered again until something new is recorded.
      const tip = await tipPosition(pool);
      const behind = async () =>
        (
          await pool.query<{ scope_org: string | null }>(
            'SELECT scope_org FROM epcis_subscriptions WHERE (after_block, after_tx, after_seq) <> ($1::bigint, $2::int, $3::int)',
            [tip.block, tip.tx, tip.seq],
          )
        ).rows.map((r) => r.scope_org ?? AUDITOR);
      for (let i = 0; i < 50 && (await behind()).length > 0; i++) await sleep(100);
      expect(await behind(), 'subscriptions whose position is short of the newest event').to.deep.equal([]);
    } finally {
      await subs.stop();
    }
  });
});
