/**
 * Prometheus metrics of the indexer, in their own registry (no global state):
 * ledger height, checkpoint, lag in blocks and seconds, blocks and
 * transactions indexed (rate() of the counters gives blocks/s), outbox backlog.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BlockSummary } from '../projection/project-block';

export interface IndexerMetrics {
  readonly registry: Registry;
  blockStored(s: BlockSummary): void;
  ledgerHeight(h: bigint): void;
  published(n: number): void;
  /** Last values, for /health. */
  snapshot(): { height?: bigint; checkpoint?: bigint; lagBlocks?: number };
}

export function createIndexerMetrics(opts: { defaultMetrics?: boolean; pendingOutbox?: () => Promise<number> } = {}): IndexerMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'indexer_' });
  const height = new Gauge({ name: 'indexer_ledger_height', help: 'Channel height (blocks) on the peer the indexer reads', registers: [registry] });
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
  let cp: bigint | undefined;
  const updateLag = () => {
    if (h !== undefined) lag.set(Math.max(0, Number(h - 1n - (cp ?? -1n))));
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
    snapshot: () => ({ height: h, checkpoint: cp, lagBlocks: h === undefined ? undefined : Math.max(0, Number(h - 1n - (cp ?? -1n))) }),
  };
}
