/**
 * The event contract: for every Kafka topic the indexer publishes to, its key,
 * and for every message type (`ce_type`) on it the JSON Schema of the message
 * value and of its CloudEvents headers. This module is the one description;
 * the published schema files, the AsyncAPI document, the producer's types
 * (outbox-messages.ts) and the suite's checks are all derived from it.
 */
import { SCHEMA_VERSION, TOPICS } from '../projection/outbox-messages';
import { eventSchemas, jsonSchema } from '../../../lib/domain/src';

const { dateTime, described, integer, object, text, textOrNull } = jsonSchema;
const {
  attestationRecord,
  correctionRecord,
  licenceRecord,
  locationRecord,
  lotRecord,
  paymentRecord,
  paymentRecordV1,
  productRecord,
  purchaseOrderRecord,
  purchaseOrderRecordV1,
  recallRecord,
  receiptRecord,
  salesRecord,
  shipmentRecord,
  stockLineProperties,
} = eventSchemas;
type FromSchema<S> = jsonSchema.FromSchema<S>;

/**
 * Message types only records written before orders' terms became private data
 * produce: kept in the contract for the messages Kafka still retains and for
 * a ledger replayed from its first block.
 */
export const RETAINED_ONLY_TYPES: readonly string[] = ['supplychain.po.recorded.v1', 'supplychain.payment.recorded.v1'];
type Schema = jsonSchema.Schema;

/** The ledger facts repeated in every message. */
export const ledgerFacts = object(
  {
    txId: described('Fabric transaction id', text),
    blockNumber: described('Block number, as a decimal string', { type: 'string', pattern: '^[0-9]+$' }),
    txIndex: described('Position of the transaction in its block', integer),
    eventId: described("The submitter's idempotency key; null on a transaction without a TraceEvents payload", textOrNull),
    function: described('Chaincode function; null on a transaction without a TraceEvents payload', textOrNull),
    mspId: described('Organisation (MSP) that submitted the transaction', text),
    recordedAt: described('Transaction time', dateTime),
  },
  [],
);

/** Data of `supplychain.stock.moved.v1`: the stock line with the EPCIS event it is on. */
export const stockMovedData = object(
  {
    ...stockLineProperties,
    epcisEventId: described('eventID of the EPCIS event carrying the line', text),
    eventTime: dateTime,
    bizStep: textOrNull,
    disposition: textOrNull,
  },
  ['gln', 'shipmentId'],
);

/** Data of `supplychain.transaction.*.v1`. */
export const transactionData = object({
  validationCode: described('Fabric validation code, e.g. VALID or MVCC_READ_CONFLICT', text),
  replayOf: described('Transaction that first recorded this eventId, when this one repeated it (no new effect)', textOrNull),
});

/** The value of every message: the envelope around a message type's data. */
export function envelope<const T extends string, const D extends Schema>(type: T, data: D) {
  return object({
    schemaVersion: described('Version of the envelope; a new one is a new major contract', { const: SCHEMA_VERSION }),
    id: described('Stable message id (= ce_id): the same on every replay and rebuild', text),
    type: described('Message type (= ce_type)', { const: type }),
    subject: described('Aggregate id (= Kafka key = ce_subject)', text),
    ledger: ledgerFacts,
    data,
  });
}

/** The value of any message (its data not yet narrowed to one type): what the producer builds. */
export type MessageEnvelope = FromSchema<ReturnType<typeof envelope<string, Record<never, never>>>>;
/** Data of a stock movement message. */
export type StockMovedData = FromSchema<typeof stockMovedData>;
/** Data of a transaction message. */
export type TransactionData = FromSchema<typeof transactionData>;

/** One topic of the contract. */
export interface TopicContract {
  /** Aggregate name: the topic is `<prefix>.<aggregate>`. */
  aggregate: string;
  description: string;
  /** What the Kafka key (= ce_subject = subject) is. */
  key: Schema;
  /** Message types on this topic and the schema of each one's data. */
  messages: Record<string, { summary: string; data: Schema }>;
}

const each = <const D extends Schema>(types: readonly string[], summary: (t: string) => string, data: D) =>
  Object.fromEntries(types.map((t) => [t, { summary: summary(t), data }]));

const shipmentStatuses = shipmentRecord.properties.status.enum;

