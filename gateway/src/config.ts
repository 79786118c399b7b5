/**
 * The gateway's typed configuration, read from the environment once at start.
 * Anything malformed fails fast with a message naming the variable.
 */
import { loadLedgerConfig, type LedgerConfig } from '../../lib/fabric/src';
import {
  devIssuerKeyFile,
  envBool,
  envInt,
  envPositive,
  envString,
  isProduction,
  loadAuthConfig,
  loadListenerConfig,
  requireDatabaseUrl,
  type AuthConfig,
  type ListenerConfig,
} from '../../lib/platform/src';
import type { PosRollupConfig } from './adapters/pos/pos-rollup';
import { loadPaymentsConfig, type PaymentsConfig } from './payments/payments-config';

export interface GatewayConfig {
  /** The organisation this gateway serves: the MSP of its Fabric identity. */
  mspId: string;
  host: string;
  port: number;
  /** HTTPS certificate and key (GATEWAY_TLS_CERT, GATEWAY_TLS_KEY) and the proxies trusted (GATEWAY_TRUST_PROXY). */
  listener: ListenerConfig;
  /** Connection profile, identity, channel and chaincode (FABRIC_* settings). */
  ledger: LedgerConfig;
  /** PostgreSQL of the gateway's submission, proof and capture stores. */
  databaseUrl: string;
  auth: AuthConfig;
  rateLimit: { ratePerSec: number; burst: number };
  submission: { syncAttempts: number; workerPollMs: number; maxAsyncAttempts: number };
  bodyLimit: string;
  /** The indexer query API the gateway forwards EPCIS queries to (one base URL per organisation); unset: no query routes. */
  epcisQueryUrl?: string;
  logLevel: string;
  /** JSON file `{sap: SapMappings, pos: {stores}}` for the adapters' code mappings. */
  mappingsFile?: string;
  /** Payment verification; absent or disabled when no chain has an RPC URL. */
  payments?: PaymentsConfig;
  /** The web console served at /console/. */
  console: ConsoleConfig;
  /** POS roll-up mode: store batches booked per region and interval (POS_ROLLUP_*). */
  posRollup: PosRollupConfig;
  /** Retention of orders' private terms (TERMS_RETENTION_SECONDS, TERMS_PURGE_CRON). */
  terms: { retentionSeconds: number; purgeCron?: string };
}

export interface ConsoleConfig {
  /** The built app; default dist/console beside the compiled gateway. */
  dir?: string;
  /** The indexer's query API the console reads through the gateway. */
  indexerUrl: string;
  /**
   * Devnet only: the dev issuer key the indexer trusts, when it is not this gateway's own
   * (each devnet gateway runs its own dev issuer). Forwarded reads carry a token signed with it.
   */
  indexerDevKeyFile?: string;
  /** OpenID Connect for browsers when a real issuer is configured. */
  oidc?: { authority: string; clientId: string; scope: string; resource?: string };
  /** NODE_ENV is production: the console offers no dev sign-in. */
  production: boolean;
}

/**
 * DEV_ISSUER_KEY_FILE, or the file `mint-token` reads by default: the one of this organisation under the
 * devnet's port base (FABRIC_PORT_BASE, 7000 when unset), as `npm start` passes it.
 */
function devKeyFileOf(env: NodeJS.ProcessEnv, mspId: string): string {
  return envString(env, 'DEV_ISSUER_KEY_FILE') ?? devIssuerKeyFile(envInt(env, 'FABRIC_PORT_BASE', 7000, 1, 65535), mspId);
}

