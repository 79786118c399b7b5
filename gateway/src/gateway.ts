/**
 * Assembles one organisation's gateway from its parts: routes, validator,
 * submitter, executor, async worker and the express app, with start()/stop().
 * main.ts supplies the real ledger, database and token verifier; tests may
 * supply fakes.
 */
import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type express from 'express';
import type { Logger } from 'pino';
import { createListener, createRateLimiter, type JwtVerifier, type Listener, type ListenerConfig, type RateLimiter } from '../../lib/platform/src';
import { createApp } from './http/app';
import { createMetrics, type GatewayMetrics } from './http/metrics';
import { buildOpenApi } from './http/openapi';
import { opsRoutes } from './http/ops-routes';
import { resourceRoutes } from './http/resource-routes';
import type { RouteSpec } from './http/route-spec';
import { BODY_SCHEMAS, PARAM_SCHEMAS } from './http/schemas';
import { createRequestValidator } from './http/validation';
import type { LedgerClient } from '../../lib/fabric/src';
import { createEndorsementResolver } from './submission/endorsement';
import { createCommandExecutor, type CommandExecutor } from './submission/executor';
import type { SubmissionStore } from './submission/store';
import { createSubmitter, type Submitter } from './submission/submitter';
import { createSubmissionWorker, type SubmissionWorker } from './submission/worker';

/** Extra routes (adapters) get the submitter and executor they need. */
export type RouteFactory = (deps: {
  submitter: Submitter;
  executor: CommandExecutor;
  store: SubmissionStore;
  ledger: LedgerClient;
  mspId: string;
  logger: Logger;
  limiter: RateLimiter;
}) => {
  routes: RouteSpec[];
  schemas?: Record<string, object>;
};

export interface GatewayOptions {
  mspId: string;
  ledger: LedgerClient;
  store: SubmissionStore;
  verifier: JwtVerifier;
  logger: Logger;
  metrics?: GatewayMetrics;
  rateLimit?: { ratePerSec: number; burst: number };
  syncAttempts?: number;
  worker?: { pollMs?: number; maxAttempts?: number; concurrency?: number; enabled?: boolean };
  bodyLimit?: string;
  extraRoutes?: RouteFactory[];
  /** How long the parties keep an order's private terms before they may be purged, seconds. Default seven years. */
  termsRetentionSeconds?: number;
  /**
   * Mounts extra handlers (the web console) on the app, with the gateway's rate limiter;
   * may return what closes their long-lived responses at stop.
   */
  mount?: (app: express.Express, deps: { limiter: RateLimiter }) => (() => void) | void;
  /** Handles HTTP upgrade requests (the EPCIS event stream); without it they are refused by node. */
  onUpgrade?: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** HTTPS certificate files and how far X-Forwarded-* headers are trusted; default plain HTTP, no proxy trusted. */
  listener?: ListenerConfig;
}

export interface Gateway {
  readonly app: express.Express;
  readonly routes: RouteSpec[];
  readonly worker: SubmissionWorker;
  readonly executor: CommandExecutor;
  readonly metrics: GatewayMetrics;
  openapi(): object;
  /** Listens and starts the async worker; resolves with the base URL. */
  start(opts: { host?: string; port?: number }): Promise<{ url: string; port: number }>;
  /** Stops accepting requests, finishes in-flight submissions, stops the worker. */
  stop(): Promise<void>;
  /** Re-reads the HTTPS certificate and key for new connections (nothing for plain HTTP); throws and keeps the old pair when they are unusable. */
  reloadTls(): void;
}

export function createGateway(opts: GatewayOptions): Gateway {
  const metrics = opts.metrics ?? createMetrics({ labels: { msp: opts.mspId }, ledger: opts.ledger });
  const endorsement = createEndorsementResolver({ ledger: opts.ledger });
  const submitter = createSubmitter({
    ledger: opts.ledger,
    endorsement,
    metrics,
    logger: opts.logger,
    attempts: opts.syncAttempts ?? 4,
    termsRetentionSeconds: opts.termsRetentionSeconds,
  });
  const worker = createSubmissionWorker({
    store: opts.store,
    submitter,
    mspId: opts.mspId,
    logger: opts.logger,
    metrics,
    pollMs: opts.worker?.pollMs ?? 500,
    maxAttempts: opts.worker?.maxAttempts ?? 1000,
    concurrency: opts.worker?.concurrency,
  });
  const executor = createCommandExecutor({ store: opts.store, submitter, worker, mspId: opts.mspId, termsRetentionSeconds: opts.termsRetentionSeconds });
  const schemas: Record<string, object> = { ...BODY_SCHEMAS, ...PARAM_SCHEMAS };
  const routes: RouteSpec[] = [];
  let doc: object | undefined;
  const openapi = () => (doc ??= buildOpenApi(routes, schemas, { title: `coffee-trace gateway (${opts.mspId})` }));
  routes.push(...opsRoutes({ ledger: opts.ledger, store: opts.store, metrics, mspId: opts.mspId, openapi }), ...resourceRoutes());
  const limiter = createRateLimiter(opts.rateLimit ?? { ratePerSec: 50, burst: 100 });
  for (const make of opts.extraRoutes ?? []) {
    const extra = make({ submitter, executor, store: opts.store, ledger: opts.ledger, mspId: opts.mspId, logger: opts.logger, limiter });
    routes.push(...extra.routes);
    Object.assign(schemas, extra.schemas ?? {});
  }
  const validator = createRequestValidator(schemas);
  let closeMounted: (() => void) | void;
  const app = createApp({
    routes,
    validator,
    verifier: opts.verifier,
    limiter,
    executor,
    ledger: opts.ledger,
    metrics,
    logger: opts.logger,
    bodyLimit: opts.bodyLimit,
    trustProxy: opts.listener?.trustProxy ?? false,
    mount: opts.mount && ((a) => void (closeMounted = opts.mount!(a, { limiter }))),
  });
  let server: http.Server | undefined;
  let listener: Listener | undefined;

  return {
    app,
    routes,
    worker,
    executor,
    metrics,
    openapi,
    async start({ host = '127.0.0.1', port = 0 }) {
      listener = createListener(app, opts.listener?.tls);
      server = listener.server;
      if (opts.onUpgrade) server.on('upgrade', opts.onUpgrade);
      await new Promise<void>((resolve, reject) => server!.once('error', reject).listen(port, host, resolve));
      if (opts.worker?.enabled !== false) worker.start();
      const bound = (server.address() as AddressInfo).port;
      opts.logger.info({ host, port: bound, scheme: listener.scheme, trustProxy: opts.listener?.trustProxy ?? false }, 'gateway listening');
      return { url: `${listener.scheme}://${host}:${bound}`, port: bound };
    },
    reloadTls() {
      listener?.reloadTls();
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s) {
        // Stop accepting, let requests in progress finish (a sync submission
        // waits for its commit), then drop idle keep-alive connections.
        const closed = new Promise<void>((resolve) => s.close(() => resolve()));
        s.closeIdleConnections();
        // Event streams never finish by themselves: end them so shutdown does not wait for the timeout.
        closeMounted?.();
        await executor.drain();
        s.closeIdleConnections();
        // A client holding a half-sent request must not block shutdown forever.
        const force = setTimeout(() => s.closeAllConnections(), 30_000);
        await closed;
        clearTimeout(force);
      }
      await worker.stop();
    },
  };
}
