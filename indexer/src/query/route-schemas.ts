/**
 * The shape of a query API route-table row and the parameter schemas the rows share.
 */
import { LOT_CODE, type Operation } from '../../../lib/domain/src';
import type { ReadRule } from './read-rules';

export type Schema = Record<string, unknown>;

export interface QueryRoute {
  method: 'get' | 'put' | 'post' | 'delete' | 'options';
  /** Express path, e.g. `/lots/:gtin/:lotCode`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** The access-policy operation a caller needs; `public` needs no token. */
  op: Operation | 'public';
  /** The visibility rule (read-rules.ts) that scopes what the route answers or changes. */
  visibility: ReadRule;
  /** Path parameters. */
  params?: Record<string, Schema>;
  /** Query parameters the route reads; `openQuery` routes read more (EPCIS query parameters). */
  query?: Record<string, Schema>;
  /** Query parameters that must be present. */
  requiredQuery?: string[];
  openQuery?: boolean;
  body?: Schema;
  /** The successful answer: status, media types and schema. */
  success: { status: number; description: string; content?: Record<string, Schema | undefined> };
  /** Answers that never end (server-sent events): documented, not fuzzed. */
  streaming?: boolean;
}

export const GTIN14: Schema = { type: 'string', pattern: '^\\d{14}$', description: 'GTIN-14' };
export const GLN: Schema = { type: 'string', pattern: '^\\d{13}$', description: 'GLN' };
export const LOT: Schema = { type: 'string', pattern: LOT_CODE.source, description: 'lot code (GS1 AI 10)' };
export const TX_ID: Schema = { type: 'string', pattern: '^[0-9a-f]{64}$' };
export const ID: Schema = { type: 'string', minLength: 1, maxLength: 256 };
export const limit = (max: number): Schema => ({ type: 'string', pattern: '^\\d{1,6}$', description: `1 to ${max}` });
export const OBJ: Schema = { type: 'object' };
export const json = (schema: Schema = OBJ) => ({ 'application/json': schema });
export const LOT_PARAMS = { gtin: GTIN14, lotCode: LOT };
