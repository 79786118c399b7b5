/**
 * Settings every service with an HTTP API reads the same way: production mode,
 * the PostgreSQL URL, and how bearer tokens are verified.
 */
import { envBool, envInt } from '../env';

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
  /** The token claim naming the caller's organisation (AUTH_ORG_CLAIM, default `org`). */
  orgClaim: string;
  /** Tokens must name an organisation (AUTH_REQUIRE_ORG; default true in production, false otherwise). */
  requireOrg: boolean;
}

/** NODE_ENV names production, whatever its case or surrounding blanks. */
export function isProduction(env: NodeJS.ProcessEnv): boolean {
  return (env.NODE_ENV ?? '').trim().toLowerCase() === 'production';
}

/** DATABASE_URL, required: a service started on its own is told to give one. */
export function requireDatabaseUrl(env: NodeJS.ProcessEnv): string {
  const url = env.DATABASE_URL ?? '';
  if (!url) throw new Error('DATABASE_URL is required (postgres://user:password@host:5432/db); `npm start` provides a local one');
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error('DATABASE_URL must be a postgres:// or postgresql:// URL');
  return url;
}

/**
 * Token verification settings, shared by every service with an HTTP API:
 * AUTH_JWKS_URL with AUTH_ISSUER pinned (https in production), AUTH_AUDIENCE,
 * AUTH_ALGORITHMS; without a JWKS URL outside production, the dev issuer.
 */
export function loadAuthConfig(env: NodeJS.ProcessEnv, defaults: { audience: string; devKeyFile: string }): AuthConfig {
  const jwksUrl = env.AUTH_JWKS_URL || undefined;
  const production = isProduction(env);
  if (jwksUrl && !/^https?:\/\//.test(jwksUrl)) throw new Error(`AUTH_JWKS_URL must be an http(s) URL, got "${jwksUrl}"`);
  if (jwksUrl && production && !jwksUrl.startsWith('https://')) throw new Error(`AUTH_JWKS_URL must be https:// when NODE_ENV is production, got "${jwksUrl}"`);
  if (jwksUrl && !env.AUTH_ISSUER) throw new Error('AUTH_ISSUER is required when AUTH_JWKS_URL is set (the issuer is pinned)');
  // Production must name a real issuer: the dev issuer is for the devnet and tests only.
  if (!jwksUrl && production) throw new Error('AUTH_JWKS_URL is required when NODE_ENV is production');
  const algorithms = (env.AUTH_ALGORITHMS || 'ES256,RS256')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  for (const a of algorithms) {
    if (!/^(ES256|ES384|RS256|RS384|RS512|PS256|EdDSA)$/.test(a)) throw new Error(`AUTH_ALGORITHMS: ${a} is not an accepted asymmetric algorithm`);
  }
  return {
    jwksUrl,
    issuer: env.AUTH_ISSUER || undefined,
    audience: env.AUTH_AUDIENCE || defaults.audience,
    algorithms,
    devIssuer: !jwksUrl,
    devIssuerPort: envInt(env, 'DEV_ISSUER_PORT', 0, 0, 65535),
    devKeyFile: defaults.devKeyFile,
    orgClaim: env.AUTH_ORG_CLAIM || 'org',
    requireOrg: envBool(env, 'AUTH_REQUIRE_ORG', production),
  };
}

/** Where the dev issuer of a devnet's gateway for `mspId` keeps its signing key (what `npm start` passes). */
export function devIssuerKeyFile(fabricPortBase: number, mspId: string): string {
  return `gateway/.dev-issuer/${fabricPortBase}-${mspId}.json`;
}
