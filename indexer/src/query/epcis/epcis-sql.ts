/**
 * SQL for `GET /epcis/events`: one parameterised statement over epcis_events
 * in record order (block, transaction, event index). JSON filters use
 * containment (`@>`) and identifier arrays, which the GIN indexes of migration 009 serve.
 */
import type { ClassMatch, EventQuery, TypedFilter } from './epcis-params';
import { scopedEvents, type EventScope } from './event-visibility';
import type { EventPosition } from './page-token';

/** A statement and its parameters. */
export interface Statement {
  text: string;
  values: unknown[];
}

/** Escapes LIKE wildcards so a prefix matches literally. */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

class Where {
  readonly values: unknown[] = [];
  readonly parts: string[] = [];

  param(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }

  add(sql: string): void {
    this.parts.push(sql);
  }

  /** `document @> x OR …` for a non-empty list of JSON fragments. */
  anyContains(fragments: unknown[]): void {
    this.add(`(${fragments.map((f) => `te.document @> ${this.param(JSON.stringify(f))}::jsonb`).join(' OR ')})`);
  }

  /** An identifier column (canonical Digital Links, see migration 009) against exact values and prefixes. */
  ids(m: ClassMatch, column: string): void {
    const alts: string[] = [];
    if (m.exact.length > 0) alts.push(`te.${column} && ${this.param(m.exact)}::text[]`);
    if (m.prefixes.length > 0) alts.push(`EXISTS (SELECT 1 FROM unnest(te.${column}) x WHERE x LIKE ANY (${this.param(m.prefixes.map(likePrefix))}::text[]))`);
    this.add(`(${alts.join(' OR ')})`);
  }

  typed(filters: TypedFilter[], list: string, field: string): void {
    for (const f of filters) this.anyContains(f.values.map((v) => ({ [list]: [{ type: f.type, [field]: v }] })));
  }
}

/** The page query: at most `limit` events after `after` that `scope` may see, with their record time. */
export function eventPageStatement(q: EventQuery, after: EventPosition | undefined, limit: number, scope?: EventScope): Statement {
  const w = new Where();
  const source = scopedEvents(scope, (v) => w.param(v));
  if (source.where) w.add(source.where);
  if (q.eventTypes) w.add(`te.event_type = ANY (${w.param(q.eventTypes)}::text[])`);
  if (q.geEventTime) w.add(`te.event_time >= ${w.param(q.geEventTime.toISOString())}::timestamptz`);
  if (q.ltEventTime) w.add(`te.event_time < ${w.param(q.ltEventTime.toISOString())}::timestamptz`);
  if (q.geRecordTime) w.add(`te.record_time >= ${w.param(q.geRecordTime.toISOString())}::timestamptz`);
  if (q.ltRecordTime) w.add(`te.record_time < ${w.param(q.ltRecordTime.toISOString())}::timestamptz`);
  if (q.eventIds) w.add(`(te.event_id = ANY (${w.param(q.eventIds)}::text[]) OR te.event_hash = ANY (${w.param(q.eventIds)}::text[]))`);
  if (q.readPoints) w.add(`te.read_point = ANY (${w.param(q.readPoints)}::text[])`);
  if (q.actions) w.add(`te.document->>'action' = ANY (${w.param(q.actions)}::text[])`);
  if (q.epc) w.ids(q.epc, 'epcs');
  if (q.anyEpc) w.ids(q.anyEpc, 'any_epcs');
  if (q.bizSteps) w.add(`te.biz_step = ANY (${w.param(q.bizSteps)}::text[])`);
  if (q.dispositions) w.add(`te.disposition = ANY (${w.param(q.dispositions)}::text[])`);
  if (q.bizLocations) w.add(`te.biz_location = ANY (${w.param(q.bizLocations)}::text[])`);
  if (q.epcClass) w.ids(q.epcClass, 'epc_classes');
  if (q.anyEpcClass) w.ids(q.anyEpcClass, 'any_epc_classes');
  w.typed(q.bizTransactions, 'bizTransactionList', 'bizTransaction');
  w.typed(q.sources, 'sourceList', 'source');
  w.typed(q.destinations, 'destinationList', 'destination');
  const o = source.order;
  if (after) {
    w.add(`(${o}.block_number, ${o}.tx_index, ${o}.seq) > (${w.param(after.block)}::bigint, ${w.param(after.tx)}::int, ${w.param(after.seq)}::int)`);
  }
  const text = `SELECT te.block_number, te.tx_index, te.seq, te.document, te.record_time, te.captured
  FROM ${source.from}
 ${w.parts.length > 0 ? `WHERE ${w.parts.join('\n   AND ')}` : ''}
 ORDER BY ${o}.block_number, ${o}.tx_index, ${o}.seq
 LIMIT ${w.param(limit)}`;
  return { text, values: w.values };
}
