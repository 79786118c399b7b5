/**
 * The frame around every submitting transaction: parse the JSON argument,
 * answer a repeated eventId with the stored original result, run the handler,
 * store the event record under `event~eventId`, and emit exactly one
 * `TraceEvents` chaincode event.
 */
import { createHash } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import { TRACE_EVENT_NAME, type TxName } from '../../../lib/domain/src';
import { CanonicalText, canonicalBytes, canonicalJson } from './canonical-json';
import { EPCIS_CONTEXT, type EpcisEvent } from './epcis';
import { fail } from './errors';
import { Input } from './input';
import { OBJECT_TYPES, compositeKey } from './keys';
import { TxEnv } from './tx-env';
import { readCapturedEvents, type CapturedEvent } from './tx-epcis';

/** Name of the single chaincode event each submitting transaction emits. */
export { TRACE_EVENT_NAME };

/** What a handler returns: the business part of the result. */
export type HandlerResult = Record<string, unknown>;
export type Handler = (env: TxEnv, input: Input) => Promise<HandlerResult>;

/** Stored under `event~eventId`; the immutable record of one submitted fact set. */
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

export function eventKey(eventId: string): string {
  return compositeKey(OBJECT_TYPES.event, [eventId]);
}

export async function runSubmit(ctx: Context, fn: TxName, request: string, handler: Handler): Promise<string> {
  const input = Input.parse(request);
  const eventId = input.id('eventId');
  const actor = input.optStr('actor', { max: 256 });
  const requestHash = createHash('sha256')
    .update(canonicalJson(JSON.parse(request)))
    .digest('hex');

  const env = new TxEnv(ctx, fn, eventId, actor);
  const key = eventKey(eventId);
  const prior = await env.ledger.get<EventRecord>(key);
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
  await env.loadCaller();
  const body = await handler(env, input);
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
