/**
 * The indexer's configuration, read from the environment once. Anything
 * malformed fails here with a message naming the variable.
 */
import { loadLedgerConfig, type LedgerConfig } from '../../lib/fabric/src';
import {
  type AuthConfig,
  ConfigError,
  envInt,
  envList,
  envOneOf,
  envPositive,
  envString,
  loadAuthConfig,
  loadListenerConfig,
  requireDatabaseUrl,
  type ListenerConfig,
  type TrustProxy,
} from '../../lib/platform/src';
import { parseAllowList } from './query/epcis/webhook-address';

/** Everything the indexer's parts need to know about their surroundings. */
export interface IndexerConfig {
  /** PostgreSQL holding the read model. */
  databaseUrl: string;
  /** PostgreSQL schema holding the read model (search_path of every connection). */
  schema: string;
  /** Kafka bootstrap brokers (host:port, comma-separated); required unless `kafka` is off. */
  kafkaBrokers?: string;
  /** `off`: publish nothing (rows stay in the outbox); `on`: publish to KAFKA_BROKERS. */
  kafka: 'on' | 'off';
  /** Topic names are `<prefix>.<aggregate>`. */
  topicPrefix: string;
  /** Partitions of each topic the indexer creates. */
  topicPartitions: number;
  /** CloudEvents `source` attribute. */
  eventSource: string;
  /** Connection profile, identity, channel and chaincode the indexer reads blocks with. */
  ledger: LedgerConfig;
  /**
   * The role of the organisation that runs the indexer (its Fabric identity's MSP), INDEXER_OWNER_ROLE:
   * `member` publishes to Kafka only what that organisation may see and serves only its tokens;
   * `auditor` publishes everything and serves every member's tokens, each scoped (docs/visibility.md).
   */
  ownerRole: OwnerRole;
  /** Where the query API listens; HTTPS with INDEXER_HTTP_TLS_CERT/KEY; the proxies trusted (INDEXER_TRUST_PROXY). */
  http: { host: string; port: number; tls?: ListenerConfig['tls']; trustProxy?: TrustProxy };
  /** Token verification of the query API (the gateway's issuer, audience and algorithms). */
  auth: AuthConfig;
  /** Longest wait between ledger height checks when no block event arrives, ms. */
  /** `deliver`: the peer pushes blocks over a Deliver stream; `query`: blocks read by number, woken by block events. */
  blockTransport?: 'deliver' | 'query';
  /** With the query transport: longest wait between height checks when no block event arrives. */
  pollMs: number;
  /** Pause before reconnecting after a failure, ms. */
  retryDelayMs: number;
  /** How often every channel peer's height is asked (health, lag against the channel), ms; default 5000. */
  peerCheckMs?: number;
  /** Outbox rows per Kafka request. */
  outboxBatch: number;
  /** Most blocks per PostgreSQL transaction while catching up (1: one per block); default 200. */
  batchBlocks?: number;
  logLevel: string;
  /** Bounds of the query API; default {@link DEFAULT_QUERY_LIMITS}. */
  query?: QueryLimits;
  /** EPCIS named queries and webhook subscriptions; defaults as {@link loadIndexerConfig} documents. */
  subscriptions?: SubscriptionConfig;
}

/** See {@link IndexerConfig.ownerRole}. */
export type OwnerRole = 'member' | 'auditor';

/** Limits and network reach of EPCIS named queries and webhook subscriptions. */
export interface SubscriptionConfig {
  /** Most named queries, and most subscriptions, one organisation may have (INDEXER_EPCIS_MAX_PER_ORG, default 100). */
  maxPerOrg: number;
  /**
   * Internal destinations webhooks may reach nonetheless (INDEXER_WEBHOOK_ALLOW, comma-separated CIDRs,
   * addresses or host:port); none by default, so loopback, link-local and private addresses are refused.
   */
  webhookAllow: string[];
  /** Most webhook deliveries in flight (INDEXER_WEBHOOK_CONCURRENCY, default 8). */
  concurrency: number;
  /** Longest wait for a subscriber's answer, ms (INDEXER_WEBHOOK_TIMEOUT_MS, default 10000). */
  timeoutMs: number;
}

/** Subscription settings when the configuration gives none. */
export const DEFAULT_SUBSCRIPTIONS: SubscriptionConfig = { maxPerOrg: 100, webhookAllow: [], concurrency: 8, timeoutMs: 10_000 };

function loadSubscriptionConfig(env: NodeJS.ProcessEnv): SubscriptionConfig {
  const webhookAllow = envList(env, 'INDEXER_WEBHOOK_ALLOW', []);
  try {
    parseAllowList(webhookAllow);
  } catch (err) {
    throw new ConfigError('INDEXER_WEBHOOK_ALLOW', (err as Error).message);
  }
  return {
    maxPerOrg: envInt(env, 'INDEXER_EPCIS_MAX_PER_ORG', DEFAULT_SUBSCRIPTIONS.maxPerOrg, 1, 1_000_000),
    webhookAllow,
    concurrency: envInt(env, 'INDEXER_WEBHOOK_CONCURRENCY', DEFAULT_SUBSCRIPTIONS.concurrency, 1, 1000),
    timeoutMs: envInt(env, 'INDEXER_WEBHOOK_TIMEOUT_MS', DEFAULT_SUBSCRIPTIONS.timeoutMs, 100, 300_000),
  };
}

/**
 * What one caller may ask of the query API. Queries run on a PostgreSQL pool
 * of their own (apart from indexing), each statement bounded in time.
 */
