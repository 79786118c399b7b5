/**
 * A ledger command: the chaincode function and its one JSON argument, plus
 * what the gateway must know to get it endorsed. Built by the REST routes and
 * the adapters; stored as-is for async submission.
 */
import type { TxName } from '../../../lib/domain/src';

/**
 * Custody keys carry a key-level policy naming both parties' orgs, so those
 * orgs must endorse. The hint says how to find them at submit time.
 */
export type EndorsementHint =
  | { kind: 'parties'; fromGln: string; toGln: string }
  | { kind: 'shipment'; shipmentId: string }
  /** Named organisations (e.g. a payment's payee, which the order's key-level policy names). */
  | { kind: 'orgs'; orgs: string[] };

export interface LedgerCommand {
  /** A traceability transaction (the domain library's contract names). */
  fn: TxName;
  /** The chaincode argument without eventId/actor (the gateway adds them). */
  body: Record<string, unknown>;
  endorsement?: EndorsementHint;
  /**
   * Transient data by name (JSON values): what the endorsing peers see but no
   * block records, e.g. an order's commercial terms (private-terms.ts).
   */
  transient?: Record<string, Record<string, unknown>>;
  /** Fields taken from the URL path: NOT_FOUND on them is a 404, on body fields a 422. */
  pathFields?: string[];
}

/** A command ready to submit: the argument includes eventId and actor. */
export interface PreparedCommand extends LedgerCommand {
  eventId: string;
  actor: string;
}

/** The outcome of a committed submission. */
export interface SubmitOutcome {
  eventId: string;
  txId: string;
  blockNumber: number;
  result: unknown;
}
