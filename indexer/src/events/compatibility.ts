/**
 * The compatibility gate: compares the current schema of each message with
 * the released one under consumer-compatibility rules. Kafka keeps history, so
 * both directions count: a reader built on the released schema reads new
 * messages, and a reader built on the new schema reads retained ones.
 *
 * Breaking: a removed message type; a removed (or renamed) required field; a
 * required field made optional; a newly required field without a `default`;
 * a changed type, const, format, pattern or length bound; an enum that lost or
 * gained a value. Compatible: a new optional field, a removed optional field,
 * a new message type, changed descriptions.
 */

/** A JSON Schema as read from a published file. */
export type JsonSchema = { [keyword: string]: unknown };

/** One breaking difference. */
export interface Break {
  /** Topic as deployed with the default prefix, e.g. `supplychain.shipments`. */
  topic: string;
  /** Message type, or `key` for the topic's key. */
  type: string;
  /** Field path in the message value, e.g. `data.lines[].gtin` (`(value)` for the whole value). */
  field: string;
  rule: string;
}

/** `topic <t>, type <ce_type>: field <f>: <rule>`. */
export function describeBreak(b: Break): string {
  return `topic ${b.topic}, ${b.type === 'key' ? 'key' : `type ${b.type}`}: field ${b.field}: ${b.rule}`;
}

const ASSERTIONS = ['const', 'format', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum'] as const;

function types(s: JsonSchema): string {
  if (s.type === undefined) return s.const !== undefined ? typeof s.const : 'any';
  return ([] as unknown[]).concat(s.type).map(String).sort().join('|');
}

const asObject = (v: unknown): Record<string, JsonSchema> => (v && typeof v === 'object' ? (v as Record<string, JsonSchema>) : {});
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Breaking differences between a released and a current schema of one value; `where` names topic and type. */
export function compareSchemas(released: JsonSchema, current: JsonSchema, where: { topic: string; type: string }): Break[] {
  const out: Break[] = [];
  const walk = (old: JsonSchema, cur: JsonSchema, field: string) => {
    const at = (rule: string) => out.push({ ...where, field: field || '(value)', rule });
    if (types(old) !== types(cur)) at(`type changed from ${types(old)} to ${types(cur)}`);
    for (const k of ASSERTIONS) {
      if (JSON.stringify(old[k]) !== JSON.stringify(cur[k])) at(`${k} changed from ${JSON.stringify(old[k]) ?? 'none'} to ${JSON.stringify(cur[k]) ?? 'none'}`);
    }
    if (old.enum !== undefined || cur.enum !== undefined) {
      const was = old.enum === undefined ? undefined : asList(old.enum).map((v) => JSON.stringify(v));
      const now = cur.enum === undefined ? undefined : asList(cur.enum).map((v) => JSON.stringify(v));
      if (!was) at('enum added (narrowed to a set of values)');
      else if (!now) at('enum removed (widened to any value)');
      else {
        const lost = was.filter((v) => !now.includes(v));
        const gained = now.filter((v) => !was.includes(v));
        if (lost.length) at(`enum narrowed: ${lost.join(', ')} no longer allowed (retained messages carry it)`);
        if (gained.length) at(`enum widened: ${gained.join(', ')} is new (released readers do not know it)`);
      }
    }
    if (old.items !== undefined || cur.items !== undefined) walk((old.items ?? {}) as JsonSchema, (cur.items ?? {}) as JsonSchema, `${field}[]`);
    const oldProps = asObject(old.properties);
    const curProps = asObject(cur.properties);
    const oldReq = new Set(asList(old.required).map(String));
    const curReq = new Set(asList(cur.required).map(String));
    const name = (p: string) => (field ? `${field}.${p}` : p);
    for (const [p, ps] of Object.entries(oldProps)) {
      const now = curProps[p];
      if (!now) {
        if (oldReq.has(p)) out.push({ ...where, field: name(p), rule: 'required field removed (or renamed)' });
        continue;
      }
      if (oldReq.has(p) && !curReq.has(p)) out.push({ ...where, field: name(p), rule: 'required field made optional' });
      if (!oldReq.has(p) && curReq.has(p) && now.default === undefined)
        out.push({ ...where, field: name(p), rule: 'optional field made required without a default' });
      walk(ps, now, name(p));
    }
    for (const [p, ps] of Object.entries(curProps)) {
      if (!oldProps[p] && curReq.has(p) && ps.default === undefined) out.push({ ...where, field: name(p), rule: 'new required field without a default' });
    }
  };
  walk(released, current, '');
  return out;
}

/** A set of published schemas: per topic (default prefix), its key schema and each message type's value schema. */
export type PublishedContract = Record<string, { key: JsonSchema; messages: Record<string, JsonSchema> }>;

/** Every breaking difference from the released contract to the current one. */
export function compareContracts(released: PublishedContract, current: PublishedContract): Break[] {
  const out: Break[] = [];
  for (const [topic, rel] of Object.entries(released)) {
    const cur = current[topic];
    if (!cur) {
      out.push({ topic, type: '*', field: '(topic)', rule: 'topic removed' });
      continue;
    }
    out.push(...compareSchemas(rel.key, cur.key, { topic, type: 'key' }));
    for (const [type, schema] of Object.entries(rel.messages)) {
      const now = cur.messages[type];
      if (!now) out.push({ topic, type, field: '(message)', rule: 'message type removed' });
      else out.push(...compareSchemas(schema, now, { topic, type }));
    }
  }
  return out;
}
