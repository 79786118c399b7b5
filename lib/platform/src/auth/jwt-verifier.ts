/**
 * Bearer token verification with jose against a JWKS URL. Algorithms, issuer
 * and audience are pinned, so `alg: none`, HMAC tokens signed with a public
 * key, tokens from other issuers or for other services are all rejected.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { ServiceError } from '../errors';
import { isRole, type Principal } from '../../../domain/src';

export interface JwtVerifierOptions {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** Accepted algorithms; asymmetric only. */
  algorithms: string[];
  clockToleranceSec?: number;
  /** The claim that names the caller's organisation (MSP id); default `org`. */
  orgClaim?: string;
  /** Replaces the remote key set (tests). */
  keySet?: JWTVerifyGetKey;
}

export interface JwtVerifier {
  /** The principal of a valid token; rejects with 401 UNAUTHENTICATED otherwise. */
  verify(token: string): Promise<Principal>;
}

function unauthenticated(message: string, cause?: unknown): ServiceError {
  return new ServiceError({ code: 'UNAUTHENTICATED', message, httpStatus: 401, cause });
}

const SUBJECT = /^[\x21-\x7e]{1,256}$/;
/** An MSP id as Fabric allows it in a channel configuration. */
const ORG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function createJwtVerifier(opts: JwtVerifierOptions): JwtVerifier {
  if (opts.algorithms.some((a) => /^(none|HS\d+)$/i.test(a))) throw new Error('only asymmetric JWT algorithms may be accepted');
  const keys = opts.keySet ?? createRemoteJWKSet(new URL(opts.jwksUrl), { cooldownDuration: 30_000, timeoutDuration: 5_000 });
  return {
    async verify(token) {
      let payload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          algorithms: opts.algorithms,
          issuer: opts.issuer,
          audience: opts.audience,
          clockTolerance: opts.clockToleranceSec ?? 30,
          requiredClaims: ['sub', 'exp', 'iat'],
        }));
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'ERR_JWT_INVALID';
        // Name the failed check (expired, claim, key) but never echo the token.
        throw unauthenticated(`token rejected: ${code.replace(/^ERR_/, '').toLowerCase()}`, err);
      }
      const sub = payload.sub!;
      if (!SUBJECT.test(sub)) throw unauthenticated('token rejected: sub must be 1-256 printable characters');
      const claim = payload.roles;
      const roles = Array.isArray(claim) ? claim.filter(isRole) : [];
      const orgValue = payload[opts.orgClaim ?? 'org'];
      if (orgValue !== undefined && (typeof orgValue !== 'string' || !ORG.test(orgValue))) {
        throw unauthenticated(`token rejected: claim ${opts.orgClaim ?? 'org'} must be an organisation's MSP id`);
      }
      return { sub, roles: [...new Set(roles)], clientId: `${payload.iss}|${sub}`, ...(orgValue ? { org: orgValue } : {}) };
    },
  };
}

/** Extracts the token of an `Authorization: Bearer …` header. */
export function bearerToken(header: string | undefined): string {
  if (!header) throw unauthenticated('Authorization: Bearer <token> is required');
  const m = /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/.exec(header.trim());
  if (!m) throw unauthenticated('Authorization header must be "Bearer <token>"');
  return m[1];
}
