/**
 * The application identity a client signs with: an X.509 certificate and its
 * private key, read from two PEM files or from a fabric-network file-system
 * wallet (a folder of `<label>.id` files) by label.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import * as fs from 'node:fs';
import '../sdk-logger'; // before the SDK: it binds its loggers when it loads
import { Wallets, type X509Identity } from 'fabric-network';
import { ConfigError } from '../../../platform/src';

export interface PemIdentity {
  certificatePem: string;
  privateKeyPem: string;
  /** MSP id recorded with the identity (wallets keep one); absent for plain files. */
  mspId?: string;
}

/** Where an identity comes from, with the setting that named each part (for messages). */
export type IdentitySource =
  | { kind: 'files'; certFile: string; keyFile: string; settings: { cert: string; key: string } }
  | { kind: 'wallet'; walletDir: string; label: string; settings: { wallet: string; label: string } };

function readFile(file: string, setting: string): string {
  if (!fs.existsSync(file)) throw new ConfigError(setting, `no such file ${file}`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(setting, `cannot read ${file}: ${(err as Error).message}`);
  }
}

/** Checks that the certificate parses and the key belongs to it. */
export function checkPair(id: PemIdentity, settings: { cert: string; key: string }): void {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(id.certificatePem);
  } catch (err) {
    throw new ConfigError(settings.cert, `not a PEM X.509 certificate (${(err as Error).message})`);
  }
  let key;
  try {
    key = createPrivateKey(id.privateKeyPem);
  } catch (err) {
    throw new ConfigError(settings.key, `not a PEM private key (${(err as Error).message})`);
  }
  if (!cert.checkPrivateKey(key)) throw new ConfigError(settings.key, `the key does not belong to the certificate in ${settings.cert}`);
}

/** Reads a certificate and key pair from PEM files, checking they belong together. */
export function readPemPair(certFile: string, keyFile: string, settings: { cert: string; key: string }): PemIdentity {
  const id = { certificatePem: readFile(certFile, settings.cert), privateKeyPem: readFile(keyFile, settings.key) };
  checkPair(id, settings);
  return id;
}

/** Reads the identity from its source. */
export async function readIdentity(src: IdentitySource): Promise<PemIdentity> {
  if (src.kind === 'files') return readPemPair(src.certFile, src.keyFile, src.settings);
  if (!fs.existsSync(src.walletDir) || !fs.statSync(src.walletDir).isDirectory())
    throw new ConfigError(src.settings.wallet, `no wallet folder ${src.walletDir}`);
  const wallet = await Wallets.newFileSystemWallet(src.walletDir);
  const found = await wallet.get(src.label).catch((err: unknown) => {
    throw new ConfigError(src.settings.label, `identity "${src.label}" in ${src.walletDir} is unreadable: ${(err as Error).message}`);
  });
  if (!found) {
    const labels = await wallet.list();
    throw new ConfigError(src.settings.label, `no identity "${src.label}" in the wallet ${src.walletDir} (it holds ${labels.join(', ') || 'none'})`);
  }
  if (found.type !== 'X.509') throw new ConfigError(src.settings.label, `identity "${src.label}" is of type ${found.type}; only X.509 is supported`);
  const x = found as X509Identity;
  const id = { certificatePem: x.credentials.certificate, privateKeyPem: x.credentials.privateKey, mspId: x.mspId };
  checkPair(id, { cert: src.settings.label, key: src.settings.label });
  return id;
}

/** Writes an identity into a file-system wallet under `label` (how `network up` hands out wallets). */
export async function putWalletIdentity(walletDir: string, label: string, id: PemIdentity & { mspId: string }): Promise<void> {
  const wallet = await Wallets.newFileSystemWallet(walletDir);
  const x: X509Identity = { credentials: { certificate: id.certificatePem, privateKey: id.privateKeyPem }, mspId: id.mspId, type: 'X.509' };
  await wallet.put(label, x);
}
