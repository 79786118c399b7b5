/**
 * The AsyncAPI 3.0 document of the indexer's Kafka topics, built from the
 * event contract: one channel per topic (address `{prefix}.<aggregate>`), one
 * `send` operation per channel, and per message type its payload schema, its
 * CloudEvents headers and its Kafka key.
 */
import { SCHEMA_VERSION } from '../projection/outbox-messages';
import { EVENT_CONTRACT, cloudEventHeaders, messageSchema, type TopicContract } from './event-messages';

/** Version of the contract as a whole; the major part is the envelope's schemaVersion. */
export const CONTRACT_VERSION = `${SCHEMA_VERSION}.0.0`;

const camel = (aggregate: string) => aggregate.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/** The AsyncAPI document as a plain object (written out as YAML). */
export function asyncApiDocument(contract: readonly TopicContract[] = EVENT_CONTRACT): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const t of contract) {
    const refs: Record<string, unknown> = {};
    for (const type of Object.keys(t.messages)) {
      const { $schema: _drop, title: _title, ...payload } = messageSchema(t, type);
      schemas[type] = payload;
      messages[type] = {
        name: type,
        title: type,
        summary: t.messages[type].summary,
        contentType: 'application/json',
        headers: cloudEventHeaders(type),
        payload: { $ref: `#/components/schemas/${type}` },
        bindings: { kafka: { key: t.key, bindingVersion: '0.5.0' } },
      };
      refs[type] = { $ref: `#/components/messages/${type}` };
    }
    channels[t.aggregate] = {
      address: `{prefix}.${t.aggregate}`,
      title: t.aggregate,
      description: t.description,
      parameters: { prefix: { $ref: '#/components/parameters/prefix' } },
      messages: refs,
    };
    operations[`publish${camel(t.aggregate).replace(/^\w/, (c) => c.toUpperCase())}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${t.aggregate}` },
      summary: `The indexer's outbox relay publishes ${t.aggregate} messages, in ledger order per key`,
      messages: Object.keys(t.messages).map((type) => ({ $ref: `#/channels/${t.aggregate}/messages/${type}` })),
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'coffee-trace indexer events',
      version: CONTRACT_VERSION,
      description: [
        'Facts of the committed ledger, published by the indexer through its transactional outbox (exactly once for',
        'read_committed consumers). Every message is a CloudEvents 1.0 event in Kafka binary mode: attributes as',
        '`ce_` headers, the JSON value an envelope `{schemaVersion, id, type, subject, ledger, data}`. Consumers',
        'ignore fields and message types they do not know. See docs/events.md for keys, versions and the evolution rule.',
      ].join(' '),
      license: { name: 'Apache-2.0' },
    },
    defaultContentType: 'application/json',
    servers: {
      kafka: {
        host: '{brokers}',
        protocol: 'kafka',
        description: "The member's Kafka cluster (KAFKA_BROKERS)",
        variables: { brokers: { default: 'localhost:9092', description: 'host:port of a bootstrap broker' } },
      },
    },
    channels,
    operations,
    components: {
      parameters: { prefix: { description: 'Topic prefix (INDEXER_TOPIC_PREFIX)', default: 'supplychain' } },
      messages,
      schemas,
    },
  };
}
