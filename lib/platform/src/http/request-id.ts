/**
 * The one request-id rule of every HTTP service: a caller's `X-Request-Id` is
 * kept when it is a sane token (so a request can be followed across the
 * gateway, the query API and the caller's own logs), otherwise a new UUID.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** What a caller-chosen request id may look like. */
export const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id for a request that sent `given` (or nothing). */
export function requestIdFor(given: string | undefined): string {
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Express middleware: sets `res.locals.requestId` and echoes it in `X-Request-Id`. */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const id = requestIdFor(req.get('x-request-id'));
  res.locals.requestId = id;
  res.setHeader('X-Request-Id', id);
  next();
}
