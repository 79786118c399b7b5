/**
 * The devnet's chaincode server: the deployable contracts plus the `probe`
 * contract the devnet's readiness check and ledger-path tests write with.
 * A consortium deploys server.ts, which has no probe.
 */
import { contracts } from './contracts';
import { ProbeContract } from './devnet/probe-contract';
import { serveContracts } from './serve';

serveContracts([...contracts, ProbeContract]).catch((err) => {
  console.error('chaincode server failed:', err);
  process.exit(1);
});
