/**
 * SubmitBatch: several independent submissions of one function in one ledger
 * transaction. An SAP material document of hundreds of items is hundreds of
 * submissions; booked one transaction each they wait for hundreds of blocks.
 *
 * Each item is booked exactly as if it had been submitted alone: its own
 * eventId and event record (so GetEvent, a resend, an error declaration or a
 * reversal finds it as a transaction of its own), its own EPCIS events, and a
 * repeated eventId answers the stored result without a second effect. The
 * items share one view of world state, in order: an item sees the stock the
 * items before it left. One refused item refuses the whole transaction (nothing
 * of it is written) and the error names it: `items[3].lines[0].quantity`, so
 * the caller can book the items before it and report that one.
 */
import { createHash } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import { CanonicalText, canonicalBytes, canonicalJson } from './canonical-json';
import { EPCIS_CONTEXT, type EpcisEvent } from './epcis';
import { fail, TraceError } from './errors';
import { Input } from './input';
import { Ledger } from './ledger';
import { eventKey, readEvent, TRACE_EVENT_NAME, type EventRecord, type Handler } from './submit';
import { TxEnv } from './tx-env';

/** Most items in one batch: keeps one transaction's write set and event payload bounded. */
export const MAX_BATCH_ITEMS = 500;

/** The item's error, named inside the batch (`items[3].` + its own field). */
function inItem(err: unknown, i: number): unknown {
  if (!(err instanceof TraceError)) return err;
  const field = err.field ? `items[${i}].${err.field}` : `items[${i}]`;
  const detail = err.field && err.detail.startsWith(`${err.field}: `) ? `${field}: ${err.detail.slice(err.field.length + 2)}` : err.detail;
  return new TraceError(err.code, detail, { field });
}

/**
 * Runs `items` (each the JSON argument the function takes alone, with its own
 * `eventId`) through `handlers[function]` in one transaction.
 */
export async function runBatch(ctx: Context, request: string, handlers: Record<string, Handler>): Promise<string> {
  const input = Input.parse(request);
  const eventId = input.id('eventId');
  const actor = input.optStr('actor', { max: 256 });
  const fn = input.oneOf('function', Object.keys(handlers));
  const handler = handlers[fn];
  input.list('items', 1, MAX_BATCH_ITEMS); // shape and bounds, with the usual error
  const rawItems = input.raw('items') as unknown[];
  const ledger = new Ledger(ctx);
  const txId = ctx.stub.getTxID();
  const events: EpcisEvent[] = [];
  const results: Record<string, unknown>[] = [];
  let member: TxEnv['member'];
  let loaded = false;
  let time = '';
  let mspId = '';
  for (const [i, raw] of rawItems.entries()) {
    try {
      const itemText = JSON.stringify(raw);
      const item = Input.parse(itemText);
      const itemEventId = item.id('eventId');
      const itemActor = item.optStr('actor', { max: 256 });
      // The same hash the item would have had submitted alone: a later single submission of it is a replay.
      const requestHash = createHash('sha256').update(canonicalJson(raw)).digest('hex');
      const env = new TxEnv(ctx, fn, itemEventId, itemActor, ledger);
      time = env.time;
      mspId = env.mspId;
      // Event ids are scoped per organisation, as for a single submission.
      const key = eventKey(env.mspId, itemEventId);
      const prior = await readEvent(ledger, env.mspId, itemEventId);
      if (prior) {
        if (prior.function !== fn || prior.requestHash !== requestHash) {
          throw fail.conflict(`eventId ${itemEventId} was already used by ${prior.function} with different content`, 'eventId');
        }
        results.push({ ...prior.result, replayOf: { txId: prior.txId } });
        continue;
      }
      if (!loaded) {
        await env.loadCaller();
        member = env.member;
        loaded = true;
      } else env.member = member;
      const body = await handler(env, item);
      const result = { ...body, eventId: itemEventId, txId };
      const itemEvents = env.events();
      const record: EventRecord = {
        docType: 'event',
        eventId: itemEventId,
        function: fn,
        mspId: env.mspId,
        actor: itemActor,
        txId,
        recordedAt: env.time,
        requestHash,
        result,
        epcisEvents: itemEvents,
      };
      await ledger.put(key, { ...record, epcisEvents: new CanonicalText(itemEvents) });
      events.push(...itemEvents);
      results.push(result);
    } catch (err) {
      throw inItem(err, i);
    }
  }
  await ledger.flush();
  ctx.stub.setEvent(
    TRACE_EVENT_NAME,
    canonicalBytes({
      '@context': EPCIS_CONTEXT,
      actor,
      eventId,
      events: new CanonicalText(events),
      function: fn,
      mspId,
      recordedAt: time,
      records: ledger.records(),
      txId,
    }),
  );
  return canonicalJson({ eventId, txId, items: results });
}
