/**
 * Serves a list of contracts as a chaincode server (chaincode as a service):
 * the peers dial in at CHAINCODE_SERVER_ADDRESS.
 */
import './shim-tuning'; // before the shim: its loggers are created when it loads
import { JSONSerializer } from 'fabric-contract-api';
import { Shim } from 'fabric-shim';
import { loadChaincodeConfig } from './config';

// fabric-shim builds a chaincode from contract classes with this (untyped) module.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ChaincodeFromContract = require('fabric-shim/lib/contract-spi/chaincodefromcontract');

export async function serveContracts(contracts: readonly unknown[]): Promise<void> {
  const cfg = loadChaincodeConfig();
  const serializers = { transaction: 'jsonSerializer', serializers: { jsonSerializer: JSONSerializer } };
  const chaincode = new ChaincodeFromContract(contracts, serializers, {}, 'traceability', cfg.version);
  const srv = Shim.server(chaincode, { ccid: cfg.ccid, address: cfg.address } as Parameters<typeof Shim.server>[1]);
  await srv.start();
  console.log(`chaincode ${cfg.ccid} (version ${cfg.version}) listening on ${cfg.address}`);
  const stop = (sig: string) => {
    console.log(`chaincode received ${sig}, exiting`);
    process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
