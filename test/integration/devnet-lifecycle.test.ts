import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { CHAINCODE_PROCESS, startChaincodeServer } from '../../network/src/chaincode-deploy';
import { devnetDown, devnetProcessNames, devnetStatus, devnetUp, processManager } from '../../network/src/devnet';
import { isAlive } from '../../network/src/processes';
import { connectDevnet } from '../../network/src/connect-devnet';
import { testDevnetConfig } from '../fixtures/test-devnet';
import { processesUsing } from '../fixtures/processes-using';

// This suite kills components, so it runs its own devnet beside the shared one.
describe('devnet lifecycle (own network)', function () {
  this.timeout(300_000);
  const cfg = testDevnetConfig(Number(process.env.FABRIC_TEST_PORT_BASE ?? 17000) + 1000);
  const quiet = () => undefined;

  before(async () => {
    await devnetDown(cfg, { wipe: true }, quiet);
    await devnetUp(cfg, quiet);
  });
  after(async () => {
    await devnetDown(cfg, { wipe: true }, quiet);
  });

  it('reports a running network on a second `up` without restarting anything', async function () {
    const before = devnetStatus(cfg).processes.map((p) => p.pid);
    const lines: string[] = [];
    const info = await devnetUp(cfg, (m) => lines.push(m));
    expect(lines.join('\n')).to.match(/already running/);
    expect(devnetStatus(cfg).processes.map((p) => p.pid)).to.deep.equal(before);
    expect(info.packageId).to.match(/^traceability_1\.0:[0-9a-f]{64}$/);
  });

  it('serves the next transaction after the chaincode process is killed and restarted', async function () {
    const info = devnetStatus(cfg).info!;
    const client = await connectDevnet(info, 'SupplierMSP');
    try {
      await client.submit({ contract: 'probe', fn: 'Put', args: [`before-${randomUUID()}`, '1'] });
      const pm = processManager(cfg);
      const cc = pm.get(CHAINCODE_PROCESS)!;
      process.kill(cc.pid, 'SIGKILL');
      while (isAlive(cc.pid)) await new Promise((r) => setTimeout(r, 50));
      let failed = false;
      try {
        await client.submit({ contract: 'probe', fn: 'Put', args: [`during-${randomUUID()}`, '2'] });
      } catch {
        failed = true;
      }
      expect(failed, 'a transaction while the chaincode is down fails').to.equal(true);
      await startChaincodeServer(cfg, pm, info.packageId);
      const key = `after-${randomUUID()}`;
      const res = await client.submit({ contract: 'probe', fn: 'Put', args: [key, '3'] });
      expect(JSON.parse(res.payload.toString()).key).to.equal(key);
    } finally {
      client.close();
    }
  });

  it('`down` stops every process it started and `up` brings the same network back', async function () {
    const pids = devnetStatus(cfg).processes.map((p) => p.pid as number);
    expect(pids).to.have.length(devnetProcessNames(cfg).length);
    const stopped = await devnetDown(cfg, {}, quiet);
    expect(stopped.sort()).to.deep.equal(devnetProcessNames(cfg).sort());
    for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).to.equal(false);
    expect(processesUsing(cfg.runDir)).to.deep.equal([]);

    const info = await devnetUp(cfg, quiet);
    expect(devnetStatus(cfg).running).to.equal(true);
    const client = await connectDevnet(info, 'AuditorMSP');
    try {
      const height = await client.height();
      const res = await client.submit({ contract: 'probe', fn: 'Put', args: [`restart-${randomUUID()}`, '4'] });
      expect(res.blockNumber).to.equal(height);
    } finally {
      client.close();
    }
  });
});
