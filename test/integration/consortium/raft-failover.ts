/**
 * The Raft case of the consortium devnet (consortium-operations.test.ts):
 * the ordering leader killed during a burst of submissions. Every accepted
 * submission commits exactly once, a surviving node leads, and the killed
 * node catches up from its WAL and ledger. Registered inside that test's
 * describe, against the network its before-hook brought up.
 */
import { expect } from 'chai';
import { createLedgerClient, type LedgerClient, ledgerClientOptions, loadLedgerConfig } from '../../../lib/fabric/src';
import { withRetry } from '../../../lib/platform/src';
import { osnadmin } from '../../../network/src/admin-cli';
import { fabricSampleConfigDir } from '../../../network/src/binaries';
import type { DevnetConfig, OrdererNode } from '../../../network/src/config';
import { devnetLedgerEnv } from '../../../network/src/connection-files';
import { processManager, startOrderer } from '../../../network/src/devnet';
import type { DevnetInfo } from '../../../network/src/devnet-info';
import { isAlive } from '../../../network/src/processes';
import { effectiveCommits, registerSiteAndProduct } from '../chaincode/ledger-fixtures';
import { eventId, metric, queryJson, sleep, submitJson } from './consortium-devnet';

const RETAILER = 'RetailerMSP';
const SUPPLIER2 = 'Supplier2MSP';
const AUDITOR = 'AuditorMSP';
const stamp = Date.now() % 1_000_000;

/** Registers the Raft failover case; `network` gives the devnet the enclosing before-hook brought up. */
export function describeRaftFailover(network: () => { cfg: DevnetConfig; info: DevnetInfo; users: Record<string, LedgerClient> }): void {
  describe('three Raft orderers', () => {
    let cfg: DevnetConfig;
    let info: DevnetInfo;
    let users: Record<string, LedgerClient>;
    before(() => ({ cfg, info, users } = network()));
    let burster: LedgerClient | undefined;
    after(() => burster?.close());
    const isLeader = `consensus_etcdraft_is_leader{channel="${'supplychain'}"}`;
    const leader = async (nodes: OrdererNode[]): Promise<OrdererNode | undefined> => {
      for (const n of nodes) if ((await metric(n.operationsPort, isLeader)) === 1) return n;
      return undefined;
    };
    const ordererHeight = async (n: OrdererNode): Promise<number> =>
      // osnadmin prints "Status: 200" and then the JSON body.
      (JSON.parse((await osnadmin(cfg, ['list', '--channelID', cfg.channel], `height of ${n.name}`, n)).replace(/^[^{]*/, '')) as { height: number }).height;

    it('keeps ordering when the leader is killed during a burst; every accepted submission commits once; the node catches up', async () => {
      const { site, product } = await registerSiteAndProduct(users[SUPPLIER2], SUPPLIER2, 'Burst site', 'CO');
      const startBlock = await users[AUDITOR].height();
      let raftLeader: OrdererNode | undefined;
      for (let i = 0; i < 40 && !raftLeader; i++) raftLeader = (await leader(cfg.orderers)) ?? (await sleep(250), undefined);
      expect(raftLeader, 'no Raft leader reported').to.not.equal(undefined);

      // The burst: each submission keeps its eventId across the retries the gateway makes. A transaction
      // the dead leader accepted but never ordered surfaces as a commit timeout, kept short here.
      burster = await createLedgerClient({
        ...(await ledgerClientOptions(loadLedgerConfig(devnetLedgerEnv(info, SUPPLIER2)))),
        commitTimeoutMs: 15_000,
      });
      const total = 60;
      const ids = Array.from({ length: total }, (_, i) => ({ eventId: eventId('burst'), lotCode: `RB-${stamp}-${i}` }));
      let settled = 0;
      const burst = ids.map(async (b, i) => {
        await sleep(i * 40);
        try {
          return await withRetry(
            () => submitJson(burster!, 'CommissionLot', { eventId: b.eventId, gln: site, gtin: product, lotCode: b.lotCode, quantity: '1' }),
            { attempts: 8, baseDelayMs: 250, maxDelayMs: 4000 },
          );
        } finally {
          settled++;
        }
      });
      while (settled < 10) await sleep(20);

      const pm = processManager(cfg);
      const victim = pm.get(raftLeader!.name)!;
      const killedAt = Date.now();
      process.kill(victim.pid, 'SIGKILL');
      while (isAlive(victim.pid)) await sleep(20);
      const survivors = cfg.orderers.filter((o) => o !== raftLeader);
      let electedAt = 0;
      const election = (async () => {
        while (!electedAt && Date.now() - killedAt < 120_000) {
          if (await leader(survivors)) electedAt = Date.now();
          else await sleep(100);
        }
      })();
      // Time to resume: the first transaction submitted after the kill that commits.
      let resumedAt = 0;
      for (let n = 0; !resumedAt; n++) {
        try {
          await users[RETAILER].submit({ contract: 'probe', fn: 'Put', args: [`resume-${stamp}-${n}`, '1'] });
          resumedAt = Date.now();
        } catch {
          if (Date.now() - killedAt > 120_000) throw new Error('ordering did not resume within 120 s');
          await sleep(100);
        }
      }
      const results = await Promise.allSettled(burst);
      await election;
      const accepted = results.filter((r) => r.status === 'fulfilled').length;
      const newLeader = await leader(survivors);
      const secs = (t: number) => ((t - killedAt) / 1000).toFixed(1);
      console.log(
        `      killed leader ${raftLeader!.name}: new leader ${newLeader?.name} after ${secs(electedAt)} s, ` +
          `first commit after ${secs(resumedAt)} s; ${accepted}/${total} accepted`,
      );
      expect(newLeader, 'a surviving node leads').to.not.equal(undefined);
      expect(
        accepted,
        JSON.stringify(
          results
            .filter((r) => r.status === 'rejected')
            .map((r) => String((r as PromiseRejectedResult).reason))
            .slice(0, 3),
        ),
      ).to.equal(total);

      // Counted on the ledger: one effective (non-replay) VALID transaction per eventId.
      const tip = await users[AUDITOR].height();
      const effective = await effectiveCommits(users[AUDITOR], startBlock);
      for (const b of ids) expect(effective.get(b.eventId), b.eventId).to.equal(1);
      const stock = await queryJson(users[AUDITOR], 'GetStock', site);
      expect(stock.total).to.equal(`${total}.000`);

      // The killed node restarts from its WAL and ledger and catches up with the others.
      await startOrderer(cfg, pm, raftLeader!, await fabricSampleConfigDir(cfg.root));
      const target = Math.max(...(await Promise.all(survivors.map(ordererHeight))));
      let caughtUp = 0;
      for (let i = 0; i < 120 && caughtUp < target; i++) {
        caughtUp = await ordererHeight(raftLeader!).catch(() => 0);
        if (caughtUp < target) await sleep(500);
      }
      expect(caughtUp).to.be.at.least(target);
      expect(target).to.be.at.least(Number(tip));
    });
  });
}
