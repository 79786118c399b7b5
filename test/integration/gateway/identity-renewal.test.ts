/**
 * Certificate renewal without downtime: the gateway runs as a process,
 * signing with copies of the supplier's User1 certificate and key. While
 * submissions run without pause, the organisation's CA (cryptogen's key in
 * the run folder) issues a renewed certificate for a new key with the
 * openssl commands of docs/certificate-renewal.md, run as written, the files
 * are replaced and the gateway gets SIGHUP. No submission fails; the
 * transactions before carry the old certificate as their creator, those sent
 * after the reload the new one.
 */
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mintWithKey, type DevIssuerKeyFile } from '../../../lib/platform/src/auth/dev-issuer';
import { createLedgerClient, ledgerClientOptions, loadLedgerConfig, transactionCreator, type LedgerClient } from '../../../lib/fabric/src';
import { devnetLedgerEnv } from '../../../network/src/connection-files';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { DocPage } from '../../fixtures/doc-shell';
import { GATEWAY_MAIN, startService, type ServiceProcess } from '../../fixtures/service-process';
import { SHARED_PORT_BASE, sharedDevnet, testDevnetConfig } from '../../fixtures/test-devnet';
import { uniqueGln } from '../chaincode/ledger-fixtures';
import { testPostgres } from '../indexer/harness';

interface Submission {
  startedAt: number;
  endedAt: number;
  status: number;
  txId?: string;
  blockNumber?: number;
  body: string;
}

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

describe('gateway: a renewed Fabric identity taken on SIGHUP while submissions run', function () {
  this.timeout(600_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'identity-renewal-'));
  let pg: PostgresServer | undefined;
  let gateway: ServiceProcess | undefined;
  let reader: LedgerClient | undefined;
  const page = new DocPage('docs/certificate-renewal.md', __filename);

  after(async () => {
    await gateway?.stop();
    reader?.close();
    await pg?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
    await page.close();
  });

  it('finishes every submission and signs the ones after the reload with the new certificate', async () => {
    const devnet = sharedDevnet();
    const org = devnet.orgs.find((o) => o.mspId === 'SupplierMSP')!;
    const env = devnetLedgerEnv(devnet, 'SupplierMSP');
    const certFile = path.join(tmp, 'cert.pem');
    const keyFile = path.join(tmp, 'key.pem');
    fs.copyFileSync(org.userCertFile, certFile);
    fs.copyFileSync(org.userKeyFile, keyFile);
    const oldPem = fs.readFileSync(certFile, 'utf8');

    pg = testPostgres();
    await pg.start();
    gateway = startService(
      GATEWAY_MAIN,
      [],
      {
        ...env,
        FABRIC_CERT_FILE: certFile,
        FABRIC_KEY_FILE: keyFile,
        DATABASE_URL: pg.connectionString,
        GATEWAY_PORT: '0',
        DEV_ISSUER_KEY_FILE: path.join(tmp, 'issuer.json'),
      },
      'gateway ready',
    );
    const url = (await gateway.ready).url as string;
    const issuer = JSON.parse(fs.readFileSync(path.join(tmp, 'issuer.json'), 'utf8')) as DevIssuerKeyFile;
    const token = await mintWithKey(issuer, { sub: 'ana@cooperative', roles: ['supplier'] });

    const done: Submission[] = [];
    const submit = async (): Promise<Submission> => {
      const startedAt = Date.now();
      const res = await fetch(`${url}/locations`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ gln: uniqueGln('SupplierMSP'), name: 'Renewal roastery', type: 'roastery', address: { country: 'CO' } }),
      });
      const body = await res.text();
      const parsed = res.status === 201 ? (JSON.parse(body) as { txId: string; blockNumber: number }) : undefined;
      const s = { startedAt, endedAt: Date.now(), status: res.status, txId: parsed?.txId, blockNumber: parsed?.blockNumber, body };
      done.push(s);
      return s;
    };
    const first = await submit();
    expect(first.status, first.body).to.equal(201);

    // Three clients submit without pause until told to stop.
    let running = true;
    const loops = Array.from({ length: 3 }, async () => {
      while (running) await submit();
    });
    while (done.length < 4) await new Promise((r) => setTimeout(r, 100));

    // The page's openssl commands, in a scratch folder with the shared devnet's run folder exported: they
    // write new-key.pem and new-cert.pem there, signed by the organisation's CA (cryptogen's, in the run folder).
    const work = path.join(tmp, 'renewal');
    fs.mkdirSync(work);
    await page.next({ ...process.env, FABRIC_PORT_BASE: String(SHARED_PORT_BASE), FABRIC_RUN_DIR: testDevnetConfig(SHARED_PORT_BASE).runDir }, work);
    const renewed = {
      certificatePem: fs.readFileSync(path.join(work, 'new-cert.pem'), 'utf8'),
      privateKeyPem: fs.readFileSync(path.join(work, 'new-key.pem'), 'utf8'),
    };
    expect(fingerprint(renewed.certificatePem)).to.not.equal(fingerprint(oldPem));
    expect(new X509Certificate(renewed.certificatePem).subject).to.equal(new X509Certificate(oldPem).subject);
    // Key first, then the certificate, each replaced by a rename, as an operator's deploy step does.
    fs.writeFileSync(`${keyFile}.new`, renewed.privateKeyPem);
    fs.renameSync(`${keyFile}.new`, keyFile);
    fs.writeFileSync(`${certFile}.new`, renewed.certificatePem);
    fs.renameSync(`${certFile}.new`, certFile);

    const hupAt = Date.now();
    gateway.child.kill('SIGHUP');
    const reloaded = await gateway.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('reload'), 'the reload outcome');
    const reloadedAt = Date.now();
    expect(reloaded.msg, JSON.stringify(reloaded)).to.equal('reloaded mappings, HTTPS certificate and Fabric identity');
    const afterReload = () => done.filter((s) => s.startedAt > reloadedAt).length;
    while (afterReload() < 3) await new Promise((r) => setTimeout(r, 100));
    running = false;
    await Promise.all(loops);
    const last = await submit();

    const failed = done.filter((s) => s.status !== 201);
    expect(failed.map((s) => `${s.status} ${s.body}`)).to.deep.equal([]);
    const spanning = done.filter((s) => s.startedAt < hupAt && s.endedAt > hupAt);
    expect(spanning.length, 'submissions under way when SIGHUP arrived').to.be.greaterThan(0);
    console.log(
      `      (${done.length} submissions, ${spanning.length} under way at SIGHUP, ${String(reloaded.carriedOver)} finished on the previous connection)`,
    );

    reader = await createLedgerClient(await ledgerClientOptions(loadLedgerConfig(env)));
    const creatorOf = async (s: Submission) => {
      const block = await reader!.blockByNumber(BigInt(s.blockNumber!));
      return transactionCreator(block, s.txId!);
    };
    const before = await creatorOf(first);
    expect(before.mspId).to.equal('SupplierMSP');
    expect(fingerprint(before.certificatePem), 'creator before the reload').to.equal(fingerprint(oldPem));
    for (const s of [...done.filter((d) => d.startedAt > reloadedAt), last]) {
      const creator = await creatorOf(s);
      expect(creator.mspId).to.equal('SupplierMSP');
      expect(fingerprint(creator.certificatePem), `creator of ${s.txId}`).to.equal(fingerprint(renewed.certificatePem));
    }
  });
});
