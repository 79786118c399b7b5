/**
 * Wiring of the indexer: PostgreSQL (migrated), the block source and its
 * projector, the Kafka outbox relay and the query API. start() brings them up
 * in that order; stop() drains them in reverse (HTTP, blocks, outbox, pools).
 * The query API reads through a pool of its own (its own size and
 * statement_timeout), so no query load can take indexing's connections.
 */
import type { Server } from 'node:http';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import { pino, type Logger } from 'pino';
import { connectLedger, reloadingLedgerClient, setSdkLogger, type LedgerClient, type ReloadingLedgerClient } from '../../lib/fabric/src';
import * as path from 'node:path';
import { createDevIssuer, createJwtVerifier, createListener, createRateLimiter, type DevIssuer, type JwtVerifier, type Listener } from '../../lib/platform/src';
import { DEFAULT_QUERY_LIMITS, DEFAULT_SUBSCRIPTIONS, type IndexerConfig } from './config';
import { createCheckpointWatch } from './query/streams/checkpoint-watch';
import { createConnectionCap } from './query/streams/connection-cap';
import { migrate } from './db/migrate';
import { createPool } from './db/pool';
import { createOrderTerms, type OrderTerms } from './projection/order-terms';
import { outboxPositionTopic, topicNames } from './projection/outbox-messages';
import { createBlockProjector } from './projection/project-block';
import { attachEventStream } from './query/epcis/event-stream';
import { createSubscriptions } from './query/epcis/subscriptions';
import { createWebhookSender } from './query/epcis/webhook-sender';
import { createQueryApp } from './query/app';
import { bindToOwner, ownerBinding, ownerView } from './query/owner-binding';
import { checkOwnerRole } from './owner-role';
import { createIndexerMetrics, type IndexerMetrics } from './query/metrics';
import { createOutboxRelay, type OutboxRelay } from './sinks/kafka/outbox-relay';
import { createBlockSource, type BlockSource } from './source/block-source';
import { createChannelHeightMonitor, type ChannelHeightMonitor } from './source/channel-height';

/** Optional overrides, mainly for tests. */
export interface IndexerDeps {
  log?: Logger;
  /** How to reach the ledger; default: the connection settings in `config.ledger`. */
  connect?: () => Promise<LedgerClient>;
  /** Start the HTTP API (default true). */
  http?: boolean;
  /** Token verifier of the query API; default: from `config.auth` (JWKS URL, or the dev issuer). */
  verifier?: JwtVerifier;
}

export interface Indexer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Rejects when indexing stopped for good (a verification failure). */
  readonly done: Promise<void>;
  /** Indexing's pool (projection, outbox, subscriptions' delivery). */
  readonly pool: Pool;
  /** The query API's pool: its own connections, every statement bounded by statement_timeout. */
  readonly queryPool: Pool;
  readonly metrics: IndexerMetrics;
  /**
   * What SIGHUP does: re-reads the query API's HTTPS certificate and key, and moves every ledger
   * connection onto one made with the identity and client TLS files as they are now (block
   * streams carry on from the next block). Throws naming what failed; that part keeps its state.
   */
  reload(): Promise<void>;
  /** Port of the query API once started. */
  httpPort(): number | undefined;
  /** The built-in dev issuer, when the query API uses one (no AUTH_JWKS_URL outside production). */
  devIssuer(): DevIssuer | undefined;
}

/** Builds the Kafka client, or says why there is none (the outbox then keeps its rows). */
async function kafkaFor(config: IndexerConfig, log: Logger): Promise<Kafka | undefined> {
  if (config.kafka === 'off' || !config.kafkaBrokers) {
    log.warn('INDEXER_KAFKA=off: committed facts stay in the outbox');
    return undefined;
  }
  const brokers = config.kafkaBrokers
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  return new Kafka({ clientId: 'indexer', brokers, logLevel: logLevel.NOTHING, retry: { retries: 3 }, connectionTimeout: 3000 });
}

/** The peers as /health shows them (heights as strings, as every block number in the API). */
function peerHealth(m: ChannelHeightMonitor) {
  return m.peers().map((p) => ({
    name: p.name,
    mspId: p.mspId ?? null,
    own: p.own,
    reachable: p.reachable,
    height: p.height?.toString() ?? null,
    ...(p.error ? { error: p.error } : {}),
  }));
}

