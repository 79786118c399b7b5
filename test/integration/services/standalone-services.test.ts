/**
 * The services as a consortium member runs them: separate processes started
 * from a connection profile and identity files (or a wallet) only, no devnet
 * description, against peers that require client TLS certificates. The
 * gateway submits, the indexer streams and projects the block, the auditor
 * CLI proves the transaction; the query API refuses missing and
 * insufficient tokens; configuration mistakes stop the start naming the
 * setting, without a stack trace.
 */
import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { mintWithKey, type DevIssuerKeyFile } from '../../../lib/platform/src/auth/dev-issuer';
import { createLedgerClient, ledgerClientOptions, loadLedgerConfig } from '../../../lib/fabric/src';
import { connectionDir, devnetLedgerEnv } from '../../../network/src/connection-files';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { sharedDevnet } from '../../fixtures/test-devnet';
import { uniqueGln } from '../chaincode/ledger-fixtures';
import { testPostgres, unique, waitFor } from '../indexer/harness';

const DIST = path.resolve(__dirname, '..', '..', '..');
const GATEWAY = path.join(DIST, 'gateway', 'src', 'main.js');
const INDEXER = path.join(DIST, 'indexer', 'src', 'cli.js');
const AUDITOR = path.join(DIST, 'auditor', 'src', 'cli.js');

/** A child's environment: nothing of the test runner's but PATH and HOME, so no devnet setting leaks in. */
const bare = (env: Record<string, string>) => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env });

interface Started {
  child: ChildProcess;
  /** The first log line matching the readiness message. */
  ready: Promise<{ line: any; ms: number }>;
  output: string[];
}

function startService(file: string, args: string[], env: Record<string, string>, readyMsg: string): Started {
  const t0 = Date.now();
  const child = spawn(process.execPath, [file, ...args], { env: bare(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const ready = new Promise<{ line: any; ms: number }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      output.push(l);
      try {
        const j = JSON.parse(l);
        if (j.msg === readyMsg) resolve({ line: j, ms: Date.now() - t0 });
      } catch {
        /* not a log line */
      }
    });
    createInterface({ input: child.stderr! }).on('line', (l) => output.push(l));
    child.once('exit', (code) => reject(new Error(`${path.basename(file)} exited with ${code}:\n${output.join('\n')}`)));
  });
  ready.catch(() => undefined);
  return { child, ready, output };
}

async function stopChild(c: ChildProcess | undefined): Promise<void> {
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise((r) => c.once('exit', r));
  c.kill('SIGTERM');
  await Promise.race([gone, new Promise((r) => setTimeout(r, 15_000))]);
  if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/** Runs a service that must refuse to start; returns its exit code and stderr. */
function refuses(file: string, args: string[], env: Record<string, string>): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [file, ...args], { env: bare(env), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stderr: `${r.stderr}${r.stdout}` };
}

