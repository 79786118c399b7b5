/**
 * Projects a transaction's EPCIS repository events into epcis_events: the
 * captured events when the transaction carries them (as their capturer wrote
 * them), otherwise the events the chaincode derived itself. Each row keeps the
 * business eventTime, the ledger's record time and the CBV 2.0 event hash.
 */
import { cbvShortName, locationToGln, toCanonicalDigitalLink } from '../../../lib/domain/src';
import { eventHashId } from '../../../lib/epcis/src';
import type { RowOrigin } from './project-records';
import type { RowBuffer } from './row-buffer';
import { T } from './tables';
import type { TracePayload } from './trace-payload';

type Ev = Record<string, any>;

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

/** An identifier in the form the MATCH_ filters compare: its canonical Digital Link, else as written. */
export function matchForm(uri: string): string {
  return toCanonicalDigitalLink(uri) ?? uri;
}

const listed = (ev: Ev, lists: string[], field?: string): string[] => {
  const out = new Set<string>();
  for (const l of lists) {
    const v = ev[l];
    if (typeof v === 'string') out.add(matchForm(v));
    if (!Array.isArray(v)) continue;
    for (const e of v) {
      const id = field ? e?.[field] : e;
      if (typeof id === 'string') out.add(matchForm(id));
    }
  }
  return [...out];
};

/** EPCIS 2.0 query semantics: MATCH_epc looks at epcList and childEPCs, MATCH_anyEPC also at parentID, inputs and outputs. */
export const EPC_FIELDS = ['epcList', 'childEPCs'];
export const ANY_EPC_FIELDS = ['epcList', 'childEPCs', 'parentID', 'inputEPCList', 'outputEPCList'];
export const CLASS_FIELDS = ['quantityList', 'childQuantityList'];
export const ANY_CLASS_FIELDS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'];

/** Adds the epcis_events rows of one transaction. */
export function projectEpcisEvents(rows: RowBuffer, payload: TracePayload, o: RowOrigin, recordTime: string): void {
  const captured = Array.isArray(payload.captured);
  const events = (captured ? payload.captured! : payload.events) as Ev[];
  events.forEach((ev, seq) => {
    if (typeof ev !== 'object' || ev === null || typeof ev.type !== 'string') return;
    const eventTime = timeOf(ev.eventTime) ?? recordTime;
    const hash = hashOf(ev);
    const eventId = typeof ev.eventID === 'string' ? ev.eventID : (hash ?? `${payload.eventId}#${seq}`);
    const bizStep = typeof ev.bizStep === 'string' ? cbvShortName(ev.bizStep, 'bizstep') : null;
    const disposition = typeof ev.disposition === 'string' ? cbvShortName(ev.disposition, 'disp') : null;
    rows.add(T.epcisEvents, [
      o.blockNumber,
      o.txIndex,
      seq,
      o.txId,
      payload.eventId,
      eventId,
      hash ?? null,
      ev.type,
      eventTime,
      recordTime,
      bizStep,
      disposition,
      typeof ev.bizLocation?.id === 'string' ? ev.bizLocation.id : null,
      typeof ev.readPoint?.id === 'string' ? ev.readPoint.id : null,
      captured,
      listed(ev, EPC_FIELDS),
      listed(ev, ANY_EPC_FIELDS),
      listed(ev, CLASS_FIELDS, 'epcClass'),
      listed(ev, ANY_CLASS_FIELDS, 'epcClass'),
      JSON.stringify(ev),
      o.creatorMsp,
      locationGlns(ev),
    ]);
  });
}

/** The GLNs of the locations an event names (business location, read point): their owners may see it. */
function locationGlns(ev: Ev): string[] {
  const out = new Set<string>();
  for (const id of [ev.bizLocation?.id, ev.readPoint?.id]) {
    if (typeof id !== 'string') continue;
    const gln = locationToGln(id);
    if (gln.ok) out.add(gln.value);
  }
  return [...out];
}
