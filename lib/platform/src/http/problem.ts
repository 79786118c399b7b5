/**
 * problem+json (RFC 9457) for every error the gateway answers with, built from
 * the one ServiceError base so each answer carries a stable `code`.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { ServiceError } from '../errors';

/** One bad input field. */
export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  message: string;
  requestId?: string;
  /** At most MAX_LISTED_ERRORS entries; `errorCount` says how many there were. */
  errors?: FieldError[];
  errorCount?: number;
}

/** The JSON schema of a problem answer, for the services' OpenAPI documents. */
export const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'code', 'message'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string' },
    message: { type: 'string' },
    requestId: { type: 'string' },
    errors: { type: 'array', maxItems: 50, items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
    errorCount: { type: 'integer', description: 'how many field errors there were, when more than the 50 listed' },
  },
};

/** Most field errors one answer lists; a document with thousands of bad lines still gets a readable answer. */
export const MAX_LISTED_ERRORS = 50;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** A request whose input failed validation; each entry names a field. */
export function invalidInput(errors: FieldError[], status = 400, code = 'VALIDATION_FAILED'): ServiceError {
  const first = errors[0];
  const message = first ? `${first.field} ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}` : 'invalid input';
  return new ServiceError({ code, message, httpStatus: status, details: { errors } });
}

/** Shortcut for gateway-side errors with a code and status. */
export function httpError(status: number, code: string, message: string, details?: Record<string, unknown>): ServiceError {
  return new ServiceError({ code, message, httpStatus: status, details });
}

/** Turns any thrown value into a problem; unknown errors become a bare 500 without internals. */
export function toProblem(err: unknown, requestId?: string): Problem {
  let status = 500;
  let code = 'INTERNAL';
  let message = 'internal error';
  let errors: FieldError[] | undefined;
  if (err instanceof ServiceError) {
    status = err.httpStatus;
    code = err.code;
    message = err.message;
    const listed = err.details?.errors as FieldError[] | undefined;
    const field = err.details?.field as string | undefined;
    errors = listed ?? (field ? [{ field, message: err.message }] : undefined);
    // Ledger failures can carry peer addresses and stack-like text; keep the code, not the internals.
    if (status >= 500 && code !== 'LEDGER_UNAVAILABLE') message = `${code.toLowerCase().replace(/_/g, ' ')}`;
  } else {
    const e = err as { type?: string; status?: number; statusCode?: number; message?: string };
    // body-parser / raw-body errors: client mistakes with their own status.
    if (e?.type === 'entity.parse.failed') {
      status = 400;
      code = 'MALFORMED_BODY';
      message = 'request body is not valid JSON';
      errors = [{ field: 'body', message: 'is not valid JSON' }];
    } else if (e?.type === 'entity.too.large') {
      status = 413;
      code = 'BODY_TOO_LARGE';
      message = 'request body is too large';
      errors = [{ field: 'body', message: 'is too large' }];
    } else if (typeof (e?.status ?? e?.statusCode) === 'number' && (e.status ?? e.statusCode)! >= 400 && (e.status ?? e.statusCode)! < 500) {
      status = (e.status ?? e.statusCode)!;
      code = 'BAD_REQUEST';
      message = 'the request could not be read';
      errors = [{ field: 'body', message: e.type ?? 'could not be read' }];
    }
  }
  return {
    type: `https://coffee-trace.example/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    message,
    requestId,
    errors: errors?.slice(0, MAX_LISTED_ERRORS),
    ...(errors && errors.length > MAX_LISTED_ERRORS ? { errorCount: errors.length } : {}),
  };
}

/** Writes a problem+json answer, with Retry-After for 429 and 503. */
export function sendProblem(res: Response, problem: Problem, retryAfterSec?: number): void {
  if (retryAfterSec !== undefined || problem.status === 503) res.setHeader('Retry-After', String(retryAfterSec ?? 2));
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

/** The express error handler: every failure leaves as problem+json with the request id. */
export function createErrorHandler(deps: { logger: Logger }): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const requestId = res.locals.requestId as string | undefined;
    const problem = toProblem(err, requestId);
    const log = (res.locals.log as Logger | undefined) ?? deps.logger;
    // A failure of ours gets its stack; an expected rejection (bad input, a chaincode verdict such as a
    // 409) is told by the request's one log line, which carries its code and message (see app.ts).
    if (problem.status >= 500) log.error({ err, code: problem.code }, 'request failed');
    else res.locals.rejection = { code: problem.code, detail: problem.message };
    const retry = err instanceof ServiceError && typeof err.details?.retryAfterSec === 'number' ? (err.details.retryAfterSec as number) : undefined;
    sendProblem(res, problem, retry);
  };
}

/** 404 for paths no route serves. */
export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(httpError(404, 'ROUTE_NOT_FOUND', `no route for ${req.method} ${req.path}`));
}
