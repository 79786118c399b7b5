/**
 * An organisation's Fabric CA server in a devnet: one process hosting the
 * organisation's TLS CA (the server's default CA) and its identity CA (a second
 * CA of the same server, `cafiles`). Each CA has a root key of its own, as
 * Fabric's CA deployment guide recommends: a TLS certificate can never pass as
 * an identity, nor the other way round. The server's own HTTPS certificate is
 * issued by the TLS CA at first start, so clients trust the same TLS root they
 * use for the organisation's peer.
 *
 *   <runDir>/ca/<ca-name>/fabric-ca-server-config.yaml   the server and its TLS CA
 *   <runDir>/ca/<ca-name>/identity/fabric-ca-config.yaml the identity CA
 *   <runDir>/ca/<ca-name>/registrar.secret               the bootstrap registrar's secret (0600)
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { FABRIC_CA_VERSION } from '../binaries';
import type { CaServer, DevnetConfig } from '../config';
import type { ProcessInfo, ProcessManager } from '../processes';

/** Enrolment id of every devnet CA's bootstrap registrar. */
export const REGISTRAR_ID = 'registrar';

/** Folder of a CA server's state and configuration. */
export function caHome(cfg: DevnetConfig, ca: CaServer): string {
  return path.join(cfg.runDir, 'ca', ca.name);
}

/** Root certificate of the TLS CA: the trust anchor for the server's HTTPS listener and the org's TLS certificates. */
export function tlsCaRootFile(cfg: DevnetConfig, ca: CaServer): string {
  return path.join(caHome(cfg, ca), 'ca-cert.pem');
}

/** Root certificate of the identity CA (the organisation's MSP root). */
export function identityCaRootFile(cfg: DevnetConfig, ca: CaServer): string {
  return path.join(caHome(cfg, ca), 'identity', 'ca-cert.pem');
}

export function registrarSecretFile(cfg: DevnetConfig, ca: CaServer): string {
  return path.join(caHome(cfg, ca), 'registrar.secret');
}

/** The URL clients reach a CA server at. */
export function caUrl(ca: CaServer): string {
  return `https://${ca.address}:${ca.port}`;
}

const LOOPBACK = ['localhost', '127.0.0.1'];

/** What both CAs of a server share: registry, signing profiles, database, key request. */
function caSection(ca: CaServer, name: string, cn: string, secret: string): Record<string, unknown> {
  const org = ca.name.replace(/^ca-/, '');
  return {
    ca: { name, keyfile: '', certfile: '', chainfile: '', reenrollIgnoreCertExpiry: false },
    crl: { expiry: '24h' },
    registry: {
      maxenrollments: -1,
      identities: [
        {
          name: REGISTRAR_ID,
          pass: secret,
          type: 'client',
          affiliation: '',
          attrs: {
            'hf.Registrar.Roles': '*',
            'hf.Registrar.DelegateRoles': '*',
            'hf.Registrar.Attributes': '*',
            'hf.Revoker': true,
            'hf.GenCRL': true,
            'hf.IntermediateCA': false,
            'hf.AffiliationMgr': true,
          },
        },
      ],
    },
    db: { type: 'sqlite3', datasource: 'fabric-ca-server.db', tls: { enabled: false } },
    // An affiliation becomes an OU of the certificate: none may be named like a NodeOU role (orderer).
    affiliations: ca.mspId === 'OrdererMSP' ? {} : { [org]: [] },
    signing: {
      default: { usage: ['digital signature'], expiry: '8760h' },
      profiles: {
        ca: { usage: ['cert sign', 'crl sign'], expiry: '43800h', caconstraint: { isca: true, maxpathlen: 0 } },
        tls: { usage: ['signing', 'key encipherment', 'server auth', 'client auth', 'key agreement'], expiry: '8760h' },
      },
    },
    csr: {
      cn,
      keyrequest: { algo: 'ecdsa', size: 256 },
      names: [{ O: ca.domain }],
      hosts: [...new Set([...LOOPBACK, ca.address])],
      ca: { expiry: '131400h', pathlength: 1 },
    },
    bccsp: { default: 'SW', sw: { hash: 'SHA2', security: 256, filekeystore: { keystore: 'msp/keystore' } } },
    cfg: { identities: { passwordattempts: 10 } },
  };
}

function writeYaml(file: string, doc: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, YAML.stringify(doc), { mode: 0o600 });
}

/** Writes the server's configuration (once: the registrar's secret is generated then). */
export function writeCaServerConfig(cfg: DevnetConfig, ca: CaServer): string {
  const home = caHome(cfg, ca);
  const secretFile = registrarSecretFile(cfg, ca);
  fs.mkdirSync(home, { recursive: true });
  if (!fs.existsSync(secretFile)) fs.writeFileSync(secretFile, randomBytes(18).toString('hex') + '\n', { mode: 0o600 });
  const secret = fs.readFileSync(secretFile, 'utf8').trim();
  writeYaml(path.join(home, 'identity', 'fabric-ca-config.yaml'), caSection(ca, ca.caName, `ca.${ca.domain}`, secret));
  writeYaml(path.join(home, 'fabric-ca-server-config.yaml'), {
    version: FABRIC_CA_VERSION,
    port: ca.port,
    address: ca.listenAddress,
    cors: { enabled: false },
    debug: false,
    crlsizelimit: 512000,
    tls: { enabled: true, certfile: path.join(home, 'tls-cert.pem'), keyfile: '', clientauth: { type: 'noclientcert' } },
    ...caSection(ca, ca.tlsCaName, `tlsca.${ca.domain}`, secret),
    cafiles: [path.join(home, 'identity', 'fabric-ca-config.yaml')],
    operations: { listenAddress: `${ca.listenAddress}:${ca.operationsPort}`, tls: { enabled: false } },
    metrics: { provider: 'prometheus' },
  });
  return home;
}

/** Starts (or finds running) an organisation's CA server and waits for its health check. */
export function startCaServer(cfg: DevnetConfig, pm: ProcessManager, ca: CaServer): Promise<ProcessInfo> {
  const home = writeCaServerConfig(cfg, ca);
  return pm.start({
    name: ca.name,
    command: path.join(cfg.binDir, 'fabric-ca-server'),
    args: ['start', '--home', home],
    env: { ...process.env, FABRIC_CA_SERVER_HOME: home },
    cwd: home,
    health: { kind: 'http', url: `http://${ca.listenAddress}:${ca.operationsPort}/healthz` },
  });
}

/** Every CA server of a devnet: the ordering organisation's, then each peer organisation's. */
export function devnetCaServers(cfg: DevnetConfig): CaServer[] {
  return cfg.identities === 'ca' ? [cfg.ordererCa, ...cfg.orgs.map((o) => o.ca)] : [];
}
