/**
 * The devnet's shape as data: how many supplier and carrier organisations join
 * the retailer and the auditor, and whether ordering runs on one or three
 * etcdraft nodes. `network up` takes it from options or a JSON/YAML file and
 * keeps it in the run folder, so later commands (status, down, add-org) see the
 * same network.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';

/** Role of an organisation in the consortium registry. */
export type OrgRole = 'retailer' | 'supplier' | 'carrier' | 'auditor';

/** What `network up` builds. */
export interface Topology {
  /** Supplier organisations (at least one). */
  suppliers: number;
  /** Carrier organisations (zero or more). */
  carriers: number;
  /** etcdraft ordering nodes: 1, or 3 to survive the loss of one. */
  orderers: 1 | 3;
  /** Organisations added later with `network add-org`, in order. */
  added?: Array<{ name: string; role: OrgRole }>;
  /**
   * Organisations taken out of the channel with `network remove-org`. They keep
   * their place in the order (and so every other organisation its ports) and
   * their names cannot be given to a new organisation.
   */
  removed?: string[];
  /**
   * Address every node without a host of its own (orderers, the other peers,
   * the chaincode server) listens on and publishes, instead of localhost. Needed
   * when some peer runs on another host (or network namespace) and must reach them.
   */
  address?: string;
  /**
   * Organisations whose peer runs on a host of its own: the address it listens on
   * and publishes, and optionally the Linux network namespace its process runs in
   * (`ip netns exec`). Keyed by organisation name, e.g. `auditor`.
   */
  hosts?: Record<string, OrgHost>;
}

/** Where one organisation's peer runs when not on localhost. */
export interface OrgHost {
  /** IPv4 address of the peer: its listen address, its published endpoint and a SAN of its TLS certificate. */
  address: string;
  /** Network namespace to start the peer in (created beforehand by the operator). */
  netns?: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

function parseAddress(value: unknown, field: string): string {
  if (typeof value !== 'string' || !IPV4.test(value)) throw new Error(`topology: ${field} must be an IPv4 address, got ${JSON.stringify(value)}`);
  return value;
}

function parseHosts(raw: unknown): Record<string, OrgHost> {
  if (raw === undefined) return {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('topology: hosts must map organisation names to {address, netns}');
  const hosts: Record<string, OrgHost> = {};
  for (const [org, value] of Object.entries(raw as Record<string, unknown>)) {
    const v = (typeof value === 'string' ? { address: value } : value) as Record<string, unknown> | null;
    if (!v || typeof v !== 'object') throw new Error(`topology: hosts.${org} must be an address or {address, netns}`);
    const host: OrgHost = { address: parseAddress(v.address, `hosts.${org}.address`) };
    if (v.netns !== undefined) {
      if (typeof v.netns !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(v.netns)) {
        throw new Error(`topology: hosts.${org}.netns must be a network namespace name, got ${JSON.stringify(v.netns)}`);
      }
      host.netns = v.netns;
    }
    hosts[org] = host;
  }
  return hosts;
}

/** The default: retailer, one supplier, auditor, one orderer (fast for `npm start` and the shared test devnet). */
export const DEFAULT_TOPOLOGY: Topology = { suppliers: 1, carriers: 0, orderers: 1 };

/** Most organisations a devnet's port layout holds besides the first three. */
export const MAX_EXTRA_ORGS = 29;

const count = (value: unknown, field: string, min: number): number => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    throw new Error(`topology: ${field} must be an integer of at least ${min}, got ${JSON.stringify(value)}`);
  }
  return n;
};

