/**
 * Consortium operations on a five-organisation devnet with three Raft
 * orderers (its own network): custody between the second supplier and the
 * retailer under the shipment's key-level policy, endorsements by
 * non-parties refused at validation, ordering surviving the loss of the
 * Raft leader (raft-failover.ts), and a sixth organisation onboarded while others transact,
 * then removed. The devnet is brought up, the sixth organisation added and
 * removed by the commands of docs/consortium-operations.md, run as written;
 * last, a registry change is proposed and approved by two governing admins
 * with the peer CLI, as docs/connect-your-network.md gives it.
 */
import { expect } from 'chai';
import { type LedgerClient, loadLedgerConfig } from '../../../lib/fabric/src';
import { ServiceError, withRetry } from '../../../lib/platform/src';
import { connectDevnet } from '../../../network/src/connect-devnet';
import { loadDevnetConfig } from '../../../network/src/config';
import { devnetDown, devnetStatus } from '../../../network/src/devnet';
import { readDevnetInfo, type DevnetInfo } from '../../../network/src/devnet-info';
import type { Pool } from 'pg';
import { dropSchema } from '../../../indexer/src/db/migrate';
import { createPool } from '../../../indexer/src/db/pool';
import { createIndexer, type Indexer } from '../../../indexer/src/main';
import { devnetLedgerEnv } from '../../../network/src/connection-files';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { queryGet, testConfig, testLog, testPostgres, waitForBlock } from '../indexer/harness';
import { registerSiteAndProduct, uniqueGln, uniqueGtin } from '../chaincode/ledger-fixtures';
import { DocPage } from '../../fixtures/doc-shell';
import { consortiumDevnetConfig, eventId, queryJson, sleep, submitJson } from './consortium-devnet';
import { describeRaftFailover } from './raft-failover';

const RETAILER = 'RetailerMSP';
const SUPPLIER = 'SupplierMSP';
const SUPPLIER2 = 'Supplier2MSP';
const SUPPLIER3 = 'Supplier3MSP';
const AUDITOR = 'AuditorMSP';

const stamp = Date.now() % 1_000_000;
const gln = uniqueGln;
const gtin = uniqueGtin;

async function rejection(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(ServiceError);
    return err as ServiceError;
  }
  throw new Error('expected a rejection');
}

