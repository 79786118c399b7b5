/**
 * Submits prepared commands to the ledger: resolves endorsing orgs, retries
 * retriable failures (MVCC read conflicts, brief unavailability) with the same
 * eventId — the chaincode answers a repeated eventId with the first outcome,
 * so a retry can never record a fact twice — and maps chaincode errors to the
 * HTTP status the caller sees.
 */
import type { Logger } from 'pino';
import { ServiceError, withRetry } from '../../../lib/platform/src';
import type { GatewayMetrics } from '../http/metrics';
import type { LedgerClient } from '../../../lib/fabric/src';
import type { PreparedCommand, SubmitOutcome } from './command';
import type { EndorsementResolver } from './endorsement';
import { DEFAULT_TERMS_RETENTION_SECONDS, transientBuffers, withPrivateTerms } from './private-terms';
import { CONTRACT } from '../../../lib/domain/src';

export interface SubmitterOptions {
  ledger: LedgerClient;
  endorsement: EndorsementResolver;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Attempts per submit call (sync requests; the async worker retries further itself). */
  attempts: number;
  contract?: string;
  /** Retention of an order's private terms, seconds, for commands that did not pass the executor. */
  termsRetentionSeconds?: number;
}

export interface Submitter {
  submit(cmd: PreparedCommand, ctx?: { mode?: 'sync' | 'async'; log?: Logger }): Promise<SubmitOutcome>;
}

/** NOT_FOUND means 404 only for what the URL names; a missing thing a body refers to is a 422. */
function mapError(err: unknown, cmd: PreparedCommand): unknown {
  if (!(err instanceof ServiceError)) return err;
  if (err.code === 'LEDGER_ERROR') {
    // Not a chaincode verdict: ordering or commit failed (ledger-errors does not
    // recognise every orderer outage text). Retrying with the same eventId is
    // safe, so the caller is told to come back, not that the request is bad.
    return new ServiceError({
      code: 'LEDGER_UNAVAILABLE',
      message: 'the ledger did not confirm the transaction; retry with the same Idempotency-Key',
      httpStatus: 503,
      cause: err,
      details: { retryAfterSec: 5 },
    });
  }
  const field = err.details?.field as string | undefined;
  if (err.code === 'NOT_FOUND' && err.httpStatus === 404 && field && !(cmd.pathFields ?? []).includes(field)) {
    return new ServiceError({ code: err.code, message: err.message, httpStatus: 422, cause: err, details: err.details });
  }
  return err;
}

export function createSubmitter(opts: SubmitterOptions): Submitter {
  const contract = opts.contract ?? CONTRACT.traceability;
  return {
    async submit(given, ctx = {}) {
      // Commands prepared by the executor already carry their terms as transient data; an adapter's may not.
      const cmd = withPrivateTerms(given, { retentionSeconds: opts.termsRetentionSeconds ?? DEFAULT_TERMS_RETENTION_SECONDS });
      const mode = ctx.mode ?? 'sync';
      const log = (ctx.log ?? opts.logger).child({ eventId: cmd.eventId, fn: cmd.fn });
      const arg = JSON.stringify({ ...cmd.body, eventId: cmd.eventId, actor: cmd.actor });
      const stop = opts.metrics.submitDuration.startTimer({ fn: cmd.fn });
      try {
        const out = await withRetry(
          async () => {
            const endorsingOrgs = await opts.endorsement.resolve(cmd.endorsement);
            return opts.ledger.submit({ contract, fn: cmd.fn, args: [arg], endorsingOrgs, transient: transientBuffers(cmd) });
          },
          {
            attempts: opts.attempts,
            baseDelayMs: 100,
            onRetry: (err, attempt, delayMs) => log.warn({ code: (err as ServiceError).code, attempt, delayMs }, 'retrying submission'),
          },
        );
        stop();
        const blockNumber = Number(out.blockNumber);
        log.info({ txId: out.txId, blockNumber }, 'committed');
        opts.metrics.submissions.inc({ fn: cmd.fn, mode, outcome: 'committed' });
        const text = out.payload.toString('utf8');
        return { eventId: cmd.eventId, txId: out.txId, blockNumber, result: text ? JSON.parse(text) : null };
      } catch (err) {
        const mapped = mapError(err, cmd);
        const code = mapped instanceof ServiceError ? mapped.code : 'INTERNAL';
        opts.metrics.submissions.inc({ fn: cmd.fn, mode, outcome: code });
        throw mapped;
      }
    },
  };
}
