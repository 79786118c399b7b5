/**
 * Ledger snapshots on a devnet of its own (SNAPSHOT_TEST_PORT_BASE, default
 * 31000): the supplier's peer takes a snapshot, the supplier's second peer
 * joins the channel from it, answers stock and lot queries as every other
 * peer does, and an indexer reading through it goes on from its checkpoint;
 * one whose checkpoint lies before the snapshot stops and says why. The join
 * is the command of docs/operations.md, run as written against this devnet.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createIndexer, type Indexer } from '../../../indexer/src/main';
import { createPool } from '../../../indexer/src/db/pool';
import { dropSchema } from '../../../indexer/src/db/migrate';
import { CHECKPOINT_BEFORE_PEER_LEDGER } from '../../../indexer/src/source/peer-first-block';
import { connectLedger, loadLedgerConfig, type LedgerClient } from '../../../lib/fabric/src';
import { loadDevnetConfig } from '../../../network/src/config';
import { connectDevnet } from '../../../network/src/connect-devnet';
import { devnetLedgerEnv } from '../../../network/src/connection-files';
import { devnetDown, devnetUp } from '../../../network/src/devnet';
import type { DevnetInfo } from '../../../network/src/devnet-info';
import { SNAPSHOT_METADATA, takeSnapshot } from '../../../network/src/ledger-snapshot';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { DocPage } from '../../fixtures/doc-shell';
import { cleanUp } from '../../fixtures/start-all';
import { testDevnetConfig } from '../../fixtures/test-devnet';
import { AUDITOR, RETAILER, SUPPLIER, type Orgs } from '../chaincode/ledger-fixtures';
import { ledgerTip, runChain, setUpChain, testConfig, testLog, testPostgres, unique, waitFor, waitForBlock, type Chain } from '../indexer/harness';

const PORT_BASE = Number(process.env.SNAPSHOT_TEST_PORT_BASE ?? 31000);

/** KEY=value lines of an env file. */
function readEnvFile(file: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('ledger snapshot: a second peer joined from a snapshot', function () {
  this.timeout(900_000);
  const cfg = testDevnetConfig(PORT_BASE);
  const log = (msg: string) => console.log(`      [snapshot devnet] ${msg}`);
  let info: DevnetInfo;
  const orgs: Orgs = {};
  let viaPeer1: LedgerClient | undefined;
  let pg: PostgresServer;
  const indexers: Indexer[] = [];
  const following = unique('snap');
  const fresh = unique('snapfresh');
  const page = new DocPage('docs/operations.md', __filename);

  before(async () => {
    await devnetDown(cfg, { wipe: true }, () => undefined);
    info = await devnetUp(cfg, log);
    for (const msp of [RETAILER, SUPPLIER, AUDITOR]) orgs[msp] = await connectDevnet(info, msp);
    pg = testPostgres();
    await pg.start();
  });

  after(() =>
    cleanUp([
      async () => {
        for (const i of indexers) await i.stop();
      },
      () => viaPeer1?.close(),
      () => Object.values(orgs).forEach((c) => c.close()),
      async () => {
        if (!pg) return;
        const admin = createPool({ connectionString: pg.connectionString, schema: 'public' });
        for (const s of [following, fresh]) await dropSchema(admin, s).catch(() => undefined);
        await admin.end();
      },
      () => pg?.stop(),
      // The run folder's topology now names the second peer: down stops it with the rest.
      () => devnetDown(loadDevnetConfig({ portBase: cfg.portBase, runDir: cfg.runDir, peerClientAuth: true }), { wipe: true }, () => undefined),
      () => page.close(),
    ]),
  );

  function startIndexer(schema: string, ledger = loadLedgerConfig(devnetLedgerEnv(info, SUPPLIER))): Indexer {
    const indexer = createIndexer(testConfig({ databaseUrl: pg.connectionString, schema, ledger }), { log: testLog(), http: false });
    indexers.push(indexer);
    return indexer;
  }

  it('answers stock and lot queries as the other peers do, and an indexer reading through it goes on from its checkpoint', async () => {
    const before: Chain = await setUpChain(orgs);
    await runChain(orgs, before);
    const indexer = startIndexer(following);
    await indexer.start();
    const pool = createPool({ connectionString: pg.connectionString, schema: following });
    try {
      await waitForBlock(pool, (await ledgerTip(orgs)) - 1n, 120_000);

      const snapshot = await takeSnapshot(cfg, 'supplier', { log });
      expect(snapshot.block).to.be.at.least(Number(before.lastBlock));
      expect(fs.existsSync(path.join(snapshot.dir, SNAPSHOT_METADATA))).to.equal(true);
      // The indexer's checkpoint reaches the snapshot's block; then it stops, to be moved to the new peer.
      await waitForBlock(pool, BigInt(snapshot.block), 120_000);
      await indexer.stop();
      const checkpoint = BigInt((await pool.query('SELECT block_number FROM checkpoint')).rows[0].block_number);
      expect(checkpoint >= BigInt(snapshot.block)).to.equal(true);

      // `npm run network -- join-from-snapshot --org supplier`, with this devnet's port base and run folder exported.
      const out = await page.next({ ...process.env, FABRIC_PORT_BASE: String(cfg.portBase), FABRIC_RUN_DIR: cfg.runDir, FABRIC_PEER_CLIENT_AUTH: 'true' });
      const said = /(\S+) joined \S+ from the snapshot of block (\d+) in ([\d.]+) s/.exec(out);
      expect(said, out).to.not.equal(null);
      const peer = loadDevnetConfig({ portBase: cfg.portBase, runDir: cfg.runDir, peerClientAuth: true }).secondPeers.find((p) => p.mspId === SUPPLIER)!;
      const joined = {
        peer,
        block: Number(said![2]),
        elapsedMs: Number(said![3]) * 1000,
        connectionDir: path.join(cfg.runDir, 'connection', SUPPLIER, 'peer1'),
      };
      expect(said![1]).to.equal('peer1.supplier.coffee.example');
      // It returns once the new peer's gossip knows every other peer: discovery through it lists them all.
      const gossip = /knows the channel's (\d+) other peers through gossip \(after ([\d.]+) s more\)/.exec(out);
      expect(gossip, out).to.not.equal(null);
      expect(Number(gossip![1])).to.equal(3);
      expect(joined.peer.peerHost).to.equal('peer1.supplier.coffee.example');
      expect(joined.block, 'the join used the latest snapshot').to.equal(snapshot.block);

      // Facts after the snapshot: the new peer has them from blocks it pulled itself.
      const after: Chain = await setUpChain(orgs);
      await runChain(orgs, after);

      viaPeer1 = await connectLedger(loadLedgerConfig(readEnvFile(path.join(joined.connectionDir, 'user.env'))));
      const p1 = viaPeer1;
      expect(p1.peer).to.equal(`${joined.peer.address}:${joined.peer.peerPort}`);
      const chain = await p1.chainInfo();
      expect(chain.firstBlock).to.equal(BigInt(snapshot.block) + 1n);
      expect(chain.snapshotBlock).to.equal(BigInt(snapshot.block));

      const tip = await ledgerTip(orgs);
      const others = Object.values(orgs).map((c) => c.peer);
      // A first query on the new peer (it runs service discovery for the client). The client keeps that first
      // answer (fabric-network asks again after five minutes only), so p1.peers() below does not change while
      // waiting: every organisation's peer is in it because the command returned only once gossip knew them.
      await p1.evaluate({ contract: 'traceability', fn: 'GetStock', args: [before.gln.coop], peer: p1.peer });
      await waitFor(
        'every peer at the tip and known to the new peer',
        async () => {
          const names = p1.peers().map((p) => p.name);
          if (!others.every((o) => names.includes(o))) return false;
          const heights = await Promise.all([p1.peer, ...others].map((p) => p1.height(p).catch(() => 0n)));
          return heights.every((h) => h >= tip);
        },
        120_000,
      );

      const peers = [p1.peer, ...others];
      const answer = (fn: string, args: string[], peer: string) =>
        p1.evaluate({ contract: 'traceability', fn, args, peer }).then(
          (b) => b.toString('utf8'),
          (err: { code?: string }) => `error ${err.code ?? String(err)}`,
        );
      const queries: Array<[string, string[]]> = [];
      for (const c of [before, after]) {
        for (const gln of Object.values(c.gln)) queries.push(['GetStock', [gln]]);
        queries.push(['GetLot', [c.gtin.green, c.greenLot]], ['GetLot', [c.gtin.roasted, c.roastLot]]);
      }
      let answered = 0;
      for (const [fn, args] of queries) {
        const answers = await Promise.all(peers.map((p) => answer(fn, args, p)));
        for (const [i, a] of answers.entries()) expect(a, `${fn}(${args.join(', ')}) on ${peers[i]} and on the new peer ${p1.peer}`).to.equal(answers[0]);
        if (!answers[0].startsWith('error')) answered++;
      }
      // The supplier's own locations and lots, before and after the snapshot, have real answers (not only equal refusals).
      expect(answered).to.be.at.least(4);
      const roastery = JSON.parse(await answer('GetStock', [after.gln.roastery], p1.peer));
      expect(JSON.stringify(roastery)).to.include(after.greenLot);

      // An indexer with nothing stored cannot start below the snapshot through the new peer: it stops and says why.
      const peer1Ledger = loadLedgerConfig(readEnvFile(path.join(joined.connectionDir, 'user.env')));
      const empty = startIndexer(fresh, peer1Ledger);
      await empty.start();
      const stopped = await empty.done.then(
        () => undefined,
        (err: { code?: string; message?: string }) => err,
      );
      expect(stopped?.code).to.equal(CHECKPOINT_BEFORE_PEER_LEDGER);
      expect(stopped?.message)
        .to.include(`snapshot of block ${snapshot.block}`)
        .and.include(`from ${snapshot.block + 1} on only`);

      // The indexer that followed the first peer goes on through the new one from its checkpoint:
      // the transactions after the snapshot reach its read model through the new peer only.
      const projected = async () =>
        (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM transactions WHERE tx_id = ANY($1)', [after.txIds])).rows[0].n;
      expect(await projected()).to.equal(0);
      expect(checkpoint < after.lastBlock).to.equal(true);
      const moved = startIndexer(following, peer1Ledger);
      await moved.start();
      await waitForBlock(pool, tip - 1n, 120_000);
      expect(await projected()).to.equal(after.txIds.length);
      const ended = await Promise.race([
        moved.done.then(
          () => 'ended',
          () => 'failed',
        ),
        new Promise((r) => setTimeout(() => r('running'), 100)),
      ]);
      expect(ended).to.equal('running');
      console.log(
        `      (snapshot of block ${snapshot.block}; peer1 joined in ${(joined.elapsedMs / 1000).toFixed(1)} s, its gossip knew every other peer ${gossip![2]} s after it had the blocks; indexer went on from block ${checkpoint + 1n} to ${tip - 1n})`,
      );
    } finally {
      await pool.end();
    }
  });
});
