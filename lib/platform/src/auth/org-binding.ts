/**
 * A gateway serves one organisation: it submits with that member's Fabric
 * identity, so it accepts only tokens that name that member. Wrapping the
 * verifier binds every way a token enters (routes, the console, WebSocket
 * upgrades) at once.
 */
import { ServiceError } from '../errors';
import type { JwtVerifier } from './jwt-verifier';

export interface OrgBindingOptions {
  /** The organisation (MSP id) this service serves. */
  org: string;
  /** The token claim that names the organisation, for messages. */
  claim: string;
  /** Refuse tokens that name no organisation (production); otherwise they are served as this organisation's. */
  required: boolean;
  /** What the service is called in the refusal ("this gateway serves …"); default `gateway`. */
  service?: string;
}

/** A verifier that accepts only tokens of `opts.org` (403 naming both organisations otherwise). */
export function bindToOrganisation(verifier: JwtVerifier, opts: OrgBindingOptions): JwtVerifier {
  return {
    async verify(token) {
      const principal = await verifier.verify(token);
      if (principal.org === undefined) {
        if (opts.required) {
          throw new ServiceError({
            code: 'UNAUTHENTICATED',
            message: `token rejected: claim ${opts.claim} (the caller's organisation) is required`,
            httpStatus: 401,
          });
        }
        return { ...principal, org: opts.org };
      }
      if (principal.org !== opts.org) {
        throw new ServiceError({
          code: 'ORG_MISMATCH',
          message: `this ${opts.service ?? 'gateway'} serves ${opts.org}; the token names ${principal.org} (claim ${opts.claim})`,
          httpStatus: 403,
        });
      }
      return principal;
    },
  };
}
