/**
 * The devnet's identities issued by each organisation's Fabric CA instead of
 * cryptogen, laid out in the folders cryptogen would write (network/src/paths.ts),
 * so node configuration, the channel definition and the connection files read
 * them unchanged. Per organisation, as in Fabric's CA deployment guide:
 *
 *  1. the bootstrap registrar enrols with the identity CA and the TLS CA;
 *  2. every node, admin and user is registered with both CAs, its type (peer,
 *     orderer, admin, client) becoming the NodeOU of its enrolment certificate;
 *  3. each enrols twice: a signing identity (local MSP) and a TLS key pair with
 *     the names it is reached at;
 *  4. the organisation's MSP folder gets both roots and the NodeOUs config.yaml.
 *
 * Enrolment secrets are random and used once; nothing keeps them.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CaServer, DevnetConfig } from '../config';
import { ordererAdminDir, ordererNodeDir, ordererOrgDir, orgDir, peerNodeDir, userDir } from '../paths';
import { enroll, register, type CaEndpoint, type IdentityType } from './ca-client';
import { caHome, caUrl, identityCaRootFile, REGISTRAR_ID, registrarSecretFile, tlsCaRootFile } from './ca-server';
import { finishLocalMsp, writeOrgMsp, writeTlsFolder, type MspFiles } from './msp-folder';

/** One identity to issue: its enrolment id, type and folder (cryptogen's layout). */
interface Member {
  id: string;
  type: IdentityType;
  dir: string;
  tls: 'server' | 'client';
  /** Names a server's TLS certificate carries. */
  hosts?: string[];
}

const LOOPBACK = ['localhost', '127.0.0.1'];
const hostsOf = (fqdn: string, address: string) => [...new Set([fqdn, fqdn.split('.')[0], ...LOOPBACK, address])];

/** The two CAs of a devnet CA server as fabric-ca-client reaches them. */
export function devnetCaEndpoints(cfg: DevnetConfig, ca: CaServer): { identity: CaEndpoint; tls: CaEndpoint } {
  const common = { binDir: cfg.binDir, url: caUrl(ca), tlsCertFile: tlsCaRootFile(cfg, ca) };
  return { identity: { ...common, caName: ca.caName }, tls: { ...common, caName: ca.tlsCaName } };
}

/** The bootstrap registrar's MSP folders (identity CA, TLS CA), enrolled once per CA server. */
export function registrarMspDirs(cfg: DevnetConfig, ca: CaServer): { identity: string; tls: string } {
  const dir = path.join(caHome(cfg, ca), 'registrar');
  return { identity: path.join(dir, 'identity'), tls: path.join(dir, 'tls') };
}

async function enrollRegistrar(cfg: DevnetConfig, ca: CaServer): Promise<{ identity: string; tls: string }> {
  const dirs = registrarMspDirs(cfg, ca);
  const secret = fs.readFileSync(registrarSecretFile(cfg, ca), 'utf8').trim();
  const ends = devnetCaEndpoints(cfg, ca);
  for (const which of ['identity', 'tls'] as const) {
    if (fs.existsSync(path.join(dirs[which], 'signcerts'))) continue;
    await enroll(ends[which], { id: REGISTRAR_ID, secret, mspDir: dirs[which] });
  }
  return dirs;
}

async function issue(cfg: DevnetConfig, ca: CaServer, registrar: { identity: string; tls: string }, files: MspFiles, m: Member): Promise<void> {
  const ends = devnetCaEndpoints(cfg, ca);
  // No affiliation (the registrar's root one): the certificate's only OU is its NodeOU role.
  const secret = randomBytes(16).toString('hex');
  await register(ends.identity, { registrarMspDir: registrar.identity, id: m.id, secret, type: m.type });
  await register(ends.tls, { registrarMspDir: registrar.tls, id: m.id, secret, type: m.type });
  const msp = path.join(m.dir, 'msp');
  await enroll(ends.identity, { id: m.id, secret, mspDir: msp });
  finishLocalMsp(msp, files, `${m.id}-cert.pem`);
  const enrolledTls = path.join(m.dir, 'tls-enrolment');
  await enroll(ends.tls, { id: m.id, secret, mspDir: enrolledTls, profile: 'tls', hosts: m.hosts });
  writeTlsFolder(enrolledTls, path.join(m.dir, 'tls'), m.tls, files.tlsCaCertPem);
  fs.rmSync(enrolledTls, { recursive: true, force: true });
}

/** Issues one organisation's identities unless its MSP folder is complete. Returns true when it issued. */
async function issueOrg(cfg: DevnetConfig, ca: CaServer, top: string, members: Member[]): Promise<boolean> {
  if (fs.existsSync(path.join(top, 'msp', 'config.yaml'))) return false;
  const files: MspFiles = {
    caCertPem: fs.readFileSync(identityCaRootFile(cfg, ca), 'utf8'),
    tlsCaCertPem: fs.readFileSync(tlsCaRootFile(cfg, ca), 'utf8'),
    caFileName: `ca.${ca.domain}-cert.pem`,
    tlsCaFileName: `tlsca.${ca.domain}-cert.pem`,
  };
  const registrar = await enrollRegistrar(cfg, ca);
  for (const m of members) await issue(cfg, ca, registrar, files, m);
  // cryptogen's copies of the roots beside the MSP: ca/ and tlsca/ (the TLS root is what clients trust).
  const roots: Array<[string, string, string]> = [
    ['ca', files.caFileName, files.caCertPem],
    ['tlsca', files.tlsCaFileName, files.tlsCaCertPem],
  ];
  for (const [sub, name, pem] of roots) {
    fs.mkdirSync(path.join(top, sub), { recursive: true });
    fs.writeFileSync(path.join(top, sub, name), pem);
  }
  // Written last: its presence marks the organisation as complete.
  writeOrgMsp(path.join(top, 'msp'), files);
  return true;
}

/**
 * Issues every missing organisation's identities from its running CA server:
 * orderers and the orderer admin; per peer organisation its peer, Admin and
 * User1 (the application identity of the connection files). Organisations run
 * side by side. Returns the MSP ids it issued for.
 */
export async function ensureCaMaterial(cfg: DevnetConfig): Promise<string[]> {
  const ordererOrg = ordererOrgDir(cfg);
  const jobs: Array<Promise<string | undefined>> = [
    issueOrg(cfg, cfg.ordererCa, ordererOrg, [
      ...cfg.orderers.map((o): Member => ({ id: o.host, type: 'orderer', dir: ordererNodeDir(cfg, o), tls: 'server', hosts: hostsOf(o.host, o.address) })),
      { id: `Admin@${cfg.orderer.domain}`, type: 'admin', dir: ordererAdminDir(cfg), tls: 'client' },
    ]).then((did) => (did ? cfg.ordererCa.mspId : undefined)),
    ...cfg.orgs.map((org) =>
      issueOrg(cfg, org.ca, orgDir(cfg, org), [
        { id: org.peerHost, type: 'peer', dir: peerNodeDir(cfg, org), tls: 'server', hosts: hostsOf(org.peerHost, org.address) },
        { id: `Admin@${org.domain}`, type: 'admin', dir: userDir(cfg, org, 'Admin'), tls: 'client' },
        { id: `User1@${org.domain}`, type: 'client', dir: userDir(cfg, org, 'User1'), tls: 'client' },
      ]).then((did) => (did ? org.mspId : undefined)),
    ),
  ];
  return (await Promise.all(jobs)).filter((m): m is string => m !== undefined);
}
