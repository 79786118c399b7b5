/**
 * XML parsing for the adapters with fast-xml-parser, configured so nothing
 * can expand: entity processing off and any DOCTYPE (where entity bombs and
 * external entities live) rejected before parsing.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { invalidInput } from '../../../../lib/platform/src';

export interface SafeXmlOptions {
  /** Element names that are always arrays, whatever their count. */
  arrays?: string[];
  maxChars?: number;
}

/** Parses XML text into plain objects (attributes prefixed `@_`); rejects DTDs with a 400. */
export function parseSafeXml(text: unknown, opts: SafeXmlOptions = {}): Record<string, unknown> {
  if (typeof text !== 'string' || text.trim() === '') throw invalidInput([{ field: 'body', message: 'must be an XML document' }]);
  if (text.length > (opts.maxChars ?? 5_000_000)) throw invalidInput([{ field: 'body', message: 'is too large' }], 413, 'BODY_TOO_LARGE');
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw invalidInput([{ field: 'body', message: 'must not contain a DOCTYPE or entity declarations' }]);
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw invalidInput([{ field: 'body', message: `is not well-formed XML (line ${valid.err.line}: ${valid.err.msg})` }]);
  const arrays = new Set(opts.arrays ?? []);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    processEntities: false,
    htmlEntities: false,
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name) => arrays.has(name),
  });
  try {
    return parser.parse(text) as Record<string, unknown>;
  } catch (err) {
    // The parser refuses what it will not build (nesting beyond its limit, element
    // names such as __proto__ that would reach an object's prototype): the
    // document is at fault, so this is a 400 saying why, never a 500.
    const why = (err as Error).message.replace(/^\[SECURITY\]\s*/, '');
    throw invalidInput([{ field: 'body', message: `is refused by the XML parser: ${why}` }]);
  }
}

/** Text of a child element (or attribute-bearing element's `#text`). */
export function textOf(node: unknown): string | undefined {
  if (node === undefined || node === null) return undefined;
  if (typeof node === 'string' || typeof node === 'number') return String(node).trim();
  if (typeof node === 'object' && '#text' in (node as object)) return String((node as Record<string, unknown>)['#text']).trim();
  return undefined;
}

/** A value as an array (XML elements appear once or many times). */
export function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}
