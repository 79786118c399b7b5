/**
 * The production listeners behind a real reverse proxy (Debian's nginx, with
 * the configuration of docs/reverse-proxy.md): nginx terminates TLS for the
 * gateway (plain HTTP behind it) and for the query API (HTTPS itself, which
 * nginx verifies). Both services trust exactly that proxy, so the client's
 * address in their logs is the one nginx saw, a forged X-Forwarded-For is
 * not believed, the console's dev sign-in refuses a browser that is not on
 * the machine although its requests arrive from the local proxy, links carry
 * the scheme the client used, and WebSocket and server-sent event streams
 * pass through the proxy (the WebSocket on to the HTTPS query API).
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import { mintWithKey, type DevIssuerKeyFile } from '../../../lib/platform/src/auth/dev-issuer';
import { devnetLedgerEnv } from '../../../network/src/connection-files';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { startNginx, type NginxProxy } from '../../fixtures/nginx-proxy';
import { GATEWAY_MAIN, INDEXER_CLI, startService, type ServiceProcess } from '../../fixtures/service-process';
import { sharedDevnet } from '../../fixtures/test-devnet';
import { createTestPki } from '../../fixtures/test-pki';
import { testPostgres, unique } from '../indexer/harness';

/** nginx's two sites and the query API: base, base + 1, base + 2. */
const BASE = Number(process.env.REVERSE_PROXY_TEST_PORT_BASE ?? 15000);
const GATEWAY_SITE = BASE;
const QUERY_SITE = BASE + 1;
const QUERY_PORT = BASE + 2;
/** A client that is not the proxy: another loopback address. */
const CLIENT = '127.0.0.2';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('gateway and query API behind nginx', function () {
  this.timeout(600_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reverse-proxy-'));
  const pki = createTestPki();
  const ca = pki.ca('listeners');
  const caFile = path.join(tmp, 'ca.pem');
  let pg: PostgresServer | undefined;
  let gateway: ServiceProcess | undefined;
  let indexer: ServiceProcess | undefined;
  let nginx: NginxProxy | undefined;
  let token = '';
  /** A reader of the ledger stream (suppliers may not read it); the supplier's own indexer serves no auditor role. */
  let reader = '';

  /** An HTTPS request trusting the test CA, sent from `from`. */
  function call(url: string, o: { method?: string; headers?: Record<string, string>; body?: string; from?: string } = {}): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = https.request(url, { method: o.method ?? 'GET', headers: o.headers, ca: ca.certificatePem, localAddress: o.from ?? '127.0.0.1' }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.once('error', reject);
      req.end(o.body);
    });
  }

  const requestLine = (svc: ServiceProcess, requestId: string) =>
    svc.waitForLine((l) => l.msg === 'request' && l.requestId === requestId, `request ${requestId}`);

  before(async () => {
    fs.writeFileSync(caFile, ca.certificatePem);
    const server = pki.issue(ca, 'localhost', { serverNames: ['localhost', '127.0.0.1'] });
    const files = { cert: path.join(tmp, 'server.pem'), key: path.join(tmp, 'server.key') };
    fs.writeFileSync(files.cert, server.certificatePem);
    fs.writeFileSync(files.key, server.privateKeyPem);

    const devnet = sharedDevnet();
    const ledger = devnetLedgerEnv(devnet, 'SupplierMSP');
    pg = testPostgres();
    await pg.start();
    gateway = startService(
      GATEWAY_MAIN,
      [],
      {
        ...ledger,
        DATABASE_URL: pg.connectionString,
        GATEWAY_PORT: '0',
        GATEWAY_TRUST_PROXY: '127.0.0.1',
        DEV_ISSUER_KEY_FILE: path.join(tmp, 'issuer.json'),
        EPCIS_QUERY_URL: `https://localhost:${QUERY_PORT}`,
        NODE_EXTRA_CA_CERTS: caFile,
        SUBMIT_WORKER_POLL_MS: '100',
      },
      'gateway ready',
    );
    const gatewayUrl = (await gateway.ready).url as string;
    const issuer = JSON.parse(fs.readFileSync(path.join(tmp, 'issuer.json'), 'utf8')) as DevIssuerKeyFile;
    indexer = startService(
      INDEXER_CLI,
      ['run'],
      {
        ...ledger,
        DATABASE_URL: pg.connectionString,
        INDEXER_SCHEMA: unique('proxy'),
        INDEXER_KAFKA: 'off',
        INDEXER_HTTP_PORT: String(QUERY_PORT),
        INDEXER_HTTP_TLS_CERT: files.cert,
        INDEXER_HTTP_TLS_KEY: files.key,
        INDEXER_TRUST_PROXY: '1',
        AUTH_JWKS_URL: issuer.jwksUrl,
        AUTH_ISSUER: issuer.issuer,
      },
      'query API listening',
    );
    const listening = await indexer.ready;
    expect(listening.scheme).to.equal('https');
    nginx = await startNginx({
      certPem: server.certificatePem,
      keyPem: server.privateKeyPem,
      upstreamCaPem: ca.certificatePem,
      sites: [
        { listen: GATEWAY_SITE, upstream: gatewayUrl, upstreamName: 'localhost' },
        { listen: QUERY_SITE, upstream: `https://127.0.0.1:${QUERY_PORT}`, upstreamName: 'localhost' },
      ],
    });
    token = await mintWithKey(issuer, { sub: 'ana@cooperative', roles: ['supplier'], org: 'SupplierMSP' });
    reader = await mintWithKey(issuer, { sub: 'ivan@stock', roles: ['inventory-reader'], org: 'SupplierMSP' });
  });

  after(async () => {
    await nginx?.stop();
    await gateway?.stop();
    await indexer?.stop();
    await pg?.stop();
    pki.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('logs the address nginx saw, not the proxy and not a forged X-Forwarded-For', async () => {
    for (const [svc, site, health] of [
      [gateway!, GATEWAY_SITE, '/healthz'],
      [indexer!, QUERY_SITE, '/health'],
    ] as const) {
      const requestId = `proxy-${randomUUID()}`;
      const res = await call(`https://127.0.0.1:${site}${health}`, { from: CLIENT, headers: { 'X-Request-Id': requestId, 'X-Forwarded-For': '203.0.113.7' } });
      expect(res.status, res.body).to.equal(200);
      expect(res.headers['x-request-id']).to.equal(requestId);
      expect((await requestLine(svc, requestId)).ip).to.equal(CLIENT);
    }
  });

  it('does not take a direct client for the proxy: X-Forwarded-For from an untrusted address is ignored', async () => {
    const gatewayPort = Number(new URL(String((await gateway!.ready).url)).port);
    const requestId = `direct-${randomUUID()}`;
    const res = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: gatewayPort,
          path: '/healthz',
          localAddress: CLIENT,
          headers: { 'X-Request-Id': requestId, 'X-Forwarded-For': '127.0.0.1' },
        },
        (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        },
      );
      req.once('error', reject).end();
    });
    expect(res).to.equal(200);
    expect((await requestLine(gateway!, requestId)).ip).to.equal(CLIENT);
  });

  it('refuses the dev sign-in to a browser elsewhere although nginx connects from this machine', async () => {
    const body = JSON.stringify({ role: 'supplier' });
    const headers = { 'Content-Type': 'application/json', Host: `127.0.0.1:${GATEWAY_SITE}` };
    const remote = await call(`https://127.0.0.1:${GATEWAY_SITE}/console/dev-session`, { method: 'POST', headers, body, from: CLIENT });
    expect(remote.status, remote.body).to.equal(403);
    expect((JSON.parse(remote.body) as { code: string }).code).to.equal('DEV_ISSUER_LOOPBACK_ONLY');
    const local = await call(`https://127.0.0.1:${GATEWAY_SITE}/console/dev-session`, { method: 'POST', headers, body, from: '127.0.0.1' });
    expect(local.status, local.body).to.equal(200);
  });

  it('captures through the proxy, streams the events over a WebSocket and server-sent events, and links pages with https', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    const readPoint = `urn:epc:id:sgln:4012345.00005.${randomUUID().replace(/\D/g, '').slice(0, 8)}`;
    const name = `proxy-${randomUUID().slice(0, 8)}`;
    const created = await call(`https://127.0.0.1:${GATEWAY_SITE}/epcis/queries`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, query: { EQ_readPoint: readPoint } }),
    });
    expect(created.status, created.body).to.equal(201);

    // WebSocket: client → nginx (TLS) → gateway (HTTP) → query API (HTTPS).
    const ws = new WebSocket(`wss://127.0.0.1:${GATEWAY_SITE}/epcis/queries/${name}/events`, { headers: auth, ca: ca.certificatePem });
    const viaSocket = new Set<string>();
    ws.on('message', (data) => {
      const doc = JSON.parse(String(data)) as { epcisBody: { queryResults: { resultsBody: { eventList: Array<{ eventID: string }> } } } };
      for (const e of doc.epcisBody.queryResults.resultsBody.eventList) viaSocket.add(e.eventID);
    });
    await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));

    // Server-sent events: client → nginx (TLS) → query API (HTTPS), unbuffered.
    let sse = '';
    const sseReq = https.get(
      `https://127.0.0.1:${QUERY_SITE}/ledger/stream`,
      { headers: { Authorization: `Bearer ${reader}` }, ca: ca.certificatePem },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (d: string) => (sse += d));
      },
    );
    sseReq.on('error', () => undefined);

    const events = Array.from({ length: 2 }, (_, i) => ({
      type: 'ObjectEvent',
      eventID: `urn:uuid:${randomUUID()}`,
      eventTime: '2025-06-02T00:00:00Z',
      eventTimeZoneOffset: '+00:00',
      epcList: [`urn:epc:id:sgtin:4012345.011111.P${i}`],
      action: 'OBSERVE',
      bizStep: 'inspecting',
      readPoint: { id: readPoint },
    }));
    const captured = await call(`https://127.0.0.1:${GATEWAY_SITE}/epcis/capture`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/ld+json' },
      body: JSON.stringify({
        '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
        type: 'EPCISDocument',
        schemaVersion: '2.0',
        creationDate: '2025-06-01T12:00:00Z',
        epcisBody: { eventList: events },
      }),
    });
    expect(captured.status, captured.body).to.equal(202);
    const job = String(captured.headers.location);
    for (let i = 0; i < 1200; i++) {
      const status = JSON.parse((await call(`https://127.0.0.1:${GATEWAY_SITE}${job}`, { headers: auth })).body) as { running: boolean; success?: boolean };
      if (!status.running) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    for (let i = 0; i < 1200 && viaSocket.size < events.length; i++) await new Promise((r) => setTimeout(r, 100));
    ws.close();
    expect([...viaSocket].sort()).to.deep.equal(events.map((e) => e.eventID).sort());
    for (let i = 0; i < 600 && !/\ndata:/.test(sse); i++) await new Promise((r) => setTimeout(r, 100));
    sseReq.destroy();
    expect(sse).to.match(/^: ledger stream/);
    expect(sse, 'a block pushed through the proxy').to.match(/\ndata:/);

    // The gateway is plain HTTP behind nginx: the link it writes has the client's scheme and nginx's address.
    const page = await call(`https://127.0.0.1:${GATEWAY_SITE}/epcis/events?EQ_readPoint=${encodeURIComponent(readPoint)}&perPage=1`, { headers: auth });
    expect(page.status, page.body).to.equal(200);
    expect(String(page.headers.link)).to.match(new RegExp(`^<https://127\\.0\\.0\\.1:${GATEWAY_SITE}/epcis/events\\?`));
  });
});
