/**
 * Wiring of the indexer: PostgreSQL (migrated), the block source and its
 * projector, the Kafka outbox relay and the query API. start() brings them up
 * in that order; stop() drains them in reverse (HTTP, blocks, outbox, pool).
 */
import type { Server } from 'node:http';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import { pino, type Logger } from 'pino';
import { loadDevnetConfig } from '../../network/src/config';
import { readDevnetInfo } from '../../network/src/devnet-info';
import { databaseSource } from '../../network/src/services/postgres';
import { kafkaSource } from '../../network/src/services/kafka-broker';
import { connectDevnet } from '../../network/src/connect-devnet';
import type { LedgerClient } from '../../ledger/src';
import type { IndexerConfig } from './config';
import { migrate } from './db/migrate';
import { createPool } from './db/pool';
import { outboxPositionTopic, topicNames } from './projection/outbox-messages';
import { createBlockProjector } from './projection/project-block';
import { createQueryApp } from './query/app';
import { createIndexerMetrics, type IndexerMetrics } from './query/metrics';
import { createOutboxRelay, type OutboxRelay } from './sinks/kafka/outbox-relay';
import { createBlockSource, type BlockSource } from './source/block-source';

/** Optional overrides, mainly for tests. */
export interface IndexerDeps {
  log?: Logger;
  /** How to reach the ledger; default: the devnet described in `config.runDir`. */
  connect?: () => Promise<LedgerClient>;
  /** Start the HTTP API (default true). */
  http?: boolean;
}

export interface Indexer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Rejects when indexing stopped for good (a verification failure). */
  readonly done: Promise<void>;
  readonly pool: Pool;
  readonly metrics: IndexerMetrics;
  /** Port of the query API once started. */
  httpPort(): number | undefined;
}

/** Builds the Kafka client, or says why there is none (the outbox then keeps its rows). */
async function kafkaFor(config: IndexerConfig, log: Logger): Promise<Kafka | undefined> {
  if (config.kafka === 'off') {
    log.warn('INDEXER_KAFKA=off: committed facts stay in the outbox');
    return undefined;
  }
  const src = await kafkaSource({ cfg: loadDevnetConfig({ portBase: config.portBase, runDir: config.runDir }), kafkaBrokers: config.kafkaBrokers, log: (m) => log.info(m) });
  if (!src.available) {
    log.warn({ problem: src.problem }, 'no Kafka: committed facts stay in the outbox until KAFKA_BROKERS is set');
    return undefined;
  }
  await src.start();
  return new Kafka({ clientId: 'indexer', brokers: src.brokers, logLevel: logLevel.NOTHING, retry: { retries: 3 }, connectionTimeout: 3000 });
}

export function createIndexer(config: IndexerConfig, deps: IndexerDeps = {}): Indexer {
  const log = deps.log ?? pino({ name: 'indexer', level: config.logLevel });
  const db = databaseSource({ cfg: loadDevnetConfig({ portBase: config.portBase, runDir: config.runDir }), databaseUrl: config.databaseUrl, log: (m) => log.info(m) });
  const pool = createPool({ connectionString: db.connectionString, schema: config.schema });
  const metrics = createIndexerMetrics({
    defaultMetrics: true,
    pendingOutbox: async () => Number((await pool.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL')).rows[0].n),
  });
  const connect = deps.connect ?? (() => connectDevnet(readDevnetInfo(config.runDir), config.mspId));
  let source: BlockSource | undefined;
  let relay: OutboxRelay | undefined;
  let server: Server | undefined;
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => undefined);

  async function start(): Promise<void> {
    await db.start();
    const applied = await migrate(pool, config.schema);
    if (applied.length > 0) log.info({ schema: config.schema, applied }, 'migrations applied');
    const kafka = await kafkaFor(config, log);
    if (kafka) {
      relay = createOutboxRelay({
        pool, kafka, topics: topicNames(config.topicPrefix), partitions: config.topicPartitions, positionTopic: outboxPositionTopic(config.topicPrefix), source: config.eventSource,
        batchSize: config.outboxBatch, log: log.child({ part: 'outbox' }), onPublished: (n) => metrics.published(n),
      });
      relay.start();
    }
    const projector = createBlockProjector({
      pool, topicPrefix: config.topicPrefix,
      onWarn: (msg, tx) => log.warn({ txId: tx.txId }, msg),
    });
    const blockLog = log.child({ part: 'source' });
    source = createBlockSource({
      pool, projector, connect, log: blockLog, transport: config.blockTransport, pollMs: config.pollMs, retryDelayMs: config.retryDelayMs, batchBlocks: config.batchBlocks,
      onBlock: (s) => {
        metrics.blockStored(s);
        relay?.wake();
        blockLog.debug({ blockNumber: s.blockNumber.toString(), transactions: s.transactions }, 'block stored');
        if (s.invalid > 0) blockLog.info({ blockNumber: s.blockNumber.toString(), invalid: s.invalid }, 'block with invalid transactions recorded');
      },
      onHeight: (h) => metrics.ledgerHeight(h),
    });
    source.start();
    source.done.then(() => settle.resolve(), (err) => settle.reject(err));
    if (deps.http !== false) {
      const app = createQueryApp({
        pool, metrics,
        health: () => ({ indexing: source !== undefined, kafka: relay?.connected() ?? false }),
        onError: (err) => log.error({ err }, 'query failed'),
      });
      await new Promise<void>((resolve, reject) => {
        server = app.listen(config.http.port, config.http.host, () => resolve());
        server.once('error', reject);
      });
      log.info({ port: httpPort() }, 'query API listening');
    }
  }

  function httpPort(): number | undefined {
    const a = server?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  async function stop(): Promise<void> {
    if (server) {
      const s = server;
      server = undefined;
      s.closeAllConnections?.();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    await source?.stop();
    await relay?.stop();
    await pool.end().catch(() => undefined);
    settle.resolve();
  }

  return { start, stop, done, pool, metrics, httpPort };
}
