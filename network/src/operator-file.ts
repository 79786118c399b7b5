/**
 * The devnet's own network file for `network chaincode …`
 * (<run dir>/operator-network.yaml): the channel, the first orderer and every
 * organisation's peer with its TLS CA, and every organisation's admin MSP
 * folder, since the devnet holds them all. Operators of another network write
 * the same file by hand with the admins they hold (docs/chaincode-operations.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import type { DevnetInfo } from './devnet-info';

export function operatorFilePath(runDir: string): string {
  return path.join(runDir, 'operator-network.yaml');
}

/** The network file's content for a devnet. */
export function operatorNetworkOf(info: DevnetInfo): Record<string, unknown> {
  return {
    channel: info.channel,
    orderer: { endpoint: info.orderer.endpoint, tlsCaFile: info.orderer.tlsCaFile },
    organizations: info.orgs.map((o) => ({
      mspId: o.mspId,
      peer: { endpoint: o.peerEndpoint, tlsCaFile: o.tlsCaFile },
      admin: {
        // <Admin>/msp/signcerts/cert.pem → <Admin>/msp
        mspDir: path.dirname(path.dirname(o.adminCertFile)),
        ...(info.clientAuthRequired ? { tlsCertFile: o.adminTlsCertFile, tlsKeyFile: o.adminTlsKeyFile } : {}),
      },
    })),
  };
}

/** Writes the devnet's network file; returns its path. */
export function writeOperatorFile(info: DevnetInfo): string {
  const file = operatorFilePath(info.runDir);
  fs.writeFileSync(file, YAML.stringify(operatorNetworkOf(info)));
  return file;
}
