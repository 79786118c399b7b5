/**
 * Builds LedgerClientOptions for one organisation of a running devnet, from
 * the description `network up` writes.
 */
import type { DevnetInfo } from './devnet-info';
import { createLedgerClient, readPem, type LedgerClient, type LedgerClientOptions } from '../../ledger/src';

export function devnetLedgerOptions(info: DevnetInfo, mspId: string, as: 'user' | 'admin' = 'user'): LedgerClientOptions {
  const org = info.orgs.find((o) => o.mspId === mspId);
  if (!org) throw new Error(`the devnet has no organisation ${mspId}; it has ${info.orgs.map((o) => o.mspId).join(', ')}`);
  return {
    mspId,
    peer: { endpoint: org.peerEndpoint, tlsCaPem: readPem(org.tlsCaFile) },
    identity: {
      certificatePem: readPem(as === 'user' ? org.userCertFile : org.adminCertFile),
      privateKeyPem: readPem(as === 'user' ? org.userKeyFile : org.adminKeyFile),
    },
    channel: info.channel,
    chaincode: info.chaincode,
  };
}

export function connectDevnet(info: DevnetInfo, mspId: string): Promise<LedgerClient> {
  return createLedgerClient(devnetLedgerOptions(info, mspId));
}
