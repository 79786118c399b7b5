import { expect } from 'chai';
import { createHmac, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { DEFAULT_SUBSCRIPTIONS } from '../../../indexer/src/config';
import { createIndexer } from '../../../indexer/src/main';
import { testLog, waitForBlock } from '../indexer/harness';
import { startIndexedLedger, type IndexedLedger } from '../indexer/indexed-ledger';
import { startGatewayFixture, type GatewayFixture } from './gateway-fixture';

const S = 'SupplierMSP';
type Ev = Record<string, any>;

/** One webhook delivery as the subscriber saw it. */
interface Report {
  path: string;
  at: number;
  subscriptionID: string;
  signed: boolean;
  eventIDs: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('EPCIS scheduled subscriptions, reportIfEmpty, DELETE of queries and subscriptions (gateway → indexer)', function () {
  this.timeout(180_000);
  let fx: GatewayFixture;
  let il: IndexedLedger;
  let auth: string;
  let server: http.Server;
  let port = 0;
  const reports: Report[] = [];
  const token = 'schedule-signature-token';
  const api = () => request(fx.gateways[S].url);
  /** Every three seconds, in the binding's schedule syntax (a list of seconds). */
  const every3s = { second: Array.from({ length: 20 }, (_, i) => String(i * 3)).join(',') };
  const readPoint = `urn:epc:id:sgln:4012345.00007.${randomUUID().replace(/\D/g, '').slice(0, 8)}`;
  const name = `sched-${randomUUID().slice(0, 8)}`;
  /** The subscriber behind /restart answers 503 while this is set. */
  let restartDown = true;
  const of = (path: string) => reports.filter((r) => r.path === path);

  async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
    for (const end = Date.now() + ms; Date.now() < end;) {
      if (ok()) return;
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  async function capture(n: number, at = readPoint): Promise<string[]> {
    const events = Array.from({ length: n }, (_, i) => ({
      type: 'ObjectEvent',
      eventID: `urn:uuid:${randomUUID()}`,
      eventTime: new Date(Date.UTC(2025, 6, 1, 0, 0, i)).toISOString(),
      eventTimeZoneOffset: '+00:00',
      epcList: [`urn:epc:id:sgtin:4012345.011111.T${randomUUID().slice(0, 8)}`],
      action: 'OBSERVE',
      bizStep: 'inspecting',
      readPoint: { id: at },
    }));
    const doc = {
      '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2025-07-01T12:00:00Z',
      epcisBody: { eventList: events },
    };
    const res = await api().post('/epcis/capture').set('Authorization', auth).set('Content-Type', 'application/ld+json').send(JSON.stringify(doc)).expect(202);
    let last = 0n;
    for (let i = 0; i < 600; i++) {
      const job = (await api().get(res.headers.location).set('Authorization', auth).expect(200)).body;
      if (!job.running) {
        expect(job.status).to.equal('success');
        for (const t of job.transactions as Array<{ blockNumber: number }>) if (BigInt(t.blockNumber) > last) last = BigInt(t.blockNumber);
        break;
      }
      await sleep(200);
    }
    await waitForBlock(il.pool, last);
    return events.map((e) => e.eventID);
  }

  before(async () => {
    // The test's receiver listens on loopback, which webhooks may reach only when allow-listed.
    il = await startIndexedLedger({ subscriptions: { ...DEFAULT_SUBSCRIPTIONS, webhookAllow: ['127.0.0.1/32'] } });
    const issuer = JSON.parse(fs.readFileSync(il.cfg.auth.devKeyFile!, 'utf8')) as { issuer: string; jwksUrl: string };
    fx = await startGatewayFixture([S], {
      EPCIS_QUERY_URL: `http://127.0.0.1:${il.indexer.httpPort()}`,
      AUTH_JWKS_URL: issuer.jwksUrl,
      AUTH_ISSUER: issuer.issuer,
    });
    auth = `Bearer ${await il.indexer.devIssuer()!.mint({ sub: 'epcis-subscriptions', roles: ['supplier'], org: S })}`;
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.url === '/restart' && restartDown) return void res.writeHead(503).end();
        const doc = JSON.parse(body);
        reports.push({
          path: req.url ?? '',
          at: Date.now(),
          subscriptionID: doc.epcisBody.queryResults.subscriptionID,
          signed: req.headers['gs1-signature'] === createHmac('sha256', token).update(body, 'utf8').digest('hex'),
          eventIDs: (doc.epcisBody.queryResults.resultsBody.eventList as Ev[]).map((e) => e.eventID),
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
    await api()
      .post('/epcis/queries')
      .set('Authorization', auth)
      .send({ name, query: { EQ_readPoint: readPoint } })
      .expect(201);
  });
  after(async () => {
    server?.close();
    await fx?.stop();
    await il?.stop();
  });

  const subscribe = (body: object) =>
    api()
      .post(`/epcis/queries/${name}/subscriptions`)
      .set('Authorization', auth)
      .send({ signatureToken: token, ...body });

  let empty: string; // reportIfEmpty: true
  let quiet: string; // reportIfEmpty: false

  it('refuses a malformed schedule, and schedule together with stream, naming the field', async () => {
    const bad = await subscribe({ dest: `http://127.0.0.1:${port}/x`, schedule: { second: '61' } }).expect(400);
    expect(JSON.stringify(bad.body)).to.contain('schedule.second');
    const both = await subscribe({ dest: `http://127.0.0.1:${port}/x`, schedule: { minute: '5' }, stream: true }).expect(400);
    expect(JSON.stringify(both.body)).to.contain('stream');
    const noSchedule = await subscribe({ dest: `http://127.0.0.1:${port}/x`, stream: false }).expect(400);
    expect(JSON.stringify(noSchedule.body)).to.contain('schedule');
  });

  it('a scheduled subscription reports on its schedule the events recorded since its last report; reportIfEmpty sends empty reports', async () => {
    const a = await subscribe({ dest: `http://127.0.0.1:${port}/empty`, schedule: every3s, reportIfEmpty: true, stream: false }).expect(201);
    const b = await subscribe({ dest: `http://127.0.0.1:${port}/quiet`, schedule: every3s }).expect(201);
    empty = a.body.subscriptionID;
    quiet = b.body.subscriptionID;
    expect(a.body).to.include({ reportIfEmpty: true, dest: `http://127.0.0.1:${port}/empty` });
    expect(a.body.schedule).to.deep.equal(every3s);
    expect(a.body.createdAt).to.be.a('string');
    // The next run is on the schedule: a whole second divisible by 3, in the future.
    const next = new Date(a.body.nextRunAt);
    expect(next.getUTCMilliseconds()).to.equal(0);
    expect(next.getUTCSeconds() % 3).to.equal(0);

    // Nothing recorded yet: reportIfEmpty reports an empty result; the other subscription stays silent.
    await until('an empty report', () => of('/empty').length > 0);
    expect(of('/empty')[0].eventIDs).to.deep.equal([]);
    expect(of('/empty')[0].subscriptionID).to.equal(empty);
    expect(of('/quiet')).to.have.length(0);

    const ids = await capture(3);
    const captured = Date.now();
    const reported = (path: string) => new Set(of(path).flatMap((r) => r.eventIDs));
    await until('both reports with the events', () => ids.every((id) => reported('/quiet').has(id) && reported('/empty').has(id)));
    // Reported on the schedule (at most one period after the commit, plus delivery), not streamed.
    expect(of('/quiet')[0].at - captured).to.be.lessThan(3_000 + 2_000);
    for (const path of ['/empty', '/quiet']) {
      const got = of(path).flatMap((r) => r.eventIDs);
      expect(got.sort(), path).to.deep.equal([...ids].sort());
    }
    // The next report covers what was recorded since: nothing, so only reportIfEmpty reports, empty.
    const seen = of('/empty').length;
    await until('the next empty report', () => of('/empty').length > seen, 8_000);
    expect(of('/empty').slice(seen)[0].eventIDs).to.deep.equal([]);
    // Without reportIfEmpty only reports with events are sent (the events may span blocks, so one or two reports).
    expect(of('/quiet').every((r) => r.eventIDs.length > 0)).to.equal(true);
    expect(reports.every((r) => r.signed)).to.equal(true);

    const status = (await api().get(`/epcis/queries/${name}/subscriptions/${quiet}`).set('Authorization', auth).expect(200)).body;
    expect(status).to.include({ delivered: 3, attempts: 0 });
    expect(status.lastNotifiedAt).to.be.a('string');
    const list = (await api().get(`/epcis/queries/${name}/subscriptions`).set('Authorization', auth).expect(200)).body as Ev[];
    expect(list.map((s) => s.subscriptionID).sort()).to.deep.equal([empty, quiet].sort());
    expect(list.every((s) => s.signatureToken === undefined)).to.equal(true);
  });

  it('GET /queries/{name}/events answers the named query', async () => {
    const res = await api().get(`/epcis/queries/${name}/events`).set('Authorization', auth).expect(200);
    expect(res.body.type).to.equal('EPCISQueryDocument');
    expect(res.body.epcisBody.queryResults.resultsBody.eventList).to.have.length(3);
    for (const e of res.body.epcisBody.queryResults.resultsBody.eventList as Ev[]) expect(e.readPoint.id).to.equal(readPoint);
    const paged = await api().get(`/epcis/queries/${name}/events`).query({ perPage: 2 }).set('Authorization', auth).expect(200);
    expect(paged.body.epcisBody.queryResults.resultsBody.eventList).to.have.length(2);
    expect(paged.headers.link).to.match(/rel="next"/);
    await api().get(`/epcis/queries/${name}/events`).query({ EQ_bizStep: 'shipping' }).set('Authorization', auth).expect(400);
    await api().get('/epcis/queries/no-such-query/events').set('Authorization', auth).expect(404);
  });

  it('a deleted subscription stops delivering; deleting the query deletes its subscriptions', async () => {
    await api().delete(`/epcis/queries/${name}/subscriptions/${empty}`).set('Authorization', auth).expect(204);
    await api().get(`/epcis/queries/${name}/subscriptions/${empty}`).set('Authorization', auth).expect(404);
    await api().delete(`/epcis/queries/${name}/subscriptions/${empty}`).set('Authorization', auth).expect(404);
    await sleep(500); // a delivery already under way when the DELETE arrived may still land
    const afterDelete = of('/empty').length;
    const ids = await capture(1);
    await until('the remaining subscription to report', () => of('/quiet').some((r) => r.eventIDs.includes(ids[0])), 10_000);
    expect(of('/empty')).to.have.length(afterDelete);

    await api().delete(`/epcis/queries/${name}`).set('Authorization', auth).expect(204);
    await api().get(`/epcis/queries/${name}`).set('Authorization', auth).expect(404);
    await api().get(`/epcis/queries/${name}/subscriptions/${quiet}`).set('Authorization', auth).expect(404);
    await api().delete(`/epcis/queries/${name}`).set('Authorization', auth).expect(404);
    const quietReports = of('/quiet').length;
    await capture(1);
    await sleep(4_000);
    expect(of('/quiet')).to.have.length(quietReports);
    expect(of('/empty')).to.have.length(afterDelete);
  });

  it('a pending scheduled report survives an indexer restart and is delivered once when the subscriber is back', async () => {
    const at = `urn:epc:id:sgln:4012345.00008.${randomUUID().replace(/\D/g, '').slice(0, 8)}`;
    const q = `restart-${randomUUID().slice(0, 8)}`;
    await api()
      .post('/epcis/queries')
      .set('Authorization', auth)
      .send({ name: q, query: { EQ_readPoint: at } })
      .expect(201);
    const sub = (
      await api()
        .post(`/epcis/queries/${q}/subscriptions`)
        .set('Authorization', auth)
        .send({ dest: `http://127.0.0.1:${port}/restart`, schedule: every3s, signatureToken: token })
        .expect(201)
    ).body;
    const ids = await capture(2, at);
    // The schedule fires, the report is fixed and its delivery fails while the subscriber answers 503.
    for (let i = 0; ; i++) {
      const s = (await api().get(`/epcis/queries/${q}/subscriptions/${sub.subscriptionID}`).set('Authorization', auth).expect(200)).body;
      if (s.attempts > 0) break;
      if (i > 100) throw new Error('the scheduled report was never attempted');
      await sleep(100);
    }
    // A new indexer process on the same read model; the subscriber comes back.
    await il.indexer.stop();
    const restarted = createIndexer(il.cfg, { log: testLog() });
    try {
      await restarted.start();
      restartDown = false;
      await until('the pending report after the restart', () => ids.every((id) => of('/restart').some((r) => r.eventIDs.includes(id))), 20_000);
      await sleep(3_500); // one more period: nothing is delivered twice
      expect(
        of('/restart')
          .flatMap((r) => r.eventIDs)
          .sort(),
      ).to.deep.equal([...ids].sort());
      expect(of('/restart').every((r) => r.signed && r.subscriptionID === sub.subscriptionID)).to.equal(true);
    } finally {
      await restarted.stop();
    }
  });
});
