/**
 * Which EPCIS events a caller may see: the auditor role sees every event;
 * anyone else the events its organisation captured and the events naming a
 * location its organisation owns (business location or read point). Applied
 * in SQL (epcis-sql.ts), so pages, counts and page tokens stay right.
 */
import type { Principal } from '../../../../lib/domain/src';

/** Undefined: every event; otherwise the organisation whose events are visible. */
export type EventScope = { org: string } | undefined;

/**
 * The scope of a caller. A token that names no organisation (accepted outside
 * production) counts as the indexer's own organisation, `ownerOrg`.
 */
export function eventScope(principal: Pick<Principal, 'roles' | 'org'> | undefined, ownerOrg: string): EventScope {
  if (principal?.roles.includes('auditor')) return undefined;
  return { org: principal?.org ?? ownerOrg };
}

/** The SQL predicate over `te` (epcis_events) for a scope; `param` binds a value. */
export function scopePredicate(scope: { org: string }, param: (v: unknown) => string): string {
  const org = param(scope.org);
  return `(te.capturer_msp = ${org} OR EXISTS (SELECT 1 FROM warehouses w WHERE w.gln = ANY (te.location_glns) AND w.owner_msp = ${org}))`;
}
