/**
 * SQL for `GET /epcis/events`: one parameterised statement over trace_events
 * in record order (block, transaction, event index). JSON filters use
 * containment (`@>`), which the GIN index of migration 005 serves.
 */
import type { ClassMatch, EventQuery, TypedFilter } from './epcis-params';
import type { EventPosition } from './page-token';

/** A statement and its parameters. */
export interface Statement {
  text: string;
  values: unknown[];
}

/** Lists that MATCH_epcClass and MATCH_anyEPCClass look into (EPCIS 2.0, 8.2.7.1). */
export const EPC_CLASS_LISTS = ['quantityList', 'childQuantityList'];
export const ANY_EPC_CLASS_LISTS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'];

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

  classes(m: ClassMatch, lists: string[]): void {
    const alts: string[] = [];
    for (const list of lists) {
      for (const v of m.exact) alts.push(`te.document @> ${this.param(JSON.stringify({ [list]: [{ epcClass: v }] }))}::jsonb`);
      if (m.prefixes.length > 0) {
        alts.push(`EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(te.document->'${list}') = 'array' THEN te.document->'${list}' ELSE '[]'::jsonb END) q`
          + ` WHERE q->>'epcClass' LIKE ANY (${this.param(m.prefixes.map(likePrefix))}::text[]))`);
      }
    }
    this.add(`(${alts.join(' OR ')})`);
  }

  typed(filters: TypedFilter[], list: string, field: string): void {
    for (const f of filters) this.anyContains(f.values.map((v) => ({ [list]: [{ type: f.type, [field]: v }] })));
  }
}

/** The page query: at most `limit` events after `after`, with their record time. */
export function eventPageStatement(q: EventQuery, after: EventPosition | undefined, limit: number): Statement {
  const w = new Where();
  if (q.eventTypes) w.add(`te.event_type = ANY (${w.param(q.eventTypes)}::text[])`);
  if (q.geEventTime) w.add(`te.event_time >= ${w.param(q.geEventTime.toISOString())}::timestamptz`);
  if (q.ltEventTime) w.add(`te.event_time < ${w.param(q.ltEventTime.toISOString())}::timestamptz`);
  if (q.geRecordTime) w.add(`COALESCE(t.tx_time, te.event_time) >= ${w.param(q.geRecordTime.toISOString())}::timestamptz`);
  if (q.ltRecordTime) w.add(`COALESCE(t.tx_time, te.event_time) < ${w.param(q.ltRecordTime.toISOString())}::timestamptz`);
  if (q.bizSteps) w.add(`te.biz_step = ANY (${w.param(q.bizSteps)}::text[])`);
  if (q.dispositions) w.add(`te.disposition = ANY (${w.param(q.dispositions)}::text[])`);
  if (q.bizLocations) w.add(`te.biz_location = ANY (${w.param(q.bizLocations)}::text[])`);
  if (q.epcClass) w.classes(q.epcClass, EPC_CLASS_LISTS);
  if (q.anyEpcClass) w.classes(q.anyEpcClass, ANY_EPC_CLASS_LISTS);
  w.typed(q.bizTransactions, 'bizTransactionList', 'bizTransaction');
  w.typed(q.sources, 'sourceList', 'source');
  w.typed(q.destinations, 'destinationList', 'destination');
  if (after) {
    w.add(`(te.block_number, te.tx_index, te.seq) > (${w.param(after.block)}::bigint, ${w.param(after.tx)}::int, ${w.param(after.seq)}::int)`);
  }
  const text = `SELECT te.block_number, te.tx_index, te.seq, te.document, COALESCE(t.tx_time, te.event_time) AS record_time
  FROM trace_events te
  LEFT JOIN transactions t ON t.block_number = te.block_number AND t.tx_index = te.tx_index
 ${w.parts.length > 0 ? `WHERE ${w.parts.join('\n   AND ')}` : ''}
 ORDER BY te.block_number, te.tx_index, te.seq
 LIMIT ${w.param(limit)}`;
  return { text, values: w.values };
}
