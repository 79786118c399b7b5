/**
 * Deterministic JSON: object keys sorted by code unit, no whitespace,
 * `undefined` members dropped. Every peer must produce identical bytes for the
 * same value, so non-finite numbers and bigints are rejected rather than
 * silently converted.
 */
export function canonicalJson(value: unknown): string {
  return write(value);
}

/** Canonical JSON as UTF-8 bytes, ready for putState / setEvent. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

/**
 * A value already written as canonical JSON. Placed inside a larger value it
 * is copied as it is, so a part that goes into several writes of one
 * transaction (its EPCIS events: the event record and the chaincode event) is
 * serialised once.
 */
export class CanonicalText {
  readonly text: string;

  constructor(value: unknown) {
    this.text = write(value);
  }
}

/** Quoted object keys: a contract uses few distinct keys, over and over. */
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_MAX = 4096;

function quoted(key: string): string {
  let q = quotedKeys.get(key);
  if (q === undefined) {
    q = JSON.stringify(key);
    if (quotedKeys.size < QUOTED_KEYS_MAX) quotedKeys.set(key, q);
  }
  return q;
}

function write(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new Error('canonicalJson: non-finite number');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const v: unknown = value[i];
          out += (i === 0 ? '' : ',') + (v === undefined ? 'null' : write(v));
        }
        return `${out}]`;
      }
      if (value instanceof CanonicalText) return value.text;
      const obj = value as Record<string, unknown>;
      let out = '{';
      for (const key of Object.keys(obj).sort()) {
        const v = obj[key];
        if (v === undefined) continue;
        out += (out.length === 1 ? '' : ',') + quoted(key) + ':' + write(v);
      }
      return `${out}}`;
    }
    default:
      throw new Error(`canonicalJson: unsupported type ${typeof value}`);
  }
}