/** Every topic, its key and its message types. */
export const EVENT_CONTRACT: readonly TopicContract[] = [
  {
    aggregate: TOPICS.stockMovements,
    description: 'One message per stock line: a signed change to one on-hand or in-transit position. Id: `<EPCIS eventID>#<n>`.',
    key: described('The position: stock~gln~gtin~lot or transit~shipmentId~gtin~lot', { type: 'string', pattern: '^(stock|transit)~' }),
    messages: { 'supplychain.stock.moved.v1': { summary: 'Stock of one lot moved at one position', data: stockMovedData } },
  },
  {
    aggregate: TOPICS.shipments,
    description: 'One message per write of a shipment, carrying the whole shipment. Id: `<ledger eventId>/shipment~<id>`.',
    key: described('Shipment id', text),
    messages: each(
      shipmentStatuses.map((s) => `supplychain.shipment.${s}.v1`),
      (t) => `The shipment after a write that left it ${t.split('.')[2]}`,
      shipmentRecord,
    ),
  },
  {
    aggregate: TOPICS.lots,
    description: 'One message per write of a lot, carrying the whole lot. Id: `<ledger eventId>/lot~<gtin>~<lot>`.',
    key: described('gtin/lotCode', { type: 'string', pattern: '^[0-9]{14}/.+$' }),
    messages: {
      'supplychain.lot.commissioned.v1': { summary: 'A lot was commissioned (its first write)', data: lotRecord },
      'supplychain.lot.updated.v1': { summary: 'A lot changed (e.g. quantity commissioned again)', data: lotRecord },
      'supplychain.lot.recalled.v1': { summary: 'A lot changed and is recalled', data: lotRecord },
    },
  },
  {
    aggregate: TOPICS.payments,
    description: 'One message per verified on-chain payment recorded against a purchase order.',
    key: described('Purchase order id', text),
    messages: {
      'supplychain.payment.recorded.v1': {
        summary: 'A payment was recorded (with its amount, as written before amounts became private)',
        data: paymentRecordV1,
      },
      'supplychain.payment.recorded.v2': { summary: 'A payment was recorded; its amount is private data of the parties', data: paymentRecord },
    },
  },
  {
    aggregate: TOPICS.purchaseOrders,
    description: 'One message per write of a purchase order (creation, each payment), carrying the whole order.',
    key: described('Purchase order id', text),
    messages: {
      'supplychain.po.recorded.v1': {
        summary: 'A purchase order was written (with its terms, as written before terms became private)',
        data: purchaseOrderRecordV1,
      },
      'supplychain.po.recorded.v2': {
        summary: 'A purchase order was written; its terms are private data of the parties, here only their hash',
        data: purchaseOrderRecord,
      },
    },
  },
  {
    aggregate: TOPICS.recalls,
    description: 'One message per recall, with the lots in scope and where stock of them still is.',
    key: described('Recall id', text),
    messages: { 'supplychain.recall.recorded.v1': { summary: 'A recall was declared', data: recallRecord } },
  },
  {
    aggregate: TOPICS.masterData,
    description: 'One message per write of a location or a product.',
    key: described('location~gln or product~gtin', { type: 'string', pattern: '^(location|product)~' }),
    messages: {
      'supplychain.location.recorded.v1': { summary: 'A location was registered', data: locationRecord },
      'supplychain.product.recorded.v1': { summary: 'A product was registered', data: productRecord },
    },
  },
  {
    aggregate: TOPICS.records,
    description: 'Other ledger records: goods receipts, sales batches, attestations, error declarations, licences.',
    key: described('The record key, e.g. receipt~shipmentId~n or sales~gln~batchId', { type: 'string', pattern: '^[a-z_]+~' }),
    messages: {
      'supplychain.receipt.recorded.v1': { summary: 'A goods receipt was booked against a shipment', data: receiptRecord },
      'supplychain.sales.recorded.v1': { summary: "A store's sales batch was recorded", data: salesRecord },
      'supplychain.attestation.recorded.v1': { summary: 'An attestation was recorded', data: attestationRecord },
      'supplychain.correction.recorded.v1': { summary: 'An EPCIS error declaration was recorded', data: correctionRecord },
      'supplychain.licence.recorded.v1': { summary: "A GTIN owner's licence to another member was granted or revoked", data: licenceRecord },
    },
  },
  {
    aggregate: TOPICS.transactions,
    description: 'One message per endorser transaction, valid or not (ce_id = subject = tx id).',
    key: described('Transaction id', text),
    messages: {
      'supplychain.transaction.committed.v1': { summary: 'A transaction committed valid', data: transactionData },
      'supplychain.transaction.invalidated.v1': { summary: 'A transaction was ordered but invalidated (its effects are void)', data: transactionData },
    },
  },
];

/** The CloudEvents 1.0 binary-mode headers of a message of `type`. */
export function cloudEventHeaders(type: string): Schema {
  return object({
    ce_specversion: { const: '1.0' },
    ce_id: described('= value.id', text),
    ce_type: { const: type },
    ce_source: described('The indexer instance (INDEXER_EVENT_SOURCE), a URI reference', { type: 'string', format: 'uri-reference' }),
    ce_subject: described('= Kafka key', text),
    ce_time: described('Time of the fact (the transaction time)', dateTime),
    'content-type': { const: 'application/json' },
  });
}

/** The full JSON Schema of the value of a message of `type` on `topic`, as published. */
export function messageSchema(topic: TopicContract, type: string): Schema {
  const m = topic.messages[type];
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: type,
    description: `${m.summary}. Topic <prefix>.${topic.aggregate}.`,
    ...envelope(type, m.data),
  };
}
