/**
 * Attacks on the query side's bounds, on the real devnet, PostgreSQL and the
 * indexer (and a real gateway for the console):
 *
 * - a diamond-shaped lot graph of depth 22 (each transformation turns two lots
 *   into two: 2^22 paths, 44 lots), built through the chaincode, is answered
 *   with each lineage edge and each lot once, within the limits, while
 *   indexing goes on (the indexer's lag, read from /health, stays small);
 * - 500 server-sent event streams of one principal: past the cap each is a
 *   429 before the stream starts; all are on loopback and closed at the end;
 * - the console's dev sign-in refused for a Host that is not a loopback name;
 *   the console's security headers present.
 */
import { expect } from 'chai';
import * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import { dropSchema } from '../../../indexer/src/db/migrate';
import { createPool } from '../../../indexer/src/db/pool';
import { createIndexer, type Indexer } from '../../../indexer/src/main';
import { DEFAULT_QUERY_LIMITS } from '../../../indexer/src/config';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { RETAILER, SUPPLIER, closeAll, connectAll, eventId, submitJson, uniqueGln, uniqueGtin, type Orgs } from '../chaincode/ledger-fixtures';
import { ledgerTip, queryApi, queryToken, testConfig, testLog, testPostgres, waitFor, waitForBlock } from '../indexer/harness';
import { startGatewayFixture, type GatewayFixture } from '../gateway/gateway-fixture';

const DEPTH = 22;
const STREAM_CAP = 10;
const STREAMS = 500;

