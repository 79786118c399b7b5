/**
 * Who may see which rows of the read model: one rule set, applied in SQL by
 * every query route (docs/visibility.md has it as a table). The auditor role
 * sees everything; anyone else sees what its organisation owns or is a party
 * to. A token that names no organisation (accepted outside production) counts
 * as the indexer's own organisation.
 */
import type { Response } from 'express';
import type { Principal } from '../../../lib/domain/src';

/** Undefined: every row; otherwise the organisation whose rows are visible. */
export type ReadScope = { org: string } | undefined;

/** The scope of a caller. */
export function scopeOf(principal: Pick<Principal, 'roles' | 'org'> | undefined, ownerOrg: string): ReadScope {
  if (principal?.roles.includes('auditor')) return undefined;
  return { org: principal?.org ?? ownerOrg };
}

/** The scope of the request `res` answers (its verified principal, the indexer's organisation). */
export function requestScope(res: Response): ReadScope {
  return scopeOf(res.locals.principal as Principal | undefined, String(res.locals.ownerOrg ?? ''));
}

/** The organisation of a scope as a query parameter: NULL (every row) for the auditor. */
export function scopeParam(scope: ReadScope): string | null {
  return scope?.org ?? null;
}

/**
 * SQL predicates, each true when the organisation bound to `org` (a `$n` of
 * text, NULL for every row) may see the row: a location it owns, a shipment
 * it sends, receives or carries, an order it places or supplies. Column
 * arguments must be qualified by their table's alias (`m.gln`): inside the
 * predicates' subqueries an unqualified name would be the subquery's own column.
 */
export const VISIBLE = {
  location: (gln: string, org: string) => `(${org}::text IS NULL OR EXISTS (SELECT 1 FROM warehouses vw WHERE vw.gln = ${gln} AND vw.owner_msp = ${org}))`,
  shipment: (alias: string, org: string) =>
    `(${org}::text IS NULL OR ${alias}.sender_msp = ${org} OR ${alias}.receiver_msp = ${org} OR ${alias}.carrier = ${org})`,
  shipmentId: (id: string, org: string) =>
    `(${org}::text IS NULL OR EXISTS (SELECT 1 FROM shipments vs WHERE vs.shipment_id = ${id} AND (vs.sender_msp = ${org} OR vs.receiver_msp = ${org} OR vs.carrier = ${org})))`,
  order: (alias: string, org: string) => `(${org}::text IS NULL OR ${alias}.buyer_msp = ${org} OR ${alias}.supplier_msp = ${org})`,
  /**
   * A lot, by its provenance: visible to the member that commissioned it or
   * ever held it, and to every member that commissioned or held a lot made from
   * it (the upstream of what one holds). Descendants are walked once each
   * (UNION over the lot key), so a diamond-shaped graph stays linear.
   */
  lot: (gtin: string, lot: string, org: string) => `(${org}::text IS NULL OR EXISTS (
      WITH RECURSIVE made_from(gtin, lot_code) AS (
        SELECT ${gtin}::text, ${lot}::text
        UNION
        SELECT ll.child_gtin, ll.child_lot_code FROM lot_lineage ll JOIN made_from mf ON ll.parent_gtin = mf.gtin AND ll.parent_lot_code = mf.lot_code
      )
      SELECT 1 FROM made_from mf
       WHERE EXISTS (SELECT 1 FROM lots vl WHERE vl.gtin = mf.gtin AND vl.lot_code = mf.lot_code AND vl.commissioned_by = ${org})
          OR EXISTS (SELECT 1 FROM stock_movements vm JOIN warehouses vmw ON vmw.gln = vm.gln
                      WHERE vm.gtin = mf.gtin AND vm.lot_code = mf.lot_code AND vmw.owner_msp = ${org})))`,
};
