/**
 * fabric-ca-client calls against any Fabric CA server: enrol, register,
 * re-enrol. Each call runs in a scratch client home, so nothing of one call
 * (its generated client configuration) leaks into the next.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCommand } from '../run-command';

/** How to reach one CA of a CA server. */
export interface CaEndpoint {
  /** The folder holding fabric-ca-client. */
  binDir: string;
  /** https://host:port of the CA server. */
  url: string;
  /** PEM file the server's HTTPS certificate chains to. */
  tlsCertFile: string;
  /** Name of the CA on that server; the server's default CA when absent. */
  caName?: string;
}

/** Fabric identity types a CA registers (they become the certificate's NodeOU). */
export type IdentityType = 'client' | 'admin' | 'peer' | 'orderer';

async function caClient(ca: CaEndpoint, args: string[], step: string): Promise<string> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-ca-client-'));
  try {
    return await runCommand(
      path.join(ca.binDir, 'fabric-ca-client'),
      [...args, '--home', home, '--tls.certfiles', path.resolve(ca.tlsCertFile), ...(ca.caName ? ['--caname', ca.caName] : [])],
      { env: { ...process.env, FABRIC_CA_CLIENT_HOME: home }, step },
    );
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** The server URL with an enrolment id and secret in it (both escaped). */
function withCredentials(url: string, id: string, secret: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(id);
  u.password = encodeURIComponent(secret);
  return u.toString().replace(/\/$/, '');
}

export interface EnrollRequest {
  id: string;
  secret: string;
  /** Folder that receives signcerts/, keystore/, cacerts/ (or tlscacerts/ with the tls profile). */
  mspDir: string;
  /** The CA's signing profile, e.g. `tls` for a TLS certificate. */
  profile?: string;
  /** Subject alternative names (host names and addresses) of a TLS certificate. */
  hosts?: string[];
}

/** Enrols an identity: a new key pair and the certificate the CA issues for it. */
export function enroll(ca: CaEndpoint, req: EnrollRequest): Promise<string> {
  return caClient(
    ca,
    [
      'enroll',
      '-u',
      withCredentials(ca.url, req.id, req.secret),
      '--mspdir',
      path.resolve(req.mspDir),
      '--csr.cn',
      req.id,
      ...(req.profile ? ['--enrollment.profile', req.profile] : []),
      ...(req.hosts?.length ? ['--csr.hosts', req.hosts.join(',')] : []),
    ],
    `enrol ${req.id} at ${ca.caName ?? 'the default CA of'} ${ca.url}`,
  );
}

export interface RegisterRequest {
  /** MSP folder of an enrolled registrar of this CA. */
  registrarMspDir: string;
  id: string;
  secret: string;
  type: IdentityType;
  /** The new identity's affiliation; the registrar's own when absent. */
  affiliation?: string;
}

/** Registers an identity with the CA (who may enrol, and as what type). */
export function register(ca: CaEndpoint, req: RegisterRequest): Promise<string> {
  return caClient(
    ca,
    [
      'register',
      '-u',
      ca.url,
      '--mspdir',
      path.resolve(req.registrarMspDir),
      '--id.name',
      req.id,
      '--id.secret',
      req.secret,
      '--id.type',
      req.type,
      ...(req.affiliation !== undefined ? ['--id.affiliation', req.affiliation] : []),
    ],
    `register ${req.id} (${req.type}) at ${ca.caName ?? 'the default CA of'} ${ca.url}`,
  );
}

/**
 * Re-enrols an identity before its certificate expires: authenticated by the
 * current certificate and key in `mspDir`, the CA issues a certificate for a
 * new key pair, which replaces signcerts/ (the old key stays in keystore/).
 */
export function reenroll(ca: CaEndpoint, req: { mspDir: string; profile?: string; hosts?: string[] }): Promise<string> {
  return caClient(
    ca,
    [
      'reenroll',
      '-u',
      ca.url,
      '--mspdir',
      path.resolve(req.mspDir),
      ...(req.profile ? ['--enrollment.profile', req.profile] : []),
      ...(req.hosts?.length ? ['--csr.hosts', req.hosts.join(',')] : []),
    ],
    `re-enrol the identity of ${req.mspDir} at ${ca.caName ?? 'the default CA of'} ${ca.url}`,
  );
}
