/**
 * Capture jobs: an accepted EPCIS document's ledger commands, in order, and
 * how far their submission has come. A job is stored before the 202 is sent
 * and advanced one committed command at a time, so a restarted gateway picks
 * it up where it stopped (the fixed eventIds make a repeated command harmless).
 */
import type { PreparedCommand } from '../../submission/command';

/** GS1's capture job states, as one word. */
export type CaptureStatus = 'running' | 'success' | 'failed';

/** One command of a job, with the event it came from. */
export interface CaptureCommand {
  eventIndex: number;
  eventID: string;
  command: PreparedCommand;
  /** Why the event is recorded without the stock movement it describes. */
  note?: string;
}

/** A committed command. */
export interface CaptureResult {
  eventIndex: number;
  eventID: string;
  fn: string;
  eventId: string;
  txId: string;
  blockNumber: number;
}

/** Why a job failed (or, while running, why the last attempt did not commit). */
export interface CaptureError {
  eventIndex?: number;
  eventID?: string;
  fn?: string;
  code: string;
  message: string;
  field?: string;
}

export interface CaptureJob {
  id: string;
  mspId: string;
  clientId: string;
  status: CaptureStatus;
  eventCount: number;
  commands: CaptureCommand[];
  /** Index of the next command to submit; all before it are committed. */
  nextIndex: number;
  results: CaptureResult[];
  errors: CaptureError[];
  attempts: number;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
}

export interface CaptureStore {
  /** Creates the table if missing (safe from several gateways at once). */
  migrate(): Promise<void>;
  /** Stores a new running job; durable when this resolves. */
  create(job: { id: string; mspId: string; clientId: string; eventCount: number; commands: CaptureCommand[] }): Promise<void>;
  get(id: string): Promise<CaptureJob | undefined>;
  /** Leases the oldest due running job of an org (unleased, or its lease expired). */
  claimNext(mspId: string, leaseMs: number): Promise<CaptureJob | undefined>;
  /** Records one committed command and extends the lease. */
  advance(id: string, result: CaptureResult, leaseMs: number): Promise<void>;
  /** Ends a job. */
  finish(id: string, status: 'success' | 'failed', errors: CaptureError[]): Promise<void>;
  /** Gives a leased job back, due again after `delayMs` (0: at once), noting why. */
  release(id: string, delayMs: number, error?: CaptureError): Promise<void>;
  close(): Promise<void>;
}

/** An in-memory store for tests and single-process use without PostgreSQL. */
export function createMemoryCaptureStore(): CaptureStore & { jobs: Map<string, CaptureJob> } {
  const jobs = new Map<string, CaptureJob & { dueAt: number; leasedUntil: number }>();
  const now = () => new Date().toISOString();
  const copy = (j: CaptureJob): CaptureJob => structuredClone(j);
  return {
    jobs,
    async migrate() {},
    async create(j) {
      jobs.set(j.id, {
        ...structuredClone(j),
        status: 'running',
        nextIndex: 0,
        results: [],
        errors: [],
        attempts: 0,
        createdAt: now(),
        updatedAt: now(),
        dueAt: 0,
        leasedUntil: 0,
      });
    },
    async get(id) {
      const j = jobs.get(id);
      return j && copy(j);
    },
    async claimNext(mspId, leaseMs) {
      const t = Date.now();
      for (const j of jobs.values()) {
        if (j.mspId === mspId && j.status === 'running' && j.dueAt <= t && j.leasedUntil < t) {
          Object.assign(j, { leasedUntil: t + leaseMs, attempts: j.attempts + 1, updatedAt: now() });
          return copy(j);
        }
      }
      return undefined;
    },
    async advance(id, result, leaseMs) {
      const j = jobs.get(id)!;
      j.results.push(result);
      Object.assign(j, { nextIndex: j.nextIndex + 1, leasedUntil: Date.now() + leaseMs, updatedAt: now() });
    },
    async finish(id, status, errors) {
      Object.assign(jobs.get(id)!, { status, errors, leasedUntil: 0, updatedAt: now(), finishedAt: now() });
    },
    async release(id, delayMs, error) {
      Object.assign(jobs.get(id)!, { leasedUntil: 0, dueAt: Date.now() + delayMs, updatedAt: now(), ...(error ? { errors: [error] } : {}) });
    },
    async close() {},
  };
}
