/**
 * A devnet whose every identity comes from its organisations' Fabric CAs
 * (`identities: ca`): each organisation's CA server runs as a devnet process,
 * and nodes, admins and users carry certificates from its identity CA (with
 * their NodeOU) and TLS certificates from its TLS CA. An operator registers and
 * enrols a new user with `network register-user`; the gateway runs as that
 * user, and the block of its transaction names the user's certificate as
 * creator; `network reenroll-user` renews the certificate. Own devnet
 * (FABRIC_CA_TEST_PORT_BASE, default 29000), brought up by the first command of
 * docs/fabric-ca.md; the page's other commands run on it at the end, as written.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { X509Certificate, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import * as protos from 'fabric-protos';
import { loadGatewayConfig } from '../../../gateway/src/config';
import { start, type RunningGateway } from '../../../gateway/src/main';
import { connectLedger, loadLedgerConfig, type LedgerClient } from '../../../lib/fabric/src';
import { loadDevnetConfig, type CaServer } from '../../../network/src/config';
import { connectDevnet } from '../../../network/src/connect-devnet';
import { devnetDown, devnetStatus, processManager } from '../../../network/src/devnet';
import { readDevnetInfo, type DevnetInfo } from '../../../network/src/devnet-info';
import { identityCaRootFile, tlsCaRootFile } from '../../../network/src/fabric-ca/ca-server';
import { ordererAdminDir, ordererNodeDir, orgDir, peerNodeDir, userDir } from '../../../network/src/paths';
import { isAlive } from '../../../network/src/processes';
import { createPostgres, type PostgresServer } from '../../../network/src/services/postgres';
import { parseTopology } from '../../../network/src/topology';
import { DocPage } from '../../fixtures/doc-shell';
import { uniqueGln } from '../chaincode/ledger-fixtures';

const run = promisify(execFile);
const SUPPLIER = 'SupplierMSP';

const cert = (file: string) => new X509Certificate(fs.readFileSync(file));
const onlyPem = (dir: string) =>
  path.join(
    dir,
    fs.readdirSync(dir).find((f) => f.endsWith('.pem'))!,
  );
/** The OU values of a certificate's subject. */
const ous = (c: X509Certificate) =>
  c.subject
    .split(/\n|\+/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith('OU='))
    .map((l) => l.slice(3));

/** The PEM certificate of the creator of transaction `txId` in a raw block. */
function creatorOf(raw: Buffer, txId: string): string {
  const { common, msp } = protos;
  for (const data of common.Block.decode(raw).data?.data ?? []) {
    const payload = common.Payload.decode(common.Envelope.decode(data).payload);
    const ch = common.ChannelHeader.decode(payload.header!.channel_header!);
    if (ch.tx_id !== txId) continue;
    const sh = common.SignatureHeader.decode(payload.header!.signature_header!);
    return Buffer.from(msp.SerializedIdentity.decode(sh.creator).id_bytes).toString('utf8');
  }
  throw new Error(`transaction ${txId} is not in the block`);
}

