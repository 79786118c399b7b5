/**
 * Chaincode server settings, read from the environment once.
 */
export interface ChaincodeConfig {
  /** Package id the peers know the chaincode by (label:hash). */
  ccid: string;
  /** host:port the server listens on; the peers dial it. */
  address: string;
  /** Version the server reports in its contract metadata (org.hyperledger.fabric:GetMetadata). */
  version: string;
}

/**
 * The version a package label carries after its last underscore
 * (`traceability_1.1:<hash>` is 1.1), so a server started for an upgraded
 * package reports the version the channel committed.
 */
export function versionOfPackageId(ccid: string): string | undefined {
  const label = ccid.split(':')[0];
  const m = /_(\d+(?:\.\d+)*)$/.exec(label);
  return m?.[1];
}

export function loadChaincodeConfig(env: NodeJS.ProcessEnv = process.env): ChaincodeConfig {
  const ccid = env.CHAINCODE_ID;
  const address = env.CHAINCODE_SERVER_ADDRESS;
  const missing = [!ccid && 'CHAINCODE_ID', !address && 'CHAINCODE_SERVER_ADDRESS'].filter(Boolean);
  if (missing.length > 0) throw new Error(`chaincode server: missing environment ${missing.join(', ')}`);
  const version = env.CHAINCODE_VERSION || versionOfPackageId(ccid as string) || '1.0';
  return { ccid: ccid as string, address: address as string, version };
}
