/**
 * Chaincode as a service: the contracts a consortium deploys (traceability
 * and the consortium registry), served over gRPC; the peers dial in.
 */
import { contracts } from './contracts';
import { serveContracts } from './serve';

serveContracts(contracts).catch((err) => {
  console.error('chaincode server failed:', err);
  process.exit(1);
});
