/** Imported first by the harness so fabric-contract-api's loggers start at warn level. */
process.env.CORE_CHAINCODE_LOGGING_LEVEL = process.env.CORE_CHAINCODE_LOGGING_LEVEL ?? 'WARNING';
export {};
