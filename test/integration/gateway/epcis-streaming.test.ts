import { expect } from 'chai';
import { createHmac, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { DEFAULT_SUBSCRIPTIONS } from '../../../indexer/src/config';
import { epcisStack, S, type Ev } from './epcis-stack';

describe('EPCIS 2.0 subscriptions over webhooks and WebSockets (fed from committed events)', function () {
  this.timeout(600_000);
  // The test's own webhook receivers listen on loopback, which webhooks may reach only when allow-listed.
  const t = epcisStack({ subscriptions: { ...DEFAULT_SUBSCRIPTIONS, webhookAllow: ['127.0.0.1/32'] } });

  describe('webhook subscriptions (durable, fed from committed events)', () => {
    it('a subscriber down for 20 s while 200 events commit receives every event once after it returns, each delivery signed', async function () {
      this.timeout(180_000);
      const token = `token-${randomUUID()}`;
      const readPoint = `urn:epc:id:sgln:4012345.00005.${randomUUID().replace(/\D/g, '').slice(0, 8)}`;
      const received = new Map<string, number>();
      let badSignatures = 0;
      const server = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          const expected = createHmac('sha256', token).update(body, 'utf8').digest('hex');
          if (req.headers['gs1-signature'] !== expected) badSignatures++;
          for (const e of JSON.parse(body).epcisBody.queryResults.resultsBody.eventList as Ev[]) received.set(e.eventID, (received.get(e.eventID) ?? 0) + 1);
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const port = (server.address() as AddressInfo).port;
      const name = `q-${randomUUID().slice(0, 8)}`;
      await t
        .api()
        .post('/epcis/queries')
        .set('Authorization', t.auth)
        .send({ name, query: { EQ_readPoint: readPoint } })
        .expect(201);
      const sub = await t
        .api()
        .post(`/epcis/queries/${name}/subscriptions`)
        .set('Authorization', t.auth)
        .send({ dest: `http://127.0.0.1:${port}/hook`, signatureToken: token })
        .expect(201);
      expect(sub.headers.location).to.match(new RegExp(`^/epcis/queries/${name}/subscriptions/`));

      // The subscriber goes down; 200 events commit meanwhile.
      await new Promise<void>((r) => server.close(() => r()));
      const down = Date.now();
      const events = Array.from({ length: 200 }, (_, i) => ({
        type: 'ObjectEvent',
        eventID: `urn:uuid:${randomUUID()}`,
        eventTime: new Date(Date.UTC(2025, 5, 1, 0, 0, i)).toISOString(),
        eventTimeZoneOffset: '+00:00',
        epcList: [`urn:epc:id:sgtin:4012345.011111.S${i}`],
        action: 'OBSERVE',
        bizStep: 'inspecting',
        readPoint: { id: readPoint },
      }));
      const r = await t.capture({
        '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
        type: 'EPCISDocument',
        schemaVersion: '2.0',
        creationDate: '2025-06-01T12:00:00Z',
        epcisBody: { eventList: events },
      });
      expect(r.job!.status).to.equal('success');
      await new Promise((res) => setTimeout(res, Math.max(0, 20_000 - (Date.now() - down))));
      expect(received.size).to.equal(0);
      const status = (await t.api().get(sub.headers.location).set('Authorization', t.auth).expect(200)).body;
      expect(status.attempts).to.be.greaterThan(0);

      // Back on the same port: everything arrives, once, signed.
      await new Promise<void>((res) => server.listen(port, '127.0.0.1', () => res()));
      for (let i = 0; i < 600 && received.size < events.length; i++) await new Promise((res) => setTimeout(res, 100));
      server.close();
      expect([...received.keys()].sort()).to.deep.equal(events.map((e) => e.eventID).sort());
      expect([...received.values()].every((n) => n === 1)).to.equal(true);
      expect(badSignatures).to.equal(0);
    });
  });

  describe('WebSocket subscriptions', () => {
    it('a WebSocket subscriber on the gateway receives committed events live; without a token the upgrade is refused', async () => {
      const readPoint = `urn:epc:id:sgln:4012345.00005.${randomUUID().replace(/\D/g, '').slice(0, 8)}`;
      const name = `ws-${randomUUID().slice(0, 8)}`;
      await t
        .api()
        .post('/epcis/queries')
        .set('Authorization', t.auth)
        .send({ name, query: { EQ_readPoint: readPoint } })
        .expect(201);
      const wsUrl = `${t.fx.gateways[S].url.replace(/^http/, 'ws')}/epcis/queries/${name}/events`;
      const refused = await new Promise<number>((resolve) => {
        const bad = new WebSocket(wsUrl);
        bad.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        bad.on('error', () => resolve(-1));
      });
      expect(refused).to.equal(401);
      const ws = new WebSocket(wsUrl, { headers: { Authorization: t.auth } });
      const got: string[] = [];
      ws.on('message', (data) => {
        const doc = JSON.parse(String(data));
        for (const e of doc.epcisBody.queryResults.resultsBody.eventList as Ev[]) got.push(e.eventID);
      });
      await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
      const events = Array.from({ length: 5 }, (_, i) => ({
        type: 'ObjectEvent',
        eventID: `urn:uuid:${randomUUID()}`,
        eventTime: '2025-06-02T00:00:00Z',
        eventTimeZoneOffset: '+00:00',
        epcList: [`urn:epc:id:sgtin:4012345.011111.W${i}`],
        action: 'OBSERVE',
        bizStep: 'inspecting',
        readPoint: { id: readPoint },
      }));
      const r = await t.capture({
        '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
        type: 'EPCISDocument',
        schemaVersion: '2.0',
        creationDate: '2025-06-02T00:00:00Z',
        epcisBody: { eventList: events },
      });
      expect(r.job!.status).to.equal('success');
      for (let i = 0; i < 300 && got.length < events.length; i++) await new Promise((res) => setTimeout(res, 100));
      ws.close();
      expect(got.sort()).to.deep.equal(events.map((e) => e.eventID).sort());
    });
  });
});
