/**
 * Separate hosts: the supplier's peer and its gateway run in a Linux network
 * namespace of their own, reached over a veth pair at their own address, while
 * the orderer, the retailer's and auditor's peers and the chaincode server
 * publish the root side's address. Nothing may assume localhost: TLS checks the
 * address dialled against the certificates, discovery hands out the real
 * endpoints, and a custody handoff between the namespaced supplier and the
 * retailer commits. Own devnet (SEPARATE_HOSTS_TEST_PORT_BASE, default 16000).
 * The namespace, the devnet and their teardown are the commands of
 * docs/devnet.md ("Separate hosts"), run as written with the namespace, the
 * subnet and the veth names derived from the port base. Needs root (`ip netns`).
 */
import { expect } from 'chai';
import { X509Certificate, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mintWithKey, type DevIssuerKeyFile } from '../../../lib/platform/src/auth/dev-issuer';
import type { LedgerClient } from '../../../lib/fabric/src';
import { loadDevnetConfig } from '../../../network/src/config';
import { connectDevnet } from '../../../network/src/connect-devnet';
import { devnetLedgerEnv } from '../../../network/src/connection-files';
import { devnetDown, processManager } from '../../../network/src/devnet';
import { readDevnetInfo, type DevnetInfo } from '../../../network/src/devnet-info';
import { isAlive } from '../../../network/src/processes';
import { createPostgres, type PostgresServer } from '../../../network/src/services/postgres';
import { parseTopology } from '../../../network/src/topology';
import { uniqueGln, uniqueGtin } from '../chaincode/ledger-fixtures';
import { DocPage } from '../../fixtures/doc-shell';
import { namespaceNames, namespacePids, removeNamespace, type NamespaceSpec } from '../../fixtures/network-namespace';

const RETAILER = 'RetailerMSP';
const SUPPLIER = 'SupplierMSP';
const AUDITOR = 'AuditorMSP';
const GATEWAY_PROCESS = `gateway-${SUPPLIER}`;

