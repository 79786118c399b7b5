/**
 * One table describes every route: method, path, allowed roles, schemas and
 * what it does. The express app and the OpenAPI document are both built from
 * it, so they cannot drift apart.
 */
import type { Request } from 'express';
import type { Logger } from 'pino';
import type { Principal, Role } from '../../../lib/domain/src';
import type { LedgerCommand } from '../submission/command';
import type { StoredResponse } from '../submission/store';
import type { RecordVisibility } from './record-visibility';

export interface RouteContext {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  /** Absent only on public routes. */
  principal?: Principal;
  requestId: string;
  log: Logger;
  /** The express request, for routes that forward it as it came (the EPCIS query proxy). */
  request?: Request;
}

export type RouteAction =
  /** Becomes a ledger transaction (sync 201 or async 202). */
  | { kind: 'command'; build: (ctx: RouteContext) => LedgerCommand | Promise<LedgerCommand> }
  /**
   * A chaincode query answered with 200; with `visible`, a record the caller's
   * organisation may not see answers 404 (invisible, not forbidden).
   */
  | {
      kind: 'query';
      build: (ctx: RouteContext) => { fn: string; args: string[] };
      visible?: (result: any, ctx: RouteContext) => boolean;
      /**
       * For a caller without the auditor role: the answer its organisation may
       * see (record-visibility.ts), or undefined for 404.
       */
      scope?: (result: any, ctx: RouteContext & { org: string }, records: RecordVisibility) => Promise<unknown>;
    }
  /** Anything else (operations, adapters, submission status). */
  | { kind: 'custom'; handle: (ctx: RouteContext) => Promise<StoredResponse & { raw?: string; contentType?: string }> };

export interface RouteSpec {
  method: 'get' | 'post' | 'delete' | 'options';
  /** Express path, e.g. `/shipments/:shipmentId/dispatch`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** Roles allowed; 'public' needs no token. */
  roles: readonly Role[] | 'public';
  /** Schema ids (in the schema registry) for the body, path parameters and query. */
  bodySchema?: string;
  paramsSchema?: string;
  querySchema?: string;
  /** How the body is read; default json. */
  bodyType?: 'json' | 'xml' | 'json-or-xml';
  /**
   * With `json-or-xml` and a `bodySchema`: turns an XML body into the JSON
   * the schema checks (an XML binding of the same document), or throws a 400.
   */
  xmlToJson?: (xml: string) => unknown;
  action: RouteAction;
  /** Success status and description for the document; media type and schema when the answer is not a JSON object. */
  success?: { status: number; description: string; contentType?: string; schema?: object };
}

/** express `:name` segments → OpenAPI `{name}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
