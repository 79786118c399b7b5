/**
 * `network serve-chaincode --version V --port N [--name traceability]`: starts
 * one more chaincode server on the devnet for the package `<name>_<V>` whose
 * peers dial `<chaincode address>:N` (the package `network chaincode package
 * --address localhost:N` builds, byte for byte, so both name the same package
 * id). The process is the devnet's: `network down` stops it.
 */
import * as path from 'node:path';
import { startChaincodeServer } from './chaincode-deploy';
import { buildCcaasPackageFile } from './chaincode-package';
import type { DevnetConfig } from './config';
import { logDir, pidDir } from './paths';
import { createProcessManager } from './processes';

export interface ServedChaincode {
  process: string;
  packageId: string;
  address: string;
  pid: number;
}

/** Process name of the server of `name` at `version`, e.g. chaincode-traceability-1.1. */
export const servedProcessName = (name: string, version: string) => `chaincode-${name}-${version}`;

export async function serveChaincode(cfg: DevnetConfig, opts: { name: string; version: string; port: number }): Promise<ServedChaincode> {
  if (!/^[a-z][a-z0-9_-]*$/.test(opts.name)) throw new Error(`--name must be a chaincode name (lower-case letters, digits, - or _), got "${opts.name}"`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(opts.version))
    throw new Error(`--version must be letters, digits, dots, dashes or underscores, got "${opts.version}"`);
  if (!Number.isInteger(opts.port) || opts.port < 1024 || opts.port > 65535) throw new Error(`--port must be a port number (1024-65535), got "${opts.port}"`);
  const address = `${cfg.chaincode.address}:${opts.port}`;
  const { packageId } = await buildCcaasPackageFile({ label: `${opts.name}_${opts.version}`, address, dir: path.join(cfg.runDir, 'chaincode') });
  const name = servedProcessName(opts.name, opts.version);
  const info = await startChaincodeServer(cfg, createProcessManager({ pidDir: pidDir(cfg), logDir: logDir(cfg) }), packageId, { name, port: opts.port });
  return { process: name, packageId, address, pid: info.pid };
}
