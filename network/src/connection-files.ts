/**
 * What `network up` hands each organisation, in the form any Fabric operator
 * gives a client application: a common connection profile (its own peer, TLS
 * CA inline), the identity as PEM files and as a fabric-network wallet, and an
 * env file with the FABRIC_* settings the services read. The services connect
 * to the devnet exactly as they would to any other network.
 *
 *   <runDir>/connection/<MSP>/connection-profile.json
 *   <runDir>/connection/<MSP>/wallet/{user,admin}.id
 *   <runDir>/connection/<MSP>/{user,admin}.env
 *
 * and, for the chaincode lifecycle commands, <runDir>/operator-network.yaml.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { putWalletIdentity, readPem } from '../../lib/fabric/src';
import type { DevnetConfig } from './config';
import type { DevnetInfo, OrgEndpoint } from './devnet-info';
import { writeOperatorFile } from './operator-file';

/** Folder of an organisation's connection files. */
export function connectionDir(runDir: string, mspId: string): string {
  return path.join(runDir, 'connection', mspId);
}

/** The profile of one organisation: its peer by host name, with the TLS CA inline. */
export function connectionProfileOf(info: DevnetInfo, org: OrgEndpoint): Record<string, unknown> {
  const [host, port] = org.peerEndpoint.split(':');
  return {
    name: `${info.channel}-${org.mspId}`,
    version: '1.0.0',
    client: { organization: org.mspId, connection: { timeout: { peer: { endorser: '30' } } } },
    organizations: { [org.mspId]: { mspid: org.mspId, peers: [org.peerName] } },
    peers: {
      [org.peerName]: {
        url: `grpcs://${host}:${port}`,
        tlsCACerts: { pem: readPem(org.tlsCaFile) },
        grpcOptions: { 'ssl-target-name-override': host },
      },
    },
  };
}

/** The FABRIC_* settings for connecting as an organisation's user (or admin). */
export function devnetLedgerEnv(info: DevnetInfo, mspId: string, as: 'user' | 'admin' = 'user'): Record<string, string> {
  const org = info.orgs.find((o) => o.mspId === mspId);
  if (!org) throw new Error(`the devnet has no organisation ${mspId}; it has ${info.orgs.map((o) => o.mspId).join(', ')}`);
  return {
    FABRIC_CONNECTION_PROFILE: path.join(connectionDir(info.runDir, mspId), 'connection-profile.json'),
    FABRIC_MSP_ID: mspId,
    FABRIC_CERT_FILE: as === 'user' ? org.userCertFile : org.adminCertFile,
    FABRIC_KEY_FILE: as === 'user' ? org.userKeyFile : org.adminKeyFile,
    FABRIC_TLS_CERT_FILE: as === 'user' ? org.userTlsCertFile : org.adminTlsCertFile,
    FABRIC_TLS_KEY_FILE: as === 'user' ? org.userTlsKeyFile : org.adminTlsKeyFile,
    FABRIC_CHANNEL: info.channel,
    FABRIC_CHAINCODE: info.chaincode,
    FABRIC_DISCOVERY_AS_LOCALHOST: 'false',
  };
}

/** Writes every organisation's connection files; returns the folder of each. */
export async function writeConnectionFiles(cfg: DevnetConfig, info: DevnetInfo): Promise<string[]> {
  const dirs: string[] = [];
  for (const org of info.orgs) {
    const dir = connectionDir(cfg.runDir, org.mspId);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'connection-profile.json'), JSON.stringify(connectionProfileOf(info, org), null, 2));
    for (const as of ['user', 'admin'] as const) {
      const env = devnetLedgerEnv(info, org.mspId, as);
      fs.writeFileSync(
        path.join(dir, `${as}.env`),
        Object.entries(env)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n') + '\n',
      );
      await putWalletIdentity(path.join(dir, 'wallet'), as, {
        mspId: org.mspId,
        certificatePem: readPem(env.FABRIC_CERT_FILE),
        privateKeyPem: readPem(env.FABRIC_KEY_FILE),
      });
    }
    dirs.push(dir);
  }
  writeOperatorFile(info);
  return dirs;
}
