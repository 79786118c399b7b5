/**
 * Event ids for captured EPCIS events. The ledger's eventId makes a
 * transaction idempotent, so a re-captured document must yield the same ids:
 * a given `eventID` is kept, a missing one is derived from the event's
 * content, never from time or randomness.
 */
import { createHash } from 'node:crypto';
import { stableJson } from '../../submission/executor';
import { LEDGER_ID, cbvShortName } from '../../../../lib/domain/src';
import { canonicalTime } from '../../../../lib/epcis/src';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The id assigned to an event without `eventID`: `epcis-` and the SHA-256 of
 * the event's JSON with object keys sorted (whitespace and key order do not
 * matter; every value does, eventTime included). Two identical events are one
 * event. This is the gateway's own rule, not the CBV 2.0 event-hash algorithm.
 */
export function assignedEventId(event: Record<string, unknown>): string {
  const { eventID: _none, ...rest } = event;
  return `epcis-${sha256(stableJson(rest))}`;
}

/**
 * The chaincode eventId of the k-th transaction an event becomes. The EPCIS
 * eventID is used as it is when the chaincode accepts it (`urn:uuid:…` does);
 * otherwise (`ni:///sha-256;…?ver=CBV2.0` has `;`, `?` and `=`), or when a
 * suffix makes it too long, its SHA-256 stands in, so the mapping stays stable.
 */
export function ledgerEventId(eventID: string, suffix?: string): string {
  const id = suffix ? `${eventID}/${suffix}` : eventID;
  return LEDGER_ID.test(id) ? id : `epcis-${sha256(id)}`;
}

/** An error declaration's fields in a comparable form: times in UTC, CBV reasons as bare words, corrective ids sorted. */
export function declarationKey(ev: Record<string, unknown> | undefined): string {
  const d = ev?.errorDeclaration as { declarationTime?: string; reason?: string; correctiveEventIDs?: string[] } | undefined;
  if (!d) return '';
  return stableJson({
    declarationTime: typeof d.declarationTime === 'string' ? canonicalTime(d.declarationTime) : null,
    reason: typeof d.reason === 'string' ? cbvShortName(d.reason, 'er') : null,
    correctiveEventIDs: [...(d.correctiveEventIDs ?? [])].sort(),
  });
}

/**
 * What identifies a captured event on the ledger's hash index: its CBV 2.0
 * event hash; for an error declaration, which shares the hash of the event it
 * declares, a digest of that hash and the declaration (written like an event
 * hash ID so the index holds one kind of key).
 */
export function captureIdentity(eventHash: string, event: Record<string, unknown>): string {
  if (event.errorDeclaration === undefined) return eventHash;
  return `ni:///sha-256;${sha256(`${eventHash}|declaration|${declarationKey(event)}`)}?ver=CBV2.0`;
}
