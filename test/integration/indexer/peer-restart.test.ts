import { expect } from 'chai';
import { devnetUp, peerProcess, processManager } from '../../../network/src/devnet';
import { SHARED_PORT_BASE, testDevnetConfig } from '../../fixtures/test-devnet';
import { RETAILER, SUPPLIER, AUDITOR, eventId, submitJson } from '../chaincode/ledger-fixtures';
import { setUpChain, waitFor, waitForBlock } from './harness';
import { startIndexedLedger, type IndexedLedger } from './indexed-ledger';

/** Stops and restarts the peer the indexer reads from (the auditor's) on the shared devnet. */
describe('indexer: the block stream survives a restart of its peer', function () {
  this.timeout(300_000);
  const cfg = testDevnetConfig(SHARED_PORT_BASE);
  const auditorPeer = peerProcess(cfg.orgs.find((o) => o.mspId === AUDITOR)!);
  let fx: IndexedLedger;

  before(async () => {
    fx = await startIndexedLedger();
  });
  after(async () => {
    if (!processManager(cfg).get(auditorPeer)?.alive) await devnetUp(cfg, () => undefined);
    await fx?.stop();
  });

  it('stores the blocks committed while its peer was down once the peer is back, each once', async () => {
    const chain = await setUpChain(fx.orgs);
    await waitForBlock(fx.pool, chain.lastBlock);
    const lot = `R-${chain.greenLot}`;
    const s = fx.orgs[SUPPLIER];
    const both = [SUPPLIER, RETAILER];
    await submitJson(s, 'CommissionLot', { eventId: eventId(), gln: chain.gln.coop, gtin: chain.gtin.green, lotCode: lot, quantity: '1000' }, both);

    expect(await processManager(cfg).stop(auditorPeer)).to.equal(true);
    const whileDown: string[] = [];
    let last = 0n;
    for (let i = 0; i < 5; i++) {
      const r = await submitJson(
        s,
        'TransferStock',
        { eventId: eventId(), fromGln: chain.gln.coop, toGln: chain.gln.roastery, lines: [{ gtin: chain.gtin.green, lotCode: lot, quantity: '10' }] },
        both,
      );
      whileDown.push(r.commit.txId);
      last = r.commit.blockNumber;
    }
    await devnetUp(cfg, () => undefined);
    await waitForBlock(fx.pool, last, 120_000);
    const rows = await fx.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM transactions WHERE tx_id = ANY($1) AND validation_code = 'VALID' AND projected",
      [whileDown],
    );
    expect(rows.rows[0].n).to.equal(whileDown.length);
    const level = await waitFor('the stock level', async () => {
      const r = await fx.pool.query<{ quantity: string }>('SELECT quantity::text FROM stock_levels WHERE gln = $1 AND gtin = $2 AND lot_code = $3', [
        chain.gln.roastery,
        chain.gtin.green,
        lot,
      ]);
      return r.rows[0]?.quantity;
    });
    expect(Number(level)).to.equal(50);
  });
});
