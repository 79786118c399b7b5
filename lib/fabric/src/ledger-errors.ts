/**
 * Errors raised by the ledger client, as ServiceErrors with stable codes.
 */
import { ServiceError } from '../../platform/src';

/** HTTP status for each chaincode error code. */
const CHAINCODE_STATUS: Record<string, number> = {
  NOT_FOUND: 404,
  DUPLICATE: 409,
  CONFLICT: 409,
  FORBIDDEN: 403,
  INSUFFICIENT_STOCK: 422,
  INVALID_ARGUMENT: 422,
};

/** Validation codes after which the same transaction may succeed if submitted again. */
const RETRIABLE_VALIDATION = new Set(['MVCC_READ_CONFLICT', 'PHANTOM_READ_CONFLICT']);

/** A transaction that was ordered but marked invalid by the peers. */
export function invalidTransaction(txId: string, validationCode: string, peer: string): ServiceError {
  return new ServiceError({
    code: validationCode,
    message: `transaction ${txId} committed as invalid on ${peer}: ${validationCode}`,
    httpStatus: RETRIABLE_VALIDATION.has(validationCode) ? 409 : 500,
    retriable: RETRIABLE_VALIDATION.has(validationCode),
    details: { txId, validationCode },
  });
}

/**
 * Finds a chaincode error `{"code": ..., "message": ...}` inside the text of a
 * fabric-network error (the peers wrap the chaincode's message).
 */
export function parseChaincodeError(text: string): { code: string; message: string; field?: string } | undefined {
  for (let i = text.indexOf('{"'); i >= 0; i = text.indexOf('{"', i + 1)) {
    for (let j = text.indexOf('}', i); j >= 0; j = text.indexOf('}', j + 1)) {
      try {
        const parsed = JSON.parse(text.slice(i, j + 1)) as { code?: unknown; message?: unknown; field?: unknown };
        if (typeof parsed.code === 'string' && typeof parsed.message === 'string') {
          return { code: parsed.code, message: parsed.message, field: typeof parsed.field === 'string' ? parsed.field : undefined };
        }
      } catch {
        /* not the end of the object yet */
      }
    }
  }
  return undefined;
}

/** Turns whatever fabric-network threw into a ServiceError. */
export function toServiceError(err: unknown, action: string): ServiceError {
  if (err instanceof ServiceError) return err;
  const e = err as Error & { responses?: Array<{ response?: { message?: string } }>; errors?: unknown[] };
  const text = [e?.message ?? String(err), ...(e?.responses ?? []).map((r) => r.response?.message ?? '')].join('\n');
  if (/endorsements do not match/i.test(text)) {
    // Peers simulated against different heights (one had not committed the previous
    // block yet). Nothing was ordered, so a new attempt is safe.
    return new ServiceError({
      code: 'ENDORSEMENT_MISMATCH',
      message: `${action} failed: the endorsing peers returned different results (one was behind); retry`,
      httpStatus: 409,
      retriable: true,
      cause: err,
    });
  }
  const unknownTx = /no such transaction ID \[([^\]]*)\]/i.exec(text);
  if (unknownTx) {
    // The peer's block index has no such transaction: an answer about the caller's id, not a failure.
    return new ServiceError({
      code: 'NOT_FOUND',
      message: `the ledger holds no transaction ${unknownTx[1]}`,
      httpStatus: 404,
      cause: err,
      details: { field: 'txId' },
    });
  }
  const cc = parseChaincodeError(text);
  if (cc) {
    return new ServiceError({
      code: cc.code,
      message: cc.message,
      httpStatus: CHAINCODE_STATUS[cc.code] ?? 400,
      cause: err,
      details: cc.field ? { field: cc.field } : undefined,
    });
  }
  // Peers or the orderer out of reach (including a failed broadcast to the orderer).
  const unavailable =
    /UNAVAILABLE|No valid responses|DiscoveryService|ECONNREFUSED|failed to connect|timed? ?out|no endorsement plan|not connected|orderer|Committer|broadcast/i.test(
      text,
    );
  return new ServiceError({
    code: unavailable ? 'LEDGER_UNAVAILABLE' : 'LEDGER_ERROR',
    message: `${action} failed: ${text.split('\n')[0]}`,
    httpStatus: unavailable ? 503 : 500,
    retriable: unavailable,
    cause: err,
  });
}
