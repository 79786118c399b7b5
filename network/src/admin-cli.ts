/**
 * Runs Fabric's admin CLIs (peer, osnadmin) as an organisation's admin over TLS.
 */
import * as path from 'node:path';
import type { DevnetConfig, OrdererNode, PeerOrg } from './config';
import { nodeConfigDir } from './node-config';
import { ordererAdminDir, ordererTlsCa, orgTlsCa, tlsFiles, userDir } from './paths';
import { runCommand } from './run-command';

/** Environment for `peer` commands acting as `org`'s admin against its own peer. */
export function peerAdminEnv(cfg: DevnetConfig, org: PeerOrg): NodeJS.ProcessEnv {
  return {
    ...process.env,
    FABRIC_CFG_PATH: nodeConfigDir(cfg, `peer0-${org.name}`),
    CORE_PEER_LOCALMSPID: org.mspId,
    CORE_PEER_MSPCONFIGPATH: path.join(userDir(cfg, org, 'Admin'), 'msp'),
    CORE_PEER_ADDRESS: `${org.address}:${org.peerPort}`,
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_TLS_ROOTCERT_FILE: orgTlsCa(cfg, org),
    // Peers that require client certificates get the admin's TLS pair.
    ...(cfg.peerClientAuth
      ? {
          CORE_PEER_TLS_CLIENTAUTHREQUIRED: 'true',
          CORE_PEER_TLS_CLIENTCERT_FILE: tlsFiles(userDir(cfg, org, 'Admin'), 'client').cert,
          CORE_PEER_TLS_CLIENTKEY_FILE: tlsFiles(userDir(cfg, org, 'Admin'), 'client').key,
        }
      : {}),
    FABRIC_LOGGING_SPEC: 'WARN',
  };
}

/** Runs `peer <args>` as `org`'s admin. */
export function peerAdmin(cfg: DevnetConfig, org: PeerOrg, args: string[], step: string): Promise<string> {
  return runCommand(path.join(cfg.binDir, 'peer'), args, { env: peerAdminEnv(cfg, org), step });
}

/** Arguments that point a peer command at the orderer over TLS. */
export function ordererArgs(cfg: DevnetConfig): string[] {
  return ['-o', `${cfg.orderer.address}:${cfg.orderer.port}`, '--tls', '--cafile', ordererTlsCa(cfg)];
}

/** Runs `osnadmin channel <args>` against an ordering node's admin endpoint (default the first) with mutual TLS. */
export function osnadmin(cfg: DevnetConfig, args: string[], step: string, node: OrdererNode = cfg.orderer): Promise<string> {
  const client = tlsFiles(ordererAdminDir(cfg), 'client');
  return runCommand(
    path.join(cfg.binDir, 'osnadmin'),
    ['channel', ...args, '-o', `${node.address}:${node.adminPort}`, '--ca-file', ordererTlsCa(cfg), '--client-cert', client.cert, '--client-key', client.key],
    { step },
  );
}