describe('consortium operations (five organisations, three orderers, own network)', function () {
  this.timeout(600_000);
  const cfg = consortiumDevnetConfig();
  const quiet = () => undefined;
  let info: DevnetInfo;
  const users: Record<string, LedgerClient> = {};
  // The indexer follows this network from the auditor's peer into its own schema.
  let pg: PostgresServer | undefined;
  let indexer: Indexer | undefined;
  let indexerSchema = '';
  // The page's commands, in a reader's terminal with this devnet's port base and run folder exported.
  const page = new DocPage('docs/consortium-operations.md', __filename);
  const readerEnv = { ...process.env, FABRIC_PORT_BASE: String(cfg.portBase), FABRIC_RUN_DIR: cfg.runDir, FABRIC_PEER_CLIENT_AUTH: 'true' };
  // The peer CLI procedure for registry governance, in a terminal of its own.
  const peerCli = new DocPage('docs/connect-your-network.md', __filename);

  before(async function () {
    await devnetDown(cfg, { wipe: true }, quiet);
    await page.next(readerEnv); // npm run network -- up --suppliers 3 --orderers 3
    info = readDevnetInfo(cfg.runDir);
    expect(info.orgs.map((o) => o.mspId).sort()).to.deep.equal([RETAILER, SUPPLIER, SUPPLIER2, SUPPLIER3, AUDITOR].sort());
    expect(loadDevnetConfig({ portBase: cfg.portBase, runDir: cfg.runDir }).orderers).to.have.length(3);
    for (const msp of [RETAILER, SUPPLIER, SUPPLIER2, SUPPLIER3, AUDITOR]) users[msp] = await connectDevnet(info, msp);
    pg = testPostgres();
    await pg.start();
    const icfg = testConfig({ databaseUrl: pg.connectionString, ledger: loadLedgerConfig(devnetLedgerEnv(info, AUDITOR)) });
    indexerSchema = icfg.schema;
    indexer = createIndexer(icfg, { log: testLog() });
    await indexer.start();
  });
  after(async () => {
    for (const c of Object.values(users)) c.close();
    await indexer?.stop().catch(() => undefined);
    if (pg) {
      const admin = createPool({ connectionString: pg.connectionString, schema: 'public' });
      await dropSchema(admin, indexerSchema).catch(() => undefined);
      await admin.end();
      await pg.stop();
    }
    await devnetDown(cfg, { wipe: process.env.KEEP_TEST_DEVNET !== '1' }, quiet);
    try {
      await page.close();
    } finally {
      await peerCli.close();
    }
  });

  it('seeds every organisation of the topology into the consortium registry with its role', async () => {
    const { members } = JSON.parse((await users[AUDITOR].evaluate({ contract: 'consortium', fn: 'GetMembers' })).toString('utf8'));
    const roles = Object.fromEntries((members as Array<{ mspId: string; roles: string[] }>).map((m) => [m.mspId, [...m.roles].sort().join('+')]));
    expect(roles).to.deep.equal({
      RetailerMSP: 'governance+retailer',
      SupplierMSP: 'supplier',
      Supplier2MSP: 'supplier',
      Supplier3MSP: 'supplier',
      AuditorMSP: 'auditor+governance',
    });
    expect(info.orderers?.map((o) => o.name)).to.deep.equal(['orderer0', 'orderer1', 'orderer2']);
  });

  describe('custody between the second supplier and the retailer', () => {
    const site = gln(SUPPLIER2);
    const dc = gln(RETAILER);
    const product = gtin(SUPPLIER2);
    before(async () => {
      await submitJson(users[SUPPLIER2], 'RegisterLocation', {
        eventId: eventId(),
        gln: site,
        type: 'roastery',
        name: 'Roastery 2',
        address: { country: 'CO' },
      });
      await submitJson(users[RETAILER], 'RegisterLocation', { eventId: eventId(), gln: dc, type: 'dc', name: 'DC', address: { country: 'DE' } });
      await submitJson(users[SUPPLIER2], 'RegisterProduct', { eventId: eventId(), gtin: product, description: 'Roasted beans', unit: 'KGM' });
    });

    async function shipment(lot: string): Promise<string> {
      await submitJson(users[SUPPLIER2], 'CommissionLot', { eventId: eventId(), gln: site, gtin: product, lotCode: lot, quantity: '40' });
      const shipmentId = `SH-${lot}`;
      await submitJson(
        users[SUPPLIER2],
        'CreateShipment',
        {
          eventId: eventId(),
          shipmentId,
          fromGln: site,
          toGln: dc,
          lines: [{ gtin: product, lotCode: lot, quantity: '40' }],
        },
        [SUPPLIER2, RETAILER, AUDITOR],
      );
      return shipmentId;
    }

    it('commits VALID when the parties (and a third org for MAJORITY of five) endorse', async () => {
      const lot = `L2-${stamp}-a`;
      const shipmentId = await shipment(lot);
      const dispatched = await submitJson(users[SUPPLIER2], 'DispatchShipment', { eventId: eventId(), shipmentId }, [SUPPLIER2, RETAILER, AUDITOR]);
      const received = await submitJson(users[RETAILER], 'ReceiveShipment', { eventId: eventId(), shipmentId }, [RETAILER, SUPPLIER2, AUDITOR]);
      expect(received.result.shipment.status).to.equal('received');
      // The auditor's peer, not a party, has committed both transactions as VALID.
      for (const c of [dispatched.commit, received.commit]) {
        const block = await users[AUDITOR].blockByTxId(c.txId);
        const tx = block.transactions.find((t) => t.txId === c.txId)!;
        expect(tx.validationCode).to.equal('VALID');
        expect(tx.endorserMspIds).to.include.members([SUPPLIER2, RETAILER]);
      }
      const stock = await queryJson(users[AUDITOR], 'GetStock', dc);
      expect(stock.positions.find((p: any) => p.lotCode === lot).quantity).to.equal('40.000');
    });

    it('commits ENDORSEMENT_POLICY_FAILURE when only suppliers not party to it endorse, and changes nothing', async () => {
      const lot = `L2-${stamp}-b`;
      const shipmentId = await shipment(lot);
      // Two suppliers alone: neither party, and not a majority either.
      const alone = await rejection(submitJson(users[SUPPLIER2], 'DispatchShipment', { eventId: eventId(), shipmentId }, [SUPPLIER, SUPPLIER3]));
      expect(alone.code).to.equal('ENDORSEMENT_POLICY_FAILURE');
      // Three non-parties satisfy the chaincode's MAJORITY but not the shipment key's policy.
      const majority = await rejection(submitJson(users[SUPPLIER2], 'DispatchShipment', { eventId: eventId(), shipmentId }, [SUPPLIER, SUPPLIER3, AUDITOR]));
      expect(majority.code).to.equal('ENDORSEMENT_POLICY_FAILURE');
      const { shipment: after } = await queryJson(users[AUDITOR], 'GetShipment', shipmentId);
      expect(after.status).to.equal('created');
      const stock = await queryJson(users[AUDITOR], 'GetStock', site);
      expect(stock.positions.find((p: any) => p.lotCode === lot).quantity).to.equal('40.000');
    });
  });

  describeRaftFailover(() => ({ cfg, info, users }));

  describe('network add-org on the running channel', () => {
    const NEW = 'FarmcoMSP';
    let onboardedIn = 0;
    let configBlock = 0;
    let beforeTx = '';
    const during: Array<Promise<unknown>> = [];

    it('onboards a supplier while other organisations keep submitting, and every one of their transactions commits', async () => {
      const { site, product } = await registerSiteAndProduct(users[SUPPLIER], SUPPLIER, 'Busy roastery', 'BR');
      beforeTx = (await submitJson(users[SUPPLIER], 'RegisterProduct', { eventId: eventId(), gtin: gtin(SUPPLIER), description: 'Before', unit: 'KGM' })).commit
        .txId;
      let onboarding = true;
      const traffic = (async () => {
        for (let i = 0; onboarding; i++) {
          const pair = [
            submitJson(users[SUPPLIER], 'CommissionLot', { eventId: eventId('during'), gln: site, gtin: product, lotCode: `D-${stamp}-${i}`, quantity: '1' }),
            users[RETAILER].submit({ contract: 'probe', fn: 'Put', args: [`during-${stamp}-${i}`, String(i)] }),
          ];
          // Outcomes are read with allSettled below; this only keeps an early rejection from being reported as unhandled.
          for (const p of pair) p.catch(() => undefined);
          during.push(...pair);
          await sleep(400);
        }
      })();
      try {
        // npm run network -- add-org farmco --role supplier
        const out = await page.next(readerEnv);
        const said = /joined \S+ by config block (\d+) in ([\d.]+) s/.exec(out);
        expect(said, out).to.not.equal(null);
        configBlock = Number(said![1]);
        onboardedIn = Number(said![2]) * 1000;
        info = readDevnetInfo(cfg.runDir);
      } finally {
        onboarding = false;
        await traffic;
      }
      const outcomes = await Promise.allSettled(during);
      const failed = outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason));
      console.log(`      add-org took ${(onboardedIn / 1000).toFixed(1)} s; ${during.length} transactions of other organisations committed meanwhile`);
      expect(failed, failed.slice(0, 3).join('\n')).to.deep.equal([]);
      expect(during.length).to.be.greaterThan(4);
      // The run folder now describes six organisations: status (and down) see the new peer.
      const grown = loadDevnetConfig({ portBase: cfg.portBase, runDir: cfg.runDir, peerClientAuth: true });
      expect(grown.orgs.map((o) => o.mspId)).to.include(NEW);
      expect(devnetStatus(grown).running).to.equal(true);
      expect(devnetStatus(grown).processes.map((p) => p.name)).to.include('peer0-farmco');
      users[NEW] = await connectDevnet(info, NEW);
      const { members } = JSON.parse((await users[AUDITOR].evaluate({ contract: 'consortium', fn: 'GetMembers' })).toString('utf8'));
      expect(members.find((m: { mspId: string }) => m.mspId === NEW)?.roles).to.deep.equal(['supplier']);
    });

    it('lets the new supplier commission a lot and ship it to the retailer; every peer reports the same height and block hash', async () => {
      const site = gln(NEW);
      const dc = gln(RETAILER);
      const product = gtin(NEW);
      const lot = `F-${stamp}`;
      await submitJson(users[NEW], 'RegisterLocation', { eventId: eventId(), gln: site, type: 'cooperative', name: 'Farmco coop', address: { country: 'ET' } });
      await submitJson(users[RETAILER], 'RegisterLocation', { eventId: eventId(), gln: dc, type: 'dc', name: 'DC 2', address: { country: 'DE' } });
      await submitJson(users[NEW], 'RegisterProduct', { eventId: eventId(), gtin: product, description: 'Green coffee', unit: 'KGM' });
      await submitJson(users[NEW], 'CommissionLot', { eventId: eventId(), gln: site, gtin: product, lotCode: lot, quantity: '300' });
      // Six organisations: MAJORITY is four, the two parties among them.
      const endorsers = [NEW, RETAILER, AUDITOR, SUPPLIER];
      const shipmentId = `SH-${lot}`;
      await submitJson(
        users[NEW],
        'CreateShipment',
        { eventId: eventId(), shipmentId, fromGln: site, toGln: dc, lines: [{ gtin: product, lotCode: lot, quantity: '300' }] },
        endorsers,
      );
      await submitJson(users[NEW], 'DispatchShipment', { eventId: eventId(), shipmentId }, endorsers);
      const received = await submitJson(users[RETAILER], 'ReceiveShipment', { eventId: eventId(), shipmentId }, endorsers);
      expect(received.result.shipment.status).to.equal('received');
      const stock = await queryJson(users[AUDITOR], 'GetStock', dc);
      expect(stock.positions.find((p: any) => p.lotCode === lot).quantity).to.equal('300.000');

      // Each organisation asks its own peer; all six agree on the height and the tip's hash.
      const target = await users[RETAILER].height();
      const tips: string[] = [];
      for (const [msp, client] of Object.entries(users)) {
        let h = await client.height();
        for (let i = 0; i < 100 && h < target; i++) h = (await sleep(100), await client.height());
        const block = await client.blockByNumber(target - 1n);
        tips.push(`${msp}:${target}:${block.headerHash.toString('hex')}`);
      }
      const hashes = new Set(tips.map((t) => t.split(':').slice(1).join(':')));
      expect(tips).to.have.length(6);
      expect(hashes.size, tips.join('\n')).to.equal(1);

      // The indexer stored the config block: membership before and after the onboarding.
      const pool: Pool = indexer!.pool;
      await waitForBlock(pool, target - 1n);
      const appMembers = async (q: string) => {
        const res = await queryGet(indexer!, `/membership${q}`);
        expect(res.status, q).to.equal(200);
        const body = (await res.json()) as { configBlock: { blockNumber: number }; members: Array<{ mspId: string; section: string }> };
        return { block: body.configBlock.blockNumber, msps: body.members.filter((m) => m.section === 'application').map((m) => m.mspId) };
      };
      const before = await appMembers(`?txId=${beforeTx}`);
      expect(before.msps).to.deep.equal(['AuditorMSP', 'RetailerMSP', 'Supplier2MSP', 'Supplier3MSP', 'SupplierMSP']);
      const atReceipt = await appMembers(`?txId=${received.commit.txId}`);
      expect(atReceipt.block).to.equal(configBlock);
      expect(atReceipt.msps).to.deep.equal(['AuditorMSP', 'FarmcoMSP', 'RetailerMSP', 'Supplier2MSP', 'Supplier3MSP', 'SupplierMSP']);
      expect((await queryGet(indexer!, '/membership?block=x')).status).to.equal(400);

      // The governance that added it: the registry and the proposal both governing organisations approved.
      const registry = (await (await queryGet(indexer!, '/membership/registry')).json()) as { members: Array<{ mspId: string; roles: string[] }> };
      expect(registry.members.find((m) => m.mspId === NEW)?.roles).to.deep.equal(['supplier']);
      expect(registry.members.find((m) => m.mspId === AUDITOR)?.roles).to.deep.equal(['auditor', 'governance']);
      const applied = (await (await queryGet(indexer!, '/membership/proposals?status=applied')).json()) as {
        proposals: Array<{ proposalId: string; change: { mspId: string }; approvedBy: string[]; required: number }>;
      };
      const added = applied.proposals.find((p) => p.change.mspId === NEW)!;
      expect(added, JSON.stringify(applied)).to.not.equal(undefined);
      expect([...added.approvedBy].sort()).to.deep.equal([AUDITOR, RETAILER]);
      expect(added.required).to.equal(2);
      const one = (await (await queryGet(indexer!, `/membership/proposals/${added.proposalId}`)).json()) as {
        approvals: Array<{ action: string; applied: boolean }>;
      };
      expect(one.approvals.map((a) => `${a.action}:${a.applied}`)).to.deep.equal(['proposed:false', 'approved:true']);
      expect((await queryGet(indexer!, '/membership/proposals?status=maybe')).status).to.equal(400);
      expect((await queryGet(indexer!, `/membership/proposals/${'0'.repeat(64)}`)).status).to.equal(404);
    });

    it('remove-org takes the new supplier out again; the five others go on committing', async () => {
      // npm run network -- remove-org farmco
      const out = await page.next(readerEnv);
      const removedBy = Number(/removed from \S+ by config block (\d+)/.exec(out)?.[1]);
      expect(removedBy, out).to.be.greaterThan(configBlock);
      const shrunk = loadDevnetConfig({ portBase: cfg.portBase, runDir: cfg.runDir, peerClientAuth: true });
      expect(shrunk.orgs.map((o) => o.mspId)).to.not.include(NEW);
      expect(
        readDevnetInfo(cfg.runDir)
          .orgs.map((o) => o.mspId)
          .sort(),
      ).to.deep.equal([RETAILER, SUPPLIER, SUPPLIER2, SUPPLIER3, AUDITOR].sort());
      users[NEW]?.close();
      delete users[NEW];
      users[RETAILER].close();
      users[RETAILER] = await connectDevnet(readDevnetInfo(cfg.runDir), RETAILER);
      const put = await withRetry(() => users[RETAILER].submit({ contract: 'probe', fn: 'Put', args: [`after-remove-${stamp}`, '1'] }), {
        attempts: 5,
        baseDelayMs: 500,
      });
      expect(Number(put.blockNumber)).to.be.greaterThan(removedBy);
    });
  });

  // Last, so that the registry the earlier cases check holds only the topology's members and farmco.
  describe('registry governance with the peer CLI', () => {
    it('a governing admin proposes a new member with the peer CLI and the other approves it: the change applies', async () => {
      await peerCli.next(readerEnv); // the variables and as_admin
      // ProposeChange as RetailerMSP's admin, ApproveProposal as AuditorMSP's, GetProposal, GetMembers.
      const out = await peerCli.next(readerEnv);
      const id = /proposalId[^0-9a-f]*([0-9a-f]{64})/.exec(out)?.[1];
      expect(id, out).to.not.equal(undefined);
      const { members } = JSON.parse((await users[AUDITOR].evaluate({ contract: 'consortium', fn: 'GetMembers' })).toString('utf8'));
      const roaster = (members as Array<{ mspId: string; displayName: string; roles: string[] }>).find((m) => m.mspId === 'RoasterMSP');
      expect(roaster, JSON.stringify(members)).to.deep.include({ displayName: 'Roaster AG', roles: ['supplier'] });
      const proposal = JSON.parse((await users[AUDITOR].evaluate({ contract: 'consortium', fn: 'GetProposal', args: [id!] })).toString('utf8'));
      expect(proposal.proposal).to.deep.include({ status: 'applied', proposedBy: RETAILER });
    });
  });
});
