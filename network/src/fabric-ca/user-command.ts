/**
 * `network register-user` and `network reenroll-user`: the operator commands
 * for an organisation's application users. With --org, against this devnet's
 * CA of that organisation (its URL, TLS root and registrar come from the run
 * folder); with --ca-url, against any network's Fabric CA (docs/fabric-ca.md).
 */
import * as fs from 'node:fs';
import { ensureCaBinaries } from '../binaries';
import type { DevnetConfig } from '../config';
import { connectionDir } from '../connection-files';
import { caUrl, REGISTRAR_ID, registrarSecretFile, tlsCaRootFile } from './ca-server';
import { registerUser, reenrollUser, type CaAccess, type Registrar, type UserIdentity, type UserRole } from './user-identity';

export type UserOptions = Record<string, string | string[] | boolean | undefined>;

function text(values: UserOptions, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}

function required(values: UserOptions, key: string, why: string): string {
  const v = text(values, key);
  if (!v) throw new Error(`--${key} is required ${why}`);
  return v;
}

interface Target {
  ca: CaAccess;
  mspId: string;
  dir: string;
  /** Where the registrar's credentials come from; read only by register-user. */
  registrar: () => Registrar;
}

/** The devnet organisation named by --org (its name or MSP id), whose CA the devnet runs. */
function devnetTarget(cfg: DevnetConfig, org: string): Target {
  if (cfg.identities !== 'ca') {
    throw new Error(`the devnet at ${cfg.runDir} takes its identities from cryptogen; bring it up with "network up --identities ca" to run an organisation CA`);
  }
  const o = cfg.orgs.find((x) => x.name === org || x.mspId === org);
  if (!o) throw new Error(`--org: the devnet has no organisation "${org}"; it has ${cfg.orgs.map((x) => x.name).join(', ')}`);
  return {
    ca: { binDir: cfg.binDir, url: caUrl(o.ca), tlsCertFile: tlsCaRootFile(cfg, o.ca), caName: o.ca.caName, tlsCaName: o.ca.tlsCaName },
    mspId: o.mspId,
    dir: connectionDir(cfg.runDir, o.mspId),
    registrar: () => ({ id: REGISTRAR_ID, secret: fs.readFileSync(registrarSecretFile(cfg, o.ca), 'utf8').trim() }),
  };
}

/** Any network's CA, described by options. */
function externalTarget(cfg: DevnetConfig, values: UserOptions): Target {
  const why = 'with --ca-url';
  const tlsCertFile = required(values, 'ca-tls-cert', why);
  if (!fs.existsSync(tlsCertFile)) throw new Error(`--ca-tls-cert: no file ${tlsCertFile}`);
  return {
    ca: { binDir: cfg.binDir, url: required(values, 'ca-url', why), tlsCertFile, caName: text(values, 'ca-name'), tlsCaName: text(values, 'tls-ca-name') },
    mspId: required(values, 'msp-id', why),
    dir: required(values, 'dir', why),
    registrar: () => {
      const file = required(values, 'registrar-secret-file', 'to register a user');
      if (!fs.existsSync(file)) throw new Error(`--registrar-secret-file: no file ${file}`);
      return { id: required(values, 'registrar', 'to register a user'), secret: fs.readFileSync(file, 'utf8').trim() };
    },
  };
}

function describe(verb: string, id: UserIdentity): string {
  return [
    `${id.name} (${id.mspId}) ${verb}: certificate serial ${id.serialNumber}, valid to ${id.validTo}`,
    `  identity: ${id.certFile}`,
    `  env file: ${id.envFile}`,
    `  wallet:   ${id.walletDir} (label ${id.name})`,
  ].join('\n');
}

/** Runs register-user or reenroll-user; returns what to print. */
export async function runUserCommand(
  command: 'register-user' | 'reenroll-user',
  cfg: DevnetConfig,
  values: UserOptions,
  log: (m: string) => void,
): Promise<string> {
  const name = required(values, 'name', `(the user's enrolment id)`);
  const org = text(values, 'org');
  if (!org && !text(values, 'ca-url')) throw new Error('--org (a devnet organisation) or --ca-url (any Fabric CA) is required');
  const target = org ? devnetTarget(cfg, org) : externalTarget(cfg, values);
  const built = await ensureCaBinaries({ root: cfg.root, binDir: cfg.binDir, log });
  if (built.length) log(`built ${built.join(', ')}`);
  if (command === 'reenroll-user') {
    return describe('re-enrolled', await reenrollUser(target.ca, { mspId: target.mspId, name, dir: target.dir }));
  }
  const role = text(values, 'role') ?? 'client';
  if (role !== 'client' && role !== 'admin') throw new Error(`--role must be client or admin, got "${role}"`);
  const affiliation = text(values, 'affiliation');
  const user = await registerUser(target.ca, target.registrar(), { mspId: target.mspId, name, role: role as UserRole, affiliation, dir: target.dir });
  return describe(`registered and enrolled as ${role}`, user);
}