export interface QueryLimits {
  /** Connections of the query API's pool (INDEXER_QUERY_POOL_MAX). */
  poolMax: number;
  /** statement_timeout of the query pool and deadline of a whole trace, ms (INDEXER_QUERY_TIMEOUT_MS). */
  statementTimeoutMs: number;
  /** Lineage levels a trace walks (INDEXER_TRACE_MAX_DEPTH). */
  maxDepth: number;
  /** Lineage steps (and holdings) in one trace or recall answer (INDEXER_TRACE_MAX_ROWS). */
  maxRows: number;
  /** Token bucket per principal: refill per second and burst (INDEXER_RATE_LIMIT_RPS, INDEXER_RATE_LIMIT_BURST). */
  rateLimit: { ratePerSec: number; burst: number };
  /** Open streams (SSE and WebSocket, each kind counted apart) per principal (INDEXER_STREAMS_PER_PRINCIPAL). */
  streamsPerPrincipal: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  poolMax: 8,
  statementTimeoutMs: 10_000,
  maxDepth: 64,
  maxRows: 10_000,
  rateLimit: { ratePerSec: 100, burst: 200 },
  streamsPerPrincipal: 20,
};

/** Reads {@link QueryLimits} from `env`. */
export function loadQueryLimits(env: NodeJS.ProcessEnv = process.env): QueryLimits {
  const d = DEFAULT_QUERY_LIMITS;
  return {
    poolMax: envInt(env, 'INDEXER_QUERY_POOL_MAX', d.poolMax, 1, 1000),
    statementTimeoutMs: envInt(env, 'INDEXER_QUERY_TIMEOUT_MS', d.statementTimeoutMs, 100, 3_600_000),
    maxDepth: envInt(env, 'INDEXER_TRACE_MAX_DEPTH', d.maxDepth, 1, 10_000),
    maxRows: envInt(env, 'INDEXER_TRACE_MAX_ROWS', d.maxRows, 1, 10_000_000),
    rateLimit: {
      ratePerSec: envPositive(env, 'INDEXER_RATE_LIMIT_RPS', d.rateLimit.ratePerSec),
      burst: envInt(env, 'INDEXER_RATE_LIMIT_BURST', d.rateLimit.burst, 1, 1_000_000),
    },
    streamsPerPrincipal: envInt(env, 'INDEXER_STREAMS_PER_PRINCIPAL', d.streamsPerPrincipal, 1, 100_000),
  };
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,50}$/;

/** Checks a schema name; it is interpolated into SQL, so only plain identifiers pass. */
export function checkSchemaName(name: string, variable = 'INDEXER_SCHEMA'): string {
  if (!SCHEMA_NAME.test(name)) throw new Error(`${variable} must match ${SCHEMA_NAME}, got "${name}"`);
  return name;
}

/** Reads the indexer's configuration from `env`. */
export function loadIndexerConfig(env: NodeJS.ProcessEnv = process.env): IndexerConfig {
  const databaseUrl = requireDatabaseUrl(env);
  const kafka = envOneOf(env, 'INDEXER_KAFKA', ['on', 'off'] as const, 'on');
  if (kafka === 'on' && !env.KAFKA_BROKERS) {
    throw new ConfigError('KAFKA_BROKERS', 'is required (host:port,...), or set INDEXER_KAFKA=off to keep committed facts in the outbox');
  }
  const ledger = loadLedgerConfig(env);
  const prefix = envString(env, 'INDEXER_TOPIC_PREFIX', 'supplychain');
  if (!/^[A-Za-z0-9._-]+$/.test(prefix)) throw new Error(`INDEXER_TOPIC_PREFIX may hold letters, digits, '.', '_' and '-', got "${prefix}"`);
  return {
    databaseUrl,
    schema: checkSchemaName(envString(env, 'INDEXER_SCHEMA', 'indexer')),
    kafkaBrokers: env.KAFKA_BROKERS || undefined,
    kafka,
    topicPrefix: prefix,
    topicPartitions: envInt(env, 'INDEXER_TOPIC_PARTITIONS', 3, 1, 1000),
    eventSource: envString(env, 'INDEXER_EVENT_SOURCE', `urn:coffee-trace:fabric:${ledger.channel}:${ledger.chaincode}`),
    ledger,
    ownerRole: envOneOf(env, 'INDEXER_OWNER_ROLE', ['member', 'auditor'] as const, 'member'),
    http: {
      host: envString(env, 'INDEXER_HTTP_HOST', '127.0.0.1'),
      port: envInt(env, 'INDEXER_HTTP_PORT', 7910, 0, 65535),
      ...loadListenerConfig(env, { cert: 'INDEXER_HTTP_TLS_CERT', key: 'INDEXER_HTTP_TLS_KEY', trustProxy: 'INDEXER_TRUST_PROXY' }),
    },
    auth: loadAuthConfig(env, {
      audience: 'coffee-trace-gateway',
      devKeyFile: envString(env, 'DEV_ISSUER_KEY_FILE', `gateway/.dev-issuer/${ledger.mspId}.json`),
    }),
    blockTransport: envOneOf(env, 'INDEXER_BLOCK_TRANSPORT', ['deliver', 'query'] as const, 'deliver'),
    pollMs: envInt(env, 'INDEXER_POLL_MS', 1000, 10, 60_000),
    retryDelayMs: envInt(env, 'INDEXER_RETRY_DELAY_MS', 2000, 10, 300_000),
    peerCheckMs: envInt(env, 'INDEXER_PEER_CHECK_MS', 5000, 100, 300_000),
    outboxBatch: envInt(env, 'INDEXER_OUTBOX_BATCH', 500, 1, 10_000),
    batchBlocks: envInt(env, 'INDEXER_BATCH_BLOCKS', 200, 1, 10_000),
    logLevel: envString(env, 'LOG_LEVEL', 'info'),
    query: loadQueryLimits(env),
    subscriptions: loadSubscriptionConfig(env),
  };
}
