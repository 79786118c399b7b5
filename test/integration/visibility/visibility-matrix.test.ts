/**
 * The visibility matrix (docs/visibility.md): on one devnet of a retailer,
 * three suppliers, a carrier and the auditor, one scenario that exercises
 * every rule, and for every read route of the query API (from its route
 * table), every chaincode read of the gateway, the console's pass-through,
 * EPCIS queries and subscriptions, and each reader, the answer holds exactly
 * what the rules grant: lists, counts and pages included.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { QUERY_ROUTES } from '../../../indexer/src/query/route-table';
import { resourceRoutes } from '../../../gateway/src/http/resource-routes';
import { provenanceRoutes } from '../../../gateway/src/http/provenance-routes';
import { testPrefix, eventId, submitJson, uniqueGtin } from '../chaincode/ledger-fixtures';
import { waitForBlock } from '../indexer/harness';
import { openLedgerStream, readers } from './visibility-client';
import type { Ctx, ProjectedEvent } from './visibility-context';
import { AUDITOR, READERS, S1, S2, S3, startVisibilityNet, type Reader, type VisibilityNet } from './visibility-devnet';
import { consoleRow, GATEWAY_ROWS, PROVENANCE_ROWS } from './visibility-gateway-rows';
import { QUERY_ROWS, routeKey } from './visibility-query-rows';
import { runScenario } from './visibility-scenario';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** `p`, or a failure naming the step when it has not settled within `ms` (a bound on waiting, not a timed assertion). */
async function within<T>(ms: number, step: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${step}: not done within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
/** The gateway's chaincode reads: every one needs a matrix row. */
const GATEWAY_READS = resourceRoutes().filter((r) => r.action.kind === 'query');
/** The gateway's proof routes (their table needs no ledger until a request). */
const PROOF_READS = provenanceRoutes()({ ledger: {}, mspId: '' } as Parameters<ReturnType<typeof provenanceRoutes>>[0]).routes;

describe('visibility matrix: six organisations, every read route, exactly what each may see', function () {
  this.timeout(1_800_000);
  let net: VisibilityNet | undefined;
  let x: Ctx;
  let hookServer: http.Server | undefined;
  const hooks: string[] = [];

  before(async function () {
    net = await startVisibilityNet();
    const s = await runScenario(net.orgs);
    await waitForBlock(net.pool, s.lastBlock, 120_000);
    const r = readers(net);
    hookServer = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        // Supplier 2's subscription delivers to /hook; every other reader's to a path of its own.
        const doc = req.url === '/hook' ? JSON.parse(body || '{}') : {};
        for (const e of doc.epcisBody?.queryResults?.resultsBody?.eventList ?? []) hooks.push(e.eventID);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((done) => hookServer!.listen(0, '127.0.0.1', () => done()));
    const hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`;
    // Reorder points at the retailer's and supplier 1's own locations.
    for (const [reader, gln, gtin] of [
      ['RetailerMSP', s.gln.dc, s.gtin.blend],
      [S1, s.gln.site1, s.gtin.g1],
    ] as const) {
      const a = await r.query(reader, `/reorder-points/${gln}/${gtin}`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ reorderPoint: '100000' }),
      });
      expect(a.status, a.text).to.equal(200);
    }
    // Each reader's own named query (every event) and a subscription to it; supplier 2's delivers to the hook.
    const queryName = {} as Record<Reader, string>;
    const subscriptionId = {} as Record<Reader, string>;
    for (const reader of READERS) {
      queryName[reader] = `mx-${reader}-${randomUUID().slice(0, 8)}`;
      const made = await r.query(reader, '/epcis/queries', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: queryName[reader], query: {} }),
      });
      expect(made.status, made.text).to.equal(201);
      const sub = await r.query(reader, `/epcis/queries/${queryName[reader]}/subscriptions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ dest: reader === S2 ? hookUrl : `${hookUrl}-${reader}` }),
      });
      expect(sub.status, sub.text).to.equal(201);
      subscriptionId[reader] = sub.body.subscriptionID ?? sub.body.id;
    }
    // The EPCIS repository as projected: who captured each event and which locations it names.
    const listed = new Set((await r.epcisPages(AUDITOR, '/epcis/events?perPage=1000')).ids);
    const rows = (
      await net.pool.query<{ event_id: string; capturer_msp: string | null; location_glns: string[]; biz_location: string | null }>(
        'SELECT event_id, capturer_msp, location_glns, biz_location FROM epcis_events',
      )
    ).rows;
    const events: ProjectedEvent[] = rows
      .filter((e) => listed.has(e.event_id))
      .map((e) => ({ eventId: e.event_id, capturer: e.capturer_msp, glns: e.location_glns, bizLocation: e.biz_location }));
    expect(events.length, 'events of the scenario').to.be.greaterThan(10);
    x = { net, s, r, events, queryName, subscriptionId };
  });
  after(async () => {
    hookServer?.close();
    await net?.stop();
  });

  it('has a row for every route of the query API and every chaincode read of the gateway', () => {
    expect(Object.keys(QUERY_ROWS).sort(), 'query API rows').to.deep.equal(QUERY_ROUTES.map(routeKey).sort());
    expect(Object.keys(GATEWAY_ROWS).sort(), 'gateway rows').to.deep.equal(GATEWAY_READS.map(routeKey).sort());
    expect(Object.keys(PROVENANCE_ROWS).sort(), 'gateway proof rows').to.deep.equal(PROOF_READS.map(routeKey).sort());
  });

  for (const route of QUERY_ROUTES) {
    it(`query API ${routeKey(route)} (${route.visibility})`, async () => {
      const row = QUERY_ROWS[routeKey(route)];
      expect(row, `no matrix row for ${routeKey(route)}`).to.be.a('function');
      await row(x);
    });
  }

  for (const route of GATEWAY_READS) {
    it(`gateway ${routeKey(route)}`, async () => {
      const row = GATEWAY_ROWS[routeKey(route)];
      expect(row, `no matrix row for ${routeKey(route)}`).to.be.a('function');
      await row(x);
    });
  }

  for (const route of PROOF_READS) {
    it(`gateway ${routeKey(route)}`, async () => {
      const row = PROVENANCE_ROWS[routeKey(route)];
      expect(row, `no matrix row for ${routeKey(route)}`).to.be.a('function');
      await row(x);
    });
  }

  it('the console reads through its gateway what its organisation may see', async () => {
    await consoleRow(x);
  });

  it("while suppliers 1 and 2 capture, supplier 2's webhook and WebSocket get only its own events, and each ledger stream only its own transactions", async function () {
    this.timeout(900_000);
    const { net: n, r } = x;
    const bizStep = `https://ns.coffee-trace.example/bizstep/matrix-${randomUUID().slice(0, 8)}`;
    const streamed: string[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${n.indexer.httpPort()}/epcis/queries/${x.queryName[S2]}/events`, { headers: { Authorization: n.auth[S2] } });
    // Listened for at once: the socket may open while the ledger streams are being opened.
    const opened = new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('message', (data) => {
      const doc = JSON.parse(String(data));
      for (const e of doc.epcisBody?.queryResults?.resultsBody?.eventList ?? []) streamed.push(e.eventID);
    });
    const streams = {
      [S1]: await within(30_000, 'ledger stream of supplier 1', openLedgerStream(n, S1)),
      [S3]: await within(30_000, 'ledger stream of supplier 3', openLedgerStream(n, S3)),
    };
    try {
      await within(30_000, "supplier 2's WebSocket", opened);
      for (let i = 0; i < 300 && !(streams[S1].hello() && streams[S3].hello()); i++) await sleep(100);
      expect(streams[S1].hello() && streams[S3].hello(), 'both ledger streams said hello').to.equal(true);

      const capture = async (msp: string, count: number) => {
        const list = Array.from({ length: count }, (_, i) => ({
          type: 'ObjectEvent',
          eventID: `urn:uuid:${randomUUID()}`,
          eventTime: new Date(Date.UTC(2025, 8, 1, 0, 0, i)).toISOString(),
          eventTimeZoneOffset: '+00:00',
          epcList: [`urn:epc:id:sgtin:${testPrefix(msp).padEnd(7, '0')}.011111.M${randomUUID().slice(0, 8)}`],
          action: 'OBSERVE',
          bizStep,
        }));
        const doc = {
          '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
          type: 'EPCISDocument',
          schemaVersion: '2.0',
          creationDate: '2025-09-01T12:00:00Z',
          epcisBody: { eventList: list },
        };
        const posted = await r.gateway(msp as Reader, '/epcis/capture', {
          method: 'POST',
          headers: { 'Content-Type': 'application/ld+json' },
          body: JSON.stringify(doc),
        });
        expect(posted.status, posted.text).to.equal(202);
        expect(posted.location, 'capture job').to.be.a('string');
        for (let i = 0; i < 900; i++) {
          const job = await r.gateway(msp as Reader, posted.location!);
          if (job.status === 200 && !job.body.running) {
            expect(job.body.status, job.text).to.equal('success');
            const txs = job.body.transactions as Array<{ txId?: string; blockNumber: number }>;
            return {
              ids: list.map((e) => e.eventID),
              txIds: txs.map((t) => t.txId).filter((t): t is string => !!t),
              last: BigInt(Math.max(...txs.map((t) => t.blockNumber))),
            };
          }
          await sleep(200);
        }
        throw new Error(`capture of ${msp} did not finish`);
      };
      const [one, two] = await within(300_000, 'the captures', Promise.all([capture(S1, 3), capture(S2, 3)]));
      // Supplier 3 commits last: once its own stream shows it, every earlier block was sent to every stream.
      const marker = await within(
        120_000,
        "supplier 3's marker transaction",
        submitJson(n.orgs[S3], 'RegisterProduct', { eventId: eventId('vis'), gtin: uniqueGtin(S3), description: 'Marker', unit: 'KGM' }),
      );
      await waitForBlock(n.pool, marker.commit.blockNumber > one.last ? marker.commit.blockNumber : one.last, 120_000);
      for (let i = 0; i < 600 && !streams[S3].txIds().includes(marker.commit.txId); i++) await sleep(100);
      expect(streams[S3].txIds(), 'supplier 3 streams its own transaction').to.include(marker.commit.txId);
      // Deliveries are retried in the background: wait (bounded) until supplier 2's own events all arrived.
      const arrived = () => two.ids.every((id) => hooks.includes(id) && streamed.includes(id));
      for (let i = 0; i < 1800 && !arrived(); i++) await sleep(100);

      // Deliveries are at least once (a retried page comes again, docs/epcis.md): compared by event id.
      // The subscription's own account (count, position, last error) comes with a failure.
      const state = (
        await n.pool.query('SELECT delivered, attempts, last_error, after_block, after_tx, after_seq FROM epcis_subscriptions WHERE id = $1', [
          x.subscriptionId[S2],
        ])
      ).rows[0];
      expect([...new Set(hooks)].sort(), `supplier 2's webhook (subscription ${JSON.stringify(state)})`).to.deep.equal([...two.ids].sort());
      expect([...new Set(streamed)].sort(), "supplier 2's WebSocket").to.deep.equal([...two.ids].sort());
      for (const t of one.txIds) expect(streams[S1].txIds(), "supplier 1's stream").to.include(t);
      for (const t of two.txIds) expect(streams[S1].txIds(), "supplier 1's stream").to.not.include(t);
      for (const t of [...one.txIds, ...two.txIds]) expect(streams[S3].txIds(), "supplier 3's stream").to.not.include(t);
      expect(one.txIds.length + two.txIds.length, 'capture transactions').to.be.greaterThan(0);
    } finally {
      ws.close();
      await within(10_000, 'closing the streams', Promise.all([streams[S1].close(), streams[S3].close()])).catch(() => undefined);
    }
  });
});
