/**
 * Renewing a peer's and the orderer's TLS server certificate with the same key,
 * by the commands of docs/certificate-renewal.md, run as written on the shared
 * test devnet: the TLS CA issues the new certificate, it replaces the node's
 * `tls/server.crt`, `network up` starts the stopped node again. The
 * node then presents the new certificate, and a gateway that ran throughout
 * submits again without being restarted. For the orderer no channel update is
 * needed: Raft compares consenters' TLS certificates by their public key.
 */
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as tls from 'node:tls';
import request from 'supertest';
import { fabricSampleConfigDir } from '../../../network/src/binaries';
import type { OrdererNode, PeerOrg } from '../../../network/src/config';
import { ORDERER_PROCESS, peerProcess, processManager, startOrderer, startPeer } from '../../../network/src/devnet';
import { ordererNodeDir, ordererTlsCa, orgTlsCa, peerNodeDir, tlsFiles } from '../../../network/src/paths';
import { waitForGossip } from '../../../network/src/readiness';
import { DocPage } from '../../fixtures/doc-shell';
import { SHARED_PORT_BASE, testDevnetConfig } from '../../fixtures/test-devnet';
import { waitFor } from '../../fixtures/wait-for';
import { uniqueGln } from '../chaincode/ledger-fixtures';
import { startGatewayFixture, type GatewayFixture } from '../gateway/gateway-fixture';

const S = 'SupplierMSP';

/** The serial number of the certificate a TLS server presents. */
function presentedSerial(host: string, port: number, caPem: string, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, ca: caPem, servername, ALPNProtocols: ['h2'] }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial);
    });
    socket.once('error', reject);
  });
}

describe('TLS server certificates of a peer and the orderer renewed with the same key', function () {
  this.timeout(600_000);
  const cfg = testDevnetConfig(SHARED_PORT_BASE);
  const pm = processManager(cfg);
  const org = cfg.orgs.find((o) => o.mspId === S) as PeerOrg;
  const orderer = cfg.orderer as OrdererNode;
  const saved = new Map<string, string>();
  let fx: GatewayFixture;
  let auth = '';
  const page = new DocPage('docs/certificate-renewal.md', __filename);
  const readerEnv = { ...process.env, FABRIC_PORT_BASE: String(cfg.portBase), FABRIC_RUN_DIR: cfg.runDir, FABRIC_PEER_CLIENT_AUTH: 'true' };

  const submitted = async () => {
    const res = await request(fx.gateways[S].url)
      .post('/locations')
      .set('Authorization', auth)
      .send({ gln: uniqueGln(S), name: 'TLS renewal roastery', type: 'roastery', address: { country: 'CO' } });
    return res.status === 201 ? res : undefined;
  };

  before(async () => {
    fx = await startGatewayFixture([S]);
    auth = `Bearer ${await fx.token(S, ['supplier'], 'tls-renewal')}`;
    expect(await submitted(), 'a submission before any renewal').to.not.equal(undefined);
  });

  after(async () => {
    // Whatever happened, the shared devnet's nodes run again afterwards (with the renewed or the saved certificate).
    const sample = await fabricSampleConfigDir(cfg.root);
    if (!pm.get(ORDERER_PROCESS)?.alive) {
      for (const [file, pem] of saved) if (file.includes('ordererOrganizations')) fs.writeFileSync(file, pem);
      await startOrderer(cfg, pm, orderer, sample);
    }
    if (!pm.get(peerProcess(org))?.alive) {
      for (const [file, pem] of saved) if (file.includes('peerOrganizations')) fs.writeFileSync(file, pem);
      await startPeer(cfg, pm, org, sample);
      await waitForGossip(cfg, 120_000);
    }
    await fx?.stop();
    await page.close();
  });

  /** Runs the page's next block (renew, stop the node, replace its certificate, `network up`) and checks the node and the gateway. */
  async function renewAndRestart(o: {
    nodeDir: string;
    caCertFile: string;
    name: string;
    endpoint: { host: string; port: number; servername: string };
  }): Promise<void> {
    const files = tlsFiles(o.nodeDir, 'server');
    const caPem = fs.readFileSync(o.caCertFile, 'utf8');
    const before = await presentedSerial(o.endpoint.host, o.endpoint.port, caPem, o.endpoint.servername);
    const oldPem = fs.readFileSync(files.cert, 'utf8');
    const keyPem = fs.readFileSync(files.key, 'utf8');
    saved.set(files.cert, oldPem);
    const pid = pm.get(o.name)?.pid;
    await page.next(readerEnv);
    const renewed = { certificatePem: fs.readFileSync(files.cert, 'utf8') };
    expect(renewed.certificatePem, 'tls/server.crt replaced').to.not.equal(oldPem);
    expect(fs.readFileSync(files.key, 'utf8'), 'the same key').to.equal(keyPem);
    const [oldCert, newCert] = [new X509Certificate(oldPem), new X509Certificate(renewed.certificatePem)];
    expect(newCert.publicKey.equals(oldCert.publicKey), 'the renewed certificate is for the same key').to.equal(true);
    expect(newCert.subject).to.equal(oldCert.subject);
    expect(newCert.subjectAltName).to.equal(oldCert.subjectAltName);
    expect(newCert.verify(new X509Certificate(caPem).publicKey), 'issued by the TLS CA').to.equal(true);
    expect(pm.get(o.name)?.alive, `${o.name} runs again`).to.equal(true);
    expect(pm.get(o.name)?.pid, `${o.name} was restarted`).to.not.equal(pid);
    // The health check answers on the operations port; the node's own port may open a moment later.
    const after = await waitFor(
      `${o.name} to accept TLS connections`,
      () => presentedSerial(o.endpoint.host, o.endpoint.port, caPem, o.endpoint.servername).catch(() => undefined),
      60_000,
      250,
    );
    expect(after, `${o.name} presents the renewed certificate`).to.not.equal(before);
    expect(after.toLowerCase()).to.equal(new X509Certificate(renewed.certificatePem).serialNumber.toLowerCase());
    // The gateway was not restarted: it reconnects by itself, then every submission passes.
    await waitFor(`a submission through the gateway after ${o.name} restarted`, submitted, 180_000, 1000);
    for (let i = 0; i < 3; i++) expect(await submitted(), `submission ${i + 1} after ${o.name}'s renewal`).to.not.equal(undefined);
  }

  // `network up` waits for gossip before it returns, as after any peer restart.
  it("renews the supplier peer's TLS certificate; clients and the running gateway carry on", async () => {
    await renewAndRestart({
      nodeDir: peerNodeDir(cfg, org),
      caCertFile: orgTlsCa(cfg, org),
      name: peerProcess(org),
      endpoint: { host: org.address, port: org.peerPort, servername: org.peerHost },
    });
  });

  it("renews the orderer's TLS certificate without a channel update; submissions carry on", async () => {
    await renewAndRestart({
      nodeDir: ordererNodeDir(cfg, orderer),
      caCertFile: ordererTlsCa(cfg),
      name: ORDERER_PROCESS,
      endpoint: { host: orderer.address, port: orderer.port, servername: orderer.host },
    });
  });
});
