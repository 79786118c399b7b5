/**
 * Which EPCIS events a caller may see: the auditor role sees every event;
 * anyone else the events its organisation captured and the events naming a
 * location its organisation owns (business location or read point). Applied
 * in SQL (epcis-sql.ts), so pages, counts and page tokens stay right. The
 * grants are kept per event in epcis_event_readers (migration 019, by
 * triggers on events and locations), with copies of the event's business
 * step, business location, classes and event time (migration 021) that
 * scoped pages filter on.
 */
import type { Principal } from '../../../../lib/domain/src';
import { scopeOf, type ReadScope } from '../visibility';

/** Undefined: every event; otherwise the organisation whose events are visible (the read model's one rule, visibility.ts). */
export type EventScope = ReadScope;

/** The scope of a caller. */
export const eventScope: (principal: Pick<Principal, 'roles' | 'org'> | undefined, ownerOrg: string) => EventScope = scopeOf;

/** The SQL predicate over `te` (epcis_events) for a scope; `param` binds a value. */
export function scopePredicate(scope: { org: string }, param: (v: unknown) => string): string {
  return `EXISTS (SELECT 1 FROM epcis_event_readers er
                   WHERE er.org = ${param(scope.org)} AND er.block_number = te.block_number AND er.tx_index = te.tx_index AND er.seq = te.seq)`;
}

/**
 * The grants of organisation `org` (a bound parameter) for events naming any of the classes `classes`
 * (a bound text[] parameter), as the GIN index of migration 021 finds them.
 */
export function classGrant(org: string, classes: string): string {
  return `epcis_reader_class_keys(er.org, er.any_epc_classes) && epcis_reader_class_keys(${org}::text, ${classes}::text[])`;
}
