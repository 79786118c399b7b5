/**
 * One source document (an IDoc, a POSLog) often maps to several ledger
 * transactions. Each carries an event id derived from the document and its
 * item, so the chaincode books it at most once; the runner looks those ids up
 * first and skips what a previous attempt already committed, then submits the
 * rest in document order and stops at the first failure. The answer lists
 * every transaction with the source items it books and, for a failure, the
 * chaincode's field translated into the document's own terms.
 */
import type { Logger } from 'pino';
import { CONTRACT, type Principal, QUERY } from '../../../../lib/domain/src';
import { ServiceError } from '../../../../lib/platform/src';
import type { LedgerClient } from '../../../../lib/fabric/src';
import type { LedgerCommand } from '../../submission/command';
import type { CommandExecutor } from '../../submission/executor';

/** A ledger command with where it came from in the source document. */
export interface DocumentCommand {
  /** `body.eventId` must be set: stable for the same document and item. */
  cmd: LedgerCommand;
  /** The document items this transaction books, in the document's own terms. */
  items: string[];
  /** Chaincode argument field (e.g. `lines[0].received`) → the document's field. */
  fields: Record<string, string>;
  /** Field reported when the chaincode names none (or one not in `fields`). */
  defaultField: string;
}

export type ItemStatus = 'committed' | 'already_committed' | 'failed' | 'not_attempted';

export interface TransactionOutcome {
  fn: string;
  eventId: string;
  items: string[];
  status: ItemStatus;
  txId?: string;
  blockNumber?: number;
  code?: string;
  field?: string;
  message?: string;
  result?: unknown;
}

export interface DocumentOutcome {
  /** 201 when every transaction committed (now or before), else the failure's status. */
  status: number;
  /** problem+json fields (`code`, `message`, `errors`) on failure, then the per-transaction list. */
  body: Record<string, unknown> & { complete: boolean; transactions: TransactionOutcome[] };
  headers?: Record<string, string>;
}

export interface RunDocumentOptions {
  commands: DocumentCommand[];
  executor: CommandExecutor;
  ledger: LedgerClient;
  principal: Principal;
  route: string;
  log: Logger;
  requestId: string;
}

/** Event-id lookups in flight at once: enough to hide latency without queueing hundreds of queries at one peer. */
const LOOKUP_CONCURRENCY = 16;

/** The document's field for a chaincode field: exact, then the longest known prefix (`lines[0]` for `lines[0].gtin`). */
export function documentField(c: DocumentCommand, field: string | undefined): string {
  if (!field) return c.defaultField;
  if (c.fields[field]) return c.fields[field];
  let best: string | undefined;
  for (const k of Object.keys(c.fields)) if ((field.startsWith(`${k}.`) || field.startsWith(`${k}[`)) && (!best || k.length > best.length)) best = k;
  return best ? c.fields[best] : c.defaultField;
}

/** Committed transaction for an event id, or undefined when it never committed. */
async function committedTx(ledger: LedgerClient, eventId: string, fn: string): Promise<{ txId: string; result: unknown } | undefined> {
  try {
    const out = JSON.parse((await ledger.evaluate({ contract: CONTRACT.traceability, fn: QUERY.GetEvent, args: [eventId] })).toString('utf8')) as {
      event?: { txId: string; function: string; result: unknown };
    };
    // An event id used by another function is not this transaction: submit it and let the chaincode say CONFLICT.
    return out.event?.function === fn ? { txId: out.event.txId, result: out.event.result } : undefined;
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'NOT_FOUND') return undefined;
    throw err;
  }
}

export async function runDocument(o: RunDocumentOptions): Promise<DocumentOutcome> {
  const out: TransactionOutcome[] = o.commands.map((c) => ({ fn: c.cmd.fn, eventId: String(c.cmd.body.eventId), items: c.items, status: 'not_attempted' }));
  // Look up every event id first (reads only, a few at a time) so a resend submits only what is missing.
  const prior: Array<{ txId: string; result: unknown } | undefined> = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(LOOKUP_CONCURRENCY, o.commands.length) }, async () => {
      while (next < o.commands.length) {
        const i = next++;
        prior[i] = await committedTx(o.ledger, out[i].eventId, o.commands[i].cmd.fn);
      }
    }),
  );
  let failure: ServiceError | undefined;
  for (const [i, c] of o.commands.entries()) {
    const t = out[i];
    const before = prior[i];
    if (before) {
      Object.assign(t, { status: 'already_committed', txId: before.txId });
      continue;
    }
    if (failure) continue;
    try {
      const res = await o.executor.execute({ cmd: c.cmd, principal: o.principal, async: false, route: o.route, log: o.log, requestId: o.requestId });
      const b = res.body as { txId?: string; blockNumber?: number; result?: unknown };
      Object.assign(t, { status: 'committed', txId: b.txId, blockNumber: b.blockNumber, result: b.result });
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      failure = err;
      const chaincodeField = (err.details?.field as string | undefined) ?? (err.details?.errors as { field: string }[] | undefined)?.[0]?.field;
      Object.assign(t, { status: 'failed', code: err.code, field: documentField(c, chaincodeField), message: err.message });
    }
  }
  const count = (s: ItemStatus) => out.filter((t) => t.status === s).length;
  const summary = {
    complete: !failure,
    committed: count('committed'),
    alreadyCommitted: count('already_committed'),
    failed: count('failed'),
    notAttempted: count('not_attempted'),
    transactions: out,
  };
  if (!failure) return { status: 201, body: summary };
  const failed = out.find((t) => t.status === 'failed')!;
  const problem = {
    type: `https://coffee-trace.example/problems/${failure.code.toLowerCase().replace(/_/g, '-')}`,
    title: out.some((t) => t.status === 'committed' || t.status === 'already_committed') ? 'Document partly booked' : 'Document not booked',
    status: failure.httpStatus,
    code: failure.code,
    // A ledger outage keeps its own words short; a verdict on the content names the item.
    message: `${failed.items.join(', ')}: ${failure.httpStatus >= 500 ? failure.code.toLowerCase().replace(/_/g, ' ') : failure.message}; resend the same document to book the rest`,
    requestId: o.requestId,
    errors: [{ field: failed.field!, message: failure.httpStatus >= 500 ? 'not booked: the ledger did not answer' : failure.message }],
  };
  return { status: failure.httpStatus, body: { ...problem, ...summary }, headers: { 'Content-Type': 'application/problem+json' } };
}
