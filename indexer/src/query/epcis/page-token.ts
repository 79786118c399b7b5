/**
 * Opaque page tokens for `GET /epcis/events`: the position of the last event
 * returned (block number, transaction index, event index, i.e. record order)
 * and a fingerprint of the filters, so that a token cannot be replayed
 * against a different query.
 */
import { createHash } from 'node:crypto';

/** Record-order position of one event: block, transaction in block, event in transaction. */
export interface EventPosition {
  block: string;
  tx: number;
  seq: number;
}

/** Fingerprint of a canonical filter string (parameter order does not matter). */
export function filterFingerprint(canonicalFilters: string): string {
  return createHash('sha256').update(canonicalFilters).digest('base64url').slice(0, 16);
}

/** Encodes the position after which the next page starts. */
export function encodePageToken(pos: EventPosition, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ v: 1, b: pos.block, t: pos.tx, s: pos.seq, f: fingerprint }), 'utf8').toString('base64url');
}

/**
 * Decodes a token; returns undefined when it is malformed or was issued for
 * other filters (callers answer 400 naming `nextPageToken`).
 */
export function decodePageToken(token: string, fingerprint: string): EventPosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(token)) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (o.v !== 1 || o.f !== fingerprint) return undefined;
  if (typeof o.b !== 'string' || !/^\d{1,19}$/.test(o.b)) return undefined;
  if (!Number.isSafeInteger(o.t) || (o.t as number) < 0 || !Number.isSafeInteger(o.s) || (o.s as number) < 0) return undefined;
  return { block: o.b, tx: o.t as number, seq: o.s as number };
}
