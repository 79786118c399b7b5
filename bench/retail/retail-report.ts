/**
 * The retail benchmark's figures, from the load generator's own account and
 * the gateways' PostgreSQL (`gateway.pos_store_batches`: when each store batch
 * was received and committed, by which roll-up transaction and block).
 */
import type { Pool } from 'pg';
import { pct } from '../indexer/bench-env';
import type { BenchFigure } from '../summary';
import type { LoadReport } from './retail-load';
import type { Started } from './retail-processes';
import type { SetupReport } from './retail-setup';

export interface ReportInput {
  db: Pool;
  load: LoadReport;
  setup: SetupReport;
  probe: { txps: number };
  intervalMs: number;
  backlogAtEnd: number;
  drainedIn?: number;
  indexer?: Started;
  stores: number;
  linesPerBatch: number;
  v: Record<string, string | boolean | undefined>;
  log: (m: string) => void;
}

/** The headline figures, and the run's further measurements that the benchmark and capacity pages quote. */
export interface RetailReport {
  figures: BenchFigure[];
  details: Record<string, number | string | boolean>;
}

export async function report(r: ReportInput): Promise<RetailReport> {
  const { db, load, log } = r;
  const rows = (
    await db.query<{ batch_id: string; status: string; tx_id: string | null; block_number: string | null; received: string; finished: string | null }>(
      `SELECT batch_id, status, tx_id, block_number::text, extract(epoch FROM received_at) * 1000 AS received, extract(epoch FROM finished_at) * 1000 AS finished
       FROM gateway.pos_store_batches`,
    )
  ).rows;
  const byId = new Map(rows.map((x) => [x.batch_id, x]));
  const committed = load.batches.filter((b) => byId.get(b.batchId)?.status === 'committed');
  const refused = rows.filter((x) => x.status === 'refused').length;
  const txs = new Set(rows.filter((x) => x.status === 'committed' && x.tx_id).map((x) => x.tx_id));
  // A loop, not Math.min(...rows): a run holds more rows than the call stack takes arguments.
  let firstReceived = Infinity;
  let lastFinished = -Infinity;
  for (const x of rows) {
    firstReceived = Math.min(firstReceived, Number(x.received));
    if (x.finished) lastFinished = Math.max(lastFinished, Number(x.finished));
  }
  // Rates over the offered window: what the ledger booked while the stores were sending, plus the drain.
  const window = Math.max(load.seconds, (lastFinished - firstReceived) / 1000);
  const lag = rows
    .filter((x) => x.status === 'committed' && x.finished)
    .map((x) => Number(x.finished) - Number(x.received))
    .sort((a, b) => a - b);
  const lat = [...load.latencies].sort((a, b) => a - b);
  const posLinesCommitted = committed.reduce((s, b) => s + b.posLines, 0);
  const receiptsCommitted = committed.reduce((s, b) => s + b.receipts, 0);
  const offeredLines = load.posLines / load.seconds;
  const offeredReceipts = load.receipts / load.seconds;
  const txps = txs.size / window;
  const linesps = posLinesCommitted / window;
  const receiptsps = receiptsCommitted / window;
  // The baseline in lines: one RecordSales per store batch, at the ledger's probed rate.
  const baselineLines = r.probe.txps * (load.posLines / Math.max(1, load.uploads));

  let idxLag: number[] = [];
  if (r.indexer?.stored) {
    // Per block: the gateway recorded the roll-up committed (earliest of its rows) → the indexer stored the block.
    const blockCommit = new Map<string, number>();
    for (const x of rows)
      if (x.status === 'committed' && x.block_number && x.finished)
        blockCommit.set(x.block_number, Math.min(blockCommit.get(x.block_number) ?? Infinity, Number(x.finished)));
    idxLag = [...blockCommit].filter(([b]) => r.indexer!.stored!.has(b)).map(([b, t]) => r.indexer!.stored!.get(b)! - t);
    idxLag.sort((a, b) => a - b);
    log(
      `indexer: ${idxLag.length} of ${blockCommit.size} roll-up blocks stored; lag p50 ${pct(idxLag, 50)?.toFixed(0)} ms, p99 ${pct(idxLag, 99)?.toFixed(0)} ms`,
    );
  }
  // Kept up: the backlog left when the stores stopped is no more than they offer in one roll-up interval
  // (plus 30 s), and it drained within two intervals. A run shorter than two intervals cannot tell: its
  // whole load may still be waiting for the first roll-up and drain afterwards.
  const intervalS = r.intervalMs / 1000;
  const oneInterval = (load.uploads / load.seconds) * (intervalS + 30);
  const tooShort = load.seconds < 2 * intervalS;
  const drainedInTime = r.drainedIn !== undefined && r.drainedIn <= 2 * intervalS + 30;
  const keptUp = !tooShort && drainedInTime && r.backlogAtEnd <= oneInterval;
  const verdict = tooShort
    ? 'the run was shorter than two roll-up intervals: whether it keeps up cannot be told'
    : keptUp
      ? 'kept up'
      : `did NOT keep up${r.backlogAtEnd > oneInterval ? ` (more than the ${oneInterval.toFixed(0)} batches one interval brings)` : ''}`;
  log(
    `offered: ${load.uploads} uploads (${(load.uploads / load.seconds).toFixed(1)}/s), ${load.receipts} receipts (${offeredReceipts.toFixed(1)}/s), ` +
      `${load.posLines} lines (${offeredLines.toFixed(1)}/s) in ${load.seconds.toFixed(0)} s; ${load.failed} failed, ${load.late} not sent (generator behind)` +
      (load.firstError ? `; first error: ${load.firstError}` : ''),
  );
  log(
    `booked: ${committed.length} store batches (${(committed.length / window).toFixed(1)}/s) in ${txs.size} roll-up transactions = ${txps.toFixed(2)} tx/s; ` +
      `${receiptsps.toFixed(1)} receipts/s, ${linesps.toFixed(1)} lines/s over ${window.toFixed(0)} s; ${refused} refused`,
  );
  log(`gateway answer: p50 ${pct(lat, 50)?.toFixed(0)} ms, p99 ${pct(lat, 99)?.toFixed(0)} ms, max ${lat.at(-1)?.toFixed(0)} ms`);
  log(
    `upload → committed: p50 ${(pct(lag, 50) / 1000).toFixed(1)} s, p99 ${(pct(lag, 99) / 1000).toFixed(1)} s (roll-up every ${(r.intervalMs / 1000).toFixed(1)} s)`,
  );
  log(
    `backlog when the stores stopped: ${r.backlogAtEnd} store batches; ${r.drainedIn === undefined ? 'NOT drained' : `drained in ${r.drainedIn.toFixed(1)} s`} → ${verdict}`,
  );
  log(
    `baseline: one RecordSales per store batch commits ${r.probe.txps.toFixed(1)} tx/s ≈ ${baselineLines.toFixed(0)} lines/s; the stores need ${(load.uploads / load.seconds).toFixed(0)} tx/s that way`,
  );
  const arg = (k: string) => String(r.v[k]);
  const note = `${r.stores} stores, ${arg('receipts-per-hour')} receipts/h, ${arg('lines-per-receipt')} lines/receipt, upload every ${arg('upload-every')} s ×${arg('speed')}, ${arg('gateways')} gateway(s), ${arg('minutes')} min`;
  const figures: BenchFigure[] = [
    {
      name: 'retail.ledger.txps',
      label: 'ledger transactions/s (region roll-ups)',
      value: txps,
      unit: 'tx/s',
      target: { op: '<=', value: r.probe.txps },
      baseline: { label: 'ledger capacity, one RecordSales per store batch (probe)', value: r.probe.txps },
      note,
    },
    {
      name: 'retail.lines.ps',
      label: 'POS lines booked per second',
      value: linesps,
      unit: 'lines/s',
      target: { op: '>=', value: offeredLines * 0.98 },
      baseline: { label: 'one RecordSales per store batch at the probed capacity', value: baselineLines },
      note: `offered ${offeredLines.toFixed(1)} lines/s`,
    },
    {
      name: 'retail.receipts.ps',
      label: 'receipts booked per second',
      value: receiptsps,
      unit: 'receipts/s',
      target: { op: '>=', value: offeredReceipts * 0.98 },
    },
    { name: 'retail.gateway.p99', label: 'gateway upload answer p99', value: pct(lat, 99), unit: 'ms', baseline: { label: 'p50', value: pct(lat, 50) } },
    {
      name: 'retail.commit.lag.p99',
      label: 'upload → committed p99',
      value: pct(lag, 99),
      unit: 'ms',
      target: { op: '<=', value: 2 * r.intervalMs + 30_000 },
      baseline: { label: 'roll-up interval', value: r.intervalMs },
    },
    {
      name: 'retail.backlog.end',
      label: 'pending store batches when the load stopped',
      value: r.backlogAtEnd,
      unit: 'batches',
      target: { op: '<=', value: Math.round(oneInterval) },
      baseline: { label: `uploads the stores offer in one roll-up interval + 30 s`, value: Math.round(oneInterval) },
      note: `${r.drainedIn !== undefined ? `drained in ${r.drainedIn.toFixed(1)} s` : 'not drained in time'}; ${verdict}`,
    },
    {
      name: 'retail.setup.s',
      label: `set-up: ${r.stores} stores + stock, bulk transactions`,
      value: r.setup.seconds,
      unit: 's',
      note: `${r.setup.transactions} transactions`,
    },
  ];
  if (idxLag.length) figures.push({ name: 'retail.indexer.lag.p99', label: 'roll-up committed → indexer stored p99', value: pct(idxLag, 99), unit: 'ms' });
  const details: RetailReport['details'] = {
    settings: note,
    setupLocationsSeconds: r.setup.locationsSeconds,
    setupLotsSeconds: r.setup.lotsSeconds,
    setupTransactions: r.setup.transactions,
    probeTxps: r.probe.txps,
    probeLinesPerSecond: baselineLines,
    offeredUploadsPerSecond: load.uploads / load.seconds,
    offeredReceiptsPerSecond: offeredReceipts,
    offeredLinesPerSecond: offeredLines,
    uploadsNotSent: load.late,
    uploadsFailed: load.failed,
    uploadsSent: load.uploads,
    storeBatchesBooked: committed.length,
    rollupTransactions: txs.size,
    storeBatchesPerSecond: committed.length / window,
    refused,
    windowSeconds: window,
    gatewayP50Ms: pct(lat, 50),
    commitLagP50Ms: pct(lag, 50),
    backlogAtEnd: r.backlogAtEnd,
    drained: r.drainedIn !== undefined,
    keptUp,
  };
  if (r.drainedIn !== undefined) details.drainedInSeconds = r.drainedIn;
  if (idxLag.length) details.indexerLagP50Ms = pct(idxLag, 50);
  return { figures, details };
}
