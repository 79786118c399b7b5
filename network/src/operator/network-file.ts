/**
 * The operator's description of a network: the channel, an orderer endpoint
 * and the organisations' peers with their TLS CA files, plus the admin
 * identities (MSP folders) of the organisations whose admins act. Nothing in it
 * is specific to the devnet; `network up` writes one for its own network
 * (<run dir>/operator-network.yaml) as an example.
 *
 *   channel: supplychain
 *   orderer: { endpoint: orderer0.example.com:7050, tlsCaFile: tls/orderer-ca.pem }
 *   organizations:
 *     - mspId: RetailerMSP
 *       peer: { endpoint: peer0.retailer.example.com:7051, tlsCaFile: tls/retailer-ca.pem }
 *       admin: { mspDir: admins/retailer/msp }          # optional
 *
 * Relative paths are resolved against the file's folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';

/** A TLS endpoint: host:port, the CA that signed its certificate, and the host name its certificate holds if it differs. */
export interface TlsEndpoint {
  endpoint: string;
  tlsCaFile: string;
  hostnameOverride?: string;
}

/** An organisation admin's identity: its MSP folder and, for peers that require client certificates, a TLS pair. */
export interface AdminIdentity {
  mspDir: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
}

export interface NetworkOrg {
  mspId: string;
  peer: TlsEndpoint;
  admin?: AdminIdentity;
}

export interface OperatorNetwork {
  file: string;
  channel: string;
  orderer: TlsEndpoint;
  organizations: NetworkOrg[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

class NetworkFileError extends Error {
  constructor(file: string, field: string, problem: string) {
    super(`${file}: ${field} ${problem}`);
    this.name = 'NetworkFileError';
  }
}

function existingPath(file: string, dir: string, field: string, value: unknown, kind: 'file' | 'folder'): string {
  if (typeof value !== 'string' || value === '') throw new NetworkFileError(file, field, `must name a ${kind}`);
  const resolved = path.resolve(dir, value);
  const stat = fs.statSync(resolved, { throwIfNoEntry: false });
  if (!stat || (kind === 'file' ? !stat.isFile() : !stat.isDirectory())) throw new NetworkFileError(file, field, `: no ${kind} ${resolved}`);
  return resolved;
}

function endpointOf(file: string, dir: string, field: string, raw: unknown): TlsEndpoint {
  if (!isObject(raw)) throw new NetworkFileError(file, field, 'must be an object with endpoint and tlsCaFile');
  if (typeof raw.endpoint !== 'string' || !/^[^\s:/]+:\d{1,5}$/.test(raw.endpoint)) {
    throw new NetworkFileError(file, `${field}.endpoint`, `must be host:port, got ${JSON.stringify(raw.endpoint)}`);
  }
  const override = raw.hostnameOverride;
  if (override !== undefined && typeof override !== 'string') throw new NetworkFileError(file, `${field}.hostnameOverride`, 'must be a host name');
  return {
    endpoint: raw.endpoint,
    tlsCaFile: existingPath(file, dir, `${field}.tlsCaFile`, raw.tlsCaFile, 'file'),
    ...(override ? { hostnameOverride: override } : {}),
  };
}

function adminOf(file: string, dir: string, field: string, raw: unknown): AdminIdentity | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) throw new NetworkFileError(file, field, 'must be an object with mspDir');
  const admin: AdminIdentity = { mspDir: existingPath(file, dir, `${field}.mspDir`, raw.mspDir, 'folder') };
  for (const sub of ['signcerts', 'keystore']) {
    if (!fs.existsSync(path.join(admin.mspDir, sub))) throw new NetworkFileError(file, `${field}.mspDir`, `: ${admin.mspDir} has no ${sub} folder`);
  }
  if ((raw.tlsCertFile === undefined) !== (raw.tlsKeyFile === undefined))
    throw new NetworkFileError(file, field, 'needs both tlsCertFile and tlsKeyFile, or neither');
  if (raw.tlsCertFile !== undefined) {
    admin.tlsCertFile = existingPath(file, dir, `${field}.tlsCertFile`, raw.tlsCertFile, 'file');
    admin.tlsKeyFile = existingPath(file, dir, `${field}.tlsKeyFile`, raw.tlsKeyFile, 'file');
  }
  return admin;
}

/** Parses a network file's text; errors name the file and the field. */
export function parseNetworkFile(text: string, file: string): OperatorNetwork {
  const dir = path.dirname(path.resolve(file));
  let doc: unknown;
  try {
    doc = /\.json$/i.test(file) ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new NetworkFileError(file, 'the file', `is not valid JSON or YAML: ${(err as Error).message}`);
  }
  if (!isObject(doc)) throw new NetworkFileError(file, 'the file', 'must hold an object');
  if (typeof doc.channel !== 'string' || !/^[a-z][a-z0-9.-]*$/.test(doc.channel)) {
    throw new NetworkFileError(file, 'channel', `must be a channel name, got ${JSON.stringify(doc.channel)}`);
  }
  if (!Array.isArray(doc.organizations) || doc.organizations.length === 0)
    throw new NetworkFileError(file, 'organizations', 'must list at least one organisation');
  const organizations = doc.organizations.map((raw, i): NetworkOrg => {
    const field = `organizations[${i}]`;
    if (!isObject(raw) || typeof raw.mspId !== 'string' || raw.mspId === '') throw new NetworkFileError(file, `${field}.mspId`, 'is missing');
    return { mspId: raw.mspId, peer: endpointOf(file, dir, `${field}.peer`, raw.peer), admin: adminOf(file, dir, `${field}.admin`, raw.admin) };
  });
  const seen = new Set<string>();
  for (const o of organizations) {
    if (seen.has(o.mspId)) throw new NetworkFileError(file, 'organizations', `lists ${o.mspId} twice`);
    seen.add(o.mspId);
  }
  return { file, channel: doc.channel, orderer: endpointOf(file, dir, 'orderer', doc.orderer), organizations };
}

/** Reads a network file (JSON, or YAML for any other extension). */
export function readNetworkFile(file: string): OperatorNetwork {
  if (!fs.existsSync(file)) throw new Error(`no network file at ${file}`);
  return parseNetworkFile(fs.readFileSync(file, 'utf8'), file);
}

/**
 * The organisations whose admins act: those named in `only` (all of them must
 * have an admin in the file), else every organisation the file gives an admin.
 */
export function actingAdmins(net: OperatorNetwork, only?: string[]): Array<NetworkOrg & { admin: AdminIdentity }> {
  const withAdmin = net.organizations.filter((o): o is NetworkOrg & { admin: AdminIdentity } => o.admin !== undefined);
  if (!only || only.length === 0) {
    if (withAdmin.length === 0) throw new Error(`${net.file} gives no organisation an admin identity (organizations[].admin.mspDir)`);
    return withAdmin;
  }
  return only.map((msp) => {
    const org = withAdmin.find((o) => o.mspId === msp);
    if (!org) throw new Error(`--admins: ${msp} has no admin identity in ${net.file} (admins given: ${withAdmin.map((o) => o.mspId).join(', ') || 'none'})`);
    return org;
  });
}
