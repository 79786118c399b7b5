/**
 * An application user of an organisation, registered and enrolled with the
 * organisation's Fabric CA, or re-enrolled before its certificate expires. Works
 * against any Fabric CA given its URL, the TLS root its HTTPS certificate chains
 * to and a registrar's credentials; the devnet only fills these in.
 *
 * The identity lands beside the organisation's other connection files, in the
 * shape the services read (connection-files.ts):
 *
 *   <dir>/<name>/msp/{signcerts/cert.pem, keystore/priv_sk, cacerts/, config.yaml}
 *   <dir>/<name>/tls/{client.crt, client.key, ca.crt}   TLS client pair (peers that require one)
 *   <dir>/<name>/tls-msp/                               the TLS enrolment, kept for re-enrolment
 *   <dir>/<name>.env                                    FABRIC_* settings for the gateway or indexer
 *   <dir>/wallet/<name>.id                              fabric-network wallet entry
 *
 * When <dir> holds a user.env (as connection/<MSP>/ does), <name>.env takes its
 * connection settings (profile, channel, chaincode) and its own identity files.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { putWalletIdentity, readPem } from '../../../lib/fabric/src';
import { enroll, reenroll, register, type CaEndpoint } from './ca-client';
import { enrolledCert, pruneKeystore, writeTlsFolder } from './msp-folder';

/** A CA server as an operator reaches it. */
export interface CaAccess {
  /** Folder holding fabric-ca-client. */
  binDir: string;
  /** https://host:port of the CA server. */
  url: string;
  /** PEM file the server's HTTPS certificate chains to. */
  tlsCertFile: string;
  /** Name of the CA issuing enrolment certificates; the server's default CA when absent. */
  caName?: string;
  /**
   * Name of a separate TLS CA on the same server. When absent, TLS certificates
   * come from the enrolment CA's `tls` profile (a single-CA set-up).
   */
  tlsCaName?: string;
}

export interface Registrar {
  id: string;
  secret: string;
}

/** Roles an application user may have; they become the certificate's NodeOU. */
export type UserRole = 'client' | 'admin';

export interface UserRequest {
  mspId: string;
  /** Enrolment id, also the certificate's CN and the folder name. */
  name: string;
  role: UserRole;
  /** The user's affiliation; the registrar's own when absent. */
  affiliation?: string;
  /** Folder receiving the identity (e.g. a network's connection/<MSP>/ folder). */
  dir: string;
}

