import { expect } from 'chai';
import { pino } from 'pino';
import type { LedgerClient } from '../../../lib/fabric/src';
import { createIndexerMetrics } from '../../../indexer/src/query/metrics';
import { createChannelHeightMonitor } from '../../../indexer/src/source/channel-height';

/** Two peers: the indexer's own (own:7051) and another organisation's (other:7051), whose answers the test sets. */
function fakeLedger() {
  const state = { own: { up: true, height: 10n }, other: { up: true, height: 10n } };
  let closed = 0;
  const client = {
    peer: 'own:7051',
    peers: () => [
      { name: 'own:7051', mspId: 'AMSP' },
      { name: 'other:7051', mspId: 'BMSP' },
    ],
    async height(peer?: string) {
      const s = peer === 'other:7051' ? state.other : state.own;
      if (!s.up) throw new Error(`GetChainInfo on ${peer} failed: 14 UNAVAILABLE`);
      return s.height;
    },
    certificates: () => [],
    close: () => void (closed += 1),
  } as unknown as LedgerClient;
  return { client, state, closed: () => closed };
}

const until = async (cond: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('indexer: the channel height as every peer reports it', () => {
  it('counts lag against the other peers while its own peer is down, and names the peer it cannot reach', async () => {
    const f = fakeLedger();
    const metrics = createIndexerMetrics();
    let checks = 0;
    const monitor = createChannelHeightMonitor({
      connect: async () => f.client,
      log: pino({ level: 'silent' }),
      intervalMs: 10,
      onCheck: (peers, h) => {
        checks += 1;
        metrics.peerHeights(peers, h);
      },
    });
    monitor.start();
    try {
      await until(() => checks > 0);
      // Indexed up to block 9 of a 10-block channel, as its own peer said.
      metrics.ledgerHeight(10n);
      metrics.blockStored({ blockNumber: 9n, transactions: 1, projected: 1, invalid: 0, outboxRows: 0 });
      expect(metrics.snapshot().lagBlocks).to.equal(0);

      // Its peer goes down; the other peer commits 5 more blocks.
      f.state.own.up = false;
      f.state.other.height = 15n;
      const c0 = checks;
      await until(() => checks > c0 + 1);
      expect(monitor.peers().find((p) => p.own)).to.include({ name: 'own:7051', reachable: false });
      expect(monitor.peers().find((p) => !p.own)).to.include({ name: 'other:7051', reachable: true, height: 15n });
      expect(monitor.height()).to.equal(15n);
      expect(metrics.snapshot().lagBlocks, 'lag against the channel, not the own peer').to.equal(5);
      const text = await metrics.registry.metrics();
      expect(text).to.match(/indexer_peer_reachable\{peer="own:7051",peer_msp="AMSP",own="true"\} 0/);
      expect(text).to.match(/indexer_channel_height 15/);
      expect(text).to.match(/indexer_lag_blocks 5/);

      // It comes back and the indexer catches up.
      f.state.own.up = true;
      f.state.own.height = 15n;
      const c1 = checks;
      await until(() => checks > c1 + 1);
      expect(monitor.peers().every((p) => p.reachable)).to.equal(true);
      metrics.blockStored({ blockNumber: 14n, transactions: 1, projected: 1, invalid: 0, outboxRows: 0 });
      expect(metrics.snapshot().lagBlocks).to.equal(0);
    } finally {
      await monitor.stop();
    }
    expect(f.closed()).to.equal(1);
  });

  it('reports its own peer unreachable when it cannot connect at all', async () => {
    let checks = 0;
    const monitor = createChannelHeightMonitor({
      connect: async () => {
        throw new Error('opening channel supplychain failed: DiscoveryService has failed to return results');
      },
      log: pino({ level: 'silent' }),
      intervalMs: 10,
      onCheck: () => (checks += 1),
    });
    monitor.start();
    try {
      await until(() => checks > 0);
      expect(monitor.peers()).to.have.length(1);
      expect(monitor.peers()[0]).to.include({ own: true, reachable: false });
      expect(monitor.height()).to.equal(undefined);
    } finally {
      await monitor.stop();
    }
  });
});