describe('separate hosts: the supplier peer and gateway in their own network namespace (own network)', function () {
  this.timeout(300_000);
  const base = Number(process.env.SEPARATE_HOSTS_TEST_PORT_BASE ?? 16000);
  const subnet = Math.floor(base / 100) % 256;
  const ns: NamespaceSpec = {
    name: `ct-supplier-${base}`,
    hostInterface: `ctv${base}h`,
    innerInterface: `ctv${base}n`,
    hostAddress: `10.231.${subnet}.1`,
    address: `10.231.${subnet}.2`,
  };
  const root = loadDevnetConfig({ portBase: base }).root;
  const cfg = loadDevnetConfig({
    portBase: base,
    runDir: path.join(root, 'network', 'run', `test-hosts-${base}`),
    peerClientAuth: true,
    topology: parseTopology({ address: ns.hostAddress, hosts: { supplier: { address: ns.address, netns: ns.name } } }),
  });
  const supplierOrg = cfg.orgs.find((o) => o.mspId === SUPPLIER)!;
  const gatewayUrl = `http://${ns.address}:${base + 500}`;
  const socketDir = path.join(os.tmpdir(), `ct-hosts-pg-${base}`);
  const quiet = () => undefined;
  let info: DevnetInfo;
  let pg: PostgresServer | undefined;
  let retailer: LedgerClient | undefined;
  let token = '';
  // The page's commands, in a reader's terminal with this devnet's port base, run folder and namespace exported.
  const page = new DocPage('docs/devnet.md', __filename);
  const readerEnv = {
    ...process.env,
    FABRIC_PORT_BASE: String(base),
    FABRIC_RUN_DIR: cfg.runDir,
    FABRIC_PEER_CLIENT_AUTH: 'true',
    SUPPLIER_NETNS: ns.name,
    HOSTS_NET: `10.231.${subnet}`,
    VETH: `ctv${base}`,
  };

  /** Stops everything this suite started and removes the namespace; safe to call twice. */
  async function teardown(): Promise<void> {
    retailer?.close();
    retailer = undefined;
    try {
      await devnetDown(cfg, { wipe: process.env.KEEP_TEST_DEVNET !== '1' }, quiet);
    } finally {
      try {
        await pg?.stop();
      } finally {
        removeNamespace(ns);
        fs.rmSync(socketDir, { recursive: true, force: true });
      }
    }
  }

  before(async function () {
    try {
      await teardown();
      await page.next(readerEnv); // ip netns add …, the veth pair and its addresses
      await page.next(readerEnv); // npm run network -- up --address … --host-of supplier=…@…
      info = readDevnetInfo(cfg.runDir);
      // The gateway's database is reached over a Unix socket, which no network namespace hides.
      fs.mkdirSync(socketDir, { recursive: true, mode: 0o1777 });
      fs.chmodSync(socketDir, 0o1777);
      pg = createPostgres({
        cfg: { ...cfg, runDir: path.join(root, 'network', 'run', `hosts-pg-${base}`) },
        database: 'gateway_hosts',
        settings: { unix_socket_directories: socketDir },
      });
      await pg.start();
      const dbUrl = `postgres://postgres:postgres@${encodeURIComponent(socketDir)}:${pg.port}/gateway_hosts`;
      const keyFile = path.join(cfg.runDir, 'gateway-keys', `${SUPPLIER}.json`);
      await processManager(cfg).start({
        name: GATEWAY_PROCESS,
        command: 'ip',
        args: ['netns', 'exec', ns.name, process.execPath, path.join(root, 'dist', 'gateway', 'src', 'main.js')],
        env: {
          ...process.env,
          ...devnetLedgerEnv(info, SUPPLIER),
          GATEWAY_HOST: ns.address,
          GATEWAY_PORT: String(base + 500),
          DATABASE_URL: dbUrl,
          DEV_ISSUER_KEY_FILE: keyFile,
          LOG_LEVEL: 'warn',
          SUBMIT_WORKER_POLL_MS: '200',
        },
        cwd: root,
        health: { kind: 'http', url: `${gatewayUrl}/healthz` },
      });
      const key = JSON.parse(fs.readFileSync(keyFile, 'utf8')) as DevIssuerKeyFile;
      token = `Bearer ${await mintWithKey(key, { sub: 'alice@roaster', roles: ['supplier'], ttlSec: 600 })}`;
      retailer = await connectDevnet(info, RETAILER);
    } catch (err) {
      await teardown().catch(() => undefined);
      throw err;
    }
  });
  after(async () => {
    await teardown();
    expect(namespaceNames()).to.not.include(ns.name);
    await page.close();
  });

  const api = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${gatewayUrl}${route}`, {
      method,
      headers: { authorization: token, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('runs the supplier peer and its gateway inside the namespace, by PID', () => {
    const pm = processManager(cfg);
    const inside = namespacePids(ns.name);
    for (const name of [`peer0-${supplierOrg.name}`, GATEWAY_PROCESS]) {
      const p = pm.get(name);
      expect(p?.alive, name).to.equal(true);
      expect(inside, `${name} (pid ${p?.pid}) runs in ${ns.name}`).to.include(p!.pid);
    }
    for (const other of ['orderer0', 'peer0-retailer', 'peer0-auditor']) expect(inside).to.not.include(pm.get(other)!.pid);
  });

  it('publishes real endpoints and names the addresses in the TLS certificates', () => {
    const endpoint = (msp: string) => info.orgs.find((o) => o.mspId === msp)!.peerEndpoint;
    expect(endpoint(SUPPLIER)).to.equal(`${ns.address}:${supplierOrg.peerPort}`);
    expect(endpoint(RETAILER)).to.equal(`${ns.hostAddress}:${base + 100}`);
    expect(info.orderer.endpoint).to.equal(`${ns.hostAddress}:${base + 50}`);
    const peerCert = path.join(cfg.runDir, 'crypto', 'peerOrganizations', supplierOrg.domain, 'peers', supplierOrg.peerHost, 'tls', 'server.crt');
    const sans = new X509Certificate(fs.readFileSync(peerCert)).subjectAltName ?? '';
    expect(sans).to.include(`IP Address:${ns.address}`);
    expect(sans).to.include(`DNS:${supplierOrg.peerHost}`);
  });

  it('discovery returns every peer at the address it is reached at, none on localhost', async () => {
    const peers = retailer!.peers().map((p) => `${p.mspId}@${p.name}`);
    expect(peers).to.have.members([
      `${RETAILER}@${ns.hostAddress}:${base + 100}`,
      `${SUPPLIER}@${ns.address}:${supplierOrg.peerPort}`,
      `${AUDITOR}@${ns.hostAddress}:${base + 300}`,
    ]);
    expect(peers.join(' ')).to.not.match(/localhost|127\.0\.0\.1/);
  });

  it('a handoff from the namespaced supplier (through its gateway) to the retailer commits', async () => {
    const site = uniqueGln(SUPPLIER);
    const dc = uniqueGln(RETAILER);
    const gtin = uniqueGtin(SUPPLIER);
    const lot = `NS-${randomUUID().slice(0, 8)}`;
    const ready = await fetch(`${gatewayUrl}/readyz`);
    expect(ready.status).to.equal(200);
    const loc = await api('POST', '/locations', { gln: site, name: 'Roastery (own host)', type: 'roastery', address: { country: 'CO' } });
    expect(loc.status, JSON.stringify(loc.body)).to.equal(201);
    await retailer!.submit({
      contract: 'traceability',
      fn: 'RegisterLocation',
      args: [JSON.stringify({ eventId: `ns-${randomUUID()}`, gln: dc, type: 'dc', name: 'DC', address: { country: 'DE' } })],
    });
    expect((await api('POST', '/products', { gtin, description: 'Roasted beans 1kg', unit: 'KGM' })).status).to.equal(201);
    expect((await api('POST', '/lots', { gln: site, gtin, lotCode: lot, quantity: '50' })).status).to.equal(201);
    const shipmentId = `SH-${lot}`;
    const created = await api('POST', '/shipments', { shipmentId, fromGln: site, toGln: dc, lines: [{ gtin, lotCode: lot, quantity: '20' }] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.result.shipment.endorsers).to.deep.equal([RETAILER, SUPPLIER]);
    const dispatched = await api('POST', `/shipments/${shipmentId}/dispatch`);
    expect(dispatched.status, JSON.stringify(dispatched.body)).to.equal(201);
    // The retailer, on the root namespace, takes the goods: its endorsement plan reaches the supplier's peer by its own address.
    const received = await retailer!.submit({
      contract: 'traceability',
      fn: 'ReceiveShipment',
      args: [JSON.stringify({ eventId: `ns-${randomUUID()}`, shipmentId })],
      // The shipment's key-level policy names both parties; discovery plans for the chaincode's MAJORITY only.
      endorsingOrgs: [RETAILER, SUPPLIER],
    });
    expect(JSON.parse(received.payload.toString('utf8')).shipment.status).to.equal('received');
    // Both peers hold the block: the namespaced supplier's peer through its gateway's view of the shipment.
    const seen = await api('GET', `/shipments/${shipmentId}`);
    expect(seen.status, JSON.stringify(seen.body)).to.equal(200);
    expect(JSON.stringify(seen.body)).to.include('received');
  });

  it('network down leaves no process and no namespace behind', async () => {
    const pids = processManager(cfg)
      .list()
      .map((p) => p.pid);
    expect(pids.length).to.be.greaterThan(3);
    // npm run network -- down --wipe; ip netns delete …
    await page.next(readerEnv);
    for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).to.equal(false);
    expect(processManager(cfg).list()).to.deep.equal([]);
    expect(namespaceNames()).to.not.include(ns.name);
  });
});
