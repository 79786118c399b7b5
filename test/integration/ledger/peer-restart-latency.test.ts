import { expect } from 'chai';
import request from 'supertest';
import { devnetUp, peerProcess, processManager } from '../../../network/src/devnet';
import { createIndexer, type Indexer } from '../../../indexer/src/main';
import { dropSchema } from '../../../indexer/src/db/migrate';
import { createPool } from '../../../indexer/src/db/pool';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { SHARED_PORT_BASE, testDevnetConfig } from '../../fixtures/test-devnet';
import { waitFor } from '../../fixtures/wait-for';
import { AUDITOR, uniqueGtin } from '../chaincode/ledger-fixtures';
import { startGatewayFixture, type GatewayFixture } from '../gateway/gateway-fixture';
import { testConfig, testLog, testPostgres } from '../indexer/harness';

const S = 'SupplierMSP';

interface Sample {
  /** When the submission started, ms since the epoch. */
  at: number;
  ms: number;
  status: number;
  /** The problem's code and message when it failed. */
  problem?: string;
  /** Commit waits that ran out the grace period for other organisations' peers during this submission. */
  graceExpired: number;
}

/** The indexer's /health, as far as this test reads it. */
interface IndexerHealth {
  status: string;
  lagBlocks: number;
  peers: { own: boolean; reachable: boolean }[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)];
};

/**
 * Stops the auditor's peer (another organisation's, for the supplier's gateway; the indexer's own) under a
 * steady stream of synchronous submissions through the supplier's gateway, and starts it again. Runs last
 * of the integration folders that use the shared devnet's peers.
 */
