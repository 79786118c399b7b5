/**
 * The subset of JSON Schema (draft-07) the event contract is written in, and
 * the TypeScript type each schema describes. A message schema is one
 * `as const` object: ajv validates with it at run time, {@link FromSchema}
 * types the payload from it at compile time, and {@link Same} checks it
 * against the type the producer builds the payload from, so the published
 * schema, the payload type and the producer cannot drift apart.
 */

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

type ObjectOf<P, R> = Simplify<
  { -readonly [K in keyof P as K extends R ? K : never]: FromSchema<P[K]> } & {
    -readonly [K in keyof P as K extends R ? never : K]?: FromSchema<P[K]>;
  }
>;

type FromType<T, S> = T extends 'string'
  ? string
  : T extends 'integer' | 'number'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'null'
        ? null
        : T extends 'array'
          ? S extends { items: infer I }
            ? FromSchema<I>[]
            : unknown[]
          : T extends 'object'
            ? S extends { properties: infer P }
              ? ObjectOf<P, S extends { required: readonly (infer R)[] } ? R : never>
              : Record<string, unknown>
            : never;

/**
 * The type of the values a schema accepts: `const`, `enum`, `anyOf`, `type`
 * (one or a list), `properties` with `required`, and `items`. Anything else
 * (the empty schema) is `unknown`.
 */
export type FromSchema<S> = S extends { const: infer C }
  ? C
  : S extends { enum: readonly (infer E)[] }
    ? E
    : S extends { anyOf: readonly (infer A)[] }
      ? FromSchema<A>
      : S extends { type: readonly (infer T)[] }
        ? FromType<T, S>
        : S extends { type: infer T }
          ? FromType<T, S>
          : unknown;

type Identical<A, B> = (<T>() => T extends Simplify<Mutable<A>> ? 1 : 2) extends <T>() => T extends Simplify<Mutable<B>> ? 1 : 2 ? true : false;

/**
 * `true` when A and B are the same type (not merely assignable either way: an
 * optional member counts); otherwise a type naming the members that differ, which
 * the compiler prints when {@link Assert} rejects it.
 */
export type Same<A, B> =
  Identical<A, B> extends true
    ? true
    : {
        schemaAndTypeDiffer: true;
        onlyInSchema: Exclude<keyof A, keyof B>;
        onlyInType: Exclude<keyof B, keyof A>;
        differing: { [K in keyof A & keyof B]: Identical<A[K], B[K]> extends true ? never : K }[keyof A & keyof B];
      };

/** Compiles only when `T` is `true`: `const _check: Assert<Same<X, Y>> = true`. */
export type Assert<T extends true> = T;

/** A JSON Schema object as the contract writes it (read-only, from an `as const` literal). */
export type Schema = { readonly [keyword: string]: unknown };

/**
 * A copy of `schema` in which every object that lists its properties accepts
 * no others. Published schemas stay open (a consumer ignores fields it does not
 * know, so adding one is compatible); the suite checks produced messages
 * against the closed form, so every field the indexer sends is in the contract.
 */
export function closed(schema: Schema): Schema {
  const walk = (s: unknown): unknown => {
    if (Array.isArray(s)) return s.map(walk);
    if (typeof s !== 'object' || s === null) return s;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s))
      out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, ps]) => [p, walk(ps)])) : walk(v);
    if ('properties' in s && !('additionalProperties' in s)) out.additionalProperties = false;
    return out;
  };
  return walk(schema) as Schema;
}

/**
 * An object schema listing its properties; every one is required except those
 * named in `optional`. Literal types are kept, so {@link FromSchema} sees them.
 */
export function object<const P extends Record<string, Schema>, const O extends readonly (keyof P & string)[] = []>(
  properties: P,
  optional?: O,
): { readonly type: 'object'; readonly properties: P; readonly required: readonly Exclude<keyof P & string, O[number]>[] } {
  const skip = new Set<string>(optional ?? []);
  return { type: 'object', properties, required: Object.keys(properties).filter((k) => !skip.has(k)) as Exclude<keyof P & string, O[number]>[] };
}

/** An array schema of `items`. */
export function array<const I extends Schema>(items: I): { readonly type: 'array'; readonly items: I } {
  return { type: 'array', items };
}

/** `schema` with a description (kept in the published schema). */
export function described<const S extends Schema>(description: string, schema: S): S & { readonly description: string } {
  return { ...schema, description };
}

/** Any string. */
export const text = { type: 'string' } as const;
/** Any integer. */
export const integer = { type: 'integer' } as const;
/** An ISO-8601 date-time. */
export const dateTime = { type: 'string', format: 'date-time' } as const;
/** A string or null. */
export const textOrNull = { type: ['string', 'null'] } as const;
