/**
 * Who may see which rows of the read model: one rule set, applied in SQL by
 * every query route (docs/visibility.md has it as a table). The auditor role
 * sees everything; anyone else sees what its organisation owns or is a party
 * to. A token that names no organisation (accepted outside production) counts
 * as the indexer's own organisation.
 */
import type { Response } from 'express';
import type { QueryConfig } from 'pg';
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
const location = (gln: string, org: string) => `(${org}::text IS NULL OR EXISTS (SELECT 1 FROM warehouses vw WHERE vw.gln = ${gln} AND vw.owner_msp = ${org}))`;

const shipmentId = (id: string, org: string) =>
  `(${org}::text IS NULL OR EXISTS (SELECT 1 FROM shipments vs WHERE vs.shipment_id = ${id} AND (vs.sender_msp = ${org} OR vs.receiver_msp = ${org} OR vs.carrier = ${org})))`;

/**
 * A lot, by its provenance: visible to the member that commissioned it or
 * ever held it, and to every member that commissioned or held a lot made from
 * it (the upstream of what one holds). "Held": moved at a location the member
 * owns. Applied by the SQL functions lot_visible (one lot) and visible_lots (a
 * set of lots in one statement) of migration 022: the locations each lot moved
 * at are kept in lot_sites (migration 020), a few rows per lot however long its
 * movement history, the lots made from each lot, however far down, in
 * lot_descendants (022), one index range per lot instead of a walk of the
 * lineage; both are joined to the locations' current owners and the lots'
 * commissioners when the rule is applied. Each connection plans the functions'
 * statements once.
 */
const lot = (gtin: string, lotCode: string, org: string) => `(${org}::text IS NULL OR lot_visible(${gtin}, ${lotCode}, ${org}))`;

/**
 * The organisation's EPCIS events: those it captured and those naming a location it owns (business
 * location, read point), as kept per event in epcis_event_readers (migration 019; event-visibility.ts).
 */
const epcisEvent = (alias: string, org: string) =>
  `(${org}::text IS NULL OR EXISTS (SELECT 1 FROM epcis_event_readers ver
      WHERE ver.org = ${org} AND ver.block_number = ${alias}.block_number AND ver.tx_index = ${alias}.tx_index AND ver.seq = ${alias}.seq))`;

export const VISIBLE = {
  location,
  shipment: (alias: string, org: string) =>
    `(${org}::text IS NULL OR ${alias}.sender_msp = ${org} OR ${alias}.receiver_msp = ${org} OR ${alias}.carrier = ${org})`,
  shipmentId,
  order: (alias: string, org: string) => `(${org}::text IS NULL OR ${alias}.buyer_msp = ${org} OR ${alias}.supplier_msp = ${org})`,
  lot,
  epcisEvent,
  /**
   * A recall: the member that declared it and every member that may see a lot
   * it affects (a holder sees the recalls that touch what it holds or held).
   */
  recall: (alias: string, org: string) =>
    `(${org}::text IS NULL OR ${alias}.declared_by = ${org} OR EXISTS (SELECT 1 FROM jsonb_array_elements(${alias}.affected) vra
        WHERE ${lot("vra.value->>'gtin'", "vra.value->>'lotCode'", org)}))`,
  /**
   * A transaction of the ledger view. Every member sees the channel's
   * configurations and the consortium contract's transactions (membership is
   * known to all members); otherwise its creator sees it, and every member that
   * may see a fact it wrote: a stock movement, a custody step, an order, a lot
   * or lineage edge of its provenance, a recall it declared, an EPCIS event.
   */
  transaction: (t: string, org: string) => `(${org}::text IS NULL OR ${t}.tx_type = 'CONFIG' OR ${t}.creator_msp = ${org}
      OR EXISTS (SELECT 1 FROM governance_approvals vga WHERE vga.tx_id = ${t}.tx_id)
      OR EXISTS (SELECT 1 FROM consortium_members vcm WHERE vcm.tx_id = ${t}.tx_id)
      OR EXISTS (SELECT 1 FROM stock_movements vtm WHERE vtm.block_number = ${t}.block_number AND vtm.tx_index = ${t}.tx_index
                  AND (${location('vtm.gln', org)} OR (vtm.shipment_id IS NOT NULL AND ${shipmentId('vtm.shipment_id', org)})))
      OR EXISTS (SELECT 1 FROM custody_events vtc WHERE vtc.tx_id = ${t}.tx_id AND ${shipmentId('vtc.shipment_id', org)})
      OR EXISTS (SELECT 1 FROM purchase_orders vto WHERE vto.tx_id = ${t}.tx_id AND (vto.buyer_msp = ${org} OR vto.supplier_msp = ${org}))
      OR EXISTS (SELECT 1 FROM lot_lineage vtl WHERE vtl.tx_id = ${t}.tx_id AND ${lot('vtl.child_gtin', 'vtl.child_lot_code', org)})
      OR EXISTS (SELECT 1 FROM lots vtlo WHERE vtlo.tx_id = ${t}.tx_id AND ${lot('vtlo.gtin', 'vtlo.lot_code', org)})
      OR EXISTS (SELECT 1 FROM recalls vtr WHERE vtr.tx_id = ${t}.tx_id AND vtr.declared_by = ${org})
      OR EXISTS (SELECT 1 FROM epcis_events vte WHERE vte.block_number = ${t}.block_number AND vte.tx_index = ${t}.tx_index AND ${epcisEvent('vte', org)}))`,
  /**
   * An FSMA 204 critical tracking event (`trace_events`), as an EPCIS event:
   * the member whose transaction recorded it and the owner of its business location.
   */
  traceEvent: (alias: string, org: string) => `(${org}::text IS NULL
      OR EXISTS (SELECT 1 FROM transactions vft WHERE vft.block_number = ${alias}.block_number AND vft.tx_index = ${alias}.tx_index AND vft.creator_msp = ${org})
      OR EXISTS (SELECT 1 FROM warehouses vfw WHERE vfw.sgln = ${alias}.biz_location AND vfw.owner_msp = ${org}))`,
};

/**
 * May `org` (null: every row) see one lot, as a statement of its own: a named
 * (server-side prepared) statement, which each connection parses and plans
 * once. The answer's one row has `visible`.
 */
export function lotVisibleQuery(gtin: string, lotCode: string, org: string | null): QueryConfig<[string, string, string | null]> {
  return { name: 'lot-visible', text: `SELECT ${lot('$1', '$2', '$3')} AS visible`, values: [gtin, lotCode, org] };
}

/** Which of the lots `gtins[i]`/`lotCodes[i]` `org` may see, in one named statement; the answer's rows have gtin and lot_code. */
export function lotsVisibleQuery(gtins: string[], lotCodes: string[], org: string | null): QueryConfig<[string[], string[], string | null]> {
  return { name: 'lots-visible', text: 'SELECT gtin, lot_code FROM visible_lots($1::text[], $2::text[], $3::text)', values: [gtins, lotCodes, org] };
}
