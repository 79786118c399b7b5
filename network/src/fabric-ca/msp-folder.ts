/**
 * Turns what fabric-ca-client enrols into the folders Fabric reads: an MSP with
 * fixed file names and NodeOUs switched on, and a TLS folder with the
 * certificate, key and TLS root as peers, orderers and clients take them.
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';

/** The four NodeOUs Fabric classifies identities by; each is an OU the CA writes from the registered type. */
export const NODE_OUS = { client: 'client', peer: 'peer', admin: 'admin', orderer: 'orderer' } as const;

/** msp/config.yaml: NodeOUs on, every role identified by its OU under the CA certificate `caCertFile` (relative to the MSP). */
export function nodeOuConfig(caCertFile: string): Record<string, unknown> {
  const ou = (name: string) => ({ Certificate: caCertFile, OrganizationalUnitIdentifier: name });
  return {
    NodeOUs: {
      Enable: true,
      ClientOUIdentifier: ou(NODE_OUS.client),
      PeerOUIdentifier: ou(NODE_OUS.peer),
      AdminOUIdentifier: ou(NODE_OUS.admin),
      OrdererOUIdentifier: ou(NODE_OUS.orderer),
    },
  };
}

const onlyFile = (dir: string): string => {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  if (files.length !== 1) throw new Error(`expected one file in ${dir}, found ${files.length}`);
  return path.join(dir, files[0]);
};

/** The enrolled certificate of an MSP folder fabric-ca-client wrote. */
export function enrolledCert(mspDir: string): string {
  return onlyFile(path.join(mspDir, 'signcerts'));
}

/**
 * The key in `mspDir/keystore` that belongs to the enrolled certificate; the
 * other keys (left behind by an earlier enrolment) are removed.
 */
export function pruneKeystore(mspDir: string): string {
  const cert = new X509Certificate(fs.readFileSync(enrolledCert(mspDir)));
  const want = cert.publicKey.export({ type: 'spki', format: 'der' });
  const dir = path.join(mspDir, 'keystore');
  let match: string | undefined;
  for (const f of fs.readdirSync(dir)) {
    const file = path.join(dir, f);
    const pub = createPublicKey(createPrivateKey(fs.readFileSync(file))).export({ type: 'spki', format: 'der' });
    if (pub.equals(want)) match = file;
    else fs.rmSync(file);
  }
  if (!match) throw new Error(`no key in ${dir} matches the certificate of ${mspDir}`);
  return match;
}

export interface MspFiles {
  /** PEM of the identity CA's root. */
  caCertPem: string;
  /** PEM of the TLS CA's root. */
  tlsCaCertPem: string;
  /** File names under cacerts/ and tlscacerts/, e.g. ca.supplier.coffee.example-cert.pem. */
  caFileName: string;
  tlsCaFileName: string;
}

/** An organisation's channel MSP folder: roots and NodeOUs, no signing identity. */
export function writeOrgMsp(mspDir: string, files: MspFiles): void {
  for (const sub of ['cacerts', 'tlscacerts']) fs.rmSync(path.join(mspDir, sub), { recursive: true, force: true });
  fs.mkdirSync(path.join(mspDir, 'cacerts'), { recursive: true });
  fs.mkdirSync(path.join(mspDir, 'tlscacerts'), { recursive: true });
  fs.writeFileSync(path.join(mspDir, 'cacerts', files.caFileName), files.caCertPem);
  fs.writeFileSync(path.join(mspDir, 'tlscacerts', files.tlsCaFileName), files.tlsCaCertPem);
  fs.writeFileSync(path.join(mspDir, 'config.yaml'), YAML.stringify(nodeOuConfig(`cacerts/${files.caFileName}`)));
}

/**
 * Completes a local MSP that fabric-ca-client enrolled: the roots under fixed
 * names, NodeOUs, the signing certificate as `certName`, one key (priv_sk).
 */
export function finishLocalMsp(mspDir: string, files: MspFiles, certName: string): void {
  const key = pruneKeystore(mspDir);
  fs.renameSync(key, path.join(mspDir, 'keystore', 'priv_sk'));
  const cert = enrolledCert(mspDir);
  if (path.basename(cert) !== certName) fs.renameSync(cert, path.join(mspDir, 'signcerts', certName));
  writeOrgMsp(mspDir, files);
}

/** Copies an enrolled TLS identity into `tlsDir` as <kind>.crt, <kind>.key and ca.crt. */
export function writeTlsFolder(enrolledDir: string, tlsDir: string, kind: 'server' | 'client', tlsCaCertPem: string): void {
  const key = pruneKeystore(enrolledDir);
  fs.mkdirSync(tlsDir, { recursive: true });
  fs.copyFileSync(enrolledCert(enrolledDir), path.join(tlsDir, `${kind}.crt`));
  fs.copyFileSync(key, path.join(tlsDir, `${kind}.key`));
  fs.chmodSync(path.join(tlsDir, `${kind}.key`), 0o600);
  fs.writeFileSync(path.join(tlsDir, 'ca.crt'), tlsCaCertPem);
}
