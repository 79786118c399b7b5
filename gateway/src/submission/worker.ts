/**
 * The async submission worker: leases due submissions of its org from the
 * store and submits them. Transient failures (ledger unavailable, timeouts,
 * MVCC conflicts) go back to pending with backoff; chaincode rejections are
 * final. Resubmitting is safe because the eventId was fixed when the
 * submission was accepted and the chaincode answers a repeat with the first outcome.
 */
import type { Logger } from 'pino';
import { backoffMs, ServiceError } from '../../../lib/platform/src';
import type { GatewayMetrics } from '../http/metrics';
import type { SubmissionStore } from './store';
import type { Submitter } from './submitter';
import { createSleeper } from './sleeper';

export interface WorkerOptions {
  store: SubmissionStore;
  submitter: Submitter;
  mspId: string;
  logger: Logger;
  metrics: GatewayMetrics;
  pollMs: number;
  /** Parallel submissions. */
  concurrency?: number;
  maxAttempts: number;
  /** Lease on a claimed row; a crashed worker's rows are retaken after it. */
  leaseMs?: number;
}

export interface SubmissionWorker {
  start(): void;
  /** Wakes idle slots at once (a submission was just enqueued). */
  kick(): void;
  /** Stops claiming, waits for in-flight submissions to finish. */
  stop(): Promise<void>;
}

/** Chaincode verdicts (4xx, not retriable) are final; everything else may pass later. */
export function isFinal(err: unknown): boolean {
  return err instanceof ServiceError && !err.retriable && err.httpStatus < 500;
}

export function createSubmissionWorker(opts: WorkerOptions): SubmissionWorker {
  const log = opts.logger.child({ component: 'submission-worker' });
  let running = false;
  let loops: Promise<void>[] = [];
  const { sleep, wakeAll } = createSleeper();

  async function once(): Promise<boolean> {
    const row = await opts.store.claimNext(opts.mspId, opts.leaseMs ?? 120_000);
    if (!row) return false;
    const rlog = log.child({ submissionId: row.id, eventId: row.eventId, attempt: row.attempts });
    try {
      const outcome = await opts.submitter.submit(row.command, { mode: 'async', log: rlog });
      await opts.store.markCommitted(row.id, outcome);
    } catch (err) {
      if (isFinal(err) || row.attempts >= opts.maxAttempts) {
        rlog.warn({ code: (err as ServiceError).code }, 'async submission failed');
        await opts.store.markFailed(row.id, err);
      } else {
        const delay = backoffMs(row.attempts, 500, 15_000);
        rlog.warn({ code: (err as ServiceError).code, delay }, 'async submission will be retried');
        await opts.store.markRetry(row.id, err, delay);
      }
    }
    return true;
  }

  async function loop(): Promise<void> {
    while (running) {
      let worked = false;
      try {
        worked = await once();
      } catch (err) {
        // The store itself failed (database restart): wait and try again.
        log.error({ err }, 'submission store unavailable');
      }
      if (!worked && running) await sleep(opts.pollMs);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loops = Array.from({ length: opts.concurrency ?? 4 }, () => loop());
    },
    kick: wakeAll,
    async stop() {
      running = false;
      wakeAll();
      await Promise.all(loops);
      loops = [];
    },
  };
}