describe('services started from a connection profile and identity only', function () {
  this.timeout(300_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'standalone-'));
  let pg: PostgresServer;
  let gateway: Started | undefined;
  let indexer: Started | undefined;
  let gatewayUrl = '';
  let indexerUrl = '';
  let keyFile: DevIssuerKeyFile;
  let databaseUrl = '';

  before(async () => {
    pg = testPostgres();
    await pg.start();
    databaseUrl = pg.connectionString;
  });

  after(async () => {
    await stopChild(gateway?.child);
    await stopChild(indexer?.child);
    await pg?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('uses peers that refuse a client without a TLS certificate', async () => {
    const devnet = sharedDevnet();
    expect(devnet.clientAuthRequired).to.equal(true);
    const opts = await ledgerClientOptions(loadLedgerConfig(devnetLedgerEnv(devnet, 'SupplierMSP')));
    let failed: unknown;
    try {
      const c = await createLedgerClient({ ...opts, clientTls: undefined });
      c.close();
    } catch (err) {
      failed = err;
    }
    expect(failed, 'a client without a TLS certificate was let in').to.be.instanceOf(Error);
  });

  it('keeps network/ off the import path of the gateway, the indexer, the auditor and the libraries', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.js') && /require\("[^"]*network\/src\//.test(fs.readFileSync(p, 'utf8'))) offenders.push(path.relative(DIST, p));
      }
    };
    for (const c of ['gateway', 'indexer', 'auditor', 'lib/domain', 'lib/platform', 'lib/epcis', 'lib/fabric']) walk(path.join(DIST, c, 'src'));
    expect(offenders).to.deep.equal([]);
  });

  it('start as processes, submit through the gateway, index the block and prove it with the auditor', async () => {
    const devnet = sharedDevnet();
    // The supplier's gateway signs with PEM files; the indexer reads with the auditor's wallet identity.
    const gwEnv = {
      ...devnetLedgerEnv(devnet, 'SupplierMSP'),
      DATABASE_URL: databaseUrl,
      GATEWAY_PORT: '0',
      DEV_ISSUER_KEY_FILE: path.join(tmp, 'issuer.json'),
    };
    gateway = startService(GATEWAY, [], gwEnv, 'gateway ready');
    const gw = await gateway.ready;
    gatewayUrl = gw.line.url;
    keyFile = JSON.parse(fs.readFileSync(path.join(tmp, 'issuer.json'), 'utf8')) as DevIssuerKeyFile;

    const auditorFiles = devnetLedgerEnv(devnet, 'AuditorMSP');
    const ixEnv = {
      FABRIC_CONNECTION_PROFILE: auditorFiles.FABRIC_CONNECTION_PROFILE,
      FABRIC_WALLET_DIR: path.join(connectionDir(devnet.runDir, 'AuditorMSP'), 'wallet'),
      FABRIC_IDENTITY: 'user',
      FABRIC_TLS_CERT_FILE: auditorFiles.FABRIC_TLS_CERT_FILE,
      FABRIC_TLS_KEY_FILE: auditorFiles.FABRIC_TLS_KEY_FILE,
      FABRIC_CHANNEL: auditorFiles.FABRIC_CHANNEL,
      INDEXER_OWNER_ROLE: 'auditor',
      DATABASE_URL: databaseUrl,
      INDEXER_SCHEMA: unique('standalone'),
      INDEXER_KAFKA: 'off',
      INDEXER_HTTP_PORT: '0',
      INDEXER_POLL_MS: '200',
      AUTH_JWKS_URL: keyFile.jwksUrl,
      AUTH_ISSUER: keyFile.issuer,
    };
    indexer = startService(INDEXER, ['run'], ixEnv, 'query API listening');
    const ix = await indexer.ready;
    indexerUrl = `http://127.0.0.1:${ix.line.port}`;
    console.log(`      (start-up from a connection profile: gateway ${gw.ms} ms, indexer ${ix.ms} ms, as processes)`);

    const token = await mintWithKey(keyFile, { sub: 'ana@cooperative', roles: ['supplier'] });
    const gln = uniqueGln('SupplierMSP');
    const res = await fetch(`${gatewayUrl}/locations`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ gln, name: 'Roastery Huila', type: 'roastery', address: { country: 'CO' } }),
    });
    const body = (await res.json()) as { txId: string; blockNumber: number };
    expect(res.status, JSON.stringify(body)).to.equal(201);

    const reader = await mintWithKey(keyFile, { sub: 'ivan@inventory', roles: ['inventory-reader'] });
    await waitFor('the indexer to project the block', async () => {
      const h = (await (await fetch(`${indexerUrl}/health`)).json()) as { checkpoint: string | null };
      return h.checkpoint !== null && BigInt(h.checkpoint) >= BigInt(body.blockNumber);
    });
    const inv = await fetch(`${indexerUrl}/inventory?gln=${gln}`, { headers: { Authorization: `Bearer ${reader}` } });
    expect(inv.status).to.equal(200);

    const proof = spawnSync(process.execPath, [AUDITOR, 'prove', body.txId], {
      env: bare(devnetLedgerEnv(devnet, 'AuditorMSP')),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(proof.status, proof.stderr + proof.stdout).to.equal(0);
    expect(proof.stdout).to.match(new RegExp(`^OK +tx ${body.txId} block ${body.blockNumber} VALID`));
  });

  it('answers the query API with 401 without a token, 403 for a role that may not read, 404 problems for unknown routes', async () => {
    expect(indexerUrl, 'the indexer of the previous test').to.not.equal('');
    const none = await fetch(`${indexerUrl}/inventory`);
    expect(none.status).to.equal(401);
    expect(none.headers.get('content-type')).to.match(/problem\+json/);
    const pos = await mintWithKey(keyFile, { sub: 'till-7', roles: ['pos'] });
    const denied = await fetch(`${indexerUrl}/fsma/export?format=csv`, { headers: { Authorization: `Bearer ${pos}` } });
    expect(denied.status).to.equal(403);
    expect(((await denied.json()) as { code: string }).code).to.equal('ROLE_FORBIDDEN');
    const reader = await mintWithKey(keyFile, { sub: 'ivan@inventory', roles: ['inventory-reader'] });
    const write = await fetch(`${indexerUrl}/reorder-points/${uniqueGln('SupplierMSP')}/00000000000000`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${reader}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ reorderPoint: '1' }),
    });
    expect(write.status, 'an inventory reader changed a reorder point').to.equal(403);
    const unknown = await fetch(`${indexerUrl}/no/such/route`, { headers: { Authorization: `Bearer ${reader}` } });
    expect(unknown.status).to.equal(404);
    expect(unknown.headers.get('content-type')).to.match(/problem\+json/);
    expect((await fetch(`${indexerUrl}/health`)).status).to.equal(200);
    expect((await fetch(`${indexerUrl}/metrics`)).status).to.equal(200);
  });

  it('refuses to start on a configuration mistake, naming the setting, without a stack trace', () => {
    const devnet = sharedDevnet();
    const good = { ...devnetLedgerEnv(devnet, 'SupplierMSP'), DATABASE_URL: databaseUrl, GATEWAY_PORT: '0', DEV_ISSUER_KEY_FILE: path.join(tmp, 'bad.json') };
    const cases: Array<[string, Record<string, string>, string, string[]]> = [
      ['a missing key file', { ...good, FABRIC_KEY_FILE: path.join(tmp, 'nope.pem') }, 'FABRIC_KEY_FILE', [GATEWAY]],
      ['a key of another certificate', { ...good, FABRIC_KEY_FILE: devnetLedgerEnv(devnet, 'RetailerMSP').FABRIC_KEY_FILE }, 'FABRIC_KEY_FILE', [GATEWAY]],
      ['an MSP the profile does not know', { ...good, FABRIC_MSP_ID: 'RoasterMSP' }, 'FABRIC_MSP_ID', [GATEWAY]],
      ['a channel the peer does not serve', { ...good, FABRIC_CHANNEL: 'nosuchchannel' }, 'FABRIC_CHANNEL', [GATEWAY]],
      ['no connection profile', { ...good, FABRIC_CONNECTION_PROFILE: '' }, 'FABRIC_CONNECTION_PROFILE', [GATEWAY]],
      ['no database', { ...good, DATABASE_URL: '' }, 'DATABASE_URL', [GATEWAY]],
      ['an indexer without Kafka brokers or the opt-out', { ...good }, 'KAFKA_BROKERS', [INDEXER, 'run']],
    ];
    for (const [what, env, setting, [file, ...args]] of cases) {
      const r = refuses(file, args, env);
      expect(r.code, `${what}: exit code`).to.equal(1);
      expect(r.stderr, what).to.include(setting);
      expect(r.stderr, `${what}: stack trace`).to.not.match(/\n\s+at /);
    }
  });
});