export function createIndexer(config: IndexerConfig, deps: IndexerDeps = {}): Indexer {
  const log = deps.log ?? pino({ name: 'indexer', level: config.logLevel });
  setSdkLogger(log);
  const db = { connectionString: config.databaseUrl };
  const pool = createPool({ connectionString: db.connectionString, schema: config.schema });
  const limits = config.query ?? DEFAULT_QUERY_LIMITS;
  const queryPool = createPool({
    connectionString: db.connectionString,
    schema: config.schema,
    max: limits.poolMax,
    applicationName: 'indexer-query',
    statementTimeoutMs: limits.statementTimeoutMs,
    connectionTimeoutMs: limits.statementTimeoutMs,
  });
  const connectOnce = deps.connect ?? (() => connectLedger(config.ledger));
  // Every connection handed out can be moved onto renewed credentials by reload().
  const live = new Set<ReloadingLedgerClient>();
  const connect = async (): Promise<LedgerClient> => {
    const c: ReloadingLedgerClient = reloadingLedgerClient(await connectOnce(), connectOnce, { onClose: () => live.delete(c) });
    live.add(c);
    return c;
  };
  const peerHeights: ChannelHeightMonitor = createChannelHeightMonitor({
    connect,
    log: log.child({ part: 'peers' }),
    intervalMs: config.peerCheckMs ?? 5000,
    onCheck: (peers, height) => metrics.peerHeights(peers, height),
  });
  const metrics = createIndexerMetrics({
    defaultMetrics: true,
    pendingOutbox: async () => Number((await queryPool.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL')).rows[0].n),
    certificates: () => peerHeights.certificates(),
  });
  let source: BlockSource | undefined;
  let orderTerms: OrderTerms | undefined;
  let relay: OutboxRelay | undefined;
  let server: Server | undefined;
  let listener: Listener | undefined;
  let devIssuer: DevIssuer | undefined;
  let subscriptions: ReturnType<typeof createSubscriptions> | undefined;
  let eventStream: { close(): void } | undefined;
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => undefined);

  async function start(): Promise<void> {
    const applied = await migrate(pool, config.schema);
    if (applied.length > 0) log.info({ schema: config.schema, applied }, 'migrations applied');
    await checkOwnerRole(pool, config);
    log.info({ owner: config.ledger.mspId, role: config.ownerRole }, 'indexer owner');
    const kafka = await kafkaFor(config, log);
    if (kafka) {
      relay = createOutboxRelay({
        pool,
        kafka,
        topics: topicNames(config.topicPrefix),
        partitions: config.topicPartitions,
        positionTopic: outboxPositionTopic(config.topicPrefix),
        source: config.eventSource,
        batchSize: config.outboxBatch,
        log: log.child({ part: 'outbox' }),
        onPublished: (n) => metrics.published(n),
        onWithheld: (n) => metrics.withheld(n),
        // A member's indexer publishes only what its organisation may see.
        view: ownerView(config),
        onError: () => metrics.relayFailed(),
      });
      relay.start();
    }
    const projector = createBlockProjector({
      pool,
      topicPrefix: config.topicPrefix,
      onWarn: (msg, tx) => log.warn({ txId: tx.txId }, msg),
    });
    // The amounts of this organisation's own orders, from its own peer's private data.
    const terms = createOrderTerms({ pool, mspId: config.ledger.mspId, connect, log: log.child({ part: 'order-terms' }) });
    orderTerms = terms;
    const blockLog = log.child({ part: 'source' });
    source = createBlockSource({
      pool,
      projector,
      connect,
      log: blockLog,
      transport: config.blockTransport,
      pollMs: config.pollMs,
      retryDelayMs: config.retryDelayMs,
      batchBlocks: config.batchBlocks,
      onBlock: (s) => {
        metrics.blockStored(s);
        relay?.wake();
        terms.wake();
        blockLog.debug({ blockNumber: s.blockNumber.toString(), transactions: s.transactions }, 'block stored');
        if (s.invalid > 0) blockLog.info({ blockNumber: s.blockNumber.toString(), invalid: s.invalid }, 'block with invalid transactions recorded');
      },
      onHeight: (h) => metrics.ledgerHeight(h),
    });
    source.start();
    terms.start();
    source.done.then(
      () => settle.resolve(),
      (err) => settle.reject(err),
    );
    peerHeights.start();
    const subs = config.subscriptions ?? DEFAULT_SUBSCRIPTIONS;
    subscriptions = createSubscriptions({
      pool,
      log: log.child({ part: 'subscriptions' }),
      maxPerOrg: subs.maxPerOrg,
      concurrency: subs.concurrency,
      sender: createWebhookSender({ allow: subs.webhookAllow, timeoutMs: subs.timeoutMs }),
      onDelivery: (outcome) => metrics.subscriptionDelivery(outcome),
    });
    subscriptions.start();
    if (deps.http !== false) {
      let verifier = deps.verifier;
      if (!verifier) {
        let { jwksUrl, issuer } = config.auth;
        if (config.auth.devIssuer) {
          devIssuer = createDevIssuer({ port: config.auth.devIssuerPort, audience: config.auth.audience, keyFile: path.resolve(config.auth.devKeyFile) });
          ({ jwksUrl, issuer } = await devIssuer.start());
          log.warn({ issuer }, 'query API trusts the built-in dev issuer (no AUTH_JWKS_URL)');
        }
        verifier = createJwtVerifier({
          jwksUrl: jwksUrl!,
          issuer: issuer!,
          audience: config.auth.audience,
          algorithms: config.auth.algorithms,
          orgClaim: config.auth.orgClaim,
        });
      }
      // A member's indexer serves its own organisation's tokens only.
      verifier = bindToOwner(verifier, ownerBinding(config));
      const limiter = createRateLimiter(limits.rateLimit);
      const watch = createCheckpointWatch({ pool: queryPool, pollMs: 250 });
      const streamCap = createConnectionCap({ maxPerKey: limits.streamsPerPrincipal });
      const app = createQueryApp({
        pool: queryPool,
        metrics,
        limits,
        limiter,
        watch,
        streamCap,
        verifier,
        subscriptions: subscriptions.routes,
        health: () => ({ indexing: source !== undefined, kafka: relay?.connected() ?? false, peers: peerHealth(peerHeights) }),
        onError: (err) => log.error({ err }, 'query failed'),
        ownerOrg: config.ledger.mspId,
        trustProxy: config.http.trustProxy ?? false,
        log: log.child({ part: 'query-api' }),
      });
      listener = createListener(app, config.http.tls);
      const s = listener.server;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject).listen(config.http.port, config.http.host, () => resolve());
      });
      server = s;
      eventStream = attachEventStream(server!, {
        pool: queryPool,
        verifier,
        watch,
        cap: streamCap,
        limiter,
        log: log.child({ part: 'event-stream' }),
        ownerOrg: config.ledger.mspId,
      });
      log.info({ port: httpPort(), scheme: listener.scheme, trustProxy: config.http.trustProxy ?? false }, 'query API listening');
    }
  }

  function httpPort(): number | undefined {
    const a = server?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  async function stop(): Promise<void> {
    eventStream?.close();
    if (server) {
      const s = server;
      server = undefined;
      s.closeAllConnections?.();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    await subscriptions?.stop();
    await source?.stop();
    await orderTerms?.stop();
    await peerHeights.stop();
    await relay?.stop();
    await devIssuer?.stop().catch(() => undefined);
    devIssuer = undefined;
    await queryPool.end().catch(() => undefined);
    await pool.end().catch(() => undefined);
    settle.resolve();
  }

  async function reload(): Promise<void> {
    const failed: string[] = [];
    try {
      listener?.reloadTls();
    } catch (err) {
      failed.push(`https: ${(err as Error).message}`);
    }
    for (const c of [...live]) {
      await c.reload().catch((err: unknown) => failed.push(`fabric identity: ${(err as Error).message}`));
    }
    const certificates = [...live][0]?.certificates().map((c) => ({ kind: c.kind, subject: c.subject, serialNumber: c.serialNumber, notAfter: c.notAfter }));
    if (failed.length > 0) {
      log.error({ failed, certificates }, 'reload incomplete: the parts named keep their previous state');
      throw new Error(`reload incomplete: ${failed.join('; ')}`);
    }
    log.info({ connections: live.size, certificates }, 'reloaded HTTPS certificate and Fabric identity');
  }

  return { start, stop, reload, done, pool, queryPool, metrics, httpPort, devIssuer: () => devIssuer };
}
