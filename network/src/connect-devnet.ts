/**
 * Connects to a running devnet as one organisation, through the same settings
 * and code path a service uses with any network: the FABRIC_* values of the
 * connection files `network up` wrote.
 */
import { connectLedger, loadLedgerConfig, type LedgerClient } from '../../lib/fabric/src';
import { devnetLedgerEnv } from './connection-files';
import type { DevnetInfo } from './devnet-info';

export function connectDevnet(info: DevnetInfo, mspId: string, as: 'user' | 'admin' = 'user', submitter?: 'gateway' | 'sdk'): Promise<LedgerClient> {
  // FABRIC_SUBMITTER chooses the client library here as it does for a service.
  const chosen = process.env.FABRIC_SUBMITTER ? { FABRIC_SUBMITTER: process.env.FABRIC_SUBMITTER } : {};
  const cfg = loadLedgerConfig({ ...devnetLedgerEnv(info, mspId, as), ...chosen });
  return connectLedger(submitter ? { ...cfg, submitter } : cfg);
}
