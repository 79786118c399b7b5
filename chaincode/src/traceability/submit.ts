/**
 * The frame around every submitting transaction: parse the JSON argument,
 * answer a repeated eventId with the stored original result, run the handler,
 * store the event record under `event~eventId~mspId`, and emit exactly one
 * `TraceEvents` chaincode event.
 *
 * Event ids are chosen by the caller and scoped to the submitting
 * organisation: two members may use the same id, and none can take (or
 * block) another's. Records written before ids were scoped sit under
 * `event~eventId` and still count for the organisation that wrote them.
 */
import { createHash } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import { TRACE_EVENT_NAME, type TxName } from '../../../lib/domain/src';
import { CanonicalText, canonicalBytes, canonicalJson } from './canonical-json';
import { EPCIS_CONTEXT, type EpcisEvent } from './epcis';
import { fail } from './errors';
import { Input } from './input';
import { OBJECT_TYPES, compositeKey } from './keys';
import type { Ledger } from './ledger';
import { TxEnv } from './tx-env';
import { indexCapturedHashes, readCapturedEvents, readCapturedHashes, type CapturedEvent } from './tx-epcis';

/** Name of the single chaincode event each submitting transaction emits. */
export { TRACE_EVENT_NAME };

/** What a handler returns: the business part of the result. */
export type HandlerResult = Record<string, unknown>;
export type Handler = (env: TxEnv, input: Input) => Promise<HandlerResult>;

/** Stored under `event~eventId~mspId`; the immutable record of one submitted fact set. */
export interface EventRecord {
  docType: 'event';
  eventId: string;
  function: string;
  mspId: string;
  actor?: string;
  txId: string;
  recordedAt: string;
  requestHash: string;
  result: Record<string, unknown>;
  epcisEvents: EpcisEvent[];
  /** The EPCIS events as captured, when the transaction records a captured document's events. */
  captured?: CapturedEvent[];
}

/** Key of the event record of `eventId` as submitted by `mspId`. */
export function eventKey(mspId: string, eventId: string): string {
  return compositeKey(OBJECT_TYPES.event, [eventId, mspId]);
}

/** Key of an event record written before event ids were scoped per organisation. */
export function legacyEventKey(eventId: string): string {
  return compositeKey(OBJECT_TYPES.event, [eventId]);
}

/** Key of the error declaration about event `eventId` of `mspId` (only an event's recorder declares it in error). */
export function correctionKey(ledger: Ledger, mspId: string, eventId: string): string {
  return ledger.key(OBJECT_TYPES.correction, [eventId, mspId]);
}

/** The event record of `eventId` submitted by `mspId`, if any (an unscoped record counts only for its own submitter). */
export async function readEvent(ledger: Ledger, mspId: string, eventId: string): Promise<EventRecord | undefined> {
  const scoped = await ledger.get<EventRecord>(eventKey(mspId, eventId));
  if (scoped) return scoped;
  const legacy = await ledger.get<EventRecord>(legacyEventKey(eventId));
  return legacy?.mspId === mspId ? legacy : undefined;
}

/**
 * Transient entries that are part of a request (an order's terms, a payment's
 * transfer), unlike verified copies of private records the caller passes
 * along: the same eventId with other terms is a conflict, not a replay. Only
 * their hashes enter the request hash, which the event record keeps.
 */
const REQUEST_TRANSIENT = ['payment', 'terms'];

function transientDigest(ctx: Context): string {
  const map = ctx.stub.getTransient();
  let out = '';
  for (const name of REQUEST_TRANSIENT) {
    const raw = map.get(name);
    if (!raw || raw.length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(raw).toString('utf8'));
    } catch {
      throw fail.invalid(name, `transient data "${name}" is not valid JSON`);
    }
    out += `\n${name}:${createHash('sha256').update(canonicalJson(value)).digest('hex')}`;
  }
  return out;
}

export async function runSubmit(ctx: Context, fn: TxName, request: string, handler: Handler): Promise<string> {
  const input = Input.parse(request);
  const eventId = input.id('eventId');
  const actor = input.optStr('actor', { max: 256 });
  const requestHash = createHash('sha256')
    .update(canonicalJson(JSON.parse(request)))
    .update(transientDigest(ctx))
    .digest('hex');

  const env = new TxEnv(ctx, fn, eventId, actor);
  const key = eventKey(env.mspId, eventId);
  const prior = await readEvent(env.ledger, env.mspId, eventId);
  if (prior) {
    if (prior.function !== fn || prior.requestHash !== requestHash) {
      throw fail.conflict(`eventId ${eventId} was already used by ${prior.function} with different content`, 'eventId');
    }
    // A retry: no second effect. Still one event per transaction, carrying no new facts.
    ctx.stub.setEvent(
      TRACE_EVENT_NAME,
      canonicalBytes({
        eventId,
        events: [],
        function: fn,
        mspId: env.mspId,
        recordedAt: env.time,
        records: [],
        replayOf: { txId: prior.txId },
        txId: env.txId,
      }),
    );
    return canonicalJson(prior.result);
  }

  // Checked before the handler runs, so a malformed event costs no world-state reads.
  const captured = readCapturedEvents(input);
  const hashes = readCapturedHashes(input);
  await env.loadCaller();
  const body = await handler(env, input);
  await indexCapturedHashes(env, hashes, eventId);
  const result = { ...body, eventId, txId: env.txId };
  const events = env.events();
  // The events (and captured ones) go into the event record and the chaincode event: serialised once for both.
  const eventsText = new CanonicalText(events);
  const record: EventRecord = {
    docType: 'event',
    eventId,
    function: fn,
    mspId: env.mspId,
    actor,
    txId: env.txId,
    recordedAt: env.time,
    requestHash,
    result,
    epcisEvents: events,
    ...(captured ? { captured } : {}),
  };
  const capturedText = captured ? new CanonicalText(captured) : undefined;
  await env.ledger.put(key, { ...record, epcisEvents: eventsText, captured: capturedText });
  await env.ledger.flush();
  ctx.stub.setEvent(
    TRACE_EVENT_NAME,
    canonicalBytes({
      '@context': EPCIS_CONTEXT,
      actor,
      captured: capturedText,
      eventId,
      events: eventsText,
      function: fn,
      mspId: env.mspId,
      recordedAt: env.time,
      records: env.ledger.records(),
      txId: env.txId,
    }),
  );
  return canonicalJson(result);
}
