/**
 * Which EPCIS events a caller may see: the auditor role sees every event;
 * anyone else the events its organisation captured and the events naming a
 * location its organisation owns (business location or read point). Applied
 * in SQL (epcis-sql.ts), so pages, counts and page tokens stay right.
 */
import type { Principal } from '../../../../lib/domain/src';
import { scopeOf, type ReadScope } from '../visibility';

/** Undefined: every event; otherwise the organisation whose events are visible (the read model's one rule, visibility.ts). */
export type EventScope = ReadScope;

/** The scope of a caller. */
export const eventScope: (principal: Pick<Principal, 'roles' | 'org'> | undefined, ownerOrg: string) => EventScope = scopeOf;

/** The SQL predicate over `te` (epcis_events) for a scope; `param` binds a value. */
export function scopePredicate(scope: { org: string }, param: (v: unknown) => string): string {
  const org = param(scope.org);
  return `(te.capturer_msp = ${org} OR EXISTS (SELECT 1 FROM warehouses w WHERE w.gln = ANY (te.location_glns) AND w.owner_msp = ${org}))`;
}
