/**
 * Who may call what on the query API, and with which inputs, from its route
 * table: every route but the public ones needs a bearer token verified exactly
 * as the gateway verifies it (issuer, audience and algorithms pinned) and a
 * role the access-policy table grants for the route's operation; its path,
 * query and body are checked against the route's schemas. No token or a bad
 * one is 401, a token without the role 403, bad input 400 naming the field, a
 * path no route serves 404.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import type { NextFunction, Request, Response } from 'express';
import { mayPerform, rolesFor, type Principal } from '../../../lib/domain/src';
import { bearerToken, invalidInput, ServiceError, type JwtVerifier } from '../../../lib/platform/src';
import { matchRoute, QUERY_ROUTES, type QueryRoute } from './route-table';

const forbidden = (message: string) => new ServiceError({ code: 'ROLE_FORBIDDEN', message, httpStatus: 403 });

interface Checks {
  params?: ValidateFunction;
  query?: ValidateFunction;
  body?: ValidateFunction;
}

function compile(ajv: Ajv, route: QueryRoute): Checks {
  const obj = (props: Record<string, object> | undefined, required: string[] = []) =>
    props && Object.keys(props).length ? ajv.compile({ type: 'object', properties: props, required }) : undefined;
  return {
    params: obj(route.params, Object.keys(route.params ?? {})),
    query: obj(route.query, route.requiredQuery),
    body: route.body ? ajv.compile(route.body) : undefined,
  };
}

function check(fn: ValidateFunction | undefined, value: unknown, where: string): void {
  if (!fn || fn(value)) return;
  const errors = (fn.errors ?? []).map((e) => {
    const field =
      e.keyword === 'required' ? String((e.params as { missingProperty: string }).missingProperty) : e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    return { field: field || where, message: e.keyword === 'required' ? 'is required' : (e.message ?? 'is invalid') };
  });
  throw invalidInput(errors, 400, 'INVALID_ARGUMENT');
}

/** True when `principal` may perform the route's operation. */
export function mayCall(principal: Principal, route: QueryRoute): boolean {
  return route.op === 'public' || mayPerform(principal.roles, route.op);
}

/** Express middleware enforcing the route table (`routes`, default the query API's) with `verifier`. */
export function queryAuth(verifier: JwtVerifier, routes: readonly QueryRoute[] = QUERY_ROUTES) {
  const ajv = new Ajv({ allErrors: false, strict: false });
  const checks = new Map<QueryRoute, Checks>(routes.map((r) => [r, compile(ajv, r)]));
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const hit = matchRoute(routes, req.method, req.path);
      // Fail closed: a path without a row is served to nobody (a new route must be given one in the table).
      if (!hit) throw new ServiceError({ code: 'NOT_FOUND', message: `no route ${req.method} ${req.path}`, httpStatus: 404 });
      const { route, params } = hit;
      if (route.op !== 'public') {
        const principal = await verifier.verify(bearerToken(req.get('authorization')));
        if (!mayCall(principal, route)) throw forbidden(`${req.method} ${req.path} needs one of the roles ${rolesFor(route.op).join(', ')}`);
        res.locals.principal = principal;
      }
      res.locals.route = route.path;
      const c = checks.get(route)!;
      check(c.params, params, 'path');
      check(c.query, req.query, 'query');
      if (c.body) check(c.body, req.body ?? {}, 'body');
      next();
    } catch (err) {
      next(err);
    }
  };
}
