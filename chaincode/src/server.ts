/**
 * Chaincode as a service: serves the contracts over gRPC; the peers dial in.
 */
import { JSONSerializer } from 'fabric-contract-api';
import { Shim } from 'fabric-shim';
import { loadChaincodeConfig } from './config';
import { contracts } from './contracts';

// fabric-shim builds a chaincode from contract classes with this (untyped) module.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ChaincodeFromContract = require('fabric-shim/lib/contract-spi/chaincodefromcontract');

async function main(): Promise<void> {
  const cfg = loadChaincodeConfig();
  const serializers = { transaction: 'jsonSerializer', serializers: { jsonSerializer: JSONSerializer } };
  const chaincode = new ChaincodeFromContract(contracts, serializers, {}, 'traceability', '1.0');
  const srv = Shim.server(chaincode, { ccid: cfg.ccid, address: cfg.address } as Parameters<typeof Shim.server>[1]);
  await srv.start();
  console.log(`chaincode ${cfg.ccid} listening on ${cfg.address}`);
  const stop = (sig: string) => {
    console.log(`chaincode received ${sig}, exiting`);
    process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  console.error('chaincode server failed:', err);
  process.exit(1);
});
