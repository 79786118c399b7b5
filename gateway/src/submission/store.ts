/**
 * What the gateway keeps in PostgreSQL (schema `gateway`): Idempotency-Key
 * records, so a retried request gets the first response, and the durable
 * queue of async submissions, written before any attempt so neither a crash
 * nor a Fabric outage loses one.
 */
import type { PreparedCommand, SubmitOutcome } from './command';

/** A response as stored for replay. */
export interface StoredResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type IdempotencyBegin = { state: 'new' } | { state: 'replay'; response: StoredResponse } | { state: 'mismatch' } | { state: 'in_progress' };

export type SubmissionStatus = 'pending' | 'running' | 'committed' | 'failed';

export interface SubmissionRow {
  id: string;
  mspId: string;
  clientId: string;
  eventId: string;
  fn: string;
  command: PreparedCommand;
  status: SubmissionStatus;
  attempts: number;
  txId?: string;
  blockNumber?: number;
  result?: unknown;
  error?: unknown;
  createdAt: string;
  updatedAt: string;
}

export interface SubmissionStore {
  /** Creates the schema and tables if missing (safe to run from several gateways at once). */
  migrate(): Promise<void>;
  /** Claims a key for a request, or says how an earlier request with that key stands. */
  beginIdempotent(scope: string, key: string, requestHash: string): Promise<IdempotencyBegin>;
  completeIdempotent(scope: string, key: string, response: StoredResponse): Promise<void>;
  /** Forgets a claimed key (the request failed in a way a retry may fix). */
  releaseIdempotent(scope: string, key: string): Promise<void>;
  /** Stores a submission as pending; durable when this resolves. */
  enqueue(s: { id: string; mspId: string; clientId: string; command: PreparedCommand }): Promise<void>;
  get(id: string): Promise<SubmissionRow | undefined>;
  /** Leases the oldest due submission of an org (pending, or running with an expired lease). */
  claimNext(mspId: string, leaseMs: number): Promise<SubmissionRow | undefined>;
  markCommitted(id: string, outcome: SubmitOutcome): Promise<void>;
  markRetry(id: string, error: unknown, delayMs: number): Promise<void>;
  markFailed(id: string, error: unknown): Promise<void>;
  counts(mspId: string): Promise<Record<SubmissionStatus, number>>;
  /** True when the database answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
