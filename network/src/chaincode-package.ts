/**
 * Chaincode-as-a-service package: metadata.json (type ccaas) and code.tar.gz
 * holding connection.json. Built byte-for-byte reproducibly so the package id
 * stays the same across runs.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DevnetConfig } from './config';
import { runCommand } from './run-command';

const TAR_FLAGS = ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--format=ustar'];

async function tarGz(dir: string, files: string[], out: string): Promise<void> {
  const tarFile = out.replace(/\.gz$/, '');
  await runCommand('tar', ['-cf', tarFile, ...TAR_FLAGS, '-C', dir, ...files], { step: `packing ${path.basename(out)}` });
  await runCommand('gzip', ['-n', '-f', tarFile], { step: `compressing ${path.basename(out)}` });
}

/** What a chaincode-as-a-service package says: its label and where peers dial the server. */
export interface CcaasPackageSpec {
  /** Package label, e.g. traceability_1.1: the package id is `<label>:<sha256 of the file>`. */
  label: string;
  /** host:port of the chaincode server the peers dial. */
  address: string;
  /** Folder to build in; the package is written there as `<label>.tar.gz`. */
  dir: string;
}

/** Builds a ccaas package; returns its path and the package id peers will report. */
export async function buildCcaasPackageFile(spec: CcaasPackageSpec): Promise<{ file: string; packageId: string }> {
  const work = path.join(spec.dir, `pkg-${spec.label}`);
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(path.join(work, 'code'), { recursive: true });
  const connection = { address: spec.address, dial_timeout: '10s', tls_required: false };
  fs.writeFileSync(path.join(work, 'code', 'connection.json'), JSON.stringify(connection));
  await tarGz(path.join(work, 'code'), ['connection.json'], path.join(work, 'code.tar.gz'));
  fs.writeFileSync(path.join(work, 'metadata.json'), JSON.stringify({ type: 'ccaas', label: spec.label }));
  const file = path.join(spec.dir, `${spec.label}.tar.gz`);
  await tarGz(work, ['code.tar.gz', 'metadata.json'], file);
  fs.rmSync(work, { recursive: true, force: true });
  const hash = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  return { file, packageId: `${spec.label}:${hash}` };
}

/** Builds the devnet's package; returns its path and the package id peers will report. */
export function buildCcaasPackage(cfg: DevnetConfig): Promise<{ file: string; packageId: string }> {
  return buildCcaasPackageFile({
    label: cfg.chaincode.label,
    address: `${cfg.chaincode.address}:${cfg.chaincode.port}`,
    dir: path.join(cfg.runDir, 'chaincode'),
  });
}
