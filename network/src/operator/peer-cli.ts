/**
 * Fabric's `peer` CLI run as one organisation's admin against its own peer, for
 * any network described by a network file.
 */
import * as path from 'node:path';
import { runCommand } from '../run-command';
import type { AdminIdentity, NetworkOrg, OperatorNetwork, TlsEndpoint } from './network-file';

/** Where the Fabric binaries and their default configuration (core.yaml) are. */
export interface FabricTools {
  /** Folder holding the `peer` binary. */
  binDir: string;
  /** FABRIC_CFG_PATH for the CLI: a folder with core.yaml. */
  configDir: string;
}

export type AdminOrg = NetworkOrg & { admin: AdminIdentity };

/** Environment of `peer` acting as `org`'s admin against its peer. */
export function adminEnv(tools: FabricTools, org: AdminOrg): NodeJS.ProcessEnv {
  const { admin, peer } = org;
  return {
    ...process.env,
    FABRIC_CFG_PATH: tools.configDir,
    CORE_PEER_LOCALMSPID: org.mspId,
    CORE_PEER_MSPCONFIGPATH: admin.mspDir,
    CORE_PEER_ADDRESS: peer.endpoint,
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_TLS_ROOTCERT_FILE: peer.tlsCaFile,
    ...(peer.hostnameOverride ? { CORE_PEER_TLS_SERVERHOSTOVERRIDE: peer.hostnameOverride } : {}),
    ...(admin.tlsCertFile && admin.tlsKeyFile
      ? { CORE_PEER_TLS_CLIENTAUTHREQUIRED: 'true', CORE_PEER_TLS_CLIENTCERT_FILE: admin.tlsCertFile, CORE_PEER_TLS_CLIENTKEY_FILE: admin.tlsKeyFile }
      : {}),
    FABRIC_LOGGING_SPEC: 'WARN',
  };
}

/** Runs `peer <args>` as `org`'s admin; resolves with its output. */
export function peerAs(tools: FabricTools, org: AdminOrg, args: string[], step: string): Promise<string> {
  return runCommand(path.join(tools.binDir, 'peer'), args, { env: adminEnv(tools, org), step });
}

/** Arguments pointing a peer command at the orderer over TLS (with the admin's TLS pair when it has one). */
export function ordererFlags(net: OperatorNetwork, org: AdminOrg): string[] {
  const o = net.orderer;
  return [
    '-o',
    o.endpoint,
    '--tls',
    '--cafile',
    o.tlsCaFile,
    ...(o.hostnameOverride ? ['--ordererTLSHostnameOverride', o.hostnameOverride] : []),
    ...(org.admin.tlsCertFile && org.admin.tlsKeyFile ? ['--clientauth', '--certfile', org.admin.tlsCertFile, '--keyfile', org.admin.tlsKeyFile] : []),
  ];
}

/** `--peerAddresses … --tlsRootCertFiles …` for each peer, for commands endorsed by several organisations. */
export function peerFlags(peers: TlsEndpoint[]): string[] {
  return peers.flatMap((p) => ['--peerAddresses', p.endpoint, '--tlsRootCertFiles', p.tlsCaFile]);
}

/** The JSON document in a CLI's output (warnings may precede it). */
export function jsonOutput<T>(out: string): T {
  const start = out.search(/^[{[]/m);
  if (start < 0) throw new Error(`expected JSON from the peer CLI, got: ${out.trim().slice(0, 200)}`);
  return JSON.parse(out.slice(start)) as T;
}
