/**
 * Chaincode and consortium operations with the operator commands, on a devnet
 * of its own (retailer, two suppliers, auditor: MAJORITY is 3 of 4):
 * `network chaincode deploy` of a second chaincode to the running channel with
 * its registry bootstrap; `network chaincode upgrade` of traceability from 1.0
 * to 1.0.1 by three of the four admins while 200 submissions run, each counted
 * once on the ledger; `network remove-org` of the second supplier. The
 * commands of docs/chaincode-operations.md run here as written: registry2's
 * serve, deploy and package and `chaincode status` on four organisations, the
 * upgrade to 1.1 by two of the three left after remove-org. The devnet itself
 * is brought up from the topology file of docs/consortium-operations.md
 * ("Topology"), saved as the page shows it, by the page's command.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { connectLedger, createLedgerClient, ledgerClientOptions, loadLedgerConfig, type LedgerClient } from '../../../lib/fabric/src';
import { ServiceError, withRetry } from '../../../lib/platform/src';
import { peerAdmin } from '../../../network/src/admin-cli';
import { CHAINCODE_PROCESS, startChaincodeServer } from '../../../network/src/chaincode-deploy';
import { fetchChannelConfig } from '../../../network/src/channel-update';
import { loadDevnetConfig, type DevnetConfig } from '../../../network/src/config';
import { connectDevnet } from '../../../network/src/connect-devnet';
import { devnetLedgerEnv } from '../../../network/src/connection-files';
import { devnetDown, devnetStatus, processManager } from '../../../network/src/devnet';
import { readDevnetInfo, type DevnetInfo } from '../../../network/src/devnet-info';
import { operatorFilePath } from '../../../network/src/operator-file';
import { runCommand } from '../../../network/src/run-command';
import { docBlocks } from '../../fixtures/doc-blocks';
import { DocPage } from '../../fixtures/doc-shell';
import { effectiveCommits, registerSiteAndProduct } from '../chaincode/ledger-fixtures';

const PORT_BASE = Number(process.env.CHAINCODE_OPS_TEST_PORT_BASE ?? 30000);
const RETAILER = 'RetailerMSP';
const SUPPLIER = 'SupplierMSP';
const SUPPLIER2 = 'Supplier2MSP';
const AUDITOR = 'AuditorMSP';

function opsDevnetConfig(): DevnetConfig {
  const root = loadDevnetConfig({ portBase: PORT_BASE }).root;
  return loadDevnetConfig({
    portBase: PORT_BASE,
    runDir: path.join(root, 'network', 'run', `test-chaincode-ops-${PORT_BASE}`),
    peerClientAuth: true,
    topology: { suppliers: 2, carriers: 0, orderers: 1, added: [] },
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stamp = Date.now() % 1_000_000;

/** Chaincode errors that a new attempt cannot change; everything else an upgrade may cause is tried again. */
const FINAL = new Set(['NOT_FOUND', 'DUPLICATE', 'CONFLICT', 'FORBIDDEN', 'INSUFFICIENT_STOCK', 'INVALID_ARGUMENT']);

