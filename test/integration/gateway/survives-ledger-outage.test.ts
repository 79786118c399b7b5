import { expect } from 'chai';
import * as path from 'node:path';
import request from 'supertest';
import { fabricSampleConfigDir } from '../../../network/src/binaries';
import { ORDERER_PROCESS, processManager } from '../../../network/src/devnet';
import { writeOrdererConfig } from '../../../network/src/node-config';
import { uniqueGtin } from '../../integration/chaincode/ledger-fixtures';
import { SHARED_PORT_BASE, testDevnetConfig } from '../../fixtures/test-devnet';
import { startGatewayFixture, type GatewayFixture } from './gateway-fixture';
import { waitFor } from '../../fixtures/wait-for';

const S = 'SupplierMSP';

/** Runs last in this folder: it stops and restarts the shared test devnet's orderer. */
describe('async submissions survive a Fabric orderer outage', function () {
  this.timeout(300_000);
  const cfg = testDevnetConfig(SHARED_PORT_BASE);
  let fx: GatewayFixture;
  let auth: string;

  async function startOrderer() {
    const ordererCfg = writeOrdererConfig(cfg, await fabricSampleConfigDir(cfg.root));
    await processManager(cfg).start({
      name: ORDERER_PROCESS,
      command: path.join(cfg.binDir, 'orderer'),
      args: [],
      env: { ...process.env, FABRIC_CFG_PATH: ordererCfg, FABRIC_LOGGING_SPEC: 'INFO' },
      health: { kind: 'http', url: `http://127.0.0.1:${cfg.orderer.operationsPort}/healthz` },
    });
  }

  before(async () => {
    fx = await startGatewayFixture([S]);
    auth = `Bearer ${await fx.token(S, ['supplier'], 'outage-test')}`;
  });
  after(async () => {
    if (!processManager(cfg).get(ORDERER_PROCESS)?.alive) await startOrderer();
    await fx?.stop();
  });

  it('accepts while the orderer is down, commits every accepted submission exactly once after it returns', async () => {
    const api = request(fx.gateways[S].url);
    expect(await processManager(cfg).stop(ORDERER_PROCESS)).to.equal(true);
    const gtins = Array.from({ length: 5 }, () => uniqueGtin(S));
    const accepted: string[] = [];
    for (const gtin of gtins) {
      const res = await api
        .post('/products')
        .set('Authorization', auth)
        .set('Prefer', 'respond-async')
        .send({ gtin, description: 'during outage', unit: 'KGM' });
      expect(res.status).to.equal(202);
      accepted.push(res.headers.location);
    }
    const t0 = Date.now();
    const sync = await api
      .post('/products')
      .set('Authorization', auth)
      .send({ gtin: uniqueGtin(S), description: 'sync during outage', unit: 'KGM' });
    console.log(
      `      (sync submit with the orderer down: ${sync.status} ${sync.body.code} in ${Date.now() - t0} ms, Retry-After ${sync.headers['retry-after']})`,
    );
    expect(sync.status).to.equal(503);
    expect(sync.headers['retry-after']).to.match(/^\d+$/);
    for (const url of accepted) {
      const s = (await api.get(url).set('Authorization', auth).expect(200)).body;
      expect(s.status, JSON.stringify(s)).to.be.oneOf(['pending', 'running']);
    }
    await startOrderer();
    const t1 = Date.now();
    for (const url of accepted) {
      const s = await waitFor(
        `${url} to be committed or failed`,
        async () => {
          const body = (await api.get(url).set('Authorization', auth).expect(200)).body;
          return body.status === 'committed' || body.status === 'failed' ? body : undefined;
        },
        200_000,
        500,
      );
      expect(s.status, JSON.stringify(s)).to.equal('committed');
    }
    console.log(`      (all ${accepted.length} accepted submissions committed ${Date.now() - t1} ms after the orderer restarted)`);
    for (const gtin of gtins) {
      const h = await api.get(`/history?key=product~${gtin}`).set('Authorization', auth).expect(200);
      expect(h.body.history, gtin).to.have.length(1);
    }
  });
});
