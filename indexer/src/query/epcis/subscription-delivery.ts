/**
 * Delivery of webhook subscriptions, from the committed events only
 * (epcis_events). A streaming subscription gets each page of new events as
 * soon as it is indexed; a scheduled one, when its schedule fires, gets a
 * report of the events recorded since its last report. A report is fixed when
 * it falls due (up to the newest event then), so a retry sends the same events
 * again and a restarted indexer resumes it. Only a 2xx answer moves a
 * subscription's position; a failure retries it with exponential backoff.
 * Which subscription is delivered when is delivery-pool.ts's decision.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { eventContexts, queryDocument, toQueryEvent } from './epcis-document';
import { parseEventQuery } from './epcis-params';
import { eventPageStatement } from './epcis-sql';
import type { DeliveryResult } from './delivery-pool';
import { nextRun, type QuerySchedule } from './query-schedule';
import type { WebhookSender } from './webhook-sender';

/** A position in record order: block, transaction, event. */
export interface Position {
  block: string;
  tx: number;
  seq: number;
}

/** An event row with its position. */
interface PositionRow {
  block_number: string;
  tx_index: number;
  seq: number;
}

/** The signature a subscriber checks: hex HMAC-SHA256 of the exact body under the subscription's token. */
export function gs1Signature(token: string, body: string): string {
  return createHmac('sha256', token).update(body, 'utf8').digest('hex');
}

/** True when `a` is at or before `b` in record order. */
function atOrBefore(a: PositionRow, b: Position): boolean {
  const ab = BigInt(a.block_number);
  const bb = BigInt(b.block);
  if (ab !== bb) return ab < bb;
  return a.tx_index !== b.tx ? a.tx_index < b.tx : a.seq <= b.seq;
}

export interface DeliveryDeps {
  pool: Pool;
  /** POSTs to the subscriber with the destination checks (webhook-sender.ts). */
  sender: WebhookSender;
  log?: Logger;
  pageSize?: number;
  maxBackoffMs?: number;
  /** Told the outcome of each delivery attempt (metrics). */
  onDelivery?: (outcome: 'delivered' | 'failed') => void;
}

/** The newest indexed event's position, or before the first event when there is none. */
export async function tipPosition(pool: Pool): Promise<Position> {
  const tip = (
    await pool.query<PositionRow>('SELECT block_number, tx_index, seq FROM epcis_events ORDER BY block_number DESC, tx_index DESC, seq DESC LIMIT 1')
  ).rows[0];
  return tip ? { block: String(tip.block_number), tx: tip.tx_index, seq: tip.seq } : { block: '-1', tx: 0, seq: 0 };
}

/** A subscription due for delivery, as the delivery pool schedules it. */
export interface DueSubscription {
  id: string;
  dest: string;
  attempts: number;
}

const DUE = `s.next_attempt_at <= now() AND (s.schedule IS NULL OR s.report_id IS NOT NULL OR s.next_run_at <= now())`;

/**
 * A streaming subscription is offered only when an event was recorded after its position (one probe of the
 * primary key): one that has seen everything costs the delivery loop nothing.
 */
const HAS_NEWER = `(s.schedule IS NOT NULL OR EXISTS (SELECT 1 FROM epcis_events e
    WHERE (e.block_number, e.tx_index, e.seq) > (s.after_block, s.after_tx, s.after_seq)))`;

/**
 * Every subscription due now but those in `exclude` (in flight): healthy ones first, then the longest waiting.
 * All of them: the delivery pool takes them in turns. A subscription with nothing to send stays due and keeps
 * its place in this order, so a cut-off would keep those behind it from ever being offered.
 */
export async function dueSubscriptions(pool: Pool, exclude: readonly string[]): Promise<DueSubscription[]> {
  return (
    await pool.query<DueSubscription>(
      `SELECT s.id, s.dest, s.attempts FROM epcis_subscriptions s WHERE ${DUE} AND ${HAS_NEWER} AND NOT (s.id = ANY($1::uuid[]))
        ORDER BY s.attempts > 0, s.next_attempt_at, s.created_at`,
      [exclude],
    )
  ).rows;
}

