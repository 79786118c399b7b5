/**
 * The traceability chaincode: contract, error format and event name, for the
 * chaincode server (which lists the contract) and for clients that parse
 * results and errors.
 */
export { TraceabilityContract } from './contract';
export { TraceError, parseTraceError, TRACE_ERROR_CODES, type TraceErrorCode, type ParsedTraceError } from './errors';
export { TRACE_EVENT_NAME, type EventRecord } from './submit';
export { canonicalJson } from './canonical-json';
export { QUANTITY_SCALE, formatQuantity, parseQuantity } from './quantity';
export type { StockLine } from '../../../lib/domain/src';
export type { EpcisEvent } from './epcis';
export * from './types';