describe('a peer of another organisation restarts under a stream of submissions', function () {
  this.timeout(400_000);
  const cfg = testDevnetConfig(SHARED_PORT_BASE);
  const auditorPeer = peerProcess(cfg.orgs.find((o) => o.mspId === AUDITOR)!);
  let fx: GatewayFixture;
  let pg: PostgresServer;
  let indexer: Indexer;
  let schema: string;
  let auth: string;

  before(async () => {
    fx = await startGatewayFixture([S]);
    auth = `Bearer ${await fx.token(S, ['supplier'], 'peer-restart')}`;
    pg = testPostgres();
    await pg.start();
    // The indexer reads the auditor's peer and asks every peer's height twice a second.
    const icfg = testConfig({ databaseUrl: pg.connectionString, peerCheckMs: 500 });
    schema = icfg.schema;
    indexer = createIndexer(icfg, { log: testLog() });
    await indexer.start();
  });
  after(async () => {
    if (!processManager(cfg).get(auditorPeer)?.alive) await devnetUp(cfg, () => undefined);
    await indexer?.stop();
    if (pg) {
      const admin = createPool({ connectionString: pg.connectionString, schema: 'public' });
      await dropSchema(admin, schema).catch(() => undefined);
      await admin.end();
      await pg.stop();
    }
    await fx?.stop();
  });

  const graceExpired = async () => {
    const m = fx.gateways[S].gateway.metrics.registry.getSingleMetric('gateway_commit_grace_expired_total');
    const v = await m!.get();
    return v.values.reduce((a, x) => a + x.value, 0);
  };
  const indexerHealth = async () => (await (await fetch(`http://127.0.0.1:${indexer.httpPort()}/health`)).json()) as IndexerHealth;

  it('costs no grace period while the peer is down, and latency is back to its level within 10 s of its return', async () => {
    const api = request(fx.gateways[S].url);
    const submit = async (): Promise<Sample> => {
      const g0 = await graceExpired();
      const at = Date.now();
      const res = await api.post('/products').set('Authorization', auth).send({ gtin: uniqueGtin(), description: 'peer restart', unit: 'KGM' });
      const problem = res.status === 201 ? undefined : `${res.body?.code}: ${res.body?.message}`;
      return { at, ms: Date.now() - at, status: res.status, problem, graceExpired: (await graceExpired()) - g0 };
    };
    for (let i = 0; i < 3; i++) expect((await submit()).status).to.equal(201); // warm-up: every peer's commit stream runs

    // A steady stream of synchronous submissions, one after another, until told to stop.
    const samples: Sample[] = [];
    let streaming = true;
    const stream = (async () => {
      while (streaming) samples.push(await submit());
    })();
    const settle = (n: number) => waitFor(`${n} more submissions`, () => samples.length >= n, 120_000, 50);

    await settle(15);
    const stoppedAt = Date.now();
    expect(await processManager(cfg).stop(auditorPeer)).to.equal(true);
    await settle(samples.length + 15);

    // While the indexer's own peer is down: degraded, the peer named, lag counted against the other peers.
    const degraded = await waitFor(
      'the indexer to report its peer unreachable and blocks behind',
      async () => {
        const h = await indexerHealth();
        return h.status === 'degraded' && h.lagBlocks > 0 ? h : undefined;
      },
      30_000,
    );
    expect(degraded.peers.find((p) => p.own)).to.include({ reachable: false });
    const ready = (await api.get('/readyz').expect(200)).body;
    expect(ready.status).to.equal('degraded');
    expect(ready.peers.find((p: { mspId: string }) => p.mspId === AUDITOR)).to.include({ reachable: false });

    await devnetUp(cfg, () => undefined);
    const backAt = Date.now();
    await waitFor('10 s after the peer returned', () => Date.now() - backAt >= 10_000, 20_000, 100);
    const afterFrom = samples.length;
    await settle(afterFrom + 15);
    streaming = false;
    await stream;

    const before = samples.filter((s) => s.at < stoppedAt);
    const down = samples.filter((s) => s.at >= stoppedAt && s.at < backAt);
    const recovering = samples.filter((s) => s.at >= backAt && s.at < backAt + 10_000);
    const afterReturn = samples.slice(afterFrom);
    const line = (name: string, xs: Sample[]) =>
      `${name}: ${xs.length} submissions, p50 ${median(xs.map((s) => s.ms))} ms, max ${Math.max(...xs.map((s) => s.ms))} ms, grace periods waited out ${xs.reduce((a, s) => a + s.graceExpired, 0)}`;
    for (const [name, xs] of [
      ['before the fault', before],
      ['peer down', down],
      ['first 10 s after its return', recovering],
      ['after that', afterReturn],
    ] as const)
      console.log(`      (${line(name, xs)})`);

    // Every submission commits, also one whose commit wait the killed peer's stream dropped.
    expect(
      samples.filter((s) => s.status !== 201).map((s) => `${s.at - stoppedAt} ms after the stop: ${s.status} ${s.problem}`),
      'failed submissions',
    ).to.deep.equal([]);
    // The fault's cost was the grace period on every submission (3 s each); now at most one pays it, when the
    // peer dies in the middle of its commit wait.
    expect(down.reduce((a, s) => a + s.graceExpired, 0)).to.be.at.most(1);
    expect(afterReturn.reduce((a, s) => a + s.graceExpired, 0)).to.equal(0);
    // A generous ratio of medians measured in this run (the fault made it about 20).
    expect(median(afterReturn.map((s) => s.ms))).to.be.below(3 * median(before.map((s) => s.ms)) + 100);
    // Every peer's commit stream runs again: the next submission waits for the restarted peer as before.
    const streams = fx.gateways[S].gateway.metrics.registry.getSingleMetric('gateway_peer_commit_stream_up');
    const up = (await streams!.get()).values;
    expect(up.length).to.be.greaterThan(1);
    expect(
      up.every((v) => v.value === 1),
      JSON.stringify(up),
    ).to.equal(true);

    // The indexer recovers by itself: its peer reachable, and caught up with the channel.
    const healthy = await waitFor(
      'the indexer to be healthy and caught up',
      async () => {
        const h = await indexerHealth();
        return h.status === 'ok' && h.lagBlocks === 0 ? h : undefined;
      },
      120_000,
    );
    expect(healthy.peers.every((p) => p.reachable)).to.equal(true);
    const readyAgain = (await api.get('/readyz').expect(200)).body;
    expect(readyAgain.status).to.equal('ready');
  });
});
