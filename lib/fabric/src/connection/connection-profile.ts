/**
 * Reads a Fabric common connection profile (JSON or YAML), the file Fabric's
 * documentation and fabric-samples hand to client applications: `peers` with
 * `url`, `tlsCACerts` (inline `pem` or a `path`) and `grpcOptions`, and
 * `organizations` with their `mspid` and `peers`. Only what a client of one
 * organisation needs is taken from it: that organisation's peer to connect
 * to; every other peer is found through discovery.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { ConfigError } from '../../../platform/src';

/** One peer of a profile, resolved: its TLS CA read from pem or path. */
export interface ProfilePeer {
  /** The peer's key in the profile. */
  name: string;
  /** host:port from its grpcs:// url. */
  endpoint: string;
  tlsCaPem: string;
  /** `grpcOptions.ssl-target-name-override`, when the certificate names another host. */
  hostnameOverride?: string;
}

/** A profile reduced to what the ledger client uses. */
export interface ConnectionProfile {
  file: string;
  /** `client.organization`: the organisation key of the profile's own org. */
  clientOrganization?: string;
  /** Organisations by key, with their MSP id and peer names. */
  organizations: Record<string, { mspId: string; peers: string[] }>;
  peers: Record<string, ProfilePeer>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function tlsCaOf(name: string, peer: Json, dir: string, setting: string): string {
  const ca = peer.tlsCACerts;
  if (!isObject(ca)) throw new ConfigError(setting, `peers.${name}.tlsCACerts is missing (give "pem" or "path")`);
  if (typeof ca.pem === 'string' && ca.pem.includes('BEGIN CERTIFICATE')) return ca.pem;
  if (Array.isArray(ca.pem) && ca.pem.every((p) => typeof p === 'string')) return (ca.pem as string[]).join('\n');
  if (typeof ca.path === 'string') {
    const file = path.resolve(dir, ca.path);
    if (!fs.existsSync(file)) throw new ConfigError(setting, `peers.${name}.tlsCACerts.path: no file ${file}`);
    return fs.readFileSync(file, 'utf8');
  }
  throw new ConfigError(setting, `peers.${name}.tlsCACerts needs a "pem" certificate or a "path" to one`);
}

function peerOf(name: string, raw: unknown, dir: string, setting: string): ProfilePeer {
  if (!isObject(raw)) throw new ConfigError(setting, `peers.${name} is not an object`);
  const url = typeof raw.url === 'string' ? raw.url : '';
  const m = /^grpcs:\/\/([^/:]+):(\d+)\/?$/.exec(url);
  if (!m) throw new ConfigError(setting, `peers.${name}.url must be grpcs://host:port (TLS is required), got "${url}"`);
  const grpc = isObject(raw.grpcOptions) ? raw.grpcOptions : {};
  const override = grpc['ssl-target-name-override'] ?? grpc.hostnameOverride;
  return {
    name,
    endpoint: `${m[1]}:${m[2]}`,
    tlsCaPem: tlsCaOf(name, raw, dir, setting),
    hostnameOverride: typeof override === 'string' && override !== '' ? override : undefined,
  };
}

/** Parses a profile's text; `file` resolves relative `path` entries and names the profile in errors. */
export function parseConnectionProfile(text: string, file: string, setting = 'FABRIC_CONNECTION_PROFILE'): ConnectionProfile {
  let doc: unknown;
  try {
    doc = /\.ya?ml$/i.test(file) ? YAML.parse(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError(setting, `${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(err as Error).message}`);
  }
  if (!isObject(doc)) throw new ConfigError(setting, `${file} holds no connection profile object`);
  if (!isObject(doc.organizations) || Object.keys(doc.organizations).length === 0) throw new ConfigError(setting, `${file} has no "organizations"`);
  if (!isObject(doc.peers) || Object.keys(doc.peers).length === 0) throw new ConfigError(setting, `${file} has no "peers"`);
  const dir = path.dirname(path.resolve(file));
  const organizations: ConnectionProfile['organizations'] = {};
  for (const [key, org] of Object.entries(doc.organizations)) {
    if (!isObject(org) || typeof org.mspid !== 'string') throw new ConfigError(setting, `organizations.${key}.mspid is missing`);
    const peers = Array.isArray(org.peers) ? org.peers.filter((p): p is string => typeof p === 'string') : [];
    organizations[key] = { mspId: org.mspid, peers };
  }
  const peers: ConnectionProfile['peers'] = {};
  for (const [name, raw] of Object.entries(doc.peers)) peers[name] = peerOf(name, raw, dir, setting);
  const client = isObject(doc.client) ? doc.client : {};
  return { file, clientOrganization: typeof client.organization === 'string' ? client.organization : undefined, organizations, peers };
}

/** Reads and parses a profile file (`.json`, `.yaml` or `.yml`). */
export function readConnectionProfile(file: string, setting = 'FABRIC_CONNECTION_PROFILE'): ConnectionProfile {
  if (!fs.existsSync(file)) throw new ConfigError(setting, `no connection profile at ${file}`);
  return parseConnectionProfile(fs.readFileSync(file, 'utf8'), file, setting);
}

/** The MSP id of the profile's own organisation (`client.organization`), when it names one. */
export function profileMspId(profile: ConnectionProfile): string | undefined {
  const key = profile.clientOrganization;
  return key ? profile.organizations[key]?.mspId : undefined;
}

/**
 * The peer a client of `mspId` connects to: `peerName` when given, else the
 * organisation's first peer in the profile.
 */
export function selectPeer(
  profile: ConnectionProfile,
  mspId: string,
  peerName?: string,
  settings = { msp: 'FABRIC_MSP_ID', peer: 'FABRIC_PEER' },
): ProfilePeer {
  const orgs = Object.values(profile.organizations);
  const org = orgs.find((o) => o.mspId === mspId);
  if (!org) throw new ConfigError(settings.msp, `"${mspId}" is not an organisation of ${profile.file} (it has ${orgs.map((o) => o.mspId).join(', ')})`);
  if (peerName) {
    const p = profile.peers[peerName];
    if (!p) throw new ConfigError(settings.peer, `${profile.file} has no peer "${peerName}" (it has ${Object.keys(profile.peers).join(', ')})`);
    return p;
  }
  const name = org.peers.find((n) => profile.peers[n]);
  if (!name) throw new ConfigError(settings.peer, `${profile.file} lists no peer of ${mspId} under organizations`);
  return profile.peers[name];
}
