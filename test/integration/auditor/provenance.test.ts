import { expect } from 'chai';
import type { Pool } from 'pg';
import { createProvenanceService, type ProvenanceService } from '../../../lib/fabric/src/proof/provenance';
import { checkIndexedTrace, type IndexedTrace } from '../../../auditor/src/indexer-check';
import { connectDevnet } from '../../../network/src/connect-devnet';
import type { LedgerClient } from '../../../lib/fabric/src';
import { createPool } from '../../../indexer/src/db/pool';
import { createIndexer, type Indexer } from '../../../indexer/src/main';
import type { PostgresServer } from '../../../network/src/services/postgres';
import { sharedDevnet } from '../../fixtures/test-devnet';
import type { Orgs } from '../chaincode/ledger-fixtures';
import { startIndexedLedger, type IndexedLedger } from '../indexer/indexed-ledger';
import { queryApi, runChain, setUpChain, testLog, waitForBlock, type Chain, type testConfig } from '../indexer/harness';

describe("auditor: provenance with proof from the auditor's own peer", function () {
  this.timeout(300_000);
  let fx: IndexedLedger;
  let pg: PostgresServer;
  let orgs: Orgs;
  let auditorLedger: LedgerClient;
  let service: ProvenanceService;
  let indexer: Indexer;
  let pool: Pool;
  let chain: Chain;
  let cfg: ReturnType<typeof testConfig>;

  before(async () => {
    fx = await startIndexedLedger();
    ({ pg, orgs, indexer, pool, cfg } = fx);
    chain = await setUpChain(orgs);
    await runChain(orgs, chain);
    await waitForBlock(pool, chain.lastBlock);
    auditorLedger = await connectDevnet(sharedDevnet(), 'AuditorMSP');
    service = createProvenanceService({ ledger: auditorLedger });
  });

  after(async () => {
    auditorLedger?.close();
    await fx?.stop();
  });

  it('traces a green lot downstream to every holding and proves every transaction', async () => {
    const p = await service.lotProvenance({ gtin: chain.gtin.green, lotCode: chain.greenLot });
    const down = p.lots.filter((l) => l.direction === 'downstream');
    expect(down.map((l) => l.lotCode)).to.deep.equal([chain.roastLot]);
    expect(Object.fromEntries(down[0].onHand.map((h) => [h.gln, h.quantity]))).to.deep.equal({ [chain.gln.dc]: '380.000', [chain.gln.store]: '120.000' });
    expect(p.proofs.length).to.be.at.least(4);
    for (const proof of p.proofs) {
      expect(proof.ok, proof.problems.join('; ')).to.equal(true);
      expect(new Set(proof.endorserMspIds).size).to.be.at.least(2);
      expect(proof.signatures.every((s) => s.valid)).to.equal(true);
      expect(proof.linkedTo).to.equal(p.tip);
    }
    expect(p.ok).to.equal(true);
  });

  it('traces a roasted lot upstream to its green lot and origin', async () => {
    const p = await service.lotProvenance({ gtin: chain.gtin.roasted, lotCode: chain.roastLot });
    const up = p.lots.filter((l) => l.direction === 'upstream');
    expect(up.map((l) => l.lotCode)).to.deep.equal([chain.greenLot]);
    expect(JSON.stringify(up[0].origin)).to.include('CO');
    expect(p.ok).to.equal(true);
  });

  it("confirms the indexer's downstream trace against the ledger", async () => {
    const res = await (await queryApi(indexer)).get(`/lots/${chain.gtin.green}/${chain.greenLot}/trace/downstream`);
    expect(res.status).to.equal(200);
    const check = await checkIndexedTrace(service, res.body as IndexedTrace);
    expect(check.findings.length).to.be.at.least(3);
    expect(check.ok, JSON.stringify(check.findings.filter((f) => !f.ok))).to.equal(true);
  });

  it('scopes a recall by lot, or by product and period, to every affected lot and holding', async () => {
    const api = await queryApi(indexer);
    const byLot = await api.get('/recalls/scope').query({ lot: `${chain.gtin.green}/${chain.greenLot}` });
    expect(byLot.status).to.equal(200);
    expect(byLot.body.affectedLots.map((l: any) => l.lot_code).sort()).to.deep.equal([chain.greenLot, chain.roastLot].sort());
    const held = byLot.body.holdings
      .filter((h: any) => h.lot_code === chain.roastLot)
      .map((h: any) => `${h.gln}=${h.quantity}`)
      .sort();
    expect(held).to.deep.equal([`${chain.gln.dc}=380.000`, `${chain.gln.store}=120.000`].sort());
    const from = new Date(Date.now() - 3600_000).toISOString();
    const byPeriod = await api.get('/recalls/scope').query({ gtin: chain.gtin.green, from, to: new Date(Date.now() + 60_000).toISOString() });
    expect(byPeriod.status).to.equal(200);
    expect(byPeriod.body.roots.map((r: any) => r.lot_code)).to.include(chain.greenLot);
    expect(byPeriod.body.holdings).to.deep.include.members(byLot.body.holdings);
    const empty = await api.get('/recalls/scope').query({ gtin: chain.gtin.green, from: '2001-01-01', to: '2001-12-31' });
    expect(empty.body.affectedLots).to.deep.equal([]);
    const bad = await api.get('/recalls/scope').query({ gtin: '123', from });
    expect(bad.status).to.equal(400);
    expect(JSON.stringify(bad.body)).to.include('gtin');
  });

  it('fails loudly on a tampered indexer row', async () => {
    await indexer.stop();
    const tamper = createPool({ connectionString: pg.connectionString, schema: cfg.schema });
    await tamper.query('UPDATE stock_levels SET quantity = $1 WHERE gln = $2 AND gtin = $3 AND lot_code = $4', [
      '999.000',
      chain.gln.store,
      chain.gtin.roasted,
      chain.roastLot,
    ]);
    await tamper.query('UPDATE lot_lineage SET block_number = block_number + 1 WHERE child_gtin = $1 AND child_lot_code = $2', [
      chain.gtin.roasted,
      chain.roastLot,
    ]);
    await tamper.end();
    // The trace as the indexer would serve it, read from the tampered rows.
    const fresh = createIndexer(cfg, { log: testLog() });
    await fresh.start();
    try {
      const res = await (await queryApi(fresh)).get(`/lots/${chain.gtin.green}/${chain.greenLot}/trace/downstream`);
      const check = await checkIndexedTrace(service, res.body as IndexedTrace);
      expect(check.ok).to.equal(false);
      const problems = check.findings.flatMap((f) => f.problems).join('\n');
      expect(problems).to.match(/the ledger leaves 120\.000 at .* the indexer says 999\.000/);
      expect(problems).to.match(/the indexer says block \d+, the ledger has it in block \d+/);
    } finally {
      await fresh.stop();
    }
  });

  it('rejects a forged transaction id', async () => {
    const err = await service.proveTransaction('0'.repeat(64)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(Error);
  });
});
