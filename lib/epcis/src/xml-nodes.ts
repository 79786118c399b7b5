/**
 * What both directions of the EPCIS 2.0 XML binding (xml-binding.ts reads,
 * xml-writer.ts writes) share: the node shapes of fast-xml-parser, the typed
 * lists, and two small guards.
 */

export type Obj = Record<string, unknown>;
/** An element as fast-xml-parser gives it: children by name, attributes as `@_name`, text as `#text`. */
export type XNode = Record<string, unknown>;

/** The typed lists and the element name of each entry (`type` attribute, identifier as content). */
export const TYPED_LISTS: Record<string, string> = { bizTransactionList: 'bizTransaction', sourceList: 'source', destinationList: 'destination' };

export const isObj = (v: unknown): v is XNode => typeof v === 'object' && v !== null && !Array.isArray(v);
export const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
