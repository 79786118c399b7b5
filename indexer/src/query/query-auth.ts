/**
 * Who may read what from the query API (the rows are the domain library's). Every route but /health and /metrics
 * needs a bearer token verified exactly as the gateway verifies it (issuer,
 * audience and algorithms pinned), and one of the roles its rule lists; no
 * token or a bad one is 401, a token without the role is 403.
 */
import type { NextFunction, Request, Response } from 'express';
import { bearerToken, type JwtVerifier, ServiceError } from '../../../lib/platform/src';
import { hasAnyRole, QUERY_API_ACCESS, rolesFor, type QueryMethod, type Role } from '../../../lib/domain/src';

/** One access rule: requests whose method and path match need one of `roles`. */
export interface QueryRule {
  method: QueryMethod;
  path: RegExp;
  roles: readonly Role[];
}

/** The query API's rules, from the domain library's access-policy table; first match wins. */
export const QUERY_RULES: readonly QueryRule[] = QUERY_API_ACCESS.map((r) => ({ method: r.method, path: r.path, roles: rolesFor(r.op) }));

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