describe('attacks: bounded queries, streams and the console', function () {
  this.timeout(600_000);
  let pg: PostgresServer;
  let orgs: Orgs;
  let indexer: Indexer;
  let cfg: ReturnType<typeof testConfig>;
  let gw: GatewayFixture | undefined;
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const gln = uniqueGln(SUPPLIER);
  const gtin = uniqueGtin(SUPPLIER);
  const lot = (k: number, side: 'a' | 'b') => `D${tag}-${k}${side}`;
  let lastBlock = 0n;
  const note = (r: { commit: { blockNumber: bigint } }) => {
    if (r.commit.blockNumber > lastBlock) lastBlock = r.commit.blockNumber;
  };

  before(async () => {
    pg = testPostgres();
    await pg.start();
    orgs = await connectAll();
    cfg = testConfig({ databaseUrl: pg.connectionString });
    // The limits under test: deep enough for the whole diamond, a row limit far below its 2^22 paths, a small stream cap.
    // The rate limit is high: the stream cap is what the 500 streams must meet.
    cfg.query = {
      ...DEFAULT_QUERY_LIMITS,
      maxDepth: 30,
      maxRows: 1000,
      statementTimeoutMs: 5000,
      streamsPerPrincipal: STREAM_CAP,
      rateLimit: { ratePerSec: 100_000, burst: 100_000 },
    };
    indexer = createIndexer(cfg, { log: testLog() });
    await indexer.start();

    // The diamond, through the chaincode: two lots commissioned, then each transformation turns both lots of a level into both of the next.
    const s = orgs[SUPPLIER];
    note(await submitJson(s, 'RegisterLocation', { eventId: eventId(), gln, type: 'roastery', name: `diamond ${tag}`, address: { country: 'DE' } }));
    note(await submitJson(s, 'RegisterProduct', { eventId: eventId(), gtin, description: 'Blend', unit: 'KGM' }));
    for (const side of ['a', 'b'] as const)
      note(await submitJson(s, 'CommissionLot', { eventId: eventId(), gln, gtin, lotCode: lot(0, side), quantity: '10', origin: { country: 'CO' } }));
    for (let k = 0; k < DEPTH; k++) {
      note(
        await submitJson(s, 'TransformLots', {
          eventId: eventId(),
          gln,
          workOrder: `WO-${lot(k + 1, 'a')}`,
          inputs: [
            { gtin, lotCode: lot(k, 'a'), quantity: '10' },
            { gtin, lotCode: lot(k, 'b'), quantity: '10' },
          ],
          outputs: [
            { gtin, lotCode: lot(k + 1, 'a'), quantity: '10' },
            { gtin, lotCode: lot(k + 1, 'b'), quantity: '10' },
          ],
        }),
      );
    }
    await waitForBlock(indexer.pool, lastBlock, 120_000);
  });

  after(async () => {
    await gw?.stop();
    await indexer?.stop();
    closeAll(orgs);
    if (pg) {
      const admin = createPool({ connectionString: pg.connectionString, schema: 'public' });
      await dropSchema(admin, cfg.schema).catch(() => undefined);
      await admin.end();
      await pg.stop();
    }
  });

  const edgeKey = (s: { gtin: string; lot_code: string; child_gtin?: string; child_lot_code?: string; parent_gtin?: string; parent_lot_code?: string }) =>
    s.child_lot_code !== undefined ? `${s.lot_code}>${s.child_lot_code}` : `${s.parent_lot_code}>${s.lot_code}`;

  it('a diamond 12 levels deep: the upstream trace lists each lineage edge once (the graph, not its 4,096 paths)', async () => {
    const api = await queryApi(indexer);
    const res = await api.get(`/lots/${gtin}/${lot(12, 'a')}/trace/upstream`);
    expect(res.status).to.equal(200);
    const keys = res.body.steps.map(edgeKey);
    expect(new Set(keys).size, 'distinct edges').to.equal(keys.length);
    expect(keys).to.have.length(2 + 4 * 11);
    expect(res.body.truncated).to.equal(false);
  });

  it('a diamond 22 levels deep, traced upstream, downstream, as a genealogy and as a recall scope: each lot once, within the limits', async () => {
    const api = await queryApi(indexer);
    const up = await api.get(`/lots/${gtin}/${lot(DEPTH, 'a')}/trace/upstream`);
    expect(up.status).to.equal(200);
    expect(up.body.steps).to.have.length(2 + 4 * (DEPTH - 1));
    expect(new Set(up.body.steps.map(edgeKey)).size).to.equal(up.body.steps.length);
    expect(new Set(up.body.steps.map((s: any) => s.lot_code)).size, 'lots upstream').to.equal(2 * DEPTH);
    expect(up.body.origins.map((o: any) => o.lot_code).sort()).to.deep.equal([lot(0, 'a'), lot(0, 'b')]);
    expect(up.body).to.deep.include({ truncated: false, limits: { maxDepth: 30, maxRows: 1000 } });
    // Linear: the whole answer is a few tens of kilobytes (the path-carrying query answered gigabytes).
    expect(JSON.stringify(up.body).length).to.be.below(200_000);

    const down = await api.get(`/lots/${gtin}/${lot(0, 'a')}/trace/downstream`);
    expect(down.status).to.equal(200);
    expect(down.body.steps).to.have.length(1 + 2 + 4 * (DEPTH - 1));
    expect(new Set(down.body.steps.map((s: any) => `${s.parent_lot_code}>${s.lot_code}`)).size).to.equal(down.body.steps.length);
    expect(down.body.holdings.map((h: any) => `${h.lot_code}@${h.gln}`).sort()).to.deep.equal([`${lot(DEPTH, 'a')}@${gln}`, `${lot(DEPTH, 'b')}@${gln}`]);
    expect(down.body.truncated).to.equal(false);

    const g = await api.get(`/lots/${gtin}/${lot(11, 'a')}/genealogy`);
    expect(g.status).to.equal(200);
    expect(g.body.lots).to.have.length(2 * (DEPTH + 1) - 1);
    expect(new Set(g.body.lots.map((l: any) => l.lot_code)).size).to.equal(g.body.lots.length);
    expect(g.body.truncated).to.equal(false);

    const scope = await api.get('/recalls/scope').query({ lot: `${gtin}/${lot(0, 'a')},${gtin}/${lot(0, 'b')}` });
    expect(scope.status).to.equal(200);
    expect(scope.body.affectedLots).to.have.length(2 * (DEPTH + 1));
    expect(scope.body.truncated).to.equal(false);
  });

  it("answers those traces again and again while indexing goes on: the indexer's checkpoint (/health) stays within 2 blocks of the ledger", async () => {
    const api = await queryApi(indexer);
    let writing = true;
    let written = 0n;
    // Indexing goes on: the supplier keeps committing transactions while the traces run.
    const writer = (async () => {
      for (let i = 0; i < 8; i++) {
        const r = await submitJson(orgs[SUPPLIER], 'CommissionLot', {
          eventId: eventId(),
          gln,
          gtin,
          lotCode: `W${tag}-${i}`,
          quantity: '1',
          origin: { country: 'CO' },
        });
        if (r.commit.blockNumber > written) written = r.commit.blockNumber;
      }
      writing = false;
    })();
    const lags: number[] = [];
    let traces = 0;
    while (writing) {
      const answers = await Promise.all([
        api.get(`/lots/${gtin}/${lot(DEPTH, 'a')}/trace/upstream`),
        api.get(`/lots/${gtin}/${lot(DEPTH, 'b')}/trace/upstream`),
        api.get(`/lots/${gtin}/${lot(0, 'a')}/trace/downstream`),
        api.get(`/lots/${gtin}/${lot(11, 'b')}/genealogy`),
      ]);
      for (const a of answers) expect(a.status).to.equal(200);
      traces += answers.length;
      // The lag in blocks: the ledger's height (any peer) against the checkpoint the indexer reports.
      const [tip, health] = await Promise.all([ledgerTip(orgs), api.get('/health')]);
      expect(health.status).to.equal(200);
      lags.push(Number(tip - 1n - BigInt(health.body.checkpoint)));
    }
    await writer;
    expect(traces).to.be.at.least(8);
    expect(lags.length).to.be.at.least(2);
    expect(Math.max(...lags), `lag samples ${lags.join(',')}`).to.be.at.most(2);
    // And every block written meanwhile is indexed.
    await waitForBlock(indexer.pool, written);
  });

  it(`${STREAMS} ledger streams of one principal: ${STREAM_CAP} start, every other one is a 429 before the stream starts`, async () => {
    const token = await queryToken(indexer, ['auditor'], 'stream-hog');
    const port = indexer.httpPort()!;
    const open: http.ClientRequest[] = [];
    const statuses = await Promise.all(
      Array.from(
        { length: STREAMS },
        () =>
          new Promise<{ status: number; body: string; retryAfter?: string; type?: string }>((resolve, reject) => {
            const req = http.get({ host: '127.0.0.1', port, path: '/ledger/stream', agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
              if (res.statusCode === 200) return resolve({ status: 200, body: '', type: res.headers['content-type'] });
              let body = '';
              res.on('data', (d: Buffer) => (body += d.toString()));
              res.on('end', () => resolve({ status: res.statusCode!, body, retryAfter: res.headers['retry-after'] }));
            });
            req.on('error', reject);
            open.push(req);
          }),
      ),
    );
    try {
      const ok = statuses.filter((s) => s.status === 200);
      const refused = statuses.filter((s) => s.status === 429);
      expect(ok).to.have.length(STREAM_CAP);
      for (const s of ok) expect(s.type).to.match(/text\/event-stream/);
      expect(refused).to.have.length(STREAMS - STREAM_CAP);
      for (const r of refused) {
        expect(JSON.parse(r.body).code).to.equal('TOO_MANY_STREAMS');
        expect(Number(r.retryAfter)).to.be.at.least(1);
      }
      // Another principal is not affected by this one's streams.
      const other = await queryApi(indexer, ['auditor']);
      const health = await other.get('/health');
      expect(health.status).to.equal(200);
    } finally {
      for (const r of open) r.destroy();
    }
    // Closed streams give their slots back.
    await waitFor('a stream slot freed', async () => {
      const res = await new Promise<number>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/ledger/stream', agent: false, headers: { authorization: `Bearer ${token}` } }, (r) => {
          resolve(r.statusCode!);
          req.destroy();
        });
        req.on('error', reject);
      });
      return res === 200;
    });
  });

  describe('the console on a real gateway', () => {
    before(async () => {
      gw = await startGatewayFixture([RETAILER], {
        CONSOLE_INDEXER_URL: `http://127.0.0.1:${indexer.httpPort()}`,
        CONSOLE_INDEXER_DEV_KEY_FILE: cfg.auth.devKeyFile!,
      });
    });

    it('refuses the dev sign-in to a request whose Host is not a loopback name, even from this machine', async () => {
      const url = new URL(gw!.gateways[RETAILER].url);
      for (const host of ['evil.example', `attacker.test:${url.port}`, '192.168.1.10']) {
        const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = http.request(
            { host: '127.0.0.1', port: url.port, path: '/console/dev-session', method: 'POST', headers: { host, 'content-type': 'application/json' } },
            (r) => {
              let body = '';
              r.on('data', (d: Buffer) => (body += d.toString()));
              r.on('end', () => resolve({ status: r.statusCode!, body }));
            },
          );
          req.on('error', reject);
          req.end(JSON.stringify({ role: 'admin' }));
        });
        expect(res.status, host).to.equal(404);
        expect(res.body, host).to.not.include('token');
      }
      const own = await fetch(`${url.origin}/console/dev-session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"role":"auditor"}',
      });
      expect(own.status).to.equal(200);
      // The session reads the bounded trace through the console pass-through.
      const token = ((await own.json()) as { token: string }).token;
      const trace = await fetch(`${url.origin}/console/api/index/lots/${gtin}/${lot(DEPTH, 'b')}/trace/upstream`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(trace.status).to.equal(200);
      expect(((await trace.json()) as { truncated: boolean }).truncated).to.equal(false);
    });

    it('serves the console with a CSP without inline scripts, DENY framing, nosniff and a referrer policy', async () => {
      const res = await fetch(`${gw!.gateways[RETAILER].url}/console/`);
      expect(res.status).to.equal(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).to.include("script-src 'self'").and.include("frame-ancestors 'none'").and.not.include('unsafe-inline');
      expect(res.headers.get('x-frame-options')).to.equal('DENY');
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(res.headers.get('referrer-policy')).to.equal('no-referrer');
      const html = await res.text();
      for (const [, attrs, body] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
        expect(attrs).to.match(/\bsrc=/);
        expect(body.trim()).to.equal('');
      }
    });
  });
});
