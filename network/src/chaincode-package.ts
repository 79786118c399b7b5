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

/** Builds the package; returns its path and the package id peers will report. */
export async function buildCcaasPackage(cfg: DevnetConfig): Promise<{ file: string; packageId: string }> {
  const dir = path.join(cfg.runDir, 'chaincode');
  const work = path.join(dir, 'pkg');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(path.join(work, 'code'), { recursive: true });
  const connection = { address: `${cfg.chaincode.address}:${cfg.chaincode.port}`, dial_timeout: '10s', tls_required: false };
  fs.writeFileSync(path.join(work, 'code', 'connection.json'), JSON.stringify(connection));
  await tarGz(path.join(work, 'code'), ['connection.json'], path.join(work, 'code.tar.gz'));
  fs.writeFileSync(path.join(work, 'metadata.json'), JSON.stringify({ type: 'ccaas', label: cfg.chaincode.label }));
  const file = path.join(dir, `${cfg.chaincode.label}.tar.gz`);
  await tarGz(work, ['code.tar.gz', 'metadata.json'], file);
  const hash = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  return { file, packageId: `${cfg.chaincode.label}:${hash}` };
}
