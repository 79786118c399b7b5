/**
 * SQL for `GET /epcis/events`: one parameterised statement over epcis_events
 * in record order (block, transaction, event index). JSON filters use
 * containment (`@>`) and identifier arrays, which the GIN indexes of migration 009 serve.
 */
import { createHash } from 'node:crypto';
import type { ClassMatch, EventQuery, TypedFilter } from './epcis-params';
import { classGrant, type EventScope } from './event-visibility';
import type { EventPosition } from './page-token';

/** A statement and its parameters; `name` when the server may keep its plan (node-postgres prepares it once per connection). */
export interface Statement {
  text: string;
  values: unknown[];
  name?: string;
}

/**
 * The page statements the server keeps prepared, by text: only those whose best plan is the same for
 * every value (see eventPageStatement), and at most PREPARED_MAX texts, so a connection holds few.
 */
const PREPARED_MAX = 64;
const prepared = new Map<string, string>();

function preparedName(text: string): string | undefined {
  const known = prepared.get(text);
  if (known !== undefined || prepared.size >= PREPARED_MAX) return known;
  const name = `epcis_page_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
  prepared.set(text, name);
  return name;
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

/** `= $n` for one value (an index on the column then keeps its order), `= ANY ($n)` for several. */
function oneOf(w: Where, values: string[]): string {
  return values.length === 1 ? `= ${w.param(values[0])}` : `= ANY (${w.param(values)}::text[])`;
}

/**
 * The page query: at most `limit` events after `after` that `scope` may see, with their record time.
 *
 * Unscoped, one walk of epcis_events in record order. For an organisation, a walk of its grants
 * (epcis_event_readers) in the same order: the filters the grants carry (business step and location,
 * exact classes, event time; migration 021) are tested on them, through their indexes. When every
 * filter is one of those, the page is chosen among the grants alone and only its events are read;
 * otherwise the grants are joined to the events and the other filters tested on each.
 */
export function eventPageStatement(q: EventQuery, after: EventPosition | undefined, limit: number, scope?: EventScope): Statement {
  const w = new Where();
  // Conditions on the grants (er) when scoped, on the events (te) otherwise; w.parts holds those only the events answer.
  const grants: string[] = [];
  const g = scope ? 'er' : 'te';
  const classes = scope && q.anyEpcClass && q.anyEpcClass.prefixes.length === 0 ? q.anyEpcClass.exact : undefined;
  if (scope) {
    const org = w.param(scope.org);
    // The class keys name the organisation: with them, a test of er.org would only add a second index search.
    grants.push(classes ? classGrant(org, w.param(classes)) : `er.org = ${org}`);
  }
  if (q.eventTypes) w.add(`te.event_type = ANY (${w.param(q.eventTypes)}::text[])`);
  if (q.geEventTime) grants.push(`${g}.event_time >= ${w.param(q.geEventTime.toISOString())}::timestamptz`);
  if (q.ltEventTime) grants.push(`${g}.event_time < ${w.param(q.ltEventTime.toISOString())}::timestamptz`);
  if (q.geRecordTime) w.add(`te.record_time >= ${w.param(q.geRecordTime.toISOString())}::timestamptz`);
  if (q.ltRecordTime) w.add(`te.record_time < ${w.param(q.ltRecordTime.toISOString())}::timestamptz`);
  if (q.eventIds) w.add(`(te.event_id = ANY (${w.param(q.eventIds)}::text[]) OR te.event_hash = ANY (${w.param(q.eventIds)}::text[]))`);
  if (q.readPoints) w.add(`te.read_point = ANY (${w.param(q.readPoints)}::text[])`);
  if (q.actions) w.add(`te.document->>'action' = ANY (${w.param(q.actions)}::text[])`);
  if (q.epc) w.ids(q.epc, 'epcs');
  if (q.anyEpc) w.ids(q.anyEpc, 'any_epcs');
  if (q.bizSteps) grants.push(`${g}.biz_step ${oneOf(w, q.bizSteps)}`);
  if (q.dispositions) w.add(`te.disposition = ANY (${w.param(q.dispositions)}::text[])`);
  if (q.bizLocations) grants.push(`${g}.biz_location ${oneOf(w, q.bizLocations)}`);
  if (q.epcClass) w.ids(q.epcClass, 'epc_classes');
  if (q.anyEpcClass && !classes) w.ids(q.anyEpcClass, 'any_epc_classes');
  w.typed(q.bizTransactions, 'bizTransactionList', 'bizTransaction');
  w.typed(q.sources, 'sourceList', 'source');
  w.typed(q.destinations, 'destinationList', 'destination');
  if (after) {
    grants.push(`(${g}.block_number, ${g}.tx_index, ${g}.seq) > (${w.param(after.block)}::bigint, ${w.param(after.tx)}::int, ${w.param(after.seq)}::int)`);
  }
  // A page filtered by nothing but one business step or one business location is one ordered walk of
  // an index whatever the values (the events', or the organisation's grants'), so its plan is kept on the
  // server and reused: it then costs no planning. Its limit is written in the text (a generic plan
  // assumes an unknown limit reads a tenth of the rows). Any other filter's best plan depends on its
  // values (how rare a class or a time range is), so those statements are planned for each call.
  const byIndex = q.bizSteps === undefined ? q.bizLocations : q.bizLocations === undefined ? q.bizSteps : [];
  const stable =
    w.parts.length === 0 &&
    !q.anyEpcClass &&
    !q.geEventTime &&
    !q.ltEventTime &&
    (byIndex === undefined || byIndex.length === 1) &&
    Number.isSafeInteger(limit);
  const limitSql = () => (stable ? String(limit) : w.param(limit));
  const order = `ORDER BY ${g}.block_number, ${g}.tx_index, ${g}.seq`;
  const columns = 'te.block_number, te.tx_index, te.seq, te.document, te.record_time, te.captured';
  const join = 'JOIN epcis_events te ON te.block_number = er.block_number AND te.tx_index = er.tx_index AND te.seq = er.seq';
  if (scope && w.parts.length === 0) {
    const text = `SELECT ${columns}
  FROM (SELECT er.block_number, er.tx_index, er.seq FROM epcis_event_readers er
         WHERE ${grants.join('\n           AND ')}
         ${order}
         LIMIT ${limitSql()}) er
  ${join}
 ${order}`;
    return { text, values: w.values, name: stable ? preparedName(text) : undefined };
  }
  const where = [...grants, ...w.parts];
  const text = `SELECT ${columns}
  FROM ${scope ? `epcis_event_readers er ${join}` : 'epcis_events te'}
 ${where.length > 0 ? `WHERE ${where.join('\n   AND ')}` : ''}
 ${order}
 LIMIT ${limitSql()}`;
  return { text, values: w.values, name: stable ? preparedName(text) : undefined };
}