/** The destination a delivery pool spreads deliveries over: the URL's host and port. */
export function destinationOf(dest: string): string {
  try {
    const u = new URL(dest);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`;
  } catch {
    return dest;
  }
}

/**
 * One delivery of one subscription: the next page (streaming), or the next
 * page of its pending report (scheduled). The subscription is read afresh, so
 * a delivery always starts from its committed position.
 */
export async function deliverSubscription(deps: DeliveryDeps, id: string, signal?: AbortSignal): Promise<DeliveryResult> {
  const { pool } = deps;
  const pageSize = deps.pageSize ?? 100;
  const s = (
    await pool.query(
      `SELECT s.*, q.query FROM epcis_subscriptions s JOIN epcis_named_queries q ON q.owner_org = s.owner_org AND q.name = s.query_name
        WHERE s.id = $1 AND ${DUE}`,
      [id],
    )
  ).rows[0];
  if (!s) return 'skipped';
  const schedule = s.schedule as QuerySchedule | null;
  let report: Position | undefined;
  if (schedule) {
    if (!s.report_id) {
      // The schedule fired: this report covers the events recorded up to now.
      report = await tipPosition(pool);
      s.report_id = randomUUID();
      s.report_sent = false;
      await pool.query('UPDATE epcis_subscriptions SET report_id = $2, report_block = $3, report_tx = $4, report_seq = $5, report_sent = false WHERE id = $1', [
        s.id,
        s.report_id,
        report.block,
        report.tx,
        report.seq,
      ]);
    } else report = { block: String(s.report_block), tx: s.report_tx, seq: s.report_seq };
  }
  // Read before the page: every event up to here is either in the page's snapshot or nowhere (blocks commit in order).
  const seen = report ? undefined : await tipPosition(pool);
  const q = parseEventQuery({ ...s.query, perPage: String(pageSize) });
  // Evaluated at every delivery: an event the subscriber's organisation may not see is never sent.
  const scope = typeof s.scope_org === 'string' ? { org: s.scope_org } : undefined;
  const st = eventPageStatement(q, { block: String(s.after_block), tx: s.after_tx, seq: s.after_seq }, q.perPage, scope);
  const fetched = (await pool.query<PositionRow & Parameters<typeof toQueryEvent>[0]>(st)).rows;
  const rows = report ? fetched.filter((r) => atOrBefore(r, report)) : fetched;
  const lastPage = !report || rows.length < fetched.length || fetched.length < pageSize;
  const send = rows.length > 0 || (report !== undefined && s.report_if_empty && !s.report_sent);
  if (!send) {
    if (report) await finishReport(pool, s.id, schedule!);
    // Nothing up to `seen` matches the query or may be seen by the subscriber: its position moves past all of
    // it, so the next delivery does not read the same events again.
    else if (
      seen &&
      !atOrBefore({ block_number: seen.block, tx_index: seen.tx, seq: seen.seq }, { block: String(s.after_block), tx: s.after_tx, seq: s.after_seq })
    )
      await pool.query('UPDATE epcis_subscriptions SET after_block = $2, after_tx = $3, after_seq = $4 WHERE id = $1', [s.id, seen.block, seen.tx, seen.seq]);
    return 'skipped';
  }
  const doc = queryDocument(rows.map(toQueryEvent), new Date(), eventContexts(rows)) as { epcisBody: { queryResults: Record<string, unknown> } };
  doc.epcisBody.queryResults = { subscriptionID: s.id, queryName: s.query_name, resultsBody: doc.epcisBody.queryResults.resultsBody };
  const body = JSON.stringify(doc);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'GS1-Subscription-ID': s.id, 'GS1-Query-Name': s.query_name };
  if (s.signature_token) headers['GS1-Signature'] = gs1Signature(s.signature_token, body);
  // The destination is checked again at every delivery: what it resolves to may have changed since the subscription.
  const out = await deps.sender.send(s.dest, headers, body, signal);
  if (!out.ok) {
    const backoff = Math.min(deps.maxBackoffMs ?? 10_000, 250 * 2 ** Math.min(s.attempts, 10));
    await pool.query(
      'UPDATE epcis_subscriptions SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2), last_error = $3 WHERE id = $1',
      [s.id, backoff / 1000, out.error],
    );
    deps.log?.warn({ subscription: s.id, error: out.error, retryInMs: backoff }, 'subscription delivery failed');
    deps.onDelivery?.('failed');
    return out.unreachable ? 'unreachable' : 'failed';
  }
  deps.onDelivery?.('delivered');
  const last = rows[rows.length - 1];
  await pool.query(
    `UPDATE epcis_subscriptions SET after_block = COALESCE($2, after_block), after_tx = COALESCE($3, after_tx), after_seq = COALESCE($4, after_seq),
       attempts = 0, next_attempt_at = now(), delivered = delivered + $5, last_error = NULL, last_notified_at = now(),
       report_sent = (report_id IS NOT NULL) WHERE id = $1`,
    [s.id, last?.block_number ?? null, last?.tx_index ?? null, last?.seq ?? null, rows.length],
  );
  if (report && lastPage) await finishReport(pool, s.id, schedule!);
  return 'ok';
}

/** Ends a scheduled subscription's report and sets when the schedule fires next. */
async function finishReport(pool: Pool, id: string, schedule: QuerySchedule): Promise<void> {
  await pool.query('UPDATE epcis_subscriptions SET report_id = NULL, report_sent = false, next_run_at = $2 WHERE id = $1', [
    id,
    nextRun(schedule, new Date()) ?? 'infinity',
  ]);
}
