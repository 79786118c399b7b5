/**
 * Reading a transaction's JSON argument. Every accessor knows the path of the
 * field it reads, so a rejection names exactly which field was wrong
 * (`lines[2].quantity`), and nothing unvalidated reaches the ledger.
 */
import { fail } from './errors';
import { parseGln, parseGtin, parseLotCode } from './gs1';
import { parseQuantity, parseSignedQuantity } from './quantity';

/** Caller-chosen identifiers (eventId, shipmentId, poId, …). No `~`, so readable key paths stay unambiguous. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._:/@#-]{0,127}$/;

export class Input {
  private constructor(
    private readonly obj: Record<string, unknown>,
    private readonly path: string,
  ) {}

  /** Parses the raw transaction argument, which must be a JSON object. */
  static parse(raw: string): Input {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw fail.invalid('request', 'is not valid JSON');
    }
    if (!isPlainObject(value)) throw fail.invalid('request', 'must be a JSON object');
    return new Input(value, '');
  }

  /** The path of a member of this object, for error messages. */
  at(name: string): string {
    return this.path ? `${this.path}.${name}` : name;
  }

  has(name: string): boolean {
    const v = this.obj[name];
    return v !== undefined && v !== null;
  }

  raw(name: string): unknown {
    return this.obj[name];
  }

  str(name: string, opts: { max?: number; pattern?: RegExp; hint?: string } = {}): string {
    const v = this.obj[name];
    const field = this.at(name);
    if (typeof v !== 'string' || v.trim().length === 0) throw fail.invalid(field, 'is required and must be a non-empty string');
    if (v.length > (opts.max ?? 1024)) throw fail.invalid(field, `must be at most ${opts.max ?? 1024} characters`);
    if (opts.pattern && !opts.pattern.test(v)) throw fail.invalid(field, opts.hint ?? `must match ${opts.pattern.source}`);
    return v;
  }

  optStr(name: string, opts: { max?: number; pattern?: RegExp; hint?: string } = {}): string | undefined {
    return this.has(name) ? this.str(name, opts) : undefined;
  }

  id(name: string): string {
    return this.str(name, { max: 128, pattern: ID, hint: 'must be 1-128 characters [A-Za-z0-9._:/@#-], starting with a letter or digit' });
  }

  optId(name: string): string | undefined {
    return this.has(name) ? this.id(name) : undefined;
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback?: T): T {
    if (!this.has(name) && fallback !== undefined) return fallback;
    const v = this.obj[name];
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      throw fail.invalid(this.at(name), `must be one of ${values.join(', ')}`);
    }
    return v as T;
  }

  int(name: string, min: number, max: number): number {
    const v = this.obj[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      throw fail.invalid(this.at(name), `must be an integer from ${min} to ${max}`);
    }
    return v;
  }

  bool(name: string, fallback: boolean): boolean {
    if (!this.has(name)) return fallback;
    const v = this.obj[name];
    if (typeof v !== 'boolean') throw fail.invalid(this.at(name), 'must be true or false');
    return v;
  }

  gln(name: string): string {
    return parseGln(this.obj[name], this.at(name));
  }

  gtin(name: string): string {
    return parseGtin(this.obj[name], this.at(name));
  }

  lotCode(name: string): string {
    return parseLotCode(this.obj[name], this.at(name));
  }

  quantity(name: string, opts: { allowZero?: boolean } = {}): bigint {
    return parseQuantity(this.obj[name], this.at(name), opts);
  }

  signedQuantity(name: string): bigint {
    return parseSignedQuantity(this.obj[name], this.at(name));
  }

  /** An ISO-8601 date (YYYY-MM-DD) or date-time with zone; returned unchanged. */
  optDate(name: string): string | undefined {
    if (!this.has(name)) return undefined;
    const v = this.obj[name];
    const ok =
      typeof v === 'string' &&
      /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(v) &&
      !Number.isNaN(Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v));
    if (!ok) throw fail.invalid(this.at(name), 'must be an ISO-8601 date (YYYY-MM-DD) or date-time with zone');
    return v as string;
  }

  object(name: string): Input {
    const v = this.obj[name];
    if (!isPlainObject(v)) throw fail.invalid(this.at(name), 'is required and must be an object');
    return new Input(v, this.at(name));
  }

  optObj(name: string): Input | undefined {
    return this.has(name) ? this.object(name) : undefined;
  }

  /** An array of objects, each wrapped so its fields report `name[i].field`. */
  list(name: string, min: number, max: number): Input[] {
    const v = this.obj[name];
    const field = this.at(name);
    if (!Array.isArray(v)) throw fail.invalid(field, 'is required and must be an array');
    if (v.length < min || v.length > max) throw fail.invalid(field, `must have ${min} to ${max} entries`);
    return v.map((item, i) => {
      if (!isPlainObject(item)) throw fail.invalid(`${field}[${i}]`, 'must be an object');
      return new Input(item, `${field}[${i}]`);
    });
  }

  optList(name: string, max: number): Input[] {
    return this.has(name) ? this.list(name, 0, max) : [];
  }

  strList(name: string, min: number, max: number, pattern?: RegExp): string[] {
    const v = this.obj[name];
    const field = this.at(name);
    if (v === undefined && min === 0) return [];
    if (!Array.isArray(v)) throw fail.invalid(field, 'must be an array of strings');
    if (v.length < min || v.length > max) throw fail.invalid(field, `must have ${min} to ${max} entries`);
    return v.map((item, i) => {
      if (typeof item !== 'string' || item.length === 0 || item.length > 256 || (pattern && !pattern.test(item))) {
        throw fail.invalid(`${field}[${i}]`, 'must be a valid non-empty string');
      }
      return item;
    });
  }

  /** A JSON value kept verbatim (e.g. a GeoJSON polygon); size-limited. */
  optJson(name: string, maxChars: number): unknown {
    if (!this.has(name)) return undefined;
    const v = this.obj[name];
    if (JSON.stringify(v).length > maxChars) throw fail.invalid(this.at(name), `must be at most ${maxChars} characters of JSON`);
    if (containsFloatUnsafe(v)) throw fail.invalid(this.at(name), 'must contain only finite numbers');
    return v;
  }
}

export const ID_PATTERN = ID;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function containsFloatUnsafe(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  if (Array.isArray(v)) return v.some(containsFloatUnsafe);
  if (isPlainObject(v)) return Object.values(v).some(containsFloatUnsafe);
  return false;
}
