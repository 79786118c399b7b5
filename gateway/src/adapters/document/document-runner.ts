/**
 * One source document (an IDoc, a POSLog) often maps to several ledger
 * transactions. Each carries an event id derived from the document and its
 * item, so the chaincode books it at most once; the runner looks those ids up
 * first and skips what a previous attempt already committed, then submits the
 * rest in document order and stops at the first failure. The answer lists
 * every transaction with the source items it books and, for a failure, the
 * chaincode's field translated into the document's own terms.
 *
 * With `batch`, consecutive submissions of one movement function (and one
 * endorsement) go to the ledger together in one SubmitBatch transaction: each
 * keeps its own event id, result and status, exactly as if submitted alone. When
 * the ledger refuses item k of a batch, the items before it are submitted again
 * without it, item k is the failure and the rest are not attempted: the answer
 * is the one the item-by-item submission gives, in far fewer transactions.
 */
import { createHash } from 'node:crypto';
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
  /** Book consecutive submissions of one movement function in one transaction (SubmitBatch). */
  batch?: BatchOptions;
}

export interface BatchOptions {
  /** Most submissions in one transaction (the contract takes at most 500). */
  maxItems: number;
  /** Most lines (all items together) in one transaction. */
  maxLines: number;
}

/** Functions the contract's SubmitBatch takes. */
export const BATCHABLE_FUNCTIONS = new Set(['TransferStock', 'AdjustStock', 'DispatchShipment', 'ReceiveShipment', 'ReverseMovement']);

/** Submissions that may share a batch: same function, same endorsement. */
function batchKey(c: DocumentCommand): string | undefined {
  return BATCHABLE_FUNCTIONS.has(c.cmd.fn) ? `${c.cmd.fn}|${JSON.stringify(c.cmd.endorsement ?? null)}` : undefined;
}

const lineCount = (c: DocumentCommand) => (Array.isArray(c.cmd.body.lines) ? c.cmd.body.lines.length : 1);

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

/** Event ids looked up per GetEvents query. */
const LOOKUP_CHUNK = 250;

/** Prior commits of every command, by index: a few GetEvents queries, or one GetEvent per id where those are not answered. */
async function lookUp(o: RunDocumentOptions): Promise<Array<{ txId: string; result: unknown } | undefined>> {
  const ids = o.commands.map((c) => String(c.cmd.body.eventId));
  try {
    const prior: Array<{ txId: string; result: unknown } | undefined> = [];
    for (let k = 0; k < ids.length; k += LOOKUP_CHUNK) {
      const chunk = ids.slice(k, k + LOOKUP_CHUNK);
      const out = JSON.parse((await o.ledger.evaluate({ contract: 'traceability', fn: 'GetEvents', args: [JSON.stringify(chunk)] })).toString('utf8')) as {
        events: Array<{ txId: string; function: string; result: unknown } | null>;
      };
      if (!Array.isArray(out.events) || out.events.length !== chunk.length) throw new Error('GetEvents answered another number of events');
      // An event id used by another function is not this transaction: submit it and let the chaincode say CONFLICT.
      out.events.forEach((e, j) => prior.push(e && e.function === o.commands[k + j].cmd.fn ? { txId: e.txId, result: e.result } : undefined));
    }
    return prior;
  } catch {
    // A ledger without GetEvents (or a refused query): the same answer one id at a time, errors and all.
  }
  const prior: Array<{ txId: string; result: unknown } | undefined> = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(LOOKUP_CONCURRENCY, o.commands.length) }, async () => {
      while (next < o.commands.length) {
        const i = next++;
        prior[i] = await committedTx(o.ledger, ids[i], o.commands[i].cmd.fn);
      }
    }),
  );
  return prior;
}

