/**
 * Prometheus metrics of the indexer, in their own registry (no global state):
 * ledger height (own peer and channel), checkpoint, lag in blocks and seconds,
 * blocks and transactions indexed (rate() of the counters gives blocks/s),
 * outbox backlog, relay and subscription failures, peers' reachability,
 * certificate expiry. The names are listed in docs/monitoring.md and used by
 * ops/monitoring's alerts and dashboard; a unit test keeps the three in step.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { secondsUntilExpiry, type CertificateValidity } from '../../../lib/fabric/src';
import type { BlockSummary } from '../projection/project-block';
import type { PeerHeight } from '../source/channel-height';

export interface IndexerMetrics {
  readonly registry: Registry;
  blockStored(s: BlockSummary): void;
  ledgerHeight(h: bigint): void;
  published(n: number): void;
  /** Outbox rows a member's indexer passed over as outside its owner's view. */
  withheld(n: number): void;
  /** Every peer's height as last asked, and the highest of them (the channel's height). */
  peerHeights(peers: PeerHeight[], channelHeight: bigint | undefined): void;
  /** The outbox relay could not publish a batch (Kafka or PostgreSQL out of reach). */
  relayFailed(): void;
  /** An EPCIS subscription's delivery to its destination ended so. */
  subscriptionDelivery(outcome: 'delivered' | 'failed'): void;
  /** Last values, for /health. */
  snapshot(): { height?: bigint; checkpoint?: bigint; lagBlocks?: number };
}

export interface IndexerMetricsOptions {
  defaultMetrics?: boolean;
  pendingOutbox?: () => Promise<number>;
  /** The certificates the indexer presents to Fabric, read at each scrape. */
  certificates?: () => CertificateValidity[];
}

export function createIndexerMetrics(opts: IndexerMetricsOptions = {}): IndexerMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'indexer_' });
  const height = new Gauge({ name: 'indexer_ledger_height', help: 'Channel height (blocks) on the peer the indexer reads', registers: [registry] });
  const channelHeight = new Gauge({
    name: 'indexer_channel_height',
    help: 'Highest channel height (blocks) any peer of the channel reports',
    registers: [registry],
  });
  const peerUp = new Gauge({
    name: 'indexer_peer_reachable',
    help: 'Whether a channel peer answered the last height query (1) or not (0); own="true" is the peer blocks are read from',
    labelNames: ['peer', 'peer_msp', 'own'] as const,
    registers: [registry],
  });
  const relayFailures = new Counter({
    name: 'indexer_outbox_relay_failures_total',
    help: 'Outbox batches the relay could not publish to Kafka (retried with backoff)',
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'indexer_subscription_deliveries_total',
    help: 'EPCIS subscription deliveries by outcome (delivered, failed)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  if (opts.certificates) {
    const certificates = opts.certificates;
    new Gauge({
      name: 'indexer_certificate_expiry_seconds',
      help: 'Seconds until a certificate the indexer presents to Fabric expires (kind: identity, client_tls)',
      labelNames: ['kind'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const c of certificates()) this.set({ kind: c.kind }, secondsUntilExpiry(c));
      },
    });
  }
  const checkpoint = new Gauge({ name: 'indexer_checkpoint_block', help: 'Last block committed to PostgreSQL', registers: [registry] });
  const lag = new Gauge({ name: 'indexer_lag_blocks', help: 'Blocks committed on the ledger but not yet in PostgreSQL', registers: [registry] });
  const blocks = new Counter({ name: 'indexer_blocks_total', help: 'Blocks stored (rate() = blocks/s)', registers: [registry] });
  const txs = new Counter({
    name: 'indexer_transactions_total',
    help: 'Transactions stored, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const commitLag = new Histogram({
    name: 'indexer_commit_lag_seconds',
    help: 'From the last transaction timestamp of a block to its PostgreSQL commit',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const published = new Counter({ name: 'indexer_outbox_published_total', help: 'Outbox rows acknowledged by Kafka', registers: [registry] });
  const withheld = new Counter({
    name: 'indexer_outbox_withheld_total',
    help: 'Outbox rows not published: outside the view of the member that owns the indexer',
    registers: [registry],
  });
  if (opts.pendingOutbox) {
    const pending = opts.pendingOutbox;
    new Gauge({
      name: 'indexer_outbox_pending',
      help: 'Outbox rows waiting for Kafka',
      registers: [registry],
      async collect() {
        this.set(await pending().catch(() => -1));
      },
    });
  }
  let h: bigint | undefined;
  let channelH: bigint | undefined;
  let cp: bigint | undefined;
  // Lag counts against the highest height known: the own peer's, or another peer's while the own one is down or behind.
  const tip = () => (channelH !== undefined && (h === undefined || channelH > h) ? channelH : h);
  const lagBlocks = () => {
    const t = tip();
    return t === undefined ? undefined : Math.max(0, Number(t - 1n - (cp ?? -1n)));
  };
  const updateLag = () => {
    const l = lagBlocks();
    if (l !== undefined) lag.set(l);
  };
  return {
    registry,
    blockStored(s) {
      cp = s.blockNumber;
      checkpoint.set(Number(s.blockNumber));
      if (h === undefined || s.blockNumber >= h) {
        h = s.blockNumber + 1n;
        height.set(Number(h));
      }
      updateLag();
      blocks.inc();
      txs.inc({ outcome: 'projected' }, s.projected);
      txs.inc({ outcome: 'invalid' }, s.invalid);
      txs.inc({ outcome: 'not_projected' }, s.transactions - s.projected - s.invalid);
      if (s.lastTxTime) commitLag.observe(Math.max(0, (Date.now() - Date.parse(s.lastTxTime)) / 1000));
    },
    ledgerHeight(value) {
      h = value;
      height.set(Number(value));
      updateLag();
    },
    published(n) {
      published.inc(n);
    },
    withheld(n) {
      withheld.inc(n);
    },
    peerHeights(peers, value) {
      peerUp.reset();
      for (const p of peers) peerUp.set({ peer: p.name, peer_msp: p.mspId ?? '', own: String(p.own) }, p.reachable ? 1 : 0);
      channelH = value;
      if (value !== undefined) channelHeight.set(Number(value));
      updateLag();
    },
    relayFailed() {
      relayFailures.inc();
    },
    subscriptionDelivery(outcome) {
      deliveries.inc({ outcome });
    },
    snapshot: () => ({ height: tip(), checkpoint: cp, lagBlocks: lagBlocks() }),
  };
}
