import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { processesUsing } from '../../fixtures/processes-using';

/** Port base of the service tests, clear of the other service tests on the same base. */
const PORT_BASE = Number(process.env.SERVICES_TEST_PORT_BASE ?? 19000) + 20;
const SPEC = path.resolve(__dirname, '../../fixtures/failing-setup.spec.js');

describe('a test fixture that fails halfway through its set-up', function () {
  this.timeout(300_000);
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'failed-setup-'));

  after(async () => {
    for (const pid of processesUsing(runDir)) process.kill(pid, 'SIGKILL');
    fs.rmSync(runDir, { recursive: true, force: true });
  });

  it('stops Kafka, which had started, when PostgreSQL fails to start: no process is left', async () => {
    const child = spawn(process.execPath, [require.resolve('mocha/bin/mocha.js'), '--no-config', '--reporter', 'dot', SPEC], {
      env: { ...process.env, FAILING_SETUP_RUN_DIR: runDir, FAILING_SETUP_PORT_BASE: String(PORT_BASE) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, out).to.not.equal(0);
    expect(out).to.match(/before all" hook/);
    expect(out).to.match(/postgres/i);
    // Kafka did start: its log shows it, so the check below is about stopping it.
    const kafkaLog = fs.readFileSync(path.join(runDir, 'logs', 'kafka.log'), 'utf8');
    expect(kafkaLog).to.match(/Kafka Server started/);
    expect(out).to.match(/1 passing/);
    expect(processesUsing(runDir)).to.deep.equal([]);
  });
});
