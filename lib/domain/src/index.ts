/**
 * The domain library: facts every part of the project shares and none owns.
 * GS1 keys, the EPCIS and CBV vocabulary, the chaincode's contract (function
 * names, payloads, event names), roles and the access-policy table.
 * Browser-safe: no Node built-ins, no server libraries; the console imports it.
 */
export * from './gs1';
export * from './roles';
export * from './epcis/identifiers';
export * from './epcis/digital-link';
export * from './epcis/gs1-headers';
export * from './contract/stock-line';
export * from './contract/functions';
export * from './access-policy';
export * from './epcis/event-types';
export * as jsonSchema from './events/json-schema';
export * as eventSchemas from './events/record-schemas';
