/**
 * The query API: JSON over HTTP for inventory services and auditors, behind
 * the same token verification as the gateway, plus /health and /metrics
 * (open, for probes and scrapers) and /openapi.json. Every route is a row of
 * the route table (route-table.ts), which drives access, input checks and the
 * document. Unknown routes answer a 404 problem.
 */
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { epcisRoutes } from './epcis/epcis-routes';
import { fsmaRoutes } from './fsma/fsma-routes';
import { createRateLimiter, type JwtVerifier, type RateLimiter, ServiceError } from '../../../lib/platform/src';
import type { Principal } from '../../../lib/domain/src';
import { notFound, requestId, problemHandler } from './http-errors';
import { queryAuth } from './query-auth';
import { buildQueryOpenApi } from './route-openapi';
import { QUERY_ROUTES } from './route-table';
import { inventoryRoutes } from './inventory-routes';
import { membershipRoutes } from './membership-routes';
import { recallRoutes } from './recall-routes';
import type { IndexerMetrics } from './metrics';
import { traceRoutes } from './trace-routes';
import { genealogyRoutes } from './genealogy-routes';
import { ledgerRoutes } from './ledger-routes';
import { operationsRoutes } from './operations-routes';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from '../config';
import { createCheckpointWatch, type CheckpointWatch } from './streams/checkpoint-watch';
import { createConnectionCap, type ConnectionCap } from './streams/connection-cap';

/** Dependencies of {@link createQueryApp}. */
export interface QueryAppDeps {
  pool: Pool;
  /** EPCIS named queries and subscriptions (`/epcis/queries`). */
  subscriptions?: Router;
  metrics: IndexerMetrics;
  /** Verifies bearer tokens of every route but /health and /metrics. */
  verifier: JwtVerifier;
  /** Extra health facts (e.g. whether the indexing loop and the relay run). */
  health?: () => Record<string, unknown>;
  onError?: (err: unknown) => void;
  /** Bounds of traces, statements, rates and streams; default {@link DEFAULT_QUERY_LIMITS}. */
  limits?: QueryLimits;
  /** Per-principal rate limiter (shared with the WebSocket streams); default: one from `limits.rateLimit`. */
  limiter?: RateLimiter;
  /** The checkpoint poll every stream shares; default: one of the app's own. */
  watch?: CheckpointWatch;
  /** Open streams per principal; default: one from `limits.streamsPerPrincipal`. */
  streamCap?: ConnectionCap;
  /** The organisation this indexer belongs to (its Fabric identity's MSP): a token that names none counts as it. */
  ownerOrg?: string;
  /** express's `trust proxy` (false, a hop count or proxy addresses): where req.ip and req.protocol come from. */
  trustProxy?: false | number | string[];
  /** Where each request's log line goes; none without it. */
  log?: Logger;
}

/**
 * One log line per answered request, as the gateway writes it: the request id, method, path,
 * status, duration, the client's address (through the trusted proxies) and the caller's subject.
 */
function requestLog(log: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const t0 = process.hrtime.bigint();
    res.on('finish', () => {
      log.info(
        {
          requestId: res.locals.requestId as string,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Math.round(Number(process.hrtime.bigint() - t0) / 1e6),
          ip: req.ip,
          sub: (res.locals.principal as Principal | undefined)?.sub,
        },
        'request',
      );
    });
    next();
  };
}

/** Takes one token of the caller's bucket per request; past it, 429 with Retry-After. */
function rateLimit(limiter: RateLimiter) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const taken = limiter.take((res.locals.principal as Principal).clientId);
    if (taken.ok) return next();
    next(new ServiceError({ code: 'RATE_LIMITED', message: 'too many requests', httpStatus: 429, details: { retryAfterSec: taken.retryAfterSec } }));
  };
}

export function createQueryApp(deps: QueryAppDeps): Express {
  const limits = deps.limits ?? DEFAULT_QUERY_LIMITS;
  const trace = { maxDepth: limits.maxDepth, maxRows: limits.maxRows, deadlineMs: limits.statementTimeoutMs };
  const limiter = deps.limiter ?? createRateLimiter(limits.rateLimit);
  const watch = deps.watch ?? createCheckpointWatch({ pool: deps.pool, pollMs: 500 });
  const cap = deps.streamCap ?? createConnectionCap({ maxPerKey: limits.streamsPerPrincipal });
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  app.use(requestId);
  if (deps.log) app.use(requestLog(deps.log));
  app.use((_req, res, next) => {
    res.locals.ownerOrg = deps.ownerOrg ?? '';
    next();
  });
  app.use(express.json({ limit: '16kb' }));

  app.get('/health', async (_req, res) => {
    const snap = deps.metrics.snapshot();
    let database = true;
    let checkpoint: string | null = null;
    try {
      checkpoint = (await deps.pool.query<{ block_number: string }>('SELECT block_number FROM checkpoint')).rows[0]?.block_number ?? null;
    } catch {
      database = false;
    }
    const extra = deps.health?.() ?? {};
    const ok = database && extra.indexing !== false;
    // The peer blocks are read from is out of reach: queries are still answered, from data that falls
    // behind the channel (lagBlocks counts against the other peers' height), so the status says so.
    const peers = Array.isArray(extra.peers) ? (extra.peers as { own?: boolean; reachable?: boolean }[]) : [];
    const degraded = peers.some((p) => p.own && !p.reachable);
    res.status(ok ? 200 : 503).json({
      status: ok ? (degraded ? 'degraded' : 'ok') : 'unavailable',
      database,
      checkpoint,
      height: snap.height?.toString() ?? null,
      lagBlocks: snap.lagBlocks ?? null,
      ...extra,
    });
  });

  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  const openapi = JSON.stringify(buildQueryOpenApi(QUERY_ROUTES));
  app.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(openapi);
  });

  app.use(queryAuth(deps.verifier));
  app.use(rateLimit(limiter));
  app.use(inventoryRoutes(deps.pool));
  app.use(traceRoutes(deps.pool, trace));
  app.use(genealogyRoutes(deps.pool, trace));
  app.use(operationsRoutes(deps.pool));
  app.use(ledgerRoutes({ pool: deps.pool, watch, cap }));
  app.use(recallRoutes(deps.pool, trace));
  // Before epcisRoutes, whose browse paths (/epcis/:resource/…) would otherwise take /epcis/queries.
  if (deps.subscriptions) app.use(deps.subscriptions);
  app.use(epcisRoutes(deps.pool));
  app.use(fsmaRoutes(deps.pool, deps.onError));
  app.use(membershipRoutes(deps.pool));
  app.use((req, _res, next) => next(notFound(`no route ${req.method} ${req.path}`)));
  app.use(problemHandler(deps.onError, limits.statementTimeoutMs));
  return app;
}
