/**
 * The gateway's typed configuration, read from the environment once at start.
 * Anything malformed fails fast with a message naming the variable.
 */
import { loadPaymentsConfig, type PaymentsConfig } from './payments/payments-config';

/** Organisations a gateway may serve (one gateway process per organisation). */
export const GATEWAY_ORGS = ['RetailerMSP', 'SupplierMSP', 'AuditorMSP'] as const;

export interface AuthConfig {
  /** JWKS URL of the trusted issuer; absent means the built-in dev issuer is used. */
  jwksUrl?: string;
  issuer?: string;
  audience: string;
  algorithms: string[];
  /** Start the built-in dev issuer (loopback JWKS, keys generated at start). */
  devIssuer: boolean;
  devIssuerPort: number;
  /** Where the dev issuer leaves its signing key for `mint-token`. */
  devKeyFile: string;
}

export interface GatewayConfig {
  mspId: string;
  host: string;
  port: number;
  /** Devnet whose devnet.json describes peers and this org's identity. */
  fabricPortBase: number;
  fabricRunDir?: string;
  /** PostgreSQL; absent means the devnet's local server (port base + 700). */
  databaseUrl?: string;
  auth: AuthConfig;
  rateLimit: { ratePerSec: number; burst: number };
  submission: { syncAttempts: number; workerPollMs: number; maxAsyncAttempts: number };
  bodyLimit: string;
  logLevel: string;
  /** JSON file `{sap: SapMappings, pos: {stores}}` for the adapters' code mappings. */
  mappingsFile?: string;
  /** Payment verification; absent or disabled when no chain has an RPC URL. */
  payments?: PaymentsConfig;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
}

/** Where the dev issuer of a devnet's gateway for `mspId` keeps its signing key. */
export function devIssuerKeyFile(fabricPortBase: number, mspId: string): string {
  return `gateway/.dev-issuer/${fabricPortBase}-${mspId}.json`;
}

/** Default HTTP port: devnet port base + 500 + the org's index (7500, 7501, 7502). */
export function defaultGatewayPort(fabricPortBase: number, mspId: string): number {
  return fabricPortBase + 500 + Math.max(0, (GATEWAY_ORGS as readonly string[]).indexOf(mspId));
}

/** Reads the gateway configuration; throws with a clear message on bad values. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const mspId = env.GATEWAY_MSP_ID ?? '';
  if (!(GATEWAY_ORGS as readonly string[]).includes(mspId)) {
    throw new Error(`GATEWAY_MSP_ID must be one of ${GATEWAY_ORGS.join(', ')}, got "${mspId}"`);
  }
  const fabricPortBase = int(env, 'FABRIC_PORT_BASE', 7000, 1024, 64000);
  const jwksUrl = env.AUTH_JWKS_URL || undefined;
  if (jwksUrl && !/^https?:\/\//.test(jwksUrl)) throw new Error(`AUTH_JWKS_URL must be an http(s) URL, got "${jwksUrl}"`);
  if (jwksUrl && !env.AUTH_ISSUER) throw new Error('AUTH_ISSUER is required when AUTH_JWKS_URL is set (the issuer is pinned)');
  // Production must name a real issuer: the dev issuer is for the devnet and tests only.
  if (!jwksUrl && env.NODE_ENV === 'production') throw new Error('AUTH_JWKS_URL is required when NODE_ENV=production');
  const algorithms = (env.AUTH_ALGORITHMS ?? 'ES256,RS256').split(',').map((a) => a.trim()).filter(Boolean);
  for (const a of algorithms) {
    if (!/^(ES256|ES384|RS256|RS384|RS512|PS256|EdDSA)$/.test(a)) throw new Error(`AUTH_ALGORITHMS: ${a} is not an accepted asymmetric algorithm`);
  }
  const runDir = env.FABRIC_RUN_DIR || undefined;
  return {
    mspId,
    host: env.GATEWAY_HOST ?? '127.0.0.1',
    port: int(env, 'GATEWAY_PORT', defaultGatewayPort(fabricPortBase, mspId), 0, 65535),
    fabricPortBase,
    fabricRunDir: runDir,
    databaseUrl: env.DATABASE_URL || undefined,
    auth: {
      jwksUrl,
      issuer: env.AUTH_ISSUER || undefined,
      audience: env.AUTH_AUDIENCE ?? 'coffee-trace-gateway',
      algorithms,
      devIssuer: !jwksUrl,
      devIssuerPort: int(env, 'DEV_ISSUER_PORT', 0, 0, 65535),
      // One key per devnet and organisation, so a test network beside the dev one keeps its own.
      devKeyFile: env.DEV_ISSUER_KEY_FILE ?? devIssuerKeyFile(fabricPortBase, mspId),
    },
    rateLimit: { ratePerSec: num(env, 'RATE_LIMIT_RPS', 50), burst: int(env, 'RATE_LIMIT_BURST', 100, 1, 1_000_000) },
    submission: {
      syncAttempts: int(env, 'SUBMIT_SYNC_ATTEMPTS', 4, 1, 20),
      workerPollMs: int(env, 'SUBMIT_WORKER_POLL_MS', 500, 10, 60_000),
      maxAsyncAttempts: int(env, 'SUBMIT_ASYNC_MAX_ATTEMPTS', 1000, 1, 1_000_000),
    },
    bodyLimit: env.GATEWAY_BODY_LIMIT ?? '1mb',
    logLevel: env.LOG_LEVEL ?? 'info',
    mappingsFile: env.ADAPTER_MAPPINGS_FILE || undefined,
    payments: loadPaymentsConfig(env),
  };
}