/** Checks a topology (from a file or options), filling defaults; errors name the field. */
export function parseTopology(raw: Record<string, unknown>): Topology {
  const known = ['suppliers', 'carriers', 'orderers', 'added', 'removed', 'address', 'hosts'];
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  if (unknown.length) throw new Error(`topology: unknown field ${unknown.join(', ')} (known: ${known.join(', ')})`);
  const suppliers = count(raw.suppliers ?? DEFAULT_TOPOLOGY.suppliers, 'suppliers', 1);
  const carriers = count(raw.carriers ?? DEFAULT_TOPOLOGY.carriers, 'carriers', 0);
  const orderers = count(raw.orderers ?? DEFAULT_TOPOLOGY.orderers, 'orderers', 1);
  if (orderers !== 1 && orderers !== 3) throw new Error(`topology: orderers must be 1 or 3, got ${orderers}`);
  const added = Array.isArray(raw.added) ? (raw.added as Topology['added']) : [];
  if (suppliers - 1 + carriers + added!.length > MAX_EXTRA_ORGS) {
    throw new Error(`topology: at most ${MAX_EXTRA_ORGS + 3} organisations fit the devnet's port layout`);
  }
  const hosts = parseHosts(raw.hosts);
  const address = raw.address === undefined ? undefined : parseAddress(raw.address, 'address');
  if (Object.keys(hosts).length && !address) {
    throw new Error('topology: hosts needs address, the address the other nodes publish (localhost is not reachable from another host)');
  }
  const topology: Topology = { suppliers, carriers, orderers: orderers as 1 | 3, added };
  if (raw.removed !== undefined) {
    if (!Array.isArray(raw.removed) || !raw.removed.every((r) => typeof r === 'string')) throw new Error('topology: removed must list organisation names');
    if (raw.removed.length) topology.removed = raw.removed as string[];
  }
  // Only set when used, so a default topology reads (and compares) as before.
  if (address) topology.address = address;
  if (Object.keys(hosts).length) topology.hosts = hosts;
  const names = topologyOrgs(topology).map((o) => o.name);
  const strangers = Object.keys(hosts).filter((h) => !names.includes(h));
  if (strangers.length) throw new Error(`topology: hosts names no organisation ${strangers.join(', ')} (organisations: ${names.join(', ')})`);
  return topology;
}

/** Reads a topology file (JSON or YAML). */
export function readTopologyFile(file: string): Topology {
  const text = fs.readFileSync(file, 'utf8');
  const doc = (file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text)) as unknown;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`topology file ${file} must hold an object`);
  return parseTopology(doc as Record<string, unknown>);
}

/** Where a run folder keeps the topology it was built with. */
export function topologyPath(runDir: string): string {
  return path.join(runDir, 'topology.json');
}

/** The topology a run folder was built with, if any. */
export function storedTopology(runDir: string): Topology | undefined {
  const file = topologyPath(runDir);
  return fs.existsSync(file) ? readTopologyFile(file) : undefined;
}

/** Keeps the topology in the run folder. */
export function storeTopology(runDir: string, topology: Topology): void {
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(topologyPath(runDir), JSON.stringify(topology, null, 2) + '\n');
}

/** An organisation the topology asks for: its name (host names, folders), MSP id and role. */
export interface OrgSpec {
  name: string;
  mspId: string;
  role: OrgRole;
}

const mspOf = (name: string) => `${name[0].toUpperCase()}${name.slice(1)}MSP`;

/**
 * The organisations in a fixed order: retailer, supplier, auditor (the default
 * devnet, whose ports never move), then supplier2…, carrier…, then added ones.
 */
export function topologyOrgs(t: Topology): OrgSpec[] {
  const spec = (name: string, role: OrgRole): OrgSpec => ({ name, mspId: mspOf(name), role });
  const orgs = [spec('retailer', 'retailer'), spec('supplier', 'supplier'), spec('auditor', 'auditor')];
  for (let i = 2; i <= t.suppliers; i++) orgs.push(spec(`supplier${i}`, 'supplier'));
  for (let i = 1; i <= t.carriers; i++) orgs.push(spec(i === 1 ? 'carrier' : `carrier${i}`, 'carrier'));
  for (const a of t.added ?? []) orgs.push(spec(a.name, a.role));
  return orgs;
}

/** Checks a new organisation's name: lower-case letters and digits, starting with a letter. */
export function checkOrgName(name: string, existing: OrgSpec[]): void {
  if (!/^[a-z][a-z0-9]{1,30}$/.test(name)) {
    throw new Error(`organisation name "${name}" must be 2-31 lower-case letters or digits, starting with a letter`);
  }
  if (existing.some((o) => o.name === name)) throw new Error(`organisation "${name}" is already part of the devnet`);
}
