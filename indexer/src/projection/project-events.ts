/**
 * Projects a transaction's EPCIS events: the documents themselves
 * (trace_events) and every stock line on them (stock_movements, and the
 * balance after it into stock_levels / transit_levels).
 */
import type { RowOrigin } from './project-records';
import type { RowBuffer } from './row-buffer';
import { T } from './tables';
import type { EpcisEventPayload, StockLinePayload } from './trace-payload';

/** A stock line with the event it came from, for the outbox. */
export interface ProjectedMovement {
  movementId: string;
  line: StockLinePayload;
  event: EpcisEventPayload;
}

/** Stable id of the `j`-th stock line of an EPCIS event. */
export function movementId(epcisEventId: string, j: number): string {
  return `${epcisEventId}#${j}`;
}

/** First day (UTC) of the month of an ISO time, e.g. '2026-03-01'. */
export function monthOf(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new Error(`not a time: "${iso}"`);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-01`;
}

/** Adds the rows of a transaction's events; returns its movements and the months they fall in. */
export function projectEvents(
  rows: RowBuffer,
  events: EpcisEventPayload[],
  ledgerEventId: string,
  o: RowOrigin,
): { movements: ProjectedMovement[]; months: Set<string> } {
  const movements: ProjectedMovement[] = [];
  const months = new Set<string>();
  let seq = 0;
  events.forEach((ev, i) => {
    const eventTime = ev.eventTime ?? o.time;
    rows.add(T.traceEvents, [
      ev.eventID,
      o.txId,
      o.blockNumber,
      o.txIndex,
      i,
      ledgerEventId,
      ev.type,
      eventTime,
      ev.bizStep ?? null,
      ev.disposition ?? null,
      ev.bizLocation?.id ?? null,
      JSON.stringify(ev),
    ]);
    const stock = ev['ct:ledger']?.stock ?? [];
    // An error declaration repeats the original event: its stock lines were projected with the original.
    if (ev.errorDeclaration) return;
    stock.forEach((line, j) => {
      const id = movementId(ev.eventID, j);
      months.add(monthOf(eventTime));
      rows.add(T.stockMovements, [
        id,
        eventTime,
        o.blockNumber,
        o.txIndex,
        seq++,
        o.txId,
        ev.eventID,
        line.position,
        line.gln ?? null,
        line.shipmentId ?? null,
        line.gtin,
        line.lotCode,
        line.delta,
        line.deltaBaseUnits,
        line.quantity,
        line.baseUnits,
        ev.bizStep ?? '',
        ev.disposition ?? null,
      ]);
      if (line.position === 'on_hand') {
        rows.add(T.stockLevels, [line.gln, line.gtin, line.lotCode, line.quantity, line.baseUnits, o.txId, o.blockNumber]);
      } else {
        rows.add(T.transitLevels, [line.shipmentId, line.gtin, line.lotCode, line.quantity, line.baseUnits, o.txId, o.blockNumber]);
      }
      movements.push({ movementId: id, line, event: ev });
    });
  });
  return { movements, months };
}
