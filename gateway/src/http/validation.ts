/**
 * Request validation with ajv from the same JSON schemas the OpenAPI document
 * publishes. Every error is reported as `{field, message}` with the field in
 * the chaincode's path style (`lines[2].quantity`).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { isGln, isGtin } from '../../../lib/domain/src';
import type { FieldError } from '../../../lib/platform/src';

/** Formats the schemas use beyond ajv-formats'. */
export const CUSTOM_FORMATS: Record<string, (v: string) => boolean> = {
  gln: isGln,
  gtin: isGtin,
  quantity: (v) => /^\d{1,15}(\.\d{1,3})?$/.test(v) && /[1-9]/.test(v),
  'quantity-or-zero': (v) => /^\d{1,15}(\.\d{1,3})?$/.test(v),
  'signed-quantity': (v) => /^-?\d{1,15}(\.\d{1,3})?$/.test(v) && /[1-9]/.test(v),
  'iso-date': (v) =>
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(v) && !Number.isNaN(Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v)),
};

const FORMAT_HINTS: Record<string, string> = {
  gln: 'must be a 13-digit GLN with a valid check digit',
  gtin: 'must be a GTIN-8/12/13/14 with a valid check digit',
  quantity: 'must be a positive decimal string with at most 3 decimals, such as "12.5"',
  'quantity-or-zero': 'must be a non-negative decimal string with at most 3 decimals',
  'signed-quantity': 'must be a non-zero decimal string such as "-2.5"',
  'iso-date': 'must be an ISO-8601 date (YYYY-MM-DD) or date-time with zone',
};

/** `/lines/0/quantity` → `lines[0].quantity`. */
export function fieldPath(pointer: string, extra?: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out || 'body';
}

function describe(e: ErrorObject): FieldError {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { field: fieldPath(e.instancePath, String(p.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return { field: fieldPath(e.instancePath, String(p.additionalProperty)), message: 'is not an accepted field' };
    case 'format':
      return { field: fieldPath(e.instancePath), message: FORMAT_HINTS[String(p.format)] ?? `must be a valid ${String(p.format)}` };
    case 'enum':
      return { field: fieldPath(e.instancePath), message: `must be one of ${(p.allowedValues as unknown[]).join(', ')}` };
    case 'type':
      return { field: fieldPath(e.instancePath), message: `must be ${String(p.type)}` };
    default:
      return { field: fieldPath(e.instancePath), message: e.message ?? 'is invalid' };
  }
}

/** Validates values against named schemas. */
export interface RequestValidator {
  /** Errors of `value` against schema `id`; empty when valid. */
  check(id: string, value: unknown): FieldError[];
}

/** Compiles every schema once at start (no compilation on the request path). */
export function createRequestValidator(schemas: Record<string, object>): RequestValidator {
  // allErrors so a caller sees every bad field at once; strict off because
  // the schemas carry OpenAPI annotations (examples, descriptions).
  const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false });
  addFormats(ajv);
  for (const [name, fn] of Object.entries(CUSTOM_FORMATS)) ajv.addFormat(name, { type: 'string', validate: fn });
  const compiled = new Map<string, ValidateFunction>();
  for (const [id, schema] of Object.entries(schemas)) compiled.set(id, ajv.compile(schema));
  return {
    check(id, value) {
      const fn = compiled.get(id);
      if (!fn) throw new Error(`no schema ${id}`);
      if (fn(value)) return [];
      const seen = new Set<string>();
      const out: FieldError[] = [];
      for (const e of fn.errors ?? []) {
        const d = describe(e);
        const k = `${d.field}\u0000${d.message}`;
        if (!seen.has(k) && out.length < 50) {
          seen.add(k);
          out.push(d);
        }
      }
      return out;
    },
  };
}

/** Depth of nested arrays/objects, measured without recursion so hostile input cannot blow the stack. */
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
  return false;
}