/** Reads the gateway configuration; throws with a clear message on bad values. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const ledger = loadLedgerConfig(env);
  const mspId = ledger.mspId;
  const auth = loadAuthConfig(env, { audience: 'coffee-trace-gateway', devKeyFile: devKeyFileOf(env, mspId) });
  return {
    mspId,
    host: envString(env, 'GATEWAY_HOST', '127.0.0.1'),
    port: envInt(env, 'GATEWAY_PORT', 7500, 0, 65535),
    listener: loadListenerConfig(env, { cert: 'GATEWAY_TLS_CERT', key: 'GATEWAY_TLS_KEY', trustProxy: 'GATEWAY_TRUST_PROXY' }),
    ledger,
    databaseUrl: requireDatabaseUrl(env),
    auth,
    rateLimit: { ratePerSec: envPositive(env, 'RATE_LIMIT_RPS', 50), burst: envInt(env, 'RATE_LIMIT_BURST', 100, 1, 1_000_000) },
    submission: {
      syncAttempts: envInt(env, 'SUBMIT_SYNC_ATTEMPTS', 4, 1, 20),
      workerPollMs: envInt(env, 'SUBMIT_WORKER_POLL_MS', 500, 10, 60_000),
      maxAsyncAttempts: envInt(env, 'SUBMIT_ASYNC_MAX_ATTEMPTS', 1000, 1, 1_000_000),
    },
    bodyLimit: envString(env, 'GATEWAY_BODY_LIMIT', '1mb'),
    epcisQueryUrl: env.EPCIS_QUERY_URL || undefined,
    logLevel: envString(env, 'LOG_LEVEL', 'info'),
    mappingsFile: env.ADAPTER_MAPPINGS_FILE || undefined,
    payments: loadPaymentsConfig(env),
    console: loadConsoleConfig(env, auth.devIssuer),
    posRollup: loadPosRollupConfig(env),
    terms: {
      // Seven years by default; at most 100.
      retentionSeconds: envInt(env, 'TERMS_RETENTION_SECONDS', 220_752_000, 1, 3_153_600_000),
      // Daily at 03:00 by default; an empty value turns the scheduled purge off.
      purgeCron: env.TERMS_PURGE_CRON === undefined ? '0 3 * * *' : env.TERMS_PURGE_CRON.trim() || undefined,
    },
  };
}

/** POS_ROLLUP_*: the roll-up worker's interval and transaction size, whether uploads roll up by default, the default region. */
export function loadPosRollupConfig(env: NodeJS.ProcessEnv): PosRollupConfig {
  const defaultRegion = envString(env, 'POS_ROLLUP_DEFAULT_REGION', 'default');
  // The region is part of ledger keys: the chaincode's identifier rule, without `~`.
  if (!/^[A-Za-z0-9][A-Za-z0-9._:/@#-]{0,63}$/.test(defaultRegion)) {
    throw new Error(`POS_ROLLUP_DEFAULT_REGION must be 1-64 characters [A-Za-z0-9._:/@#-], got "${defaultRegion}"`);
  }
  return {
    intervalMs: envInt(env, 'POS_ROLLUP_INTERVAL_MS', 60_000, 100, 3_600_000),
    byDefault: envBool(env, 'POS_ROLLUP_BY_DEFAULT', false),
    maxStores: envInt(env, 'POS_ROLLUP_MAX_STORES', 200, 1, 500),
    concurrency: envInt(env, 'POS_ROLLUP_CONCURRENCY', 2, 1, 64),
    defaultRegion,
  };
}

function loadConsoleConfig(env: NodeJS.ProcessEnv, devIssuer: boolean): ConsoleConfig {
  // The default matches the gateway's default port: a devnet on port base 7000 serves its query API on 7910.
  const indexerUrl = (env.CONSOLE_INDEXER_URL || 'http://127.0.0.1:7910').replace(/\/$/, '');
  const indexerDevKeyFile = env.CONSOLE_INDEXER_DEV_KEY_FILE || undefined;
  if (indexerDevKeyFile && !devIssuer)
    throw new Error('CONSOLE_INDEXER_DEV_KEY_FILE is for the dev issuer only: with AUTH_JWKS_URL the indexer must trust the same issuer as the gateway');
  if (!/^https?:\/\//.test(indexerUrl)) throw new Error(`CONSOLE_INDEXER_URL must be an http(s) URL, got "${indexerUrl}"`);
  const authority = env.CONSOLE_OIDC_AUTHORITY || undefined;
  if (authority && !/^https?:\/\//.test(authority)) throw new Error(`CONSOLE_OIDC_AUTHORITY must be an http(s) URL, got "${authority}"`);
  if (authority && !env.CONSOLE_OIDC_CLIENT_ID) throw new Error('CONSOLE_OIDC_CLIENT_ID is required when CONSOLE_OIDC_AUTHORITY is set');
  const resource = env.CONSOLE_OIDC_RESOURCE || undefined;
  if (resource && !/^[a-z][a-z0-9+.-]*:[^#\s]+$/i.test(resource))
    throw new Error(`CONSOLE_OIDC_RESOURCE must be an absolute URI without a fragment (a resource indicator), got "${resource}"`);
  return {
    dir: env.CONSOLE_DIR || undefined,
    indexerUrl,
    indexerDevKeyFile,
    oidc: authority
      ? { authority, clientId: env.CONSOLE_OIDC_CLIENT_ID!, scope: env.CONSOLE_OIDC_SCOPE || 'openid profile', ...(resource ? { resource } : {}) }
      : undefined,
    production: isProduction(env),
  };
}
