/**
 * Attacks on EPCIS named queries and webhook subscriptions by another member,
 * against the real indexer (devnet, PostgreSQL): another organisation's
 * queries and subscriptions are invisible (404) and survive its DELETEs;
 * webhooks to loopback by address or by name, and through a redirect from an
 * allow-listed receiver, are refused and nothing reaches the receiver behind
 * them; each organisation's queries and subscriptions are capped. Every
 * receiver here listens on loopback: no traffic leaves the machine.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import WebSocket from 'ws';
import type { Role } from '../../../lib/domain/src';
import { DEFAULT_SUBSCRIPTIONS } from '../../../indexer/src/config';
import { SUPPLIER, RETAILER } from '../chaincode/ledger-fixtures';
import { runChain, setUpChain, waitFor, waitForBlock } from '../indexer/harness';
import { startIndexedLedger, type IndexedLedger } from '../indexer/indexed-ledger';

/** A loopback receiver that records every request reaching it. */
interface Receiver {
  port: number;
  hits: string[];
  close(): Promise<void>;
}

async function listen(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Receiver> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const MAX_PER_ORG = 4;

describe('attacks: EPCIS subscriptions and named queries of another member, and webhooks to internal addresses', function () {
  this.timeout(240_000);
  let il: IndexedLedger;
  /** Not on the allow-list: nothing may ever reach it. */
  let forbidden: Receiver;
  /** On the allow-list; `/redirect` answers 307 to the forbidden receiver. */
  let allowed: Receiver;
  /** On the allow-list, but nothing listens there. */
  let closedPort = 0;
  const api = (token: string) => {
    const base = `http://127.0.0.1:${il.indexer.httpPort()}`;
    const auth = `Bearer ${token}`;
    return {
      get: (path: string) => request(base).get(path).set('Authorization', auth),
      post: (path: string, body: object) => request(base).post(path).set('Authorization', auth).send(body),
      delete: (path: string) => request(base).delete(path).set('Authorization', auth),
    };
  };
  const mint = (sub: string, org?: string, roles: Role[] = ['supplier']) => il.indexer.devIssuer()!.mint({ sub, roles, ...(org ? { org } : {}) });
  let alice: ReturnType<typeof api>; // SupplierMSP
  let carol: ReturnType<typeof api>; // SupplierMSP, another user
  let bob: ReturnType<typeof api>; // RetailerMSP
  let nobody: ReturnType<typeof api>; // a token without an organisation claim
  let tokens: { carol: string; bob: string; nobody: string };
  const since = { initialRecordTime: '2000-01-01T00:00:00Z' };

  before(async () => {
    forbidden = await listen((_req, res) => res.writeHead(204).end());
    allowed = await listen((req, res) => {
      if (req.url === '/redirect') res.writeHead(307, { location: `http://127.0.0.1:${forbidden.port}/stolen` }).end();
      else res.writeHead(204).end();
    });
    const closed = await listen(() => undefined);
    closedPort = closed.port;
    await closed.close();
    il = await startIndexedLedger({
      subscriptions: {
        ...DEFAULT_SUBSCRIPTIONS,
        maxPerOrg: MAX_PER_ORG,
        webhookAllow: [`127.0.0.1:${allowed.port}`, `127.0.0.1:${closedPort}`],
        timeoutMs: 2_000,
      },
    });
    tokens = { carol: await mint('carol', SUPPLIER), bob: await mint('bob', RETAILER), nobody: await mint('nobody') };
    alice = api(await mint('alice', SUPPLIER));
    carol = api(tokens.carol);
    bob = api(tokens.bob);
    nobody = api(tokens.nobody);
    // Committed events for the subscriptions to deliver (each subscribes from the first event on).
    const chain = await setUpChain(il.orgs);
    await runChain(il.orgs, chain);
    await waitForBlock(il.pool, chain.lastBlock);
    await waitFor('indexed EPCIS events', async () => ((await il.pool.query('SELECT 1 FROM epcis_events LIMIT 1')).rowCount ? true : undefined), 30_000);
  });
  after(async () => {
    await il?.stop();
    await forbidden?.close();
    await allowed?.close();
  });

  it("another member neither lists, reads nor deletes an organisation's query and subscription (404), and both stay", async () => {
    const name = `mine-${randomUUID().slice(0, 8)}`;
    await alice.post('/epcis/queries', { name, query: { eventType: 'ObjectEvent' } }).expect(201);
    const sub = (await alice.post(`/epcis/queries/${name}/subscriptions`, { dest: `http://127.0.0.1:${allowed.port}/alice` }).expect(201)).body;
    const subPath = `/epcis/queries/${name}/subscriptions/${sub.subscriptionID}`;

    for (const [who, other] of [
      ['another organisation', bob],
      ['a token without an organisation', nobody],
    ] as const) {
      expect((await other.get('/epcis/queries').expect(200)).body.member, who).to.not.include(name);
      await other.get(`/epcis/queries/${name}`).expect(404);
      await other.get(`/epcis/queries/${name}/events`).expect(404);
      await other.get(`/epcis/queries/${name}/subscriptions`).expect(404);
      await other.get(subPath).expect(404);
      await other.delete(subPath).expect(404);
      await other.delete(`/epcis/queries/${name}`).expect(404);
      await other.post(`/epcis/queries/${name}/subscriptions`, { dest: `http://127.0.0.1:${allowed.port}/theirs` }).expect(404);
    }
    // Nor does it stream the query's events over a WebSocket; its own organisation does.
    const upgrade = (token: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${il.indexer.httpPort()}/epcis/queries/${name}/events`, { headers: { Authorization: `Bearer ${token}` } });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => resolve(-1));
      });
    expect(await upgrade(tokens.bob)).to.equal(404);
    expect(await upgrade(tokens.nobody)).to.equal(404);
    expect(await upgrade(tokens.carol)).to.equal(101);
    // Still there for its organisation, for any of its users; the creating user is recorded.
    expect((await alice.get('/epcis/queries').expect(200)).body.member).to.include(name);
    const seen = (await carol.get(subPath).expect(200)).body;
    expect(seen).to.include({ subscriptionID: sub.subscriptionID, createdBy: 'alice', dest: `http://127.0.0.1:${allowed.port}/alice` });
    expect((await carol.get(`/epcis/queries/${name}/subscriptions`).expect(200)).body.map((s: { subscriptionID: string }) => s.subscriptionID)).to.deep.equal([
      sub.subscriptionID,
    ]);
    // Names are each organisation's own: the other member defines its own query of that name, which changes nothing of the first.
    await bob.post('/epcis/queries', { name, query: { eventType: 'AggregationEvent' } }).expect(201);
    expect((await alice.get(`/epcis/queries/${name}`).expect(200)).body.query).to.deep.equal({ eventType: 'ObjectEvent' });
    await bob.delete(`/epcis/queries/${name}`).expect(204);
    await alice.get(subPath).expect(200);
    await alice.delete(`/epcis/queries/${name}`).expect(204);
  });

  it('a webhook to 127.0.0.1, or to localhost (a name resolving to loopback), is refused naming dest, and nothing reaches the receiver', async () => {
    const name = `loop-${randomUUID().slice(0, 8)}`;
    await alice.post('/epcis/queries', { name, query: {} }).expect(201);
    for (const dest of [
      `http://127.0.0.1:${forbidden.port}/hook`,
      `http://localhost:${forbidden.port}/hook`,
      `http://[::ffff:127.0.0.1]:${forbidden.port}/hook`,
    ]) {
      const res = await alice.post(`/epcis/queries/${name}/subscriptions`, { dest, ...since });
      expect(res.status, dest).to.equal(400);
      // The EPCIS binding's problem names it as `parameter`, the service's as `errors[].field`.
      const fields = [res.body.parameter, ...((res.body.errors ?? []) as Array<{ field: string }>).map((e) => e.field)];
      expect(fields, `${dest}: ${JSON.stringify(res.body)}`).to.include('dest');
    }
    expect((await alice.get(`/epcis/queries/${name}/subscriptions`).expect(200)).body).to.deep.equal([]);
    // A subscription to the allow-listed receiver, from the same events: once it is delivered, the deliverer has been
    // through the due subscriptions, and would have posted to the refused ones had they been accepted.
    await alice.post(`/epcis/queries/${name}/subscriptions`, { dest: `http://127.0.0.1:${allowed.port}/control`, ...since }).expect(201);
    await waitFor('the control delivery', () => allowed.hits.includes('POST /control'), 30_000);
    expect(forbidden.hits).to.deep.equal([]);
    await alice.delete(`/epcis/queries/${name}`).expect(204);
  });

  it('a redirect from an allow-listed receiver to another loopback port is not followed; lastError names only the status', async () => {
    const name = `redir-${randomUUID().slice(0, 8)}`;
    await alice.post('/epcis/queries', { name, query: {} }).expect(201);
    const sub = (await alice.post(`/epcis/queries/${name}/subscriptions`, { dest: `http://127.0.0.1:${allowed.port}/redirect`, ...since }).expect(201)).body;
    const path = `/epcis/queries/${name}/subscriptions/${sub.subscriptionID}`;
    // The delivery ends either way: failed (redirect not followed) or delivered (followed to the other port).
    const done = await waitFor(
      'the delivery to end',
      async () => {
        const s = (await alice.get(path).expect(200)).body;
        return s.attempts > 0 || s.delivered > 0 ? s : undefined;
      },
      30_000,
    );
    expect(allowed.hits).to.include('POST /redirect');
    expect(forbidden.hits).to.deep.equal([]);
    expect(done.lastError).to.equal('answered 307');
    expect(done.delivered).to.equal(0);
    await alice.delete(`/epcis/queries/${name}`).expect(204);
  });

  it('an unreachable subscriber is reported as "refused", without the system error text', async () => {
    const name = `dead-${randomUUID().slice(0, 8)}`;
    await alice.post('/epcis/queries', { name, query: {} }).expect(201);
    const sub = (await alice.post(`/epcis/queries/${name}/subscriptions`, { dest: `http://127.0.0.1:${closedPort}/hook`, ...since }).expect(201)).body;
    const failed = await waitFor(
      'a failed delivery',
      async () => {
        const s = (await alice.get(`/epcis/queries/${name}/subscriptions/${sub.subscriptionID}`).expect(200)).body;
        return s.attempts > 0 ? s : undefined;
      },
      30_000,
    );
    expect(failed.lastError).to.equal('refused');
    await alice.delete(`/epcis/queries/${name}`).expect(204);
  });

  it(`an organisation holds at most ${MAX_PER_ORG} named queries and ${MAX_PER_ORG} subscriptions; others are not affected`, async () => {
    const org = api(await mint('capped', 'CapMSP'));
    const names = Array.from({ length: MAX_PER_ORG }, (_, i) => `cap-${i}-${randomUUID().slice(0, 6)}`);
    for (const n of names) await org.post('/epcis/queries', { name: n, query: {} }).expect(201);
    const over = await org.post('/epcis/queries', { name: `cap-over-${randomUUID().slice(0, 6)}`, query: {} });
    expect(over.status).to.equal(409);
    expect(over.body.code).to.equal('LIMIT_EXCEEDED');
    expect(over.body.message).to.contain(String(MAX_PER_ORG));
    // Another organisation still creates its own.
    const other = `other-${randomUUID().slice(0, 6)}`;
    await bob.post('/epcis/queries', { name: other, query: {} }).expect(201);
    await bob.delete(`/epcis/queries/${other}`).expect(204);

    for (let i = 0; i < MAX_PER_ORG; i++)
      await org.post(`/epcis/queries/${names[i % 2]}/subscriptions`, { dest: `http://127.0.0.1:${allowed.port}/cap` }).expect(201);
    const subOver = await org.post(`/epcis/queries/${names[2]}/subscriptions`, { dest: `http://127.0.0.1:${allowed.port}/cap` });
    expect(subOver.status).to.equal(409);
    expect(subOver.body.code).to.equal('LIMIT_EXCEEDED');
    // Room again once one is deleted (with its subscriptions).
    await org.delete(`/epcis/queries/${names[0]}`).expect(204);
    await org.post('/epcis/queries', { name: `cap-again-${randomUUID().slice(0, 6)}`, query: {} }).expect(201);
    await org.post(`/epcis/queries/${names[1]}/subscriptions`, { dest: `http://127.0.0.1:${allowed.port}/cap` }).expect(201);
  });
});
