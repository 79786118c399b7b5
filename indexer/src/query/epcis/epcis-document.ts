/**
 * The EPCIS 2.0 JSON-LD query document answered by `GET /epcis/events`, and
 * the mapping of a stored event into it. The chaincode's events carry a
 * `ct:ledger` extension member, so the document's @context declares the `ct`
 * prefix exactly as the chaincode does (chaincode/src/traceability/epcis.ts).
 */

/** GS1's EPCIS 2.0 context plus the project's extension prefix. */
export const EPCIS_QUERY_CONTEXT: readonly unknown[] = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ct: 'urn:coffee-trace:ns:' }];

/** Name of the query the REST binding's `GET /events` runs. */
export const QUERY_NAME = 'SimpleEventQuery';

/** A stored event row: the document as the chaincode emitted it, plus its record time. */
export interface StoredEvent {
  document: Record<string, unknown>;
  record_time: Date | string;
  /** A captured event, kept as its capturer wrote it (its document's namespaces ride along in `@context`). */
  captured?: boolean;
}

function iso(t: Date | string): string {
  return (t instanceof Date ? t : new Date(t)).toISOString();
}

/**
 * The event as a repository returns it: the stored members unchanged, with
 * `recordTime` (the ledger transaction's timestamp, the moment the ledger
 * recorded it) set by the repository as EPCIS requires.
 */
export function toQueryEvent(row: StoredEvent): Record<string, unknown> {
  const ev: Record<string, unknown> = { ...row.document };
  delete ev['@context'];
  ev.recordTime = iso(row.record_time);
  if (typeof ev.eventTimeZoneOffset !== 'string') ev.eventTimeZoneOffset = '+00:00';
  return ev;
}

/**
 * The namespace prefixes the page's captured events were written with, for
 * the query document's @context: `{prefix: IRI}` objects, first declaration
 * of a prefix wins (a later clash would need per-event contexts).
 */
export function eventContexts(rows: StoredEvent[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rows) {
    const ctx = r.document['@context'];
    for (const c of Array.isArray(ctx) ? ctx : [ctx]) {
      if (typeof c !== 'object' || c === null) continue;
      for (const [k, v] of Object.entries(c)) if (typeof v === 'string' && !(k in out) && k !== 'ct') out[k] = v;
    }
  }
  return out;
}

/** Wraps events into an `EPCISQueryDocument`; `namespaces` are the captured events' own prefixes. */
export function queryDocument(events: Record<string, unknown>[], now = new Date(), namespaces: Record<string, string> = {}): Record<string, unknown> {
  return {
    '@context': Object.keys(namespaces).length > 0 ? [...EPCIS_QUERY_CONTEXT, namespaces] : EPCIS_QUERY_CONTEXT,
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate: now.toISOString(),
    epcisBody: {
      queryResults: {
        queryName: QUERY_NAME,
        resultsBody: { eventList: events },
      },
    },
  };
}
