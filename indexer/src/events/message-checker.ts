/**
 * Checks a Kafka message against the event contract: its topic is one of the
 * contract's, its `ce_type` is a message type of that topic, its headers and
 * value match their schemas, and key, `ce_subject`, `ce_id` and `ce_type` agree
 * with the value. Values are checked against the closed form of the schemas,
 * so a field the producer sends but the contract does not describe is a
 * problem too (consumers may ignore unknown fields; the contract may not omit them).
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { EVENT_CONTRACT, cloudEventHeaders, messageSchema, type TopicContract } from './event-messages';
import { jsonSchema } from '../../../lib/domain/src';

/** A Kafka message as a consumer sees it: value parsed, headers as strings. */
export interface ConsumedMessage {
  topic: string;
  key: string;
  headers: Record<string, string>;
  value: unknown;
}

export interface MessageChecker {
  /** What is wrong with `m`, each naming topic, type and field; empty when it keeps the contract. */
  check(m: ConsumedMessage): string[];
}

/** Compiles the contract's schemas once; `prefix` is the topic prefix (INDEXER_TOPIC_PREFIX). */
export function createMessageChecker(opts: { prefix: string; contract?: readonly TopicContract[] }): MessageChecker {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  const compiled = new Map<string, { value: ValidateFunction; headers: ValidateFunction; key: ValidateFunction }>();
  const topics = new Map<string, TopicContract>();
  for (const t of opts.contract ?? EVENT_CONTRACT) {
    topics.set(`${opts.prefix}.${t.aggregate}`, t);
    const key = ajv.compile(t.key);
    for (const type of Object.keys(t.messages)) {
      compiled.set(`${t.aggregate} ${type}`, {
        value: ajv.compile(jsonSchema.closed(messageSchema(t, type))),
        headers: ajv.compile(jsonSchema.closed(cloudEventHeaders(type))),
        key,
      });
    }
  }
  const errors = (fn: ValidateFunction, where: string) =>
    (fn.errors ?? []).map(
      (e) =>
        `${where}${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
    );
  return {
    check(m) {
      const topic = topics.get(m.topic);
      if (!topic) return [`topic ${m.topic}: not in the event contract`];
      const type = m.headers.ce_type;
      const fns = compiled.get(`${topic.aggregate} ${type}`);
      const at = `topic ${m.topic}, type ${type}`;
      if (!fns) return [`${at}: not a message type of this topic in the event contract`];
      const out: string[] = [];
      if (!fns.key(m.key)) out.push(...errors(fns.key, `${at}: key`));
      if (!fns.headers(m.headers)) out.push(...errors(fns.headers, `${at}: header `));
      if (!fns.value(m.value)) out.push(...errors(fns.value, `${at}: value `));
      const v = m.value as { id?: unknown; subject?: unknown; type?: unknown };
      if (v?.subject !== m.key || m.headers.ce_subject !== m.key) out.push(`${at}: key, ce_subject and subject differ`);
      if (v?.id !== m.headers.ce_id) out.push(`${at}: ce_id and id differ`);
      return out.map((line) => `${line} [message ${m.headers.ce_id}]`);
    },
  };
}
