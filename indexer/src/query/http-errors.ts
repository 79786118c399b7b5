/**
 * HTTP plumbing shared by the query routes: request ids, async route
 * wrapping, and the one error handler answering problem+json
 * `{code, message, requestId}`.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ServiceError } from '../../../lib/platform/src';

/** 400 with a stable code, for bad query parameters. */
export function badRequest(message: string, field?: string): ServiceError {
  return new ServiceError({ code: 'INVALID_ARGUMENT', message, httpStatus: 400, details: field ? { field } : undefined });
}

export function notFound(message: string): ServiceError {
  return new ServiceError({ code: 'NOT_FOUND', message, httpStatus: 404 });
}

/** Gives every request an id (X-Request-Id when the caller sent a sane one). */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  const given = req.get('x-request-id');
  const id = given && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
  res.locals.requestId = id;
  res.set('x-request-id', id);
  next();
}

/** The error handler: ServiceErrors keep their code and status, anything else is a 500 without internals. */
export function problemHandler(onError?: (err: unknown) => void) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const requestId = String(res.locals.requestId ?? '');
    let status = 500;
    let body: Record<string, unknown> = { code: 'INTERNAL', message: 'internal error', requestId };
    if (err instanceof ServiceError) {
      status = err.httpStatus;
      body = { code: err.code, message: err.message, requestId, ...(err.details ? { details: err.details } : {}) };
    } else if (err instanceof SyntaxError && (err as { status?: number }).status === 400) {
      status = 400;
      body = { code: 'INVALID_ARGUMENT', message: 'request body is not valid JSON', requestId };
    } else {
      onError?.(err);
    }
    res.status(status).type('application/problem+json').send(JSON.stringify(body));
  };
}
