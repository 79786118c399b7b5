/**
 * Which EPCIS events a caller may see: the auditor role sees every event;
 * anyone else the events its organisation captured and the events naming a
 * location its organisation owns (business location or read point). Applied
 * in SQL (epcis-sql.ts), so pages, counts and page tokens stay right. The
 * grants are kept per event in epcis_event_readers (migration 019, by
 * triggers on events and locations).
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
 * The FROM clause of a page of events a scope may see, and the alias whose
 * position orders the page: for an organisation, its grants joined to the
 * events, so the page can walk them in event order (the primary key of
 * epcis_event_readers) and stop at the page's end.
 */
export function scopedEvents(scope: EventScope, param: (v: unknown) => string): { from: string; where?: string; order: string } {
  if (!scope) return { from: 'epcis_events te', order: 'te' };
  return {
    from: 'epcis_event_readers er JOIN epcis_events te ON te.block_number = er.block_number AND te.tx_index = er.tx_index AND te.seq = er.seq',
    where: `er.org = ${param(scope.org)}`,
    order: 'er',
  };
}
