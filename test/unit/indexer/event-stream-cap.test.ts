import { expect } from 'chai';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import type { Pool } from 'pg';
import { createRateLimiter, type JwtVerifier } from '../../../lib/platform/src';
import { attachEventStream } from '../../../indexer/src/query/epcis/event-stream';
import { createCheckpointWatch } from '../../../indexer/src/query/streams/checkpoint-watch';
import { createConnectionCap } from '../../../indexer/src/query/streams/connection-cap';

/** Answers the stream's statements without a database: a named query exists, no events, checkpoint 3. */
function fakePool(): Pool & { statements: string[] } {
  const statements: string[] = [];
  const pool = {
    statements,
    async query(sql: string) {
      statements.push(sql);
      if (sql.includes('epcis_named_queries')) return { rows: [{ query: { eventType: 'ObjectEvent' } }] };
      if (sql.includes('FROM checkpoint')) return { rows: [{ block_number: '3' }] };
      return { rows: [] };
    },
  };
  return pool as unknown as Pool & { statements: string[] };
}

const verifier: JwtVerifier = { verify: async (token) => ({ sub: token, roles: ['auditor'], clientId: `iss|${token}` }) };

describe('EPCIS WebSocket streams: capped per principal, one shared poll (loopback only)', () => {
  let server: http.Server;
  let close: () => void;
  let url: string;
  const pool = fakePool();
  const watch = createCheckpointWatch({ pool, pollMs: 20 });

  before(async () => {
    server = http.createServer((_req, res) => res.writeHead(404).end());
    ({ close } = attachEventStream(server, {
      pool,
      verifier,
      watch,
      cap: createConnectionCap({ maxPerKey: 2 }),
      limiter: createRateLimiter({ ratePerSec: 1000, burst: 1000 }),
    }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/epcis/queries/q1/events`;
  });
  after(() => {
    close();
    server.close();
  });

  const connect = (token: string) =>
    new Promise<{ ws?: WebSocket; status?: number; retryAfter?: string }>((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
      ws.once('open', () => resolve({ ws }));
      ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode, retryAfter: res.headers['retry-after'] }));
      ws.once('error', reject);
    });

  it('refuses the third stream of one principal with 429 and Retry-After before the upgrade; another principal still connects', async () => {
    const a = await connect('alice');
    const b = await connect('alice');
    expect(a.ws && b.ws).to.not.equal(undefined);
    const c = await connect('alice');
    expect(c).to.deep.include({ status: 429 });
    expect(Number(c.retryAfter)).to.be.at.least(1);
    const other = await connect('bob');
    expect(other.ws).to.not.equal(undefined);
    // The three open streams listen to one checkpoint poll.
    expect(watch.listeners()).to.equal(3);
    const closed = new Promise((r) => a.ws!.once('close', r));
    a.ws!.close();
    await closed;
    // The slot is given back when the server sees the close.
    let again = await connect('alice');
    for (let i = 0; i < 50 && again.status === 429; i++) {
      await new Promise((r) => setTimeout(r, 20));
      again = await connect('alice');
    }
    expect(again.ws).to.not.equal(undefined);
    for (const s of [b, other, again]) s.ws?.terminate();
  });
});
