/**
 * The service's one error base. Every error carries a stable `code`, the HTTP
 * status it maps to, and whether a retry may succeed.
 */

/** Base of the service's errors: stable code, HTTP status, retriable flag, cause. */
export class ServiceError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly retriable: boolean;
  readonly details?: Record<string, unknown>;

  constructor(opts: { code: string; message: string; httpStatus: number; retriable?: boolean; cause?: unknown; details?: Record<string, unknown> }) {
    super(opts.message, { cause: opts.cause });
    this.name = 'ServiceError';
    this.code = opts.code;
    this.httpStatus = opts.httpStatus;
    this.retriable = opts.retriable ?? false;
    this.details = opts.details;
  }
}
