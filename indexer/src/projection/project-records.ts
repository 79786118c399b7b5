/**
 * Projects the entities a transaction wrote (the payload's `records`) into
 * master data and documents: warehouses, inventory items, lots and their
 * lineage, shipments with lines and custody events, orders, payments, recalls.
 */
import type { RowBuffer } from './row-buffer';
import { T } from './tables';
import { splitKey, type WrittenRecordPayload } from './trace-payload';

/** Where a projected row came from. */
export interface RowOrigin {
  txId: string;
  blockNumber: string;
  txIndex: number;
  creatorMsp: string;
  endorserMsps: string[];
  time: string;
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
const opt = (v: unknown) => (v === undefined || v === null ? null : v);

/** Adds the rows of one written record to `rows`. Unknown record types go to ledger_records only. */
export function projectRecord(rows: RowBuffer, rec: WrittenRecordPayload, o: RowOrigin): void {
  const v = rec.value as any;
  const { type } = splitKey(rec.key);
  const at = [o.txId, o.blockNumber];
  switch (type) {
    case 'location':
      rows.add(T.warehouses, [v.gln, v.name, v.type, v.ownerMsp, opt(v.partyGln), v.sgln, json(v.address ?? {}), ...at]);
      rows.add(T.suppliers, [v.ownerMsp, ...at]);
      return;
    case 'product':
      rows.add(T.inventoryItems, [v.gtin, v.description, v.unit, opt(v.category), v.registeredBy, ...at]);
      return;
    case 'lot':
      rows.add(T.lots, [
        v.gtin,
        v.lotCode,
        v.epcClass,
        v.status,
        json(v.origin),
        opt(v.productionDate),
        opt(v.expiryDate),
        opt(v.bestBeforeDate),
        v.certificates ?? [],
        v.recallIds ?? [],
        v.commissionedAt,
        v.commissionedBy,
        v.commissionedAtGln,
        ...at,
      ]);
      for (const p of (v.parents ?? []) as { gtin: string; lotCode: string }[]) {
        rows.add(T.lotLineage, [p.gtin, p.lotCode, v.gtin, v.lotCode, ...at]);
      }
      return;
    case 'shipment':
      rows.add(T.shipments, [
        v.shipmentId,
        v.fromGln,
        v.toGln,
        v.senderMsp,
        v.receiverMsp,
        v.status,
        v.owner,
        v.possessor,
        v.ownershipTransfer,
        opt(v.carrier),
        opt(v.poId),
        opt(v.desadv),
        opt(v.bol),
        Boolean(v.hasDiscrepancy),
        v.createdAt,
        opt(v.dispatchedAt),
        opt(v.receivedAt),
        v.receiptCount ?? 0,
        opt(v.closedAt),
        ...at,
      ]);
      for (const l of (v.lines ?? []) as any[]) {
        rows.add(T.shipmentLines, [
          v.shipmentId,
          l.lineNo,
          l.gtin,
          l.lotCode,
          l.quantity,
          opt(l.dispatched),
          opt(l.received),
          opt(l.damaged),
          opt(l.short),
          opt(l.over),
          ...at,
        ]);
      }
      rows.add(T.custodyEvents, [
        v.shipmentId,
        o.txId,
        o.blockNumber,
        o.txIndex,
        v.status,
        v.owner,
        v.possessor,
        v.fromGln,
        v.toGln,
        o.creatorMsp,
        o.endorserMsps,
        o.time,
      ]);
      return;
    case 'receipt':
      rows.add(T.shipmentReceipts, [
        v.shipmentId,
        v.receiptNo,
        v.gln,
        v.eventId,
        Boolean(v.closed),
        json(v.lines ?? []),
        json(v.discrepancies ?? []),
        v.receivedAt,
        ...at,
      ]);
      return;
    case 'po': {
      // Orders written since their terms became the parties' private data carry only the hash of the terms:
      // the amount columns stay empty (the parties read terms from their own peers through their gateways).
      const terms = v.paymentTerms ?? {};
      rows.add(T.purchaseOrders, [
        v.poId,
        v.buyerMsp,
        v.supplierMsp,
        opt(v.shipToGln),
        v.status,
        opt(terms.chainId),
        opt(terms.asset),
        opt(terms.amountBaseUnits),
        opt(v.paidBaseUnits),
        v.paymentCount ?? 0,
        json(v.lines ?? []),
        opt(terms.dueDate),
        v.createdAt,
        opt(v.termsHash),
        opt(v.termsRetainUntil),
        opt(v.termsPurgedAt),
        ...at,
      ]);
      return;
    }
    case 'payment':
      rows.add(T.payments, [
        v.chainId,
        v.txHash,
        v.logIndex ?? -1,
        v.poId,
        opt(v.asset),
        opt(v.from),
        opt(v.to),
        opt(v.amountBaseUnits),
        v.blockNumber,
        v.recordedBy,
        v.recordedAt,
        ...at,
      ]);
      return;
    case 'recall':
      rows.add(T.recalls, [v.recallId, v.reason, v.declaredBy, v.declaredAt, Boolean(v.includeDescendants), json(v.lots ?? []), json(v.affected ?? []), ...at]);
      return;
    default:
      rows.add(T.ledgerRecords, [rec.key, String(v.docType ?? type), json(v), ...at]);
  }
}
