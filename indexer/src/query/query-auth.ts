/**
 * Who may read what from the query API. Every route but /health and /metrics
 * needs a bearer token verified exactly as the gateway verifies it (issuer,
 * audience and algorithms pinned), and one of the roles its rule lists; no
 * token or a bad one is 401, a token without the role is 403.
 */
import type { NextFunction, Request, Response } from 'express';
import { bearerToken, type JwtVerifier } from '../../../lib/platform/src';
import { hasAnyRole, type Role } from '../../../lib/domain/src';
import { ServiceError } from '../../../lib/platform/src';

/** One access rule: requests whose method and path match need one of `roles`. */
export interface QueryRule {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'OPTIONS';
  path: RegExp;
  roles: readonly Role[];
}

const READERS: readonly Role[] = ['inventory-reader', 'retailer-ops', 'auditor', 'admin'];
/** EPCIS trading partners read the repository too (the gateway's EPCIS query roles). */
const EPCIS_READERS: readonly Role[] = ['supplier', 'retailer-ops', 'sap', 'auditor', 'inventory-reader', 'finance', 'admin'];
/** Who defines named queries and subscribes. */
const EPCIS_SUBSCRIBERS: readonly Role[] = ['supplier', 'retailer-ops', 'sap', 'auditor', 'admin'];

/** The query API's rules; first match wins. A request matching none answers 404, token or not. */
export const QUERY_RULES: readonly QueryRule[] = [
  { method: 'GET', path: /^\/(inventory|inventory\/low-stock|orders\/pending|movements)$/, roles: READERS },
  // Setting a reorder point changes what the retailer replenishes: operations staff only.
  { method: 'PUT', path: /^\/reorder-points\/[^/]+\/[^/]+$/, roles: ['retailer-ops', 'admin'] },
  { method: 'GET', path: /^\/(lots|shipments)\//, roles: READERS },
  { method: 'GET', path: /^\/recalls\//, roles: READERS },
  // The web console's lists and search (operations-routes.ts) and its ledger view (ledger-routes.ts).
  { method: 'GET', path: /^\/(shipments|recalls|search)$/, roles: READERS },
  { method: 'GET', path: /^\/purchase-orders$/, roles: ['finance', 'retailer-ops', 'auditor', 'admin'] },
  { method: 'GET', path: /^\/ledger\/(blocks|config-blocks|stream|transactions\/[0-9a-f]{64})$/, roles: [...READERS, 'finance'] },
  { method: 'GET', path: /^\/epcis(\/|$)/, roles: EPCIS_READERS },
  { method: 'OPTIONS', path: /^\/epcis(\/|$)/, roles: EPCIS_READERS },
  { method: 'POST', path: /^\/epcis\/queries(\/[^/]+\/subscriptions)?$/, roles: EPCIS_SUBSCRIBERS },
  // Deleting a named query (with its subscriptions) or unsubscribing.
  { method: 'DELETE', path: /^\/epcis\/queries\/[^/]+(\/subscriptions\/[^/]+)?$/, roles: EPCIS_SUBSCRIBERS },
  // The FSMA 204 sortable spreadsheet is produced for a regulator's request.
  { method: 'GET', path: /^\/fsma\//, roles: ['retailer-ops', 'auditor', 'admin'] },
  // Channel membership per config block: who could transact when a transaction committed.
  { method: 'GET', path: /^\/membership$/, roles: READERS },
];

const forbidden = (message: string) => new ServiceError({ code: 'ROLE_FORBIDDEN', message, httpStatus: 403 });

/** Express middleware enforcing {@link QUERY_RULES} (or `rules`) with `verifier`. */
export function queryAuth(verifier: JwtVerifier, rules: readonly QueryRule[] = QUERY_RULES) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const rule = rules.find((r) => r.method === (req.method === 'HEAD' ? 'GET' : req.method) && r.path.test(req.path));
      // Fail closed: a route without a rule is served to nobody (a new route must be given one here).
      if (!rule) throw new ServiceError({ code: 'NOT_FOUND', message: `no route ${req.method} ${req.path}`, httpStatus: 404 });
      const principal = await verifier.verify(bearerToken(req.get('authorization')));
      if (!hasAnyRole(principal, rule.roles)) throw forbidden(`${req.method} ${req.path} needs one of the roles ${rule.roles.join(', ')}`);
      res.locals.principal = principal;
      next();
    } catch (err) {
      next(err);
    }
  };
}
