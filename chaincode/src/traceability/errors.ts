/**
 * The one error type the contract throws for expected failures.
 *
 * Fabric hands the client only `error.message`, so the message itself is the
 * machine-readable form: deterministic JSON `{"code":…,"field":…,"message":…}`.
 * Clients parse it with {@link parseTraceError}; nobody matches text.
 */
import { canonicalJson } from './canonical-json';

/** Stable error codes; never renamed, only added to. */
export type TraceErrorCode = 'NOT_FOUND' | 'DUPLICATE' | 'FORBIDDEN' | 'INSUFFICIENT_STOCK' | 'INVALID_ARGUMENT' | 'CONFLICT';

export const TRACE_ERROR_CODES: readonly TraceErrorCode[] = ['NOT_FOUND', 'DUPLICATE', 'FORBIDDEN', 'INSUFFICIENT_STOCK', 'INVALID_ARGUMENT', 'CONFLICT'];

/** Details an error may carry besides its code and text. */
export interface TraceErrorDetails {
  /** Path of the offending input field, e.g. `lines[0].quantity`. */
  field?: string;
}

/** An expected, client-visible failure with a stable `code`. */
export class TraceError extends Error {
  readonly code: TraceErrorCode;
  readonly detail: string;
  readonly field?: string;

  constructor(code: TraceErrorCode, detail: string, details: TraceErrorDetails = {}) {
    const body: Record<string, string> = { code, message: detail };
    if (details.field !== undefined) body.field = details.field;
    super(canonicalJson(body));
    this.name = 'TraceError';
    this.code = code;
    this.detail = detail;
    if (details.field !== undefined) this.field = details.field;
  }
}

/** Shorthand constructors keep call sites short and the codes spelled once. */
export const fail = {
  notFound: (what: string, field?: string) => new TraceError('NOT_FOUND', `${what} not found`, { field }),
  duplicate: (what: string, field?: string) => new TraceError('DUPLICATE', `${what} already exists`, { field }),
  forbidden: (detail: string, field?: string) => new TraceError('FORBIDDEN', detail, { field }),
  insufficient: (detail: string, field?: string) => new TraceError('INSUFFICIENT_STOCK', detail, { field }),
  invalid: (field: string, detail: string) => new TraceError('INVALID_ARGUMENT', `${field}: ${detail}`, { field }),
  conflict: (detail: string, field?: string) => new TraceError('CONFLICT', detail, { field }),
};

/** The parsed form of a contract error as a client sees it. */
export interface ParsedTraceError {
  code: TraceErrorCode;
  message: string;
  field?: string;
}

/**
 * Finds the JSON error body in a message that may carry a prefix added by the
 * peer or SDK (e.g. "transaction returned with failure: {...}").
 * Returns undefined when the text holds no contract error.
 */
export function parseTraceError(text: string): ParsedTraceError | undefined {
  const start = text.indexOf('{"code":"');
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) {
      try {
        const parsed = JSON.parse(text.slice(start, i + 1)) as ParsedTraceError;
        return TRACE_ERROR_CODES.includes(parsed.code) ? parsed : undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
