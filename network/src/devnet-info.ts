/**
 * What a client needs to reach a running devnet: per org, its peer endpoint,
 * TLS CA and identities. Written by `network up` to <runDir>/devnet.json for
 * the devnet tooling and tests; the services never read it (they take the
 * connection files of connection-files.ts, like any network's).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DevnetConfig } from './config';
import { ordererTlsCa, orgTlsCa, tlsFiles, userDir } from './paths';

export interface OrgEndpoint {
  mspId: string;
  /** Its role in the consortium registry (retailer, supplier, carrier, auditor). */
  role?: string;
  peerName: string;
  peerEndpoint: string;
  /** PEM file of the CA that signed the peer's TLS certificate. */
  tlsCaFile: string;
  /** Application identity (User1) certificate and key files. */
  userCertFile: string;
  userKeyFile: string;
  /** Admin identity, for tests that need one. */
  adminCertFile: string;
  adminKeyFile: string;
  /** Client TLS pairs of the two identities, for peers that require client certificates. */
  userTlsCertFile: string;
  userTlsKeyFile: string;
  adminTlsCertFile: string;
  adminTlsKeyFile: string;
}

export interface DevnetInfo {
  portBase: number;
  runDir: string;
  channel: string;
  chaincode: string;
  packageId: string;
  orderer: { endpoint: string; tlsCaFile: string };
  /** Every ordering node (one or three). */
  orderers?: Array<{ name: string; endpoint: string }>;
  /** Peers refuse clients without a TLS certificate (peer.tls.clientAuthRequired). */
  clientAuthRequired: boolean;
  orgs: OrgEndpoint[];
}

function identityFiles(mspDir: string): { cert: string; key: string } {
  const certDir = path.join(mspDir, 'signcerts');
  const keyDir = path.join(mspDir, 'keystore');
  const cert = fs.readdirSync(certDir).find((f) => f.endsWith('.pem'));
  const key = fs.readdirSync(keyDir)[0];
  if (!cert || !key) throw new Error(`no certificate or key in ${mspDir}`);
  return { cert: path.join(certDir, cert), key: path.join(keyDir, key) };
}

/** Describes a devnet whose crypto material exists. */
export function describeDevnet(cfg: DevnetConfig, packageId: string): DevnetInfo {
  return {
    portBase: cfg.portBase,
    runDir: cfg.runDir,
    channel: cfg.channel,
    chaincode: cfg.chaincode.name,
    packageId,
    orderer: { endpoint: `${cfg.orderer.address}:${cfg.orderer.port}`, tlsCaFile: ordererTlsCa(cfg) },
    orderers: cfg.orderers.map((o) => ({ name: o.name, endpoint: `${o.address}:${o.port}` })),
    clientAuthRequired: cfg.peerClientAuth,
    orgs: cfg.orgs.map((o) => {
      const userTls = tlsFiles(userDir(cfg, o, 'User1'), 'client');
      const adminTls = tlsFiles(userDir(cfg, o, 'Admin'), 'client');
      const user = identityFiles(path.join(userDir(cfg, o, 'User1'), 'msp'));
      const admin = identityFiles(path.join(userDir(cfg, o, 'Admin'), 'msp'));
      return {
        mspId: o.mspId,
        role: o.role,
        peerName: o.peerHost,
        peerEndpoint: `${o.address}:${o.peerPort}`,
        tlsCaFile: orgTlsCa(cfg, o),
        userCertFile: user.cert,
        userKeyFile: user.key,
        adminCertFile: admin.cert,
        adminKeyFile: admin.key,
        userTlsCertFile: userTls.cert,
        userTlsKeyFile: userTls.key,
        adminTlsCertFile: adminTls.cert,
        adminTlsKeyFile: adminTls.key,
      };
    }),
  };
}

export function devnetInfoPath(runDir: string): string {
  return path.join(runDir, 'devnet.json');
}

/** Reads the description `network up` wrote; fails with the command to run when absent. */
export function readDevnetInfo(runDir: string): DevnetInfo {
  const file = devnetInfoPath(runDir);
  if (!fs.existsSync(file)) throw new Error(`no devnet description at ${file}: run "npm run network -- up" first`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as DevnetInfo;
}