export async function runDocument(o: RunDocumentOptions): Promise<DocumentOutcome> {
  const out: TransactionOutcome[] = o.commands.map((c) => ({ fn: c.cmd.fn, eventId: String(c.cmd.body.eventId), items: c.items, status: 'not_attempted' }));
  // Look up every event id first (reads only) so a resend submits only what is missing.
  const prior = await lookUp(o);
  let failure: ServiceError | undefined;
  let failureMessage = '';
  const fail = (i: number, err: ServiceError, field: string | undefined, message: string) => {
    failure = err;
    failureMessage = message;
    Object.assign(out[i], { status: 'failed', code: err.code, field: documentField(o.commands[i], field), message });
  };
  const chaincodeField = (err: ServiceError) =>
    (err.details?.field as string | undefined) ?? (err.details?.errors as { field: string }[] | undefined)?.[0]?.field;
  const submit = (cmd: LedgerCommand) => o.executor.execute({ cmd, principal: o.principal, async: false, route: o.route, log: o.log, requestId: o.requestId });

  /** Books `group` (command indexes, in order); on a refusal books the items before the refused one, then stops. */
  async function book(group: number[]): Promise<void> {
    if (group.length === 1) {
      const i = group[0];
      try {
        const b = (await submit(o.commands[i].cmd)).body as { txId?: string; blockNumber?: number; result?: unknown };
        Object.assign(out[i], { status: 'committed', txId: b.txId, blockNumber: b.blockNumber, result: b.result });
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        fail(i, err, chaincodeField(err), err.message);
      }
      return;
    }
    const ids = group.map((i) => out[i].eventId);
    const first = o.commands[group[0]].cmd;
    const cmd: LedgerCommand = {
      fn: 'SubmitBatch',
      body: {
        eventId: `batch-${createHash('sha256').update(ids.join('|')).digest('hex').slice(0, 40)}`,
        function: first.fn,
        // Each item is the argument it would be alone (with the actor the executor adds), so its request hash is the same.
        items: group.map((i) => ({ ...o.commands[i].cmd.body, actor: o.principal.sub })),
      },
      ...(first.endorsement ? { endorsement: first.endorsement } : {}),
    };
    try {
      const b = (await submit(cmd)).body as { txId?: string; blockNumber?: number; result?: { items?: unknown[] } };
      group.forEach((i, k) => Object.assign(out[i], { status: 'committed', txId: b.txId, blockNumber: b.blockNumber, result: b.result?.items?.[k] }));
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      const m = /^items\[(\d+)\](?:\.(.*))?$/.exec(chaincodeField(err) ?? '');
      const k = m && Number(m[1]) < group.length ? Number(m[1]) : 0;
      if (k > 0) {
        await book(group.slice(0, k));
        if (failure) return;
      }
      fail(group[k], err, m?.[2] || undefined, m ? err.message.split(`items[${k}].`).join('') : err.message);
    }
  }

  const pending = o.commands.map((_, i) => i).filter((i) => !prior[i]);
  for (const [i, before] of prior.entries()) if (before) Object.assign(out[i], { status: 'already_committed', txId: before.txId, result: before.result });
  for (let p = 0; p < pending.length && !failure;) {
    const key = o.batch ? batchKey(o.commands[pending[p]]) : undefined;
    let end = p + 1;
    let lines = lineCount(o.commands[pending[p]]);
    while (
      key &&
      end < pending.length &&
      end - p < o.batch!.maxItems &&
      lines + lineCount(o.commands[pending[end]]) <= o.batch!.maxLines &&
      batchKey(o.commands[pending[end]]) === key
    ) {
      lines += lineCount(o.commands[pending[end]]);
      end++;
    }
    await book(pending.slice(p, end));
    p = end;
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
    message: `${failed.items.join(', ')}: ${failure.httpStatus >= 500 ? failure.code.toLowerCase().replace(/_/g, ' ') : failureMessage}; resend the same document to book the rest`,
    requestId: o.requestId,
    errors: [{ field: failed.field!, message: failure.httpStatus >= 500 ? 'not booked: the ledger did not answer' : failureMessage }],
  };
  return { status: failure.httpStatus, body: { ...problem, ...summary }, headers: { 'Content-Type': 'application/problem+json' } };
}
