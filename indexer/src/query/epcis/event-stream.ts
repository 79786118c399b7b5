/**
 * WebSocket subscriptions (REST binding: `GET /epcis/queries/{name}/events`
 * with an upgrade): a connected client receives the named query's events as
 * they are indexed (committed), each batch as one EPCISQueryDocument message.
 * A stream is live, not durable: it starts after the newest indexed event (or
 * at `?initialRecordTime=`) and ends with the connection; durable delivery is
 * the webhook subscriptions' job.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Principal } from '../../../../lib/domain/src';
import { bearerToken, type JwtVerifier, type RateLimiter } from '../../../../lib/platform/src';
import { createCheckpointWatch, type CheckpointWatch } from '../streams/checkpoint-watch';
import { createConnectionCap, type ConnectionCap } from '../streams/connection-cap';
import { mayCall } from '../query-auth';
import { matchRoute, QUERY_ROUTES } from '../route-table';
import { eventContexts, queryDocument, toQueryEvent } from './epcis-document';
import { eventScope, type EventScope } from './event-visibility';
import { namedQuery, nextEvents, ownerOrg, tipPosition } from './subscriptions';

const PATH = /^\/epcis\/queries\/([A-Za-z0-9_.-]{1,64})\/events$/;

function refuse(socket: Duplex, status: string, retryAfterSec?: number): void {
  const retry = retryAfterSec === undefined ? '' : `Retry-After: ${retryAfterSec}\r\n`;
  socket.end(`HTTP/1.1 ${status}\r\n${retry}Connection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Dependencies of {@link attachEventStream}. */
export interface EventStreamDeps {
  pool: Pool;
  verifier: JwtVerifier;
  log?: Logger;
  /** Checkpoint poll interval when no shared `watch` is given (ms). */
  pollMs?: number;
  /** The checkpoint poll shared with the other streams; default: one of its own. */
  watch?: CheckpointWatch;
  /** Open WebSocket streams per principal; default: 20. */
  cap?: ConnectionCap;
  /** The query API's per-principal rate limiter: an upgrade takes a token. */
  limiter?: RateLimiter;
  /** The organisation this indexer belongs to: a token that names none counts as it. */
  ownerOrg?: string;
}

/** Serves WebSocket subscriptions on `server`; returns how to close them all. */
export function attachEventStream(server: Server, deps: EventStreamDeps): { close(): void } {
  const wss = new WebSocketServer({ noServer: true });
  const streams = new Set<() => void>();
  const watch = deps.watch ?? createCheckpointWatch({ pool: deps.pool, pollMs: deps.pollMs ?? 250 });
  const cap = deps.cap ?? createConnectionCap({ maxPerKey: 20 });

  async function stream(ws: WebSocket, query: Record<string, string>, initialRecordTime: string | null, scope: EventScope): Promise<void> {
    let after = await tipPosition(deps.pool);
    if (initialRecordTime) {
      const first = (await deps.pool.query('SELECT block_number FROM epcis_events WHERE record_time >= $1 ORDER BY block_number LIMIT 1', [initialRecordTime]))
        .rows[0];
      if (first) after = { block: String(BigInt(first.block_number) - 1n), tx: 2 ** 31 - 1, seq: 0 };
    }
    if (ws.readyState !== ws.OPEN) return;
    let busy = false;
    let again = false;
    const poll = (): void => {
      if (ws.readyState !== ws.OPEN) return;
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      nextEvents(deps.pool, query, after, 100, scope)
        .then((rows) => {
          if (rows.length === 0) return;
          const last = rows[rows.length - 1];
          after = { block: String(last.block_number), tx: last.tx_index, seq: last.seq };
          ws.send(JSON.stringify(queryDocument(rows.map(toQueryEvent), new Date(), eventContexts(rows))));
          // A full page: more may be waiting in blocks already indexed.
          if (rows.length === 100) again = true;
        })
        .catch((err) => deps.log?.warn({ err }, 'event stream query failed'))
        .finally(() => {
          busy = false;
          if (again) {
            again = false;
            poll();
          }
        });
    };
    const unsubscribe = watch.subscribe(() => poll());
    streams.add(unsubscribe);
    ws.on('close', () => {
      unsubscribe();
      streams.delete(unsubscribe);
    });
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = PATH.exec(url.pathname);
    if (!m) return refuse(socket, '404 Not Found');
    // The same rule as GET /epcis/…: the route table's row for this path.
    const route = matchRoute(QUERY_ROUTES, 'GET', url.pathname)?.route;
    let token: string;
    try {
      token = bearerToken(req.headers.authorization);
    } catch {
      return refuse(socket, '401 Unauthorized');
    }
    // Only the organisation's own named queries: another's is as absent as one never defined.
    const open = (principal: Principal, name: string) => {
      const taken = deps.limiter?.take(principal.clientId) ?? { ok: true as const };
      if (!taken.ok) return refuse(socket, '429 Too Many Requests', taken.retryAfterSec);
      const release = cap.acquire(`ws|${principal.clientId}`);
      if (!release) return refuse(socket, '429 Too Many Requests', 10);
      namedQuery(deps.pool, ownerOrg(principal), name).then(
        (query) => {
          if (!query) return (release(), refuse(socket, '404 Not Found'));
          // Every page the stream sends holds only events the subscriber's organisation may see.
          const scope = eventScope(principal, deps.ownerOrg ?? '');
          wss.handleUpgrade(req, socket, head, (ws) => {
            ws.on('close', release);
            void stream(ws, query, url.searchParams.get('initialRecordTime'), scope).catch(() => ws.close(1011));
          });
        },
        () => (release(), refuse(socket, '503 Service Unavailable', 5)),
      );
    };
    deps.verifier.verify(token).then(
      (principal) => (route && mayCall(principal, route) ? open(principal, m[1]) : refuse(socket, '403 Forbidden')),
      () => refuse(socket, '401 Unauthorized'),
    );
  });

  return {
    close() {
      for (const unsubscribe of streams) unsubscribe();
      for (const c of wss.clients) c.terminate();
      wss.close();
    },
  };
}
