/**
 * What each committed transaction publishes: one outbox row per fact, with a
 * stable CloudEvents id (the same on every replay and rebuild), the topic of
 * its aggregate and the aggregate id as Kafka key, so each key stays in order.
 */
import type { MessageEnvelope, StockMovedData, TransactionData } from '../events/event-messages';
import type { ProjectedMovement } from './project-events';
import type { RowBuffer } from './row-buffer';
import { T } from './tables';
import { splitKey, type TracePayload, type WrittenRecordPayload } from './trace-payload';

/** Version of every message payload; bumped on incompatible changes. */
export const SCHEMA_VERSION = 1;

/** Aggregate names; a topic is `<prefix>.<aggregate>`. */
export const TOPICS = {
  stockMovements: 'stock-movements',
  shipments: 'shipments',
  lots: 'lots',
  payments: 'payments',
  purchaseOrders: 'purchase-orders',
  recalls: 'recalls',
  masterData: 'master-data',
  records: 'records',
  transactions: 'transactions',
} as const;

/** The relay's position topic: no messages, only a committed offset per outbox identity. */
export function outboxPositionTopic(prefix: string): string {
  return `${prefix}.outbox-position`;
}

/** Every topic name for a prefix (created at start). */
export function topicNames(prefix: string): string[] {
  return Object.values(TOPICS).map((t) => `${prefix}.${t}`);
}

/** The ledger facts of a transaction, repeated in each of its messages. */
export interface TxFacts {
  txId: string;
  blockNumber: string;
  txIndex: number;
  validationCode: string;
  creatorMsp: string;
  time: string;
}

interface Message {
  id: string;
  aggregate: string;
  key: string;
  type: string;
  data: unknown;
}

function add(rows: RowBuffer, prefix: string, tx: TxFacts, payload: TracePayload | undefined, m: Message): void {
  // Typed by the event contract (events/event-messages.ts), which publishes its schema.
  const body: MessageEnvelope = {
    schemaVersion: SCHEMA_VERSION,
    id: m.id,
    type: m.type,
    subject: m.key,
    ledger: {
      txId: tx.txId,
      blockNumber: tx.blockNumber,
      txIndex: tx.txIndex,
      eventId: payload?.eventId ?? null,
      function: payload?.function ?? null,
      mspId: payload?.mspId ?? tx.creatorMsp,
      recordedAt: payload?.recordedAt ?? tx.time,
    },
    data: m.data,
  };
  rows.add(T.outbox, [m.id, `${prefix}.${m.aggregate}`, m.key, m.type, m.key, payload?.recordedAt ?? tx.time, JSON.stringify(body), tx.txId, tx.blockNumber]);
}

const RECORD_TOPICS: Record<string, { aggregate: string; key: (v: Record<string, unknown>, attrs: string[]) => string }> = {
  shipment: { aggregate: TOPICS.shipments, key: (v) => String(v.shipmentId) },
  lot: { aggregate: TOPICS.lots, key: (v) => `${String(v.gtin)}/${String(v.lotCode)}` },
  payment: { aggregate: TOPICS.payments, key: (v) => String(v.poId) },
  po: { aggregate: TOPICS.purchaseOrders, key: (v) => String(v.poId) },
  recall: { aggregate: TOPICS.recalls, key: (v) => String(v.recallId) },
  location: { aggregate: TOPICS.masterData, key: (_v, a) => `location~${a.join('~')}` },
  product: { aggregate: TOPICS.masterData, key: (_v, a) => `product~${a.join('~')}` },
};

function recordType(type: string, v: Record<string, unknown>, txId: string): string {
  if (type === 'shipment') return `supplychain.shipment.${String(v.status)}.v1`;
  if (type === 'lot')
    return v.createdTxId === txId ? 'supplychain.lot.commissioned.v1' : `supplychain.lot.${String(v.status) === 'recalled' ? 'recalled' : 'updated'}.v1`;
  // Orders and payments written since their commercial part became private data have no amount on the channel.
  if (type === 'po') return `supplychain.po.recorded.${'paymentTerms' in v ? 'v1' : 'v2'}`;
  if (type === 'payment') return `supplychain.payment.recorded.${'amountBaseUnits' in v ? 'v1' : 'v2'}`;
  return `supplychain.${type}.recorded.v1`;
}

/**
 * Adds the outbox rows of one transaction: a `transactions` message for every
 * endorser transaction (valid or not), and for a projected one a message per
 * stock movement and per written record.
 */
export function addOutboxMessages(
  rows: RowBuffer,
  prefix: string,
  tx: TxFacts,
  payload: TracePayload | undefined,
  projected: { movements: ProjectedMovement[]; records: WrittenRecordPayload[] } | undefined,
): void {
  add(rows, prefix, tx, payload, {
    id: tx.txId,
    aggregate: TOPICS.transactions,
    key: tx.txId,
    type: tx.validationCode === 'VALID' ? 'supplychain.transaction.committed.v1' : 'supplychain.transaction.invalidated.v1',
    data: { validationCode: tx.validationCode, replayOf: payload?.replayOf?.txId ?? null } satisfies TransactionData,
  });
  if (!projected || !payload) return;
  for (const m of projected.movements) {
    add(rows, prefix, tx, payload, {
      id: m.movementId,
      aggregate: TOPICS.stockMovements,
      key: m.line.key,
      type: 'supplychain.stock.moved.v1',
      data: {
        ...m.line,
        epcisEventId: m.event.eventID,
        eventTime: m.event.eventTime,
        bizStep: m.event.bizStep ?? null,
        disposition: m.event.disposition ?? null,
      } satisfies StockMovedData,
    });
  }
  for (const rec of projected.records) {
    const { type, attrs } = splitKey(rec.key);
    const route = RECORD_TOPICS[type];
    add(rows, prefix, tx, payload, {
      // Ledger event ids are scoped per organisation: two members may write one record under the same id.
      id: `${payload.mspId}/${payload.eventId}/${rec.key}`,
      aggregate: route?.aggregate ?? TOPICS.records,
      key: route ? route.key(rec.value, attrs) : rec.key,
      type: recordType(type, rec.value, tx.txId),
      data: rec.value,
    });
  }
}
