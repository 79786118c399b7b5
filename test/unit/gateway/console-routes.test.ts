import { expect } from 'chai';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { createDevIssuer, type DevIssuer } from '../../../lib/platform/src/auth/dev-issuer';
import { createJwtVerifier, type JwtVerifier } from '../../../lib/platform/src/auth/jwt-verifier';
import { consoleCsp, indexAccess, isLoopbackHost, mountConsole } from '../../../gateway/src/console/console-routes';
import { createRateLimiter } from '../../../lib/platform/src/http/rate-limit';
import { createErrorHandler, notFoundHandler } from '../../../lib/platform/src/http/problem';
import { AUDIENCE } from './fakes';

describe('console routes on the gateway', () => {
  let issuer: DevIssuer;
  let upstream: http.Server;
  let app: express.Express;
  let dir: string;
  let closeStreams: () => void;
  let verifier: JwtVerifier;
  const seen: Array<{ url: string; auth?: string }> = [];

  before(async () => {
    issuer = createDevIssuer({ audience: AUDIENCE });
    const { issuer: iss, jwksUrl } = await issuer.start();
    // A stand-in for the indexer's query API: echoes what it received; /ledger/stream sends one event.
    upstream = http.createServer((req, res) => {
      seen.push({ url: req.url!, auth: req.headers.authorization });
      if (req.url === '/ledger/stream?open=1') {
        // A stream that stays open, as the indexer's does.
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(': open\n\n');
        return;
      }
      if (req.url === '/ledger/stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end('event: block\ndata: {"block_number":"7"}\n\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: req.url }));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>console</title>');
    app = express();
    const logger = pino({ level: 'silent' });
    verifier = createJwtVerifier({ jwksUrl, issuer: iss, audience: AUDIENCE, algorithms: ['ES256'] });
    closeStreams = mountConsole(app, {
      mspId: 'AuditorMSP',
      dir,
      indexerUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      verifier,
      logger,
      devIssuer: issuer,
    });
    app.use(notFoundHandler());
    app.use(createErrorHandler({ logger }));
  });
  after(async () => {
    await issuer.stop();
    upstream.closeAllConnections();
    upstream.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('tells the browser how to sign in', async () => {
    const res = await request(app).get('/console/config.json').expect(200);
    expect(res.body).to.deep.equal({ mspId: 'AuditorMSP', orgClaim: 'org', auth: { mode: 'dev' } });
  });

  it('signs in as a role with the dev issuer, and refuses an unknown role naming the field', async () => {
    const res = await request(app).post('/console/dev-session').send({ role: 'auditor' }).expect(200);
    expect(res.body.roles).to.deep.equal(['auditor']);
    const claims = JSON.parse(Buffer.from(res.body.token.split('.')[1], 'base64url').toString());
    expect(claims.roles).to.deep.equal(['auditor']);
    const bad = await request(app).post('/console/dev-session').send({ role: 'root' }).expect(400);
    expect(bad.body.errors[0].field).to.equal('role');
  });

  it('passes indexer reads through with the caller token, by role', async () => {
    const auditor = (await request(app).post('/console/dev-session').send({ role: 'auditor' })).body.token;
    const reader = (await request(app).post('/console/dev-session').send({ role: 'inventory-reader' })).body.token;
    await request(app).get('/console/api/index/recalls/scope?lot=x').expect(401);
    const denied = await request(app).get('/console/api/index/recalls/scope?lot=x').set('authorization', `Bearer ${reader}`).expect(403);
    expect(denied.body.code).to.equal('ROLE_FORBIDDEN');
    const ok = await request(app).get('/console/api/index/recalls/scope?lot=0761/A').set('authorization', `Bearer ${auditor}`).expect(200);
    expect(ok.body.url).to.equal('/recalls/scope?lot=0761/A');
    expect(seen.at(-1)!.auth).to.equal(`Bearer ${auditor}`);
    await request(app).get('/console/api/index/inventory').set('authorization', `Bearer ${reader}`).expect(200);
    await request(app).get('/console/api/index/checkpoint').set('authorization', `Bearer ${auditor}`).expect(404);
    // An encoded separator could route differently at the indexer than the prefix checked here.
    await request(app).get('/console/api/index/ledger%2F..%2Ffsma%2Fexport').set('authorization', `Bearer ${reader}`).expect(404);
    await request(app).get('/console/api/index/lots/x/..%2e/fsma').set('authorization', `Bearer ${reader}`).expect(404);
    const sse = await request(app).get('/console/api/index/ledger/stream').set('authorization', `Bearer ${reader}`).expect(200);
    expect(sse.headers['content-type']).to.match(/text\/event-stream/);
    expect(sse.text).to.include('event: block');
  });

  it('ends open event streams when the gateway stops', async () => {
    const reader = (await request(app).post('/console/dev-session').send({ role: 'inventory-reader' })).body.token;
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    const ended = new Promise<string>((resolve, reject) => {
      http
        .get({ port, host: '127.0.0.1', path: '/console/api/index/ledger/stream?open=1', headers: { authorization: `Bearer ${reader}` } }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => {
            text += d.toString();
            if (text.includes(': open')) closeStreams();
          });
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    expect(await ended).to.include(': open');
    server.close();
  });

  it('re-signs forwarded reads with the key of the dev issuer the indexer trusts, when told to', async () => {
    const other = createDevIssuer({ audience: AUDIENCE, keyFile: path.join(dir, 'indexer-issuer.json') });
    const { issuer: otherIss } = await other.start();
    try {
      const app2 = express();
      mountConsole(app2, {
        mspId: 'AuditorMSP',
        dir,
        indexerUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
        verifier,
        logger: pino({ level: 'silent' }),
        devIssuer: issuer,
        indexerDevKeyFile: path.join(dir, 'indexer-issuer.json'),
      });
      const auditor = (await request(app2).post('/console/dev-session').send({ role: 'auditor' })).body.token;
      await request(app2).get('/console/api/index/lots/07611000000278/RB-1').set('authorization', `Bearer ${auditor}`).expect(200);
      const sent = JSON.parse(Buffer.from(seen.at(-1)!.auth!.split(' ')[1].split('.')[1], 'base64url').toString());
      expect([sent.iss, sent.sub, sent.roles]).to.deep.equal([otherIss, 'auditor@console', ['auditor']]);
    } finally {
      await other.stop();
    }
  });

  it('maps indexer paths to roles, and passes nothing else', () => {
    expect(indexAccess('/fsma/export')).to.include('auditor').and.not.include('inventory-reader');
    expect(indexAccess('/ledger/stream')).to.include('inventory-reader');
    expect(indexAccess('/recalls')).to.not.include('inventory-reader');
    expect(indexAccess('/metrics')).to.equal(undefined);
    expect(indexAccess('/reorder-points/x/y')).to.equal(undefined);
  });

  it('serves the built app, with index.html for any console path', async () => {
    expect((await request(app).get('/console/').expect(200)).text).to.include('<title>console</title>');
    expect((await request(app).get('/console/some/view').expect(200)).text).to.include('<title>console</title>');
    expect((await request(app).get('/console/').expect(200)).headers['cache-control']).to.equal('no-store');
  });

  it('every console answer carries a CSP without inline scripts, DENY framing, nosniff and a referrer policy', async () => {
    for (const p of ['/console/', '/console/some/view', '/console/config.json']) {
      const res = await request(app).get(p).expect(200);
      expect(res.headers['content-security-policy'], p).to.be.a('string').and.include("script-src 'self'");
      expect(res.headers['content-security-policy'], p).to.equal(consoleCsp());
      expect(res.headers['x-frame-options'], p).to.equal('DENY');
      expect(res.headers['x-content-type-options'], p).to.equal('nosniff');
      expect(res.headers['referrer-policy'], p).to.equal('no-referrer');
    }
    const csp = consoleCsp();
    expect(csp).to.include("script-src 'self'").and.include("frame-ancestors 'none'").and.not.include('unsafe-inline');
    expect(consoleCsp({ authority: 'https://login.example.com/realms/x', clientId: 'c', scope: 'openid' })).to.include(
      "connect-src 'self' https://login.example.com",
    );
  });

  it('the built console has no inline script (the CSP would block it)', () => {
    const built = path.resolve(__dirname, '..', '..', '..', 'console', 'index.html');
    const html = fs.readFileSync(built, 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).to.be.at.least(1);
    for (const [, attrs, body] of scripts) {
      expect(attrs).to.match(/\bsrc=/);
      expect(body.trim()).to.equal('');
    }
    expect(html).to.not.match(/\son[a-z]+=/i);
  });

  it('dev sign-in: 404 for a Host that is not a loopback name, and in production', async () => {
    for (const host of ['evil.example', 'evil.example:8080', '10.0.0.5', '127.0.0.1.nip.io', 'localhost.evil.example']) {
      const res = await request(app).post('/console/dev-session').set('Host', host).send({ role: 'admin' });
      expect(res.status, host).to.equal(404);
      expect(res.body.token, host).to.equal(undefined);
    }
    for (const host of ['localhost:7000', '127.0.0.1', '[::1]:7000', 'console.localhost']) {
      await request(app).post('/console/dev-session').set('Host', host).send({ role: 'auditor' }).expect(200);
    }
    const prod = express();
    mountConsole(prod, {
      mspId: 'AuditorMSP',
      dir,
      indexerUrl: 'http://127.0.0.1:9',
      verifier,
      logger: pino({ level: 'silent' }),
      devIssuer: issuer,
      production: true,
    });
    prod.use(notFoundHandler());
    prod.use(createErrorHandler({ logger: pino({ level: 'silent' }) }));
    await request(prod).post('/console/dev-session').send({ role: 'auditor' }).expect(404);
    expect(isLoopbackHost(undefined)).to.equal(false);
    expect(isLoopbackHost('127.9.9.9:1')).to.equal(true);
  });

  it('pass-through reads take tokens of the caller bucket: 429 with Retry-After past it', async () => {
    const limited = express();
    mountConsole(limited, {
      mspId: 'AuditorMSP',
      dir,
      indexerUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      verifier,
      logger: pino({ level: 'silent' }),
      devIssuer: issuer,
      limiter: createRateLimiter({ ratePerSec: 0.01, burst: 2 }),
    });
    limited.use(notFoundHandler());
    limited.use(createErrorHandler({ logger: pino({ level: 'silent' }) }));
    const reader = (await request(app).post('/console/dev-session').send({ role: 'inventory-reader' })).body.token;
    await request(limited).get('/console/api/index/inventory').set('authorization', `Bearer ${reader}`).expect(200);
    await request(limited).get('/console/api/index/inventory').set('authorization', `Bearer ${reader}`).expect(200);
    const third = await request(limited).get('/console/api/index/inventory').set('authorization', `Bearer ${reader}`).expect(429);
    expect(third.body.code).to.equal('RATE_LIMITED');
    expect(Number(third.headers['retry-after'])).to.be.at.least(1);
  });
});