describe('chaincode operations: deploy, upgrade under load, remove-org (own network)', function () {
  this.timeout(900_000);
  const cfg = opsDevnetConfig();
  const pm = processManager(cfg);
  const quiet = () => undefined;
  const workDir = path.join(cfg.runDir, 'operator-packages');
  let info: DevnetInfo;
  let networkFile = '';
  const users: Record<string, LedgerClient> = {};
  // The page's commands, in a reader's terminal with this devnet's port base and run folder exported.
  const page = new DocPage('docs/chaincode-operations.md', __filename);
  const readerEnv = { ...process.env, FABRIC_PORT_BASE: String(cfg.portBase), FABRIC_RUN_DIR: cfg.runDir, FABRIC_PEER_CLIENT_AUTH: 'true' };
  // npm run network -- up --topology consortium.yaml, with the page's consortium.yaml (two suppliers) saved beside it.
  const topologyPage = new DocPage('docs/consortium-operations.md', __filename);
  const topologyFile = path.join(cfg.root, 'consortium.yaml');

  /** Runs the network CLI as an operator would (`npm run network -- …` without the build). */
  const network = (args: string[]) =>
    runCommand(process.execPath, [path.join(cfg.root, 'dist', 'network', 'src', 'cli.js'), ...args], {
      env: { ...process.env, FABRIC_PEER_CLIENT_AUTH: 'true' },
      step: `network ${args.slice(0, 2).join(' ')}`,
    });
  const lastJson = (out: string) => JSON.parse(out.slice(out.search(/^\{/m))) as any;
  const chaincodeJson = async (args: string[]) => lastJson(await network(['chaincode', ...args, '--network', networkFile, '--work-dir', workDir, '--json']));

  before(async function () {
    await devnetDown(cfg, { wipe: true }, quiet);
    const yaml = docBlocks('docs/consortium-operations.md').find((b) => b.heading === 'Topology' && b.lang === 'yaml');
    expect(yaml?.text, 'the consortium.yaml of docs/consortium-operations.md').to.match(/^suppliers: 2\b/m);
    fs.writeFileSync(topologyFile, `${yaml!.text}\n`);
    await topologyPage.next(readerEnv);
    info = readDevnetInfo(cfg.runDir);
    networkFile = operatorFilePath(cfg.runDir);
    for (const msp of [RETAILER, SUPPLIER, SUPPLIER2, AUDITOR]) users[msp] = await connectDevnet(info, msp);
  });
  after(async () => {
    for (const c of Object.values(users)) c.close();
    await devnetDown(cfg, { wipe: process.env.KEEP_TEST_DEVNET !== '1' }, quiet);
    fs.rmSync(topologyFile, { force: true });
    try {
      await topologyPage.close();
    } finally {
      await page.close();
    }
  });

  it('status reports the committed definition and no approval for the next sequence', async () => {
    const st = await chaincodeJson(['status']);
    expect(st.committed).to.include({ name: 'traceability', version: '1.0', sequence: 1 });
    expect(Object.keys(st.committed.approvals).sort()).to.deep.equal([AUDITOR, RETAILER, SUPPLIER2, SUPPLIER]);
    expect(st.next).to.include({ sequence: 2, readyToCommit: false });
    expect(st.next.version).to.equal(undefined);
  });

  it("deploys a second chaincode as a service to the running channel and bootstraps its registry, with the page's commands", async () => {
    const port = cfg.chaincode.port + 20;
    const address = `${cfg.chaincode.address}:${port}`;
    // serve-chaincode registry2 1.0 on base + 420, then chaincode deploy with the example members, every admin acting.
    const served = await page.next(readerEnv);
    const packageId = /registry2_1\.0:[0-9a-f]{64}/.exec(served)?.[0];
    expect(packageId, served).to.not.equal(undefined);
    expect(served).to.include(`registry2 1.0 is committed at sequence 1; package ${packageId}`);
    expect(served).to.include('consortium registry seeded');
    expect(pm.get('chaincode-registry2-1.0')?.alive).to.equal(true);
    const client = await connectLedger(loadLedgerConfig({ ...devnetLedgerEnv(info, AUDITOR), FABRIC_CHAINCODE: 'registry2' }));
    try {
      const got = JSON.parse((await client.evaluate({ contract: 'consortium', fn: 'GetMembers' })).toString('utf8')) as { members: Array<{ mspId: string }> };
      expect(got.members.map((m) => m.mspId).sort()).to.deep.equal([AUDITOR, RETAILER, SUPPLIER]);
    } finally {
      client.close();
    }
    // chaincode package for the same address names the same package.
    expect(await page.next(readerEnv)).to.include(packageId);
    const membersFile = path.join(cfg.root, 'network', 'examples', 'registry-members.json');
    // Deploying again changes nothing: the definition is committed and the registry has members.
    const again = await network([
      'chaincode',
      'deploy',
      '--network',
      networkFile,
      '--name',
      'registry2',
      '--version',
      '1.0',
      '--address',
      address,
      '--members',
      membersFile,
      '--work-dir',
      workDir,
    ]);
    expect(again).to.include('already committed at sequence 1');
    expect(again).to.include('already has members');
    // chaincode status as the page gives it.
    expect(await page.next(readerEnv)).to.include('traceability on supplychain: committed version 1.0, sequence 1, approved by');
  });

  it('upgrades traceability to 1.0.1 at sequence 2 by three of four admins while 200 submissions run; each commits exactly once', async () => {
    const metadataVersion = async () =>
      (
        JSON.parse((await users[RETAILER].evaluate({ contract: 'org.hyperledger.fabric', fn: 'GetMetadata' })).toString('utf8')) as {
          info: { version: string };
        }
      ).info.version;
    expect(await metadataVersion()).to.equal('1.0');
    const VERSION = '1.0.1';

    const { site, product } = await registerSiteAndProduct(users[SUPPLIER], SUPPLIER, 'Upgrade roastery', 'BR');
    const eventId = () => `up-${randomUUID()}`;
    const submitJson = (client: LedgerClient, fn: string, body: Record<string, unknown>) =>
      client.submit({ contract: 'traceability', fn, args: [JSON.stringify(body)] });
    const startBlock = await users[AUDITOR].height();

    // The 1.0.1 package points the peers at a second chaincode server, started beside the 1.0 one
    // (serve-chaincode builds the same package, so both name the same package id).
    const port11 = cfg.chaincode.port + 30;
    const address11 = `${cfg.chaincode.address}:${port11}`;
    const pkg = lastJson(await network(['chaincode', 'package', '--version', VERSION, '--address', address11, '--work-dir', workDir, '--json']));
    const served = await network([
      'serve-chaincode',
      '--version',
      VERSION,
      '--port',
      String(port11),
      '--port-base',
      String(cfg.portBase),
      '--run-dir',
      cfg.runDir,
    ]);
    expect(served).to.include(pkg.packageId);
    expect(pm.get(`chaincode-traceability-${VERSION}`)?.alive).to.equal(true);

    const submitter = await createLedgerClient({ ...(await ledgerClientOptions(loadLedgerConfig(devnetLedgerEnv(info, SUPPLIER)))), commitTimeoutMs: 30_000 });
    const total = 200;
    const ids = Array.from({ length: total }, (_, i) => ({ eventId: eventId(), lotCode: `UP-${stamp}-${i}` }));
    const codes: Record<string, number> = {};
    let retries = 0;
    let settled = 0;
    let upgrading = true;
    let committedAt = 0;
    let settledBeforeCommit = 0;
    const retriable = (err: unknown) => err instanceof ServiceError && !FINAL.has(err.code);
    // Half the submissions are spread over the first approvals, the other half over the run that
    // commits (and the rest at once after the commit), so that some are in flight when the definition changes.
    const launchStart = Date.now();
    let committing = 0;
    const spans: Array<{ start: number; end: number }> = [];
    const burst = ids.map(async (b, i) => {
      if (i < total / 2) {
        while (upgrading && Date.now() < launchStart + i * 150) await sleep(25);
      } else {
        while (upgrading && (!committing || Date.now() < committing + (i - total / 2) * 200)) await sleep(25);
      }
      const span = { start: Date.now(), end: 0 };
      spans.push(span);
      try {
        return await withRetry(
          () => submitJson(submitter, 'CommissionLot', { eventId: b.eventId, gln: site, gtin: product, lotCode: b.lotCode, quantity: '1' }),
          {
            attempts: 12,
            baseDelayMs: 250,
            maxDelayMs: 4_000,
            retriable,
            onRetry: (err) => {
              retries++;
              const code = err instanceof ServiceError ? err.code : 'other';
              codes[code] = (codes[code] ?? 0) + 1;
            },
          },
        );
      } finally {
        settled++;
        span.end = Date.now();
      }
    });
    try {
      while (settled < 20) await sleep(25);
      const upgradeStart = Date.now();
      // Two admins approve: 2 of 4 is no majority, so nothing is committed yet.
      const first = await chaincodeJson(['upgrade', '--version', VERSION, '--address', address11, '--admins', `${RETAILER},${SUPPLIER}`]);
      expect(first).to.include({ committed: false, required: 3, packageId: pkg.packageId });
      expect(first.definition).to.include({ version: VERSION, sequence: 2 });
      const pending = await chaincodeJson(['status', '--version', VERSION]);
      expect(pending.committed).to.include({ version: '1.0', sequence: 1 });
      expect(pending.next.approvals).to.deep.equal({ [RETAILER]: true, [SUPPLIER]: true, [SUPPLIER2]: false, [AUDITOR]: false });
      expect(pending.next.readyToCommit).to.equal(false);
      // The third admin completes the majority; its run commits.
      committing = Date.now();
      const third = await chaincodeJson(['upgrade', '--version', VERSION, '--address', address11, '--admins', SUPPLIER2]);
      expect(third).to.include({ committed: true, committedNow: true });
      committedAt = Date.now();
      settledBeforeCommit = settled;
      upgrading = false;
      const results = await Promise.allSettled(burst);
      const inFlight = spans.filter((x) => x.start < committedAt && x.end > committedAt).length;
      const afterCommit = spans.filter((x) => x.start >= committedAt).length;
      const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
      console.log(
        `      upgrade 1.0 -> ${VERSION}: ${((committedAt - upgradeStart) / 1000).toFixed(1)} s from the first approval to the commit; ` +
          `${total} submissions: ${settledBeforeCommit} settled before the commit, ${inFlight} in flight at it, ${afterCommit} started after it; ` +
          `${retries} retries ${JSON.stringify(codes)}`,
      );
      expect(settledBeforeCommit, 'submissions still running when the commit returned').to.be.lessThan(total);
      expect(failed, failed.slice(0, 3).join('\n')).to.deep.equal([]);
    } finally {
      upgrading = false;
      await Promise.allSettled(burst);
      submitter.close();
    }

    // Counted on the ledger: one effective (not a replay) VALID transaction per eventId.
    const effective = await effectiveCommits(users[AUDITOR], startBlock);
    const counts = ids.map((b) => effective.get(b.eventId) ?? 0);
    expect(counts.filter((c) => c === 0).length, 'lost').to.equal(0);
    expect(counts.filter((c) => c > 1).length, 'duplicated').to.equal(0);
    const stock = JSON.parse((await users[RETAILER].evaluate({ contract: 'traceability', fn: 'GetStock', args: [site] })).toString('utf8')) as {
      total: string;
    };
    expect(stock.total).to.equal(`${total}.000`);

    // The committed definition is 1.0.1. The fourth organisation catches up later: the same command
    // installs the package on its peer and approves the committed definition.
    const st = await chaincodeJson(['status']);
    expect(st.committed).to.include({ version: VERSION, sequence: 2 });
    expect(st.committed.approvals).to.deep.equal({ [RETAILER]: true, [SUPPLIER]: true, [SUPPLIER2]: true, [AUDITOR]: false });
    const late = await chaincodeJson(['upgrade', '--version', VERSION, '--address', address11, '--admins', AUDITOR]);
    expect(late).to.include({ committed: true, committedNow: false });
    expect((await chaincodeJson(['status'])).committed.approvals[AUDITOR]).to.equal(true);
    // With the 1.0 server stopped, the 1.0.1 server answers and commits.
    expect(await pm.stop(CHAINCODE_PROCESS)).to.equal(true);
    expect(await metadataVersion()).to.equal(VERSION);
    const after = await withRetry(
      () => submitJson(users[SUPPLIER], 'CommissionLot', { eventId: eventId(), gln: site, gtin: product, lotCode: `UP-${stamp}-after`, quantity: '5' }),
      { attempts: 5, baseDelayMs: 500, retriable },
    );
    expect((await users[AUDITOR].blockByTxId(after.txId)).transactions.find((t) => t.txId === after.txId)?.validationCode).to.equal('VALID');
    // The devnet counts its own chaincode server among its processes (status, add-org, remove-org).
    await startChaincodeServer(cfg, pm, info.packageId);
  });

  it('remove-org takes the second supplier out of the channel and the registry; its peer receives no more blocks', async () => {
    const supplier2 = cfg.orgs.find((o) => o.mspId === SUPPLIER2)!;
    const heightOf = async (org = supplier2) => {
      const out = await peerAdmin(cfg, org, ['channel', 'getinfo', '-c', cfg.channel], `height of ${org.peerHost}`);
      return (JSON.parse(out.slice(out.indexOf('{'))) as { height: number }).height;
    };
    const out = await network(['remove-org', 'supplier2', '--port-base', String(cfg.portBase), '--run-dir', cfg.runDir]);
    const configBlock = Number(/by config block (\d+)/.exec(out)?.[1]);
    expect(configBlock, out).to.be.greaterThan(0);
    expect(out).to.include('removed from the consortium registry');

    // The channel configuration and the registry no longer name it; the devnet's files neither.
    const { config } = await fetchChannelConfig(cfg, cfg.orgs[0], path.join(cfg.runDir, 'remove-org-check'));
    expect(Object.keys(config.channel_group.groups.Application.groups).sort()).to.deep.equal([AUDITOR, RETAILER, SUPPLIER]);
    const { members } = JSON.parse((await users[AUDITOR].evaluate({ contract: 'consortium', fn: 'GetMembers' })).toString('utf8')) as {
      members: Array<{ mspId: string }>;
    };
    expect(members.map((m) => m.mspId)).to.not.include(SUPPLIER2);
    const shrunk = loadDevnetConfig({ portBase: cfg.portBase, runDir: cfg.runDir, peerClientAuth: true });
    expect(shrunk.orgs.map((o) => o.mspId)).to.deep.equal([RETAILER, SUPPLIER, AUDITOR]);
    expect(devnetStatus(shrunk).running).to.equal(true);
    expect(readDevnetInfo(cfg.runDir).orgs.map((o) => o.mspId)).to.not.include(SUPPLIER2);
    expect(fs.readFileSync(operatorFilePath(cfg.runDir), 'utf8')).to.not.include(SUPPLIER2);

    // The others keep committing (MAJORITY is now 2 of 3); the removed peer stays at the config block.
    users[RETAILER].close();
    users[RETAILER] = await connectDevnet(readDevnetInfo(cfg.runDir), RETAILER);
    for (let i = 0; i < 3; i++) {
      await withRetry(() => users[RETAILER].submit({ contract: 'probe', fn: 'Put', args: [`after-remove-${stamp}-${i}`, String(i)] }), {
        attempts: 5,
        baseDelayMs: 500,
      });
    }
    const target = Number(await users[RETAILER].height());
    let auditorHeight = 0;
    const auditor = cfg.orgs.find((o) => o.mspId === AUDITOR)!;
    for (let i = 0; i < 100 && auditorHeight < target; i++) auditorHeight = (await sleep(100), await heightOf(auditor));
    expect(auditorHeight).to.be.at.least(target);
    const removedHeight = await heightOf();
    expect(removedHeight, `${SUPPLIER2}'s peer height`).to.be.at.most(configBlock + 1);
    expect(target).to.be.greaterThan(configBlock + 3);

    // Its clients are refused: a transaction it submits is not endorsed.
    let refused: unknown;
    try {
      await users[SUPPLIER2].submit({ contract: 'probe', fn: 'Put', args: [`removed-${stamp}`, 'x'] });
    } catch (err) {
      refused = err;
    }
    expect(refused, 'a submission by the removed organisation').to.be.instanceOf(ServiceError);
  });

  it("upgrades to 1.1 with the page's commands on the three organisations left: the retailer approves, the supplier's approval commits, the auditor catches up", async () => {
    const out = await page.next(readerEnv);
    expect(out).to.include('sequence 3, version 1.1: approved by 1 of 3, a commit needs 2');
    expect(out).to.include('traceability on supplychain: committed version 1.1, sequence 3, approved by AuditorMSP, RetailerMSP, SupplierMSP');
    const client = await connectDevnet(readDevnetInfo(cfg.runDir), SUPPLIER);
    try {
      const meta = JSON.parse((await client.evaluate({ contract: 'org.hyperledger.fabric', fn: 'GetMetadata' })).toString('utf8')) as {
        info: { version: string };
      };
      expect(meta.info.version).to.equal('1.1');
      const put = await withRetry(() => client.submit({ contract: 'probe', fn: 'Put', args: [`on-1.1-${stamp}`, '1'] }), { attempts: 5, baseDelayMs: 500 });
      expect((await client.blockByTxId(put.txId)).transactions.find((t) => t.txId === put.txId)?.validationCode).to.equal('VALID');
    } finally {
      client.close();
    }
  });
});
