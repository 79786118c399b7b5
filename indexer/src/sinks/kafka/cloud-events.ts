/**
 * Kafka messages in CloudEvents 1.0 binary mode: attributes as `ce_` headers,
 * the JSON payload as the message value.
 */
import type { Message } from 'kafkajs';

/** An outbox row as the relay reads it. */
export interface OutboxRow {
  id: string;
  event_id: string;
  topic: string;
  message_key: string;
  ce_type: string;
  ce_subject: string;
  ce_time: Date;
  payload: string;
}

/** The Kafka message of an outbox row. */
export function toKafkaMessage(row: OutboxRow, source: string): Message {
  return {
    key: row.message_key,
    value: row.payload,
    headers: {
      ce_specversion: '1.0',
      ce_id: row.event_id,
      ce_type: row.ce_type,
      ce_source: source,
      ce_subject: row.ce_subject,
      ce_time: row.ce_time.toISOString(),
      'content-type': 'application/json',
    },
  };
}

/** Groups rows by topic, keeping their order within each topic (and so within each key). */
export function byTopic(rows: OutboxRow[], source: string): { topic: string; messages: Message[] }[] {
  const groups = new Map<string, Message[]>();
  for (const r of rows) {
    const list = groups.get(r.topic) ?? [];
    list.push(toKafkaMessage(r, source));
    groups.set(r.topic, list);
  }
  return [...groups].map(([topic, messages]) => ({ topic, messages }));
}
