import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import WebSocket from 'ws';
import { DEFAULT_SUBSCRIPTIONS } from '../../../indexer/src/config';
import { testPrefix } from '../chaincode/ledger-fixtures';
import { startGatewayFixture, type GatewayFixture } from '../gateway/gateway-fixture';
import { waitForBlock } from './harness';
import { startIndexedLedger, type IndexedLedger } from './indexed-ledger';

const R = 'RetailerMSP';
const S = 'SupplierMSP';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Ev = Record<string, any>;

/**
 * Two members capture EPCIS events into one repository. A subscriber of one member (webhook and
 * WebSocket) and its queries receive only the events that member may see: those it captured; the
 * auditor sees all.
 */
describe('EPCIS events are visible only to the organisations that may see them', function () {
  this.timeout(240_000);
  let il: IndexedLedger;
  let fx: GatewayFixture;
  let server: http.Server;
  let port = 0;
  const hooks: string[] = [];
  const streamed: string[] = [];
  let ws: WebSocket | undefined;
  const tokens: Record<string, string> = {};
  const query = () => request(`http://127.0.0.1:${il.indexer.httpPort()}`);
  // A business step of this run only (a URI, as EPCIS allows beside CBV's words): the repository also holds
  // every earlier event of the shared ledger, and a query must select only this run's.
  const bizStep = `https://ns.coffee-trace.example/bizstep/visibility-${randomUUID().slice(0, 8)}`;
  const name = `vis-${randomUUID().slice(0, 8)}`;

  async function capture(msp: string, n: number): Promise<{ ids: string[]; last: bigint }> {
    const events: Ev[] = Array.from({ length: n }, (_, i) => ({
      type: 'ObjectEvent',
      eventID: `urn:uuid:${randomUUID()}`,
      eventTime: new Date(Date.UTC(2025, 7, 1, 0, 0, i)).toISOString(),
      eventTimeZoneOffset: '+00:00',
      // A trade item of the capturing organisation's GS1 company prefix: an event names only what its recorder owns or holds.
      epcList: [`urn:epc:id:sgtin:${testPrefix(msp).padEnd(7, '0')}.011111.V${randomUUID().slice(0, 8)}`],
      action: 'OBSERVE',
      bizStep,
    }));
    const doc = {
      '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2025-08-01T12:00:00Z',
      epcisBody: { eventList: events },
    };
    const gw = request(fx.gateways[msp].url);
    const res = await gw.post('/epcis/capture').set('Authorization', tokens[msp]).set('Content-Type', 'application/ld+json').send(JSON.stringify(doc));
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    for (let i = 0; i < 600; i++) {
      const job = (await gw.get(res.headers.location).set('Authorization', tokens[msp]).expect(200)).body;
      if (!job.running) {
        expect(job.status, JSON.stringify(job)).to.equal('success');
        const last = (job.transactions as Array<{ blockNumber: number }>).reduce((m, t) => (BigInt(t.blockNumber) > m ? BigInt(t.blockNumber) : m), 0n);
        return { ids: events.map((e) => e.eventID as string), last };
      }
      await sleep(200);
    }
    throw new Error('capture job did not finish');
  }

  before(async () => {
    il = await startIndexedLedger({ subscriptions: { ...DEFAULT_SUBSCRIPTIONS, webhookAllow: ['127.0.0.1/32'] } });
    const issuer = JSON.parse(fs.readFileSync(il.cfg.auth.devKeyFile!, 'utf8')) as { issuer: string; jwksUrl: string };
    // One identity provider for the consortium: both gateways and the query API trust the same issuer.
    fx = await startGatewayFixture([R, S], {
      EPCIS_QUERY_URL: `http://127.0.0.1:${il.indexer.httpPort()}`,
      AUTH_JWKS_URL: issuer.jwksUrl,
      AUTH_ISSUER: issuer.issuer,
    });
    const mint = (sub: string, roles: Array<'supplier' | 'retailer-ops' | 'auditor'>, org: string) => il.indexer.devIssuer()!.mint({ sub, roles, org });
    tokens[R] = `Bearer ${await mint('retailer-user', ['retailer-ops'], R)}`;
    tokens[S] = `Bearer ${await mint('supplier-user', ['supplier'], S)}`;
    tokens.auditor = `Bearer ${await mint('auditor-user', ['auditor'], 'AuditorMSP')}`;
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const doc = JSON.parse(body || '{}');
        for (const e of doc.epcisBody?.queryResults?.resultsBody?.eventList ?? []) hooks.push(e.eventID);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    ws?.close();
    server?.close();
    await fx?.stop();
    await il?.stop();
  });

  it("delivers to the supplier's webhook and WebSocket none of the retailer's events, while both capture", async () => {
    await query()
      .post('/epcis/queries')
      .set('Authorization', tokens[S])
      .send({ name, query: { EQ_bizStep: bizStep } })
      .expect(201);
    await query()
      .post(`/epcis/queries/${name}/subscriptions`)
      .set('Authorization', tokens[S])
      .send({ dest: `http://127.0.0.1:${port}/hook` })
      .expect(201);
    ws = new WebSocket(`ws://127.0.0.1:${il.indexer.httpPort()}/epcis/queries/${name}/events`, { headers: { Authorization: tokens[S] } });
    ws.on('message', (data) => {
      const doc = JSON.parse(String(data));
      for (const e of doc.epcisBody?.queryResults?.resultsBody?.eventList ?? []) streamed.push(e.eventID);
    });
    await new Promise<void>((resolve, reject) => {
      ws!.once('open', () => resolve());
      ws!.once('error', reject);
    });

    const [sup, ret] = await Promise.all([capture(S, 3), capture(R, 3)]);
    await waitForBlock(il.pool, sup.last > ret.last ? sup.last : ret.last);
    for (const end = Date.now() + 30_000; Date.now() < end && (hooks.length < 3 || streamed.length < 3);) await sleep(200);
    // Both members' events are indexed; another round of polling must not bring the retailer's.
    await sleep(2000);
    expect([...hooks].sort()).to.deep.equal([...sup.ids].sort());
    expect([...streamed].sort()).to.deep.equal([...sup.ids].sort());

    // Queries: each member sees its own, never the other's; the auditor sees both.
    const ids = async (token: string, id: string) =>
      (
        (await query().get('/epcis/events').query({ EQ_eventID: id }).set('Authorization', token).expect(200)).body.epcisBody.queryResults.resultsBody
          .eventList as Ev[]
      ).map((e) => e.eventID);
    expect(await ids(tokens[S], ret.ids[0])).to.deep.equal([]);
    expect(await ids(tokens[R], sup.ids[0])).to.deep.equal([]);
    expect(await ids(tokens[R], ret.ids[0])).to.deep.equal([ret.ids[0]]);
    expect(await ids(tokens.auditor, sup.ids[0])).to.deep.equal([sup.ids[0]]);
    const page = (await query().get('/epcis/events').query({ EQ_bizStep: bizStep, perPage: '1000' }).set('Authorization', tokens[S]).expect(200)).body.epcisBody
      .queryResults.resultsBody.eventList as Ev[];
    const listed = page.map((e) => e.eventID as string);
    expect(listed).to.include.members(sup.ids);
    expect(listed.filter((id) => ret.ids.includes(id))).to.deep.equal([]);
    // The same answer through the supplier's gateway.
    const viaGateway = await request(fx.gateways[S].url).get('/epcis/events').query({ EQ_eventID: ret.ids[0] }).set('Authorization', tokens[S]).expect(200);
    expect(viaGateway.body.epcisBody.queryResults.resultsBody.eventList).to.deep.equal([]);
  });
});
