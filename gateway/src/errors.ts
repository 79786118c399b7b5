/**
 * The gateway's error base is the ledger library's, so every service and the
 * ledger client share one class (code, httpStatus, retriable, cause).
 */
export { ServiceError } from '../../ledger/src';
