import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { loadDevnetConfig } from '../../network/src/config';
import { devnetDown } from '../../network/src/devnet';
import { runCommand } from '../../network/src/run-command';
import { SHARED_PORT_BASE } from '../fixtures/test-devnet';
import { processesUsing } from '../fixtures/processes-using';
import { demoLots, describeConsole, type DemoContext } from './console/console-checks';
import { describeDocBlocks } from './docs/doc-blocks-run';
import { DocPage } from '../fixtures/doc-shell';

// The README's start command and demo, as a new user runs them, on their own port base.
describe('npm start and the demo scenario, end to end', function () {
  this.timeout(600_000);
  const portBase = SHARED_PORT_BASE + 6000;
  const base = loadDevnetConfig({ portBase });
  const cfg = loadDevnetConfig({ portBase, runDir: path.join(base.root, 'network', 'run', `e2e-${portBase}`) });
  const env = { ...process.env, FABRIC_PORT_BASE: String(portBase), FABRIC_RUN_DIR: cfg.runDir, DATABASE_URL: '', KAFKA_BROKERS: '' };
  let start: ChildProcess | undefined;
  let output = '';

  before(async () => {
    await devnetDown(cfg, { wipe: true }, () => undefined);
  });
  after(async () => {
    if (start && start.exitCode === null) start.kill('SIGKILL');
    await devnetDown(cfg, { wipe: true }, () => undefined);
  });

  let demo: DemoContext | undefined;
  let exited: Promise<number | null> | undefined;

  describe('start and demo', () => {
    it('starts everything and runs the coffee scenario with proofs and payment', async () => {
      start = spawn(process.execPath, [path.join(cfg.root, 'dist', 'network', 'src', 'start.js')], { env, cwd: cfg.root, stdio: ['ignore', 'pipe', 'pipe'] });
      exited = new Promise<number | null>((resolve) => start!.once('exit', (code) => resolve(code)));
      start.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      start.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      const deadline = Date.now() + 300_000;
      while (!output.includes('Press Ctrl-C') && Date.now() < deadline && start.exitCode === null) await new Promise((r) => setTimeout(r, 500));
      expect(output, output).to.include('Press Ctrl-C');
      expect(output).to.match(new RegExp(`gateway RetailerMSP\\s+http://127\\.0\\.0\\.1:${portBase + 500}`));
      expect(output).to.include(`indexer query API    http://127.0.0.1:${portBase + 910}`);

      const out = await runCommand(process.execPath, [path.join(cfg.root, 'dist', 'network', 'src', 'demo.js')], { env, cwd: cfg.root, step: 'demo' });
      expect(out).to.include('claim paid; order on the ledger: paid');
      expect(out).to.match(/transactions proven: all valid[\s\S]*transactions proven: all valid/);
      expect(out).to.include('Done.');
      demo = { portBase, root: cfg.root, ...demoLots(out) };
    });
  });

  // The console's checks run against the same processes, after the demo.
  describeConsole(() => {
    if (!demo) throw new Error('the demo did not run');
    return demo;
  });

  // Every shell block of the README and docs/ marked `doc-run: devnet`, as a reader runs it beside this npm start.
  describeDocBlocks(() => ({ root: cfg.root, env }));

  describe('stop', () => {
    it('stops everything on SIGINT', async () => {
      expect(start, 'npm start was not started').to.not.equal(undefined);
      start!.kill('SIGINT');
      expect(await exited).to.equal(0);
      expect(processesUsing(cfg.runDir)).to.deep.equal([]);
    });
  });

  // With npm start stopped, the devnet's own database is replaced by the backup the operations page made,
  // and npm start runs again on it (docs/operations.md, "Restore"); stopped by its process group.
  describe('restore over the stopped devnet', () => {
    const operations = new DocPage('docs/operations.md', __filename);
    after(() => operations.close());
    it('restores the backup with --drop-existing, and npm start comes up again on the restored database', async () => {
      expect(processesUsing(cfg.runDir), 'npm start was stopped').to.deep.equal([]);
      const out = await operations.next(env);
      expect(out).to.match(/restored/);
      const health = await fetch(`http://127.0.0.1:${portBase + 500}/healthz`);
      expect(health.status).to.equal(200);
    });
  });
});
