/**
 * The query API's OpenAPI 3.1 document, built from its route table.
 */
import { PROBLEM_SCHEMA } from '../../../lib/platform/src';
import type { QueryRoute } from './route-table';

function problem(description: string) {
  return { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
}

/** express `:name` segments → OpenAPI `{name}`. */
function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function buildQueryOpenApi(routes: readonly QueryRoute[], opts: { version?: string } = {}): object {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    // Wildcard routes (OPTIONS on any EPCIS resource) have no OpenAPI path form.
    if (r.path.includes('*')) continue;
    const parameters: object[] = [];
    for (const [name, schema] of Object.entries(r.params ?? {})) parameters.push({ name, in: 'path', required: true, schema });
    for (const [name, schema] of Object.entries(r.query ?? {}))
      parameters.push({ name, in: 'query', required: r.requiredQuery?.includes(name) ?? false, schema });
    const responses: Record<string, unknown> = {};
    const ok = r.success;
    responses[String(ok.status)] = ok.content
      ? { description: ok.description, content: Object.fromEntries(Object.entries(ok.content).map(([type, schema]) => [type, { schema: schema ?? {} }])) }
      : { description: ok.description };
    if (r.path === '/health') responses['503'] = { description: 'Not healthy', content: { 'application/json': { schema: { type: 'object' } } } };
    responses['400'] = problem('Invalid input; errors[] names each bad field');
    if (r.op !== 'public') {
      responses['401'] = problem('Missing or invalid bearer token');
      responses['403'] = problem('The token lacks a role this route needs');
      responses['429'] = problem('Rate limit exceeded; see Retry-After');
    }
    responses['404'] = problem('Not found, or not visible to the caller');
    responses['406'] = problem('No acceptable representation');
    responses['503'] ??= problem('Unavailable; see Retry-After');
    responses.default = problem('Error');
    const op: Record<string, unknown> = {
      operationId: r.operationId,
      summary: r.summary,
      tags: [r.tag],
      'x-operation': r.op,
      'x-visibility': r.visibility,
      parameters,
      responses,
      security: r.op === 'public' ? [] : [{ bearer: [] }],
    };
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: r.body } } };
    if (r.streaming) op['x-streaming'] = true;
    (paths[openApiPath(r.path)] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: { title: 'coffee-trace query API', version: opts.version ?? '0.1.0', description: 'The indexed ledger: inventory, provenance, EPCIS 2.0 queries' },
    paths,
    components: { schemas: { Problem: PROBLEM_SCHEMA }, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
  };
}
