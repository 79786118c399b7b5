/**
 * Chaincode server settings, read from the environment once.
 */
export interface ChaincodeConfig {
  /** Package id the peers know the chaincode by (label:hash). */
  ccid: string;
  /** host:port the server listens on; the peers dial it. */
  address: string;
}

export function loadChaincodeConfig(env: NodeJS.ProcessEnv = process.env): ChaincodeConfig {
  const ccid = env.CHAINCODE_ID;
  const address = env.CHAINCODE_SERVER_ADDRESS;
  const missing = [!ccid && 'CHAINCODE_ID', !address && 'CHAINCODE_SERVER_ADDRESS'].filter(Boolean);
  if (missing.length > 0) throw new Error(`chaincode server: missing environment ${missing.join(', ')}`);
  return { ccid: ccid as string, address: address as string };
}