describe('Fabric CA per organisation: every identity from its CA, users registered by the operator (own network)', function () {
  this.timeout(600_000);
  const base = Number(process.env.FABRIC_CA_TEST_PORT_BASE ?? 29000);
  const root = loadDevnetConfig({ portBase: base }).root;
  const cfg = loadDevnetConfig({
    portBase: base,
    runDir: path.join(root, 'network', 'run', `test-ca-${base}`),
    peerClientAuth: true,
    topology: parseTopology({ identities: 'ca' }),
  });
  const supplier = cfg.orgs.find((o) => o.mspId === SUPPLIER)!;
  const pgRunDir = path.join(root, 'network', 'run', `test-ca-pg-${base}`);
  const user = `alice-${randomUUID().slice(0, 8)}`;
  const quiet = () => undefined;
  let info: DevnetInfo;
  let pg: PostgresServer | undefined;
  let gateway: RunningGateway | undefined;
  let ledger: LedgerClient | undefined;
  // The page's commands, in a reader's terminal with this devnet's port base and run folder exported.
  const page = new DocPage('docs/fabric-ca.md', __filename);
  const readerEnv = { ...process.env, FABRIC_PORT_BASE: String(base), FABRIC_RUN_DIR: cfg.runDir, FABRIC_PEER_CLIENT_AUTH: 'true' };

  /** `npm run network -- <args>` as an operator types it, against this suite's devnet. */
  const network = (...args: string[]) =>
    run(process.execPath, [path.join(root, 'dist', 'network', 'src', 'cli.js'), ...args, '--port-base', String(base), '--run-dir', cfg.runDir], {
      cwd: root,
    });

  async function teardown(): Promise<void> {
    ledger?.close();
    ledger = undefined;
    try {
      await gateway?.stop();
    } finally {
      gateway = undefined;
      try {
        await pg?.remove();
        fs.rmSync(pgRunDir, { recursive: true, force: true });
      } finally {
        await devnetDown(cfg, { wipe: process.env.KEEP_TEST_DEVNET !== '1' }, quiet);
      }
    }
  }

  before(async () => {
    try {
      await devnetDown(cfg, { wipe: true }, quiet);
      const t0 = Date.now();
      await page.next(readerEnv); // npm run network -- up --identities ca
      info = readDevnetInfo(cfg.runDir);
      expect(devnetStatus(cfg).running).to.equal(true);
      expect(loadDevnetConfig({ portBase: base, runDir: cfg.runDir }).identities, 'identities kept in the run folder').to.equal('ca');
      console.log(`      (devnet with every identity from its organisation's Fabric CA up in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (err) {
      await teardown().catch(() => undefined);
      throw err;
    }
  });
  after(async () => {
    const pids = devnetStatus(cfg).processes.map((p) => p.pid);
    await teardown();
    for (const pid of pids) if (pid) expect(isAlive(pid), `pid ${pid}`).to.equal(false);
    await page.close();
  });

  it('runs one CA server per organisation as a devnet process, and no cryptogen material', () => {
    const pm = processManager(cfg);
    const cas = [cfg.ordererCa, ...cfg.orgs.map((o) => o.ca)];
    expect(cas.map((c) => c.name)).to.deep.equal(['ca-orderer', 'ca-retailer', 'ca-supplier', 'ca-auditor']);
    for (const ca of cas) {
      expect(pm.get(ca.name)?.alive, ca.name).to.equal(true);
      expect(ca.port).to.be.within(base, base + 999);
    }
    expect(fs.existsSync(path.join(cfg.runDir, 'crypto-config.yaml'))).to.equal(false);
  });

  it('issues every node, admin and user certificate from its organisation CA, with its NodeOU, and TLS certificates from its TLS CA', () => {
    const check = (ca: CaServer, mspDir: string, tlsCert: string, ou: string) => {
      const idRoot = cert(identityCaRootFile(cfg, ca));
      const tlsRoot = cert(tlsCaRootFile(cfg, ca));
      const signer = cert(onlyPem(path.join(mspDir, 'signcerts')));
      expect(signer.checkIssued(idRoot), `${mspDir} issued by ${ca.caName}`).to.equal(true);
      expect(signer.verify(idRoot.publicKey), `${mspDir} signed by ${ca.caName}`).to.equal(true);
      expect(signer.issuer).to.include(`CN=ca.${ca.domain}`);
      expect(ous(signer), mspDir).to.include(ou);
      const tls = cert(tlsCert);
      expect(tls.verify(tlsRoot.publicKey), `${tlsCert} signed by ${ca.tlsCaName}`).to.equal(true);
      expect(tls.verify(idRoot.publicKey), `${tlsCert} not signed by the identity CA`).to.equal(false);
      const nodeOus = fs.readFileSync(path.join(mspDir, 'config.yaml'), 'utf8');
      expect(nodeOus).to.match(/Enable: true/);
      for (const role of ['client', 'peer', 'admin', 'orderer']) expect(nodeOus).to.include(`OrganizationalUnitIdentifier: ${role}`);
    };
    for (const o of cfg.orderers)
      check(cfg.ordererCa, path.join(ordererNodeDir(cfg, o), 'msp'), path.join(ordererNodeDir(cfg, o), 'tls', 'server.crt'), 'orderer');
    check(cfg.ordererCa, path.join(ordererAdminDir(cfg), 'msp'), path.join(ordererAdminDir(cfg), 'tls', 'client.crt'), 'admin');
    for (const org of cfg.orgs) {
      check(org.ca, path.join(peerNodeDir(cfg, org), 'msp'), path.join(peerNodeDir(cfg, org), 'tls', 'server.crt'), 'peer');
      check(org.ca, path.join(userDir(cfg, org, 'Admin'), 'msp'), path.join(userDir(cfg, org, 'Admin'), 'tls', 'client.crt'), 'admin');
      check(org.ca, path.join(userDir(cfg, org, 'User1'), 'msp'), path.join(userDir(cfg, org, 'User1'), 'tls', 'client.crt'), 'client');
      // The channel definition trusts exactly this organisation's two roots.
      const msp = path.join(orgDir(cfg, org), 'msp');
      expect(fs.readFileSync(onlyPem(path.join(msp, 'cacerts')), 'utf8')).to.equal(fs.readFileSync(identityCaRootFile(cfg, org.ca), 'utf8'));
      expect(fs.readFileSync(onlyPem(path.join(msp, 'tlscacerts')), 'utf8')).to.equal(fs.readFileSync(tlsCaRootFile(cfg, org.ca), 'utf8'));
    }
    // Organisations do not share roots.
    const roots = cfg.orgs.map((o) => cert(identityCaRootFile(cfg, o.ca)).fingerprint256);
    expect(new Set(roots).size).to.equal(cfg.orgs.length);
  });

  it('deploys the chaincode and commits a transaction of every organisation', async () => {
    expect(info.packageId).to.match(/^traceability_1\.0:[0-9a-f]{64}$/);
    for (const org of info.orgs) {
      const client = await connectDevnet(info, org.mspId);
      try {
        const key = `ca-${randomUUID()}`;
        const res = await client.submit({ contract: 'probe', fn: 'Put', args: [key, org.mspId] });
        expect(JSON.parse(res.payload.toString()).key).to.equal(key);
      } finally {
        client.close();
      }
    }
  });

  it('a user registered and enrolled with `network register-user` submits through a gateway, and the block names its certificate as creator', async () => {
    const { stdout } = await network('register-user', '--org', 'supplier', '--name', user, '--role', 'client');
    expect(stdout).to.include(`${user} (${SUPPLIER}) registered and enrolled as client`);
    const dir = path.join(cfg.runDir, 'connection', SUPPLIER);
    const env = Object.fromEntries(
      fs
        .readFileSync(path.join(dir, `${user}.env`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    ) as Record<string, string>;
    // Same settings as the organisation's user.env, but its own identity files.
    const userEnv = fs.readFileSync(path.join(dir, 'user.env'), 'utf8');
    for (const k of ['FABRIC_CONNECTION_PROFILE', 'FABRIC_CHANNEL', 'FABRIC_CHAINCODE']) expect(userEnv).to.include(`${k}=${env[k]}`);
    expect(env.FABRIC_CERT_FILE).to.equal(path.join(dir, user, 'msp', 'signcerts', 'cert.pem'));
    expect(fs.existsSync(path.join(dir, 'wallet', `${user}.id`))).to.equal(true);
    const issued = cert(env.FABRIC_CERT_FILE);
    expect(issued.checkIssued(cert(identityCaRootFile(cfg, supplier.ca)))).to.equal(true);
    expect(issued.subject).to.include(`CN=${user}`);
    expect(ous(issued)).to.include('client');
    expect(cert(env.FABRIC_TLS_CERT_FILE).verify(cert(tlsCaRootFile(cfg, supplier.ca)).publicKey)).to.equal(true);
    // A second registration of the same name is refused.
    const again = await network('register-user', '--org', 'supplier', '--name', user).then(
      () => undefined,
      (err: { stderr: string }) => err.stderr,
    );
    expect(again).to.match(/already exists|already registered/);

    // The gateway's database keeps its own run folder (port base + 700), apart from the devnet's wipe.
    pg = createPostgres({ cfg: { ...cfg, runDir: pgRunDir }, database: 'gateway_ca' });
    await pg.start();
    gateway = await start(
      loadGatewayConfig({
        ...env,
        GATEWAY_PORT: '0',
        DATABASE_URL: pg.connectionString,
        DEV_ISSUER_KEY_FILE: path.join(cfg.runDir, 'gateway-keys', `${SUPPLIER}.json`),
        SUBMIT_WORKER_POLL_MS: '200',
      }),
      { logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) },
    );
    const token = await gateway.devIssuer!.mint({ sub: `${user}@roaster`, roles: ['supplier'], org: SUPPLIER });
    const res = await fetch(`${gateway.url}/locations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ gln: uniqueGln(SUPPLIER), name: 'Roastery (CA-issued identity)', type: 'roastery', address: { country: 'CO' } }),
    });
    const body = (await res.json()) as { txId: string; blockNumber: number };
    expect(res.status, JSON.stringify(body)).to.equal(201);
    ledger = await connectDevnet(info, 'RetailerMSP');
    const block = await ledger.blockByTxId(body.txId);
    expect(Number(block.number)).to.equal(body.blockNumber);
    expect(block.transactions.find((t) => t.txId === body.txId)?.validationCode).to.equal('VALID');
    const creator = new X509Certificate(creatorOf(block.raw, body.txId));
    expect(creator.fingerprint256).to.equal(issued.fingerprint256);
  });

  it('`network reenroll-user` gives the user a new certificate from the same CA, which the ledger accepts', async () => {
    const dir = path.join(cfg.runDir, 'connection', SUPPLIER);
    const certFile = path.join(dir, user, 'msp', 'signcerts', 'cert.pem');
    const before = cert(certFile);
    const beforeTls = cert(path.join(dir, user, 'tls', 'client.crt'));
    const { stdout } = await network('reenroll-user', '--org', SUPPLIER, '--name', user);
    expect(stdout).to.include(`${user} (${SUPPLIER}) re-enrolled`);
    const after = cert(certFile);
    expect(after.serialNumber).to.not.equal(before.serialNumber);
    expect(after.publicKey.export({ type: 'spki', format: 'der' }).equals(before.publicKey.export({ type: 'spki', format: 'der' }))).to.equal(false);
    // Same identity: its enrolment id (CN) and role (OU) stay.
    const cn = (c: X509Certificate) => c.subject.split('\n').find((l) => l.startsWith('CN='));
    expect(cn(after)).to.equal(`CN=${user}`).and.equal(cn(before));
    expect(ous(after)).to.deep.equal(ous(before));
    expect(after.checkIssued(cert(identityCaRootFile(cfg, supplier.ca)))).to.equal(true);
    expect(cert(path.join(dir, user, 'tls', 'client.crt')).serialNumber).to.not.equal(beforeTls.serialNumber);
    expect(fs.readdirSync(path.join(dir, user, 'msp', 'keystore'))).to.deep.equal(['priv_sk']);
    // The renewed identity, read from its env file as a service would, submits; the block names the new certificate.
    const env = Object.fromEntries(
      fs
        .readFileSync(path.join(dir, `${user}.env`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    ) as Record<string, string>;
    const client = await connectLedger(loadLedgerConfig(env));
    try {
      const res = await client.submit({ contract: 'probe', fn: 'Put', args: [`renewed-${randomUUID()}`, user] });
      const block = await client.blockByTxId(res.txId);
      expect(new X509Certificate(creatorOf(block.raw, res.txId)).fingerprint256).to.equal(after.fingerprint256);
    } finally {
      client.close();
    }
  });

  it('the commands of docs/fabric-ca.md work as written on this devnet (roles, register-user and reenroll-user, also against the CA by URL)', async () => {
    const out = await page.rest(readerEnv);
    const dir = path.join(cfg.runDir, 'connection', SUPPLIER);
    expect(cert(path.join(dir, 'alice', 'msp', 'signcerts', 'cert.pem')).checkIssued(cert(identityCaRootFile(cfg, supplier.ca)))).to.equal(true);
    const bob = cert(path.join(cfg.runDir, 'supplier-users', 'bob', 'msp', 'signcerts', 'cert.pem'));
    expect(bob.checkIssued(cert(identityCaRootFile(cfg, supplier.ca)))).to.equal(true);
    expect(out).to.include('notAfter=');
  });
});
