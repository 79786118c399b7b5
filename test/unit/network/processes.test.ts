import { expect } from 'chai';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createProcessManager, isAlive, ProcessStartError } from '../../../network/src/processes';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

// A server that records which signal stopped it.
const SERVER = `
const http = require('node:http');
const fs = require('node:fs');
const srv = http.createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => { fs.writeFileSync(process.env.MARK, sig); process.exit(0); });
`;

describe('process manager', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('starts a process detached, waits for health, finds it again and stops it with its own signal', async function () {
    const pm = createProcessManager({ pidDir: path.join(dir, 'pids'), logDir: path.join(dir, 'logs') });
    const port = await freePort();
    const mark = path.join(dir, 'signal');
    const spec = {
      name: 'web',
      command: process.execPath,
      args: ['-e', SERVER],
      env: { ...process.env, PORT: String(port), MARK: mark },
      health: { kind: 'http' as const, url: `http://127.0.0.1:${port}/` },
      stopSignal: 'SIGINT' as const,
    };
    const started = await pm.start(spec);
    expect(isAlive(started.pid)).to.equal(true);
    const again = await pm.start(spec);
    expect(again.pid, 'a second start finds the running process').to.equal(started.pid);
    expect(pm.list().map((p) => p.name)).to.deep.equal(['web']);
    expect(await pm.stopAll()).to.deep.equal(['web']);
    expect(isAlive(started.pid)).to.equal(false);
    expect(fs.readFileSync(mark, 'utf8')).to.equal('SIGINT');
    expect(pm.get('web')).to.equal(undefined);
  });

  it('names the process and its log when it exits during start-up', async function () {
    const pm = createProcessManager({ pidDir: path.join(dir, 'pids'), logDir: path.join(dir, 'logs') });
    const port = await freePort();
    let caught: unknown;
    try {
      await pm.start({
        name: 'broken',
        command: process.execPath,
        args: ['-e', 'console.error("cannot open config"); process.exit(3)'],
        env: process.env,
        health: { kind: 'tcp', host: '127.0.0.1', port },
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ProcessStartError);
    const err = caught as ProcessStartError;
    expect(err.processName).to.equal('broken');
    expect(err.message).to.include(path.join(dir, 'logs', 'broken.log'));
    expect(err.message).to.include('cannot open config');
  });
});