/** Files of an enrolled user. */
export interface UserIdentity {
  mspId: string;
  name: string;
  certFile: string;
  keyFile: string;
  tlsCertFile: string;
  tlsKeyFile: string;
  envFile: string;
  walletDir: string;
  /** Serial number and expiry of the enrolment certificate. */
  serialNumber: string;
  validTo: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** Checks a user name before it becomes an enrolment id and a folder. */
export function checkUserName(name: string): void {
  if (!NAME.test(name)) throw new Error(`--name must be 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit; got "${name}"`);
}

function endpoints(ca: CaAccess): { identity: CaEndpoint; tls: CaEndpoint } {
  const common = { binDir: ca.binDir, url: ca.url, tlsCertFile: ca.tlsCertFile };
  const identity = { ...common, caName: ca.caName };
  return { identity, tls: ca.tlsCaName ? { ...common, caName: ca.tlsCaName } : identity };
}

const userFolder = (dir: string, name: string) => path.join(dir, name);

/** Reads `KEY=value` lines. */
function readEnvFile(file: string): Record<string, string> {
  if (!fs.existsSync(file)) return {};
  const env: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

/** Writes <name>.env and the wallet entry for an enrolled user; returns its files. */
async function writeUserFiles(req: { mspId: string; name: string; dir: string }): Promise<UserIdentity> {
  const home = userFolder(req.dir, req.name);
  const certFile = path.join(home, 'msp', 'signcerts', 'cert.pem');
  const keyFile = path.join(home, 'msp', 'keystore', 'priv_sk');
  const tlsCertFile = path.join(home, 'tls', 'client.crt');
  const tlsKeyFile = path.join(home, 'tls', 'client.key');
  const env = {
    ...readEnvFile(path.join(req.dir, 'user.env')),
    FABRIC_MSP_ID: req.mspId,
    FABRIC_CERT_FILE: certFile,
    FABRIC_KEY_FILE: keyFile,
    FABRIC_TLS_CERT_FILE: tlsCertFile,
    FABRIC_TLS_KEY_FILE: tlsKeyFile,
  };
  const envFile = path.join(req.dir, `${req.name}.env`);
  fs.writeFileSync(
    envFile,
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
  );
  const walletDir = path.join(req.dir, 'wallet');
  await putWalletIdentity(walletDir, req.name, { mspId: req.mspId, certificatePem: readPem(certFile), privateKeyPem: readPem(keyFile) });
  const cert = new X509Certificate(fs.readFileSync(certFile));
  return {
    mspId: req.mspId,
    name: req.name,
    certFile,
    keyFile,
    tlsCertFile,
    tlsKeyFile,
    envFile,
    walletDir,
    serialNumber: cert.serialNumber,
    validTo: cert.validTo,
  };
}

/** Gives the enrolled signing identity its fixed file names (signcerts/cert.pem, keystore/priv_sk). */
function fixMspNames(mspDir: string): void {
  const key = pruneKeystore(mspDir);
  if (path.basename(key) !== 'priv_sk') fs.renameSync(key, path.join(mspDir, 'keystore', 'priv_sk'));
  const cert = enrolledCert(mspDir);
  if (path.basename(cert) !== 'cert.pem') fs.renameSync(cert, path.join(mspDir, 'signcerts', 'cert.pem'));
}

/** The TLS root of an enrolment folder (fabric-ca-client writes it to tlscacerts/ with the tls profile). */
function tlsRootOf(enrolledDir: string, fallbackFile: string): string {
  const dir = path.join(enrolledDir, 'tlscacerts');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  return fs.readFileSync(files.length ? path.join(dir, files[0]) : fallbackFile, 'utf8');
}

/**
 * Registers `req.name` with the CA (and with its TLS CA) as the registrar, then
 * enrols it: a signing identity and a TLS client pair. Fails, changing nothing
 * on disk, when the name is already registered.
 */
export async function registerUser(ca: CaAccess, registrar: Registrar, req: UserRequest): Promise<UserIdentity> {
  checkUserName(req.name);
  const home = userFolder(req.dir, req.name);
  if (fs.existsSync(home)) throw new Error(`${home} already exists; use reenroll-user to renew its certificate`);
  const ends = endpoints(ca);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'registrar-'));
  try {
    // The registrar enrols into a scratch folder: its credentials are used for these requests only.
    const regIdentity = path.join(scratch, 'identity');
    await enroll(ends.identity, { id: registrar.id, secret: registrar.secret, mspDir: regIdentity });
    const secret = randomBytes(16).toString('hex');
    await register(ends.identity, { registrarMspDir: regIdentity, id: req.name, secret, type: req.role, affiliation: req.affiliation });
    if (ca.tlsCaName) {
      const regTls = path.join(scratch, 'tls');
      await enroll(ends.tls, { id: registrar.id, secret: registrar.secret, mspDir: regTls });
      await register(ends.tls, { registrarMspDir: regTls, id: req.name, secret, type: req.role, affiliation: req.affiliation });
    }
    const staged = path.join(scratch, 'user');
    await enroll(ends.identity, { id: req.name, secret, mspDir: path.join(staged, 'msp') });
    fixMspNames(path.join(staged, 'msp'));
    await enroll(ends.tls, { id: req.name, secret, mspDir: path.join(staged, 'tls-msp'), profile: 'tls' });
    writeTlsFolder(path.join(staged, 'tls-msp'), path.join(staged, 'tls'), 'client', tlsRootOf(path.join(staged, 'tls-msp'), ca.tlsCertFile));
    fs.mkdirSync(req.dir, { recursive: true });
    fs.cpSync(staged, home, { recursive: true });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return writeUserFiles(req);
}

/**
 * Renews a user's certificates before they expire: re-enrols its signing
 * identity and its TLS pair with the CA, authenticated by the current
 * certificates (no registrar, no secret), then rewrites its env file and wallet
 * entry. The CA refuses an expired certificate: renew in time.
 */
export async function reenrollUser(ca: CaAccess, req: { mspId: string; name: string; dir: string }): Promise<UserIdentity> {
  checkUserName(req.name);
  const home = userFolder(req.dir, req.name);
  if (!fs.existsSync(path.join(home, 'msp', 'signcerts'))) throw new Error(`no enrolled identity at ${home}; use register-user first`);
  const ends = endpoints(ca);
  await reenroll(ends.identity, { mspDir: path.join(home, 'msp') });
  fixMspNames(path.join(home, 'msp'));
  await reenroll(ends.tls, { mspDir: path.join(home, 'tls-msp'), profile: 'tls' });
  writeTlsFolder(path.join(home, 'tls-msp'), path.join(home, 'tls'), 'client', tlsRootOf(path.join(home, 'tls-msp'), ca.tlsCertFile));
  return writeUserFiles(req);
}
