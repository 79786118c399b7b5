/**
 * The express 5 application: request ids and logs, then per route
 * authenticate → authorize → rate-limit → parse → validate → act, and one
 * problem+json error handler.
 */
import express, { type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import {
  bearerToken,
  createErrorHandler,
  httpError,
  invalidInput,
  type JwtVerifier,
  notFoundHandler,
  type RateLimiter,
  requestIdFor,
} from '../../../lib/platform/src';
import { CONTRACT, hasAnyRole, type Principal } from '../../../lib/domain/src';
import type { LedgerClient } from '../../../lib/fabric/src';
import type { CommandExecutor } from '../submission/executor';
import type { GatewayMetrics } from './metrics';
import type { RouteContext, RouteSpec } from './route-spec';
import { jsonDepthExceeds, type RequestValidator } from './validation';

export interface AppDeps {
  routes: RouteSpec[];
  validator: RequestValidator;
  verifier: JwtVerifier;
  limiter: RateLimiter;
  executor: CommandExecutor;
  ledger: LedgerClient;
  metrics: GatewayMetrics;
  logger: Logger;
  bodyLimit?: string;
  /** Deepest JSON nesting accepted. */
  maxJsonDepth?: number;
  /** express's `trust proxy`: false, the number of proxies in front, or their addresses (see loadListenerConfig). */
  trustProxy?: false | number | string[];
  /** Mounts extra handlers (the web console) before the not-found handler. */
  mount?: (app: express.Express) => void;
}

function wantsAsync(req: Request): boolean {
  const mode = req.query.mode;
  if (mode !== undefined && mode !== 'sync' && mode !== 'async') {
    throw invalidInput([{ field: 'mode', message: 'must be sync or async' }]);
  }
  if (mode === 'async') return true;
  if (mode === 'sync') return false;
  return /(^|[,;\s])respond-async($|[,;\s])/i.test(req.get('prefer') ?? '');
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // req.ip and req.protocol come from X-Forwarded-For/-Proto only as far as the configured proxies go.
  app.set('trust proxy', deps.trustProxy ?? false);
  const maxDepth = deps.maxJsonDepth ?? 32;
  const jsonParser = express.json({ limit: deps.bodyLimit ?? '1mb', strict: true, type: ['application/json', 'application/*+json'] });
  const xmlParser = express.text({ limit: deps.bodyLimit ?? '1mb', type: ['application/xml', 'text/xml', 'application/*+xml'] });

  app.use((req, res, next) => {
    const requestId = requestIdFor(req.get('x-request-id'));
    res.locals.requestId = requestId;
    res.locals.log = deps.logger.child({ requestId });
    res.setHeader('X-Request-Id', requestId);
    const t0 = process.hrtime.bigint();
    res.on('finish', () => {
      const route = (res.locals.route as string | undefined) ?? 'unmatched';
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      deps.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      deps.metrics.httpDuration.observe({ method: req.method, route }, seconds);
      const rejection = res.locals.rejection as { code: string; detail: string } | undefined;
      (res.locals.log as Logger).info(
        {
          method: req.method,
          route,
          status: res.statusCode,
          ip: req.ip,
          ms: Math.round(seconds * 1000),
          sub: (res.locals.principal as Principal | undefined)?.sub,
          ...rejection,
        },
        'request',
      );
    });
    next();
  });

  for (const spec of deps.routes) {
    const chain: RequestHandler[] = [
      (_req, res, next) => {
        res.locals.route = spec.path;
        next();
      },
    ];
    if (spec.roles !== 'public') {
      const allowed = spec.roles;
      chain.push(async (req, res, next) => {
        const principal = await deps.verifier.verify(bearerToken(req.get('authorization')));
        res.locals.principal = principal;
        (res.locals as { log: Logger }).log = (res.locals.log as Logger).child({ sub: principal.sub });
        if (!hasAnyRole(principal, allowed)) throw httpError(403, 'ROLE_FORBIDDEN', `${spec.operationId} needs one of the roles ${allowed.join(', ')}`);
        const taken = deps.limiter.take(principal.clientId);
        if (!taken.ok) throw httpError(429, 'RATE_LIMITED', 'too many requests', { retryAfterSec: taken.retryAfterSec });
        next();
      });
    }
    if (spec.method === 'post') {
      if (spec.bodyType === 'xml') chain.push(xmlParser);
      else if (spec.bodyType === 'json-or-xml') chain.push(jsonParser, xmlParser);
      else chain.push(jsonParser);
    }
    chain.push(async (req: Request, res: Response) => {
      const ctx: RouteContext = {
        params: { ...(req.params as Record<string, string>) },
        query: { ...(req.query as Record<string, unknown>) },
        body: req.body,
        principal: res.locals.principal as Principal | undefined,
        requestId: res.locals.requestId as string,
        log: res.locals.log as Logger,
        request: req,
      };
      if (ctx.body !== undefined && typeof ctx.body === 'object' && jsonDepthExceeds(ctx.body, maxDepth)) {
        throw invalidInput([{ field: 'body', message: `nests deeper than ${maxDepth} levels` }]);
      }
      const errors = [
        ...(spec.paramsSchema ? deps.validator.check(spec.paramsSchema, ctx.params) : []),
        ...(spec.querySchema ? deps.validator.check(spec.querySchema, ctx.query) : []),
      ];
      if (spec.bodySchema && spec.xmlToJson && typeof ctx.body === 'string' && req.is(['application/xml', 'text/xml', 'application/*+xml'])) {
        ctx.body = spec.xmlToJson(ctx.body);
      } else if (spec.bodySchema) {
        if (req.headers['content-type'] && !req.is(['application/json', 'application/*+json'])) {
          throw httpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'the body must be application/json', {
            errors: [{ field: 'Content-Type', message: 'must be application/json' }],
          });
        }
        // No body at all counts as {} for routes whose fields are all optional (dispatch).
        if (ctx.body === undefined) ctx.body = {};
        errors.push(...deps.validator.check(spec.bodySchema, ctx.body));
      }
      if (errors.length > 0) throw invalidInput(errors);
      await act(spec, ctx, req, res);
    });
    app[spec.method](spec.path, ...chain);
  }

  async function act(spec: RouteSpec, ctx: RouteContext, req: Request, res: Response): Promise<void> {
    const a = spec.action;
    if (a.kind === 'query') {
      const q = a.build(ctx);
      const out = await deps.ledger.evaluate({ contract: CONTRACT.traceability, fn: q.fn, args: q.args });
      if (a.visible && !a.visible(JSON.parse(out.toString('utf8')), ctx)) throw httpError(404, 'NOT_FOUND', `${spec.operationId}: not found`);
      res.status(200).type('application/json').send(out.toString('utf8'));
      return;
    }
    const outcome =
      a.kind === 'command'
        ? await deps.executor.execute({
            cmd: await a.build(ctx),
            principal: ctx.principal!,
            idempotencyKey: req.get('idempotency-key') ?? undefined,
            async: wantsAsync(req),
            route: `${spec.method} ${req.path}`,
            log: ctx.log,
            requestId: ctx.requestId,
          })
        : await a.handle(ctx);
    for (const [k, v] of Object.entries(outcome.headers ?? {})) res.setHeader(k, v);
    const raw = (outcome as { raw?: string }).raw;
    if (raw !== undefined) {
      res
        .status(outcome.status)
        .type((outcome as { contentType?: string }).contentType ?? 'text/plain')
        .send(raw);
      return;
    }
    const isProblem = outcome.status >= 400;
    res
      .status(outcome.status)
      .type(isProblem ? 'application/problem+json' : 'application/json')
      .send(JSON.stringify(outcome.body));
  }

  deps.mount?.(app);
  app.use(notFoundHandler());
  app.use(createErrorHandler({ logger: deps.logger }));
  return app;
}

export { listExpressRoutes } from '../../../lib/platform/src';
