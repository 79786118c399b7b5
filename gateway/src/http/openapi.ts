/**
 * The OpenAPI 3.1 document, generated from the route table and the same JSON
 * schemas ajv validates with.
 */
import { PROBLEM_SCHEMA } from '../../../lib/platform/src';
import { openApiPath, type RouteSpec } from './route-spec';

export interface OpenApiOptions {
  title?: string;
  version?: string;
  serverUrl?: string;
}

function problemResponse(description: string) {
  return { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
}

export function buildOpenApi(routes: RouteSpec[], schemas: Record<string, object>, opts: OpenApiOptions = {}): object {
  const paths: Record<string, Record<string, unknown>> = {};
  const used = new Set<string>();
  for (const r of routes) {
    const parameters: object[] = [];
    if (r.paramsSchema) {
      const props = (schemas[r.paramsSchema] as { properties: Record<string, object> }).properties;
      for (const [name, schema] of Object.entries(props)) parameters.push({ name, in: 'path', required: true, schema });
    }
    if (r.querySchema) {
      const q = schemas[r.querySchema] as { properties: Record<string, object>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties)) parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
    }
    const isCommand = r.action.kind === 'command';
    if (isCommand) {
      parameters.push({
        name: 'mode',
        in: 'query',
        required: false,
        schema: { type: 'string', enum: ['sync', 'async'] },
        description: 'async: store durably and answer 202 (same as Prefer: respond-async)',
      });
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        schema: { type: 'string', maxLength: 255 },
        description: 'A retry with the same key gets the first response',
      });
      parameters.push({ name: 'Prefer', in: 'header', required: false, schema: { type: 'string', examples: ['respond-async'] } });
    }
    const responses: Record<string, unknown> = {};
    const ok = r.success ?? { status: 200, description: 'OK' };
    // 204 has no body, so no media type to document.
    responses[String(ok.status)] =
      ok.status === 204
        ? { description: ok.description }
        : { description: ok.description, content: { [ok.contentType ?? 'application/json']: { schema: ok.schema ?? { type: 'object' } } } };
    if (isCommand)
      responses['202'] = { description: 'Accepted for async submission; poll the Location URL', headers: { Location: { schema: { type: 'string' } } } };
    responses['400'] = problemResponse('Invalid input; errors[] names each bad field');
    if (r.roles !== 'public') {
      responses['401'] = problemResponse('Missing or invalid bearer token');
      responses['403'] = problemResponse('The token lacks a role this route needs, or the ledger forbids it');
      responses['429'] = problemResponse('Rate limit exceeded; see Retry-After');
    }
    if (isCommand || r.action.kind === 'query') {
      responses['404'] = problemResponse('Not found');
      responses['503'] = problemResponse('Ledger unavailable; see Retry-After');
    }
    if (isCommand) {
      responses['409'] = problemResponse('Duplicate or conflicting state');
      responses['422'] = problemResponse('Rejected by the ledger rules (stock, references, arguments)');
    }
    responses.default = problemResponse('Error');
    const op: Record<string, unknown> = {
      operationId: r.operationId,
      summary: r.summary,
      tags: [r.tag],
      'x-roles': r.roles === 'public' ? [] : [...r.roles],
      parameters,
      responses,
      security: r.roles === 'public' ? [] : [{ bearer: [] }],
    };
    if (r.bodySchema) {
      used.add(r.bodySchema);
      const ref = { $ref: `#/components/schemas/${r.bodySchema}` };
      const content: Record<string, unknown> = {};
      if (r.bodyType !== 'xml') content['application/json'] = { schema: ref };
      if (r.bodyType === 'xml' || r.bodyType === 'json-or-xml') content['application/xml'] = { schema: { type: 'string' } };
      op.requestBody = { required: true, content };
    } else if (r.bodyType === 'xml' || r.bodyType === 'json-or-xml') {
      op.requestBody = {
        required: true,
        content: {
          'application/xml': { schema: { type: 'string' } },
          ...(r.bodyType === 'json-or-xml' ? { 'application/json': { schema: { type: 'object' } } } : {}),
        },
      };
    }
    (paths[openApiPath(r.path)] ??= {})[r.method] = op;
  }
  const components: Record<string, object> = { Problem: PROBLEM_SCHEMA };
  for (const id of used) components[id] = schemas[id];
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: opts.title ?? 'coffee-trace gateway',
      version: opts.version ?? '0.1.0',
      description: 'Authenticated way into the coffee traceability ledger',
    },
    servers: opts.serverUrl ? [{ url: opts.serverUrl }] : undefined,
    paths,
    components: { schemas: components, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
  };
}
