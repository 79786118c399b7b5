/**
 * Runs capture jobs in the background: leases a running job of its org and
 * submits its commands strictly in order (a dispatch needs its shipment, a
 * transformation its input lots), recording each commit before the next.
 * A transient failure gives the job back with backoff; a chaincode verdict
 * ends it as failed, naming the event. Commands already committed stay
 * committed: Fabric transactions cannot be rolled back, which is why the
 * document is mapped and checked in full before it is accepted.
 */
import type { Logger } from 'pino';
import { backoffMs, ServiceError } from '../../../../lib/platform/src';
import type { Submitter } from '../../submission/submitter';
import { isFinal } from '../../submission/worker';
import { createSleeper } from '../../submission/sleeper';
import type { CaptureCommand, CaptureError, CaptureJob, CaptureStore } from './capture-store';

export interface CaptureWorkerOptions {
  store: CaptureStore;
  submitter: Submitter;
  mspId: string;
  logger: Logger;
  pollMs?: number;
  leaseMs?: number;
  /** Most RecordEvents transactions of one job in flight at once (default 32). */
  window?: number;
  /** Attempts (leases) of one job before a transient failure is taken as final. */
  maxAttempts?: number;
}

/** The background processor; kick() after creating a job. */
export interface CaptureWorker {
  start(): void;
  kick(): void;
  /** Stops claiming; a job in progress stops after its current command and is given back at once. */
  stop(): Promise<void>;
}

/** A failure as the job reports it. */
export function captureError(err: unknown, c?: CaptureCommand): CaptureError {
  const at = c ? { eventIndex: c.eventIndex, eventID: c.eventID, fn: c.command.fn } : {};
  if (err instanceof ServiceError) {
    const field = err.details?.field as string | undefined;
    return { ...at, code: err.code, message: err.message, ...(field ? { field } : {}) };
  }
  return { ...at, code: 'INTERNAL', message: String((err as Error)?.message ?? err) };
}

export function createCaptureWorker(opts: CaptureWorkerOptions): CaptureWorker {
  const log = opts.logger.child({ component: 'epcis-capture-worker' });
  const leaseMs = opts.leaseMs ?? 120_000;
  const window = opts.window ?? 32;
  let running = false;
  let loop: Promise<void> | undefined;
  // unref: an idle poll timer alone must not keep the process alive.
  const { sleep, wakeAll } = createSleeper({ unref: true });

  async function runJob(job: CaptureJob): Promise<void> {
    const jlog = log.child({ captureId: job.id, attempt: job.attempts });
    let i = job.nextIndex;
    while (i < job.commands.length) {
      if (!running) return opts.store.release(job.id, 0);
      // Events recorded without a stock effect depend on nothing before them: a run of them is submitted
      // together (up to `window`), then recorded in order. Stock-moving commands go one at a time.
      let end = i + 1;
      while (end < job.commands.length && end - i < window && job.commands[i].command.fn === 'RecordEvents' && job.commands[end].command.fn === 'RecordEvents')
        end++;
      const batch = job.commands.slice(i, end);
      const outcomes = await Promise.allSettled(batch.map((c) => opts.submitter.submit(c.command, { mode: 'async', log: jlog })));
      for (const [k, o] of outcomes.entries()) {
        const c = batch[k];
        if (o.status === 'fulfilled') {
          await opts.store.advance(
            job.id,
            { eventIndex: c.eventIndex, eventID: c.eventID, fn: c.command.fn, eventId: o.value.eventId, txId: o.value.txId, blockNumber: o.value.blockNumber },
            leaseMs,
          );
          i++;
          continue;
        }
        // Later members of the run that committed are replays next time: their eventIds make them harmless.
        const err = o.reason;
        const e = captureError(err, c);
        if (isFinal(err) || job.attempts >= (opts.maxAttempts ?? 1000)) {
          jlog.warn({ ...e }, 'capture job failed');
          return opts.store.finish(job.id, 'failed', [e]);
        }
        const delay = backoffMs(job.attempts, 500, 15_000);
        jlog.warn({ code: e.code, delay }, 'capture job will be retried');
        return opts.store.release(job.id, delay, e);
      }
    }
    jlog.info({ transactions: job.commands.length }, 'capture job committed');
    await opts.store.finish(job.id, 'success', []);
  }

  async function run(): Promise<void> {
    while (running) {
      let job: CaptureJob | undefined;
      try {
        job = await opts.store.claimNext(opts.mspId, leaseMs);
        if (job) await runJob(job);
      } catch (err) {
        // The store itself failed (database restart): the lease expires and the job is retaken.
        log.error({ err }, 'capture store unavailable');
        job = undefined;
      }
      if (!job && running) await sleep(opts.pollMs ?? 500);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    kick: wakeAll,
    async stop() {
      running = false;
      wakeAll();
      await loop;
      loop = undefined;
    },
  };
}
