/**
 * Where cryptogen puts each identity's material inside a devnet's run folder.
 */
import * as path from 'node:path';
import type { DevnetConfig, OrdererNode, PeerOrg } from './config';

/** Files of one TLS identity. */
export interface TlsFiles {
  cert: string;
  key: string;
  ca: string;
}

export function cryptoDir(cfg: DevnetConfig): string {
  return path.join(cfg.runDir, 'crypto');
}

export function orgDir(cfg: DevnetConfig, org: PeerOrg): string {
  return path.join(cryptoDir(cfg), 'peerOrganizations', org.domain);
}

export function ordererOrgDir(cfg: DevnetConfig): string {
  return path.join(cryptoDir(cfg), 'ordererOrganizations', cfg.orderer.domain);
}

/** An ordering node's folder; default the first node. */
export function ordererNodeDir(cfg: DevnetConfig, node: OrdererNode = cfg.orderer): string {
  return path.join(ordererOrgDir(cfg), 'orderers', node.host);
}

export function peerNodeDir(cfg: DevnetConfig, org: PeerOrg): string {
  return path.join(orgDir(cfg, org), 'peers', org.peerHost);
}

/** A user's folder, e.g. Admin or User1. */
export function userDir(cfg: DevnetConfig, org: PeerOrg, user: string): string {
  return path.join(orgDir(cfg, org), 'users', `${user}@${org.domain}`);
}

export function ordererAdminDir(cfg: DevnetConfig): string {
  return path.join(ordererOrgDir(cfg), 'users', `Admin@${cfg.orderer.domain}`);
}

/** TLS files in a cryptogen node or user folder. */
export function tlsFiles(dir: string, kind: 'server' | 'client'): TlsFiles {
  return {
    cert: path.join(dir, 'tls', `${kind}.crt`),
    key: path.join(dir, 'tls', `${kind}.key`),
    ca: path.join(dir, 'tls', 'ca.crt'),
  };
}

/** CA certificate that signs an org's TLS certificates. */
export function orgTlsCa(cfg: DevnetConfig, org: PeerOrg): string {
  return path.join(orgDir(cfg, org), 'tlsca', `tlsca.${org.domain}-cert.pem`);
}

export function ordererTlsCa(cfg: DevnetConfig): string {
  return path.join(ordererOrgDir(cfg), 'tlsca', `tlsca.${cfg.orderer.domain}-cert.pem`);
}

/** Folder of a node's ledger and other state. */
export function stateDir(cfg: DevnetConfig, node: string): string {
  return path.join(cfg.runDir, 'state', node);
}

export function logDir(cfg: DevnetConfig): string {
  return path.join(cfg.runDir, 'logs');
}

export function pidDir(cfg: DevnetConfig): string {
  return path.join(cfg.runDir, 'pids');
}
