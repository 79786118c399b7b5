/**
 * Projects a transaction's EPCIS repository events into epcis_events: the
 * captured events when the transaction carries them (as their capturer wrote
 * them), otherwise the events the chaincode derived itself. Each row keeps the
 * business eventTime, the ledger's record time and the CBV 2.0 event hash.
 */
import { eventHashId } from '../../../gateway/src/adapters/epcis/event-hash';
import { cbvShortName } from '../../../gateway/src/adapters/epcis/identifiers';
import type { RowOrigin } from './project-records';
import type { RowBuffer } from './row-buffer';
import { T } from './tables';
import type { TracePayload } from './trace-payload';

type Ev = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON from the ledger

/** A time that PostgreSQL accepts, or undefined. */
function timeOf(v: unknown): string | undefined {
  return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : undefined;
}

/** The event's hash, or undefined for an event the algorithm cannot read (it is still recorded). */
function hashOf(ev: Ev): string | undefined {
  try {
    return eventHashId(ev, ev['@context']);
  } catch {
    return undefined;
  }
}

/** Adds the epcis_events rows of one transaction. */
export function projectEpcisEvents(rows: RowBuffer, payload: TracePayload, o: RowOrigin, recordTime: string): void {
  const captured = Array.isArray(payload.captured);
  const events = (captured ? payload.captured! : payload.events) as Ev[];
  events.forEach((ev, seq) => {
    if (typeof ev !== 'object' || ev === null || typeof ev.type !== 'string') return;
    const eventTime = timeOf(ev.eventTime) ?? recordTime;
    const hash = hashOf(ev);
    const eventId = typeof ev.eventID === 'string' ? ev.eventID : hash ?? `${payload.eventId}#${seq}`;
    const bizStep = typeof ev.bizStep === 'string' ? cbvShortName(ev.bizStep, 'bizstep') : null;
    const disposition = typeof ev.disposition === 'string' ? cbvShortName(ev.disposition, 'disp') : null;
    rows.add(T.epcisEvents, [
      o.blockNumber, o.txIndex, seq, o.txId, payload.eventId, eventId, hash ?? null, ev.type, eventTime, recordTime, bizStep, disposition,
      typeof ev.bizLocation?.id === 'string' ? ev.bizLocation.id : null, typeof ev.readPoint?.id === 'string' ? ev.readPoint.id : null, captured, JSON.stringify(ev),
    ]);
  });
}
