/**
 * HTTP plumbing shared by the query routes: request ids and the error
 * handler, both the platform library's, so the query API answers problem+json
 * exactly as the gateway does.
 */
import type { NextFunction, Request, Response } from 'express';
import { requestIdMiddleware, sendProblem, ServiceError, toProblem } from '../../../lib/platform/src';
import { isQueryTimeout, queryTimeout } from './lineage-walk';

/** 400 with a stable code, for bad query parameters. */
export function badRequest(message: string, field?: string): ServiceError {
  return new ServiceError({ code: 'INVALID_ARGUMENT', message, httpStatus: 400, details: field ? { field } : undefined });
}

export function notFound(message: string): ServiceError {
  return new ServiceError({ code: 'NOT_FOUND', message, httpStatus: 404 });
}

/** Gives every request an id: the platform library's one rule for both services. */
export const requestId = requestIdMiddleware;

/**
 * The error handler: the platform library's problem+json (the gateway's shape),
 * ServiceErrors keeping their code and status, a query past its time limit a
 * 503 QUERY_TIMEOUT with Retry-After (`queryTimeoutMs` is the limit it names),
 * anything else a 500 without internals.
 */
export function problemHandler(onError?: (err: unknown) => void, queryTimeoutMs?: number) {
  return (raw: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(raw);
    const err = isQueryTimeout(raw) ? queryTimeout(queryTimeoutMs) : raw;
    const problem = toProblem(err, String(res.locals.requestId ?? ''));
    if (problem.status >= 500 && err === raw) onError?.(err);
    const retry = err instanceof ServiceError && typeof err.details?.retryAfterSec === 'number' ? (err.details.retryAfterSec as number) : undefined;
    sendProblem(res, problem, retry);
  };
}
