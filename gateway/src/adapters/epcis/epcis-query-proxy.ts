/**
 * The EPCIS REST binding's query side on the organisation's gateway, so that
 * capture and query share one base URL. The indexer owns the read model and
 * serves these routes (indexer/src/query/epcis); the gateway authenticates the
 * caller and forwards the request to it unchanged (bearer token included: the
 * indexer verifies it too), one hop, without reading PostgreSQL itself. `Link` headers are rewritten to the gateway's URL.
 */
import { GS1_HEADERS, POLICY, type Role } from '../../../../lib/domain/src';
import type { RouteFactory } from '../../gateway';
import { httpError } from '../../../../lib/platform/src';
import type { RouteContext, RouteSpec } from '../../http/route-spec';

/** Who may query: everyone who may read, and those who capture. */
export const EPCIS_QUERY_ROLES: readonly Role[] = POLICY['epcis.query'];

/** Query paths, express style. */
const PATHS = [
  '/epcis',
  '/epcis/events',
  '/epcis/events/:eventID',
  '/epcis/:resource',
  '/epcis/:resource/:value',
  '/epcis/:resource/:value/events',
  '/epcis/queries/:name/subscriptions',
  '/epcis/queries/:name/subscriptions/:id',
];
/** Named queries and subscriptions are created with POST. */
const POST_PATHS = ['/epcis/queries', '/epcis/queries/:name/subscriptions'];
/** Named queries and subscriptions are deleted with DELETE. */
const DELETE_PATHS = ['/epcis/queries/:name', '/epcis/queries/:name/subscriptions/:id'];
/** Who may define queries and subscribe. */
export const EPCIS_SUBSCRIBE_ROLES: readonly Role[] = POLICY['epcis.subscribe'];

const FORWARDED = [
  'content-type',
  'link',
  'location',
  'allow',
  'gs1-epcis-version',
  'gs1-epcis-min',
  'gs1-epcis-max',
  'gs1-cbv-version',
  'gs1-cbv-min',
  'gs1-cbv-max',
  'gs1-epc-format',
  'gs1-cbv-xml-format',
  'gs1-extensions',
  'gs1-vendor-version',
];

/** Capture's own OPTIONS answer: what the gateway accepts. */
export function captureOptionsHeaders(captureLimit: number, bodyLimit: string): Record<string, string> {
  return {
    Allow: 'OPTIONS, POST',
    ...GS1_HEADERS,
    'GS1-EPCIS-Capture-Limit': String(captureLimit),
    'GS1-EPCIS-Capture-File-Size-Limit': bodyLimit,
    // Documents are checked whole before anything is written: rollback is the behaviour.
    'GS1-Capture-Error-Behaviour': 'rollback',
  };
}

export interface EpcisQueryProxyOptions {
  /** The indexer query API's base URL, e.g. http://127.0.0.1:7600. */
  queryUrl: string;
  timeoutMs?: number;
}

/** Routes forwarding the query paths (GET, OPTIONS; POST and DELETE of named queries and subscriptions) to the indexer. */
export function epcisQueryProxy(opts: EpcisQueryProxyOptions): RouteFactory {
  return () => {
    const base = opts.queryUrl.replace(/\/+$/, '');
    const forward = (method: 'GET' | 'OPTIONS' | 'POST' | 'DELETE') => async (ctx: RouteContext) => {
      const req = ctx.request!;
      const target = `${base}${req.originalUrl}`;
      let res: Response;
      try {
        const body = method === 'POST' ? { body: JSON.stringify(ctx.body ?? {}) } : {};
        // The indexer verifies the same token (same issuer and audience) and applies its own read rules.
        const headers: Record<string, string> = {
          accept: req.get('accept') ?? 'application/json',
          authorization: req.get('authorization') ?? '',
          ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
        };
        res = await fetch(target, { method, headers, ...body, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) });
      } catch (err) {
        throw httpError(503, 'QUERY_UNAVAILABLE', `the EPCIS query service did not answer (${(err as Error).message})`, { retryAfterSec: 5 });
      }
      const headers: Record<string, string> = {};
      for (const h of FORWARDED) {
        const v = res.headers.get(h);
        if (v !== null && h !== 'content-type') headers[h] = h === 'link' ? v.split(base).join(`${req.protocol}://${req.get('host')}`) : v;
      }
      return { status: res.status, headers, body: null, raw: await res.text(), contentType: res.headers.get('content-type') ?? 'application/json' };
    };
    const routes: RouteSpec[] = [];
    for (const path of PATHS) {
      const id = path.replace(/[/:]+(\w)/g, (_m, c: string) => c.toUpperCase()).replace(/^\w/, (c) => c.toLowerCase());
      routes.push({
        method: 'get',
        path,
        operationId: `${id}Get`,
        summary: `EPCIS query (REST binding): ${path}`,
        tag: 'epcis',
        roles: EPCIS_QUERY_ROLES,
        action: { kind: 'custom', handle: forward('GET') },
      });
      routes.push({
        method: 'options',
        path,
        operationId: `${id}Options`,
        summary: `EPCIS capabilities (GS1 headers): ${path}`,
        tag: 'epcis',
        roles: EPCIS_QUERY_ROLES,
        action: { kind: 'custom', handle: forward('OPTIONS') },
      });
    }
    for (const path of POST_PATHS) {
      const id = path.replace(/[/:]+(\w)/g, (_m, c: string) => c.toUpperCase()).replace(/^\w/, (c) => c.toLowerCase());
      routes.push({
        method: 'post',
        path,
        operationId: `${id}Post`,
        summary: `EPCIS named queries and subscriptions: ${path}`,
        tag: 'epcis',
        roles: EPCIS_SUBSCRIBE_ROLES,
        action: { kind: 'custom', handle: forward('POST') },
      });
    }
    for (const path of DELETE_PATHS) {
      const id = path.replace(/[/:]+(\w)/g, (_m, c: string) => c.toUpperCase()).replace(/^\w/, (c) => c.toLowerCase());
      routes.push({
        method: 'delete',
        path,
        operationId: `${id}Delete`,
        summary: `EPCIS named query or subscription deleted: ${path}`,
        tag: 'epcis',
        roles: EPCIS_SUBSCRIBE_ROLES,
        action: { kind: 'custom', handle: forward('DELETE') },
      });
    }
    return { routes, schemas: {} };
  };
}
