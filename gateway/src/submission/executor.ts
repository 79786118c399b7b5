/**
 * Runs a command on behalf of an HTTP request: Idempotency-Key handling,
 * then either a synchronous submission (201 after commit) or a durable async
 * submission (202 with a status URL).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { httpError, ServiceError, toProblem } from '../../../lib/platform/src';
import type { Principal } from '../../../lib/domain/src';
import type { LedgerCommand, PreparedCommand } from './command';
import type { StoredResponse, SubmissionStore } from './store';
import type { Submitter } from './submitter';
import { DEFAULT_TERMS_RETENTION_SECONDS, withPrivateTerms } from './private-terms';
import type { SubmissionWorker } from './worker';

export interface ExecuteRequest {
  cmd: LedgerCommand;
  principal: Principal;
  idempotencyKey?: string;
  async: boolean;
  /** Method and path, part of the idempotency fingerprint. */
  route: string;
  log: Logger;
  requestId: string;
}

export interface CommandExecutor {
  execute(req: ExecuteRequest): Promise<StoredResponse>;
  /** Submissions currently being handled synchronously (drained on shutdown). */
  inFlight(): number;
  /** Resolves once no synchronous submission is in flight. */
  drain(): Promise<void>;
}

const KEY = /^[\x21-\x7e]{1,255}$/;

/** Deterministic JSON (sorted keys) for fingerprints. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export function createCommandExecutor(deps: {
  store: SubmissionStore;
  submitter: Submitter;
  worker?: SubmissionWorker;
  mspId: string;
  /** How long an order's private terms are kept before they may be purged, seconds (TERMS_RETENTION_SECONDS). */
  termsRetentionSeconds?: number;
}): CommandExecutor {
  const terms = { retentionSeconds: deps.termsRetentionSeconds ?? DEFAULT_TERMS_RETENTION_SECONDS };
  let inFlight = 0;
  const idle: Array<() => void> = [];

  function eventIdFor(req: ExecuteRequest): string {
    const given = req.cmd.body.eventId;
    if (typeof given === 'string') return given;
    // The same key from the same client yields the same eventId, so even a
    // duplicate that slips past the key store is deduplicated by the chaincode.
    if (req.idempotencyKey) {
      return `gw-${createHash('sha256').update(`${deps.mspId}|${req.principal.clientId}|${req.idempotencyKey}`).digest('hex').slice(0, 40)}`;
    }
    return `gw-${randomUUID()}`;
  }

  async function run(req: ExecuteRequest): Promise<StoredResponse> {
    const { eventId: _ignored, ...body } = req.cmd.body;
    const cmd: PreparedCommand = withPrivateTerms({ ...req.cmd, body, eventId: eventIdFor(req), actor: req.principal.sub }, terms);
    if (req.async) {
      const id = randomUUID();
      await deps.store.enqueue({ id, mspId: deps.mspId, clientId: req.principal.clientId, command: cmd });
      deps.worker?.kick();
      const statusUrl = `/submissions/${id}`;
      return { status: 202, headers: { Location: statusUrl }, body: { submissionId: id, eventId: cmd.eventId, status: 'pending', statusUrl } };
    }
    inFlight++;
    try {
      const out = await deps.submitter.submit(cmd, { mode: 'sync', log: req.log });
      return { status: 201, body: out };
    } finally {
      if (--inFlight === 0) idle.splice(0).forEach((f) => f());
    }
  }

  return {
    async execute(req) {
      const key = req.idempotencyKey;
      if (key === undefined) return run(req);
      if (!KEY.test(key))
        throw httpError(400, 'VALIDATION_FAILED', 'Idempotency-Key must be 1-255 printable characters', {
          errors: [{ field: 'Idempotency-Key', message: 'must be 1-255 printable ASCII characters' }],
        });
      const scope = `${deps.mspId}|${req.principal.clientId}`;
      const hash = createHash('sha256')
        .update(`${req.route}\n${req.async}\n${stableJson(req.cmd)}`)
        .digest('hex');
      const begun = await deps.store.beginIdempotent(scope, key, hash);
      if (begun.state === 'replay') return { ...begun.response, headers: { ...begun.response.headers, 'Idempotency-Replayed': 'true' } };
      if (begun.state === 'mismatch') throw httpError(422, 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request');
      if (begun.state === 'in_progress') {
        throw httpError(409, 'IDEMPOTENCY_IN_PROGRESS', 'a request with this Idempotency-Key is still being processed', { retryAfterSec: 1 });
      }
      try {
        const res = await run(req);
        await deps.store.completeIdempotent(scope, key, res);
        return res;
      } catch (err) {
        // A definite client-side verdict is the answer to every retry; anything
        // transient (5xx) leaves the key free so a retry can succeed.
        if (err instanceof ServiceError && err.httpStatus < 500) {
          const problem = toProblem(err, req.requestId);
          await deps.store.completeIdempotent(scope, key, { status: problem.status, body: problem, headers: { 'Content-Type': 'application/problem+json' } });
        } else {
          await deps.store.releaseIdempotent(scope, key).catch(() => undefined);
        }
        throw err;
      }
    },
    inFlight: () => inFlight,
    drain: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => idle.push(r))),
  };
}
