/**
 * The EPCIS library: the EPCIS 2.0 event hash (CBV 2.0 canonical form) and the
 * XML binding, shared by the gateway (capture) and the indexer (projection and
 * query answers). Node only; the browser-safe vocabulary is in the domain library.
 */
export * from './event-hash';
export * from './xml-binding';
export * from './xml-writer';
