/**
 * The roll-up worker: every interval it claims the pending store batches of
 * its organisation, groups them by region (at most `maxStores` per
 * transaction) and submits one RecordRegionSales per group. A store batch the
 * ledger refuses (an error naming `stores[i]…`) is recorded as refused with
 * the reason and field, and the rest of the group is submitted again; a batch
 * the ledger already holds (DUPLICATE on its batch id: booked earlier, e.g.
 * before a crash) is recorded as committed with the transaction that booked
 * it. Each group's event id is derived from its members, so a retry of the
 * same group is the same ledger event and never books twice.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { type LedgerClient } from '../../../../lib/fabric/src';
import { backoffMs, ServiceError } from '../../../../lib/platform/src';
import type { Submitter } from '../../submission/submitter';
import { isFinal } from '../../submission/worker';
import { createSleeper } from '../../submission/sleeper';
import { leafHash, merkleTree } from './merkle';
import type { BatchRefusal, RollupStore, StoredBatch } from './rollup-store';
import { latestRecord } from '../../ledger-record';
import { TX } from '../../../../lib/domain/src';

export interface RollupWorkerOptions {
  store: RollupStore;
  submitter: Submitter;
  ledger: LedgerClient;
  mspId: string;
  logger: Logger;
  /** Flush interval (ms). */
  intervalMs: number;
  /** Most store batches in one roll-up transaction. */
  maxStores: number;
  /** Roll-up transactions in flight at once. */
  window?: number;
  /** Batches claimed per round (a flush claims rounds until the queue is empty). */
  claimLimit?: number;
  leaseMs?: number;
}

export interface FlushReport {
  rollups: number;
  committed: number;
  refused: number;
  released: number;
}

export interface RollupWorker {
  start(): void;
  /** Runs one flush now (tests, shutdown); resolves with what it did. */
  flush(): Promise<FlushReport>;
  stop(): Promise<void>;
}

/** The leaf a store batch contributes to its region root (the chaincode recomputes the same). */
export function storeBatchLeaf(gln: string, batchId: string, merkleRoot: string): string {
  return leafHash(`${gln}|${batchId}|${merkleRoot}`);
}

/** The roll-up transaction of a group of store batches: id, root and each member's proof in it. */
export function buildRollup(region: string, members: StoredBatch[]) {
  const { root, proofs } = merkleTree(members.map((b) => storeBatchLeaf(b.gln, b.batchId, b.merkleRoot)));
  const rollupId = `rollup-${createHash('sha256')
    .update(`${region}|${members.map((b) => b.batchId).join(',')}`)
    .digest('hex')
    .slice(0, 32)}`;
  const times = members.map((b) => b.receivedAt).sort();
  const body = {
    region,
    rollupId,
    regionRoot: root,
    periodStart: times[0],
    periodEnd: times.at(-1),
    stores: members.map((b) => ({ gln: b.gln, batchId: b.batchId, merkleRoot: b.merkleRoot, receiptCount: b.receiptCount, lines: b.lines })),
  };
  return { rollupId, root, proofs, body };
}

/**
 * Groups claimed batches per region, at most `maxStores` batches per group,
 * with every batch of one store in the same group: groups run concurrently,
 * and two transactions writing one store's stock would conflict (MVCC).
 */
export function groupBatches(claimed: StoredBatch[], maxStores: number): Array<[string, StoredBatch[]]> {
  const byRegion = new Map<string, Map<string, StoredBatch[]>>();
  for (const b of claimed) {
    const stores = byRegion.get(b.region) ?? new Map<string, StoredBatch[]>();
    byRegion.set(b.region, stores);
    stores.set(b.gln, [...(stores.get(b.gln) ?? []), b]);
  }
  const groups: Array<[string, StoredBatch[]]> = [];
  for (const [region, stores] of byRegion) {
    let group: StoredBatch[] = [];
    for (const list of stores.values()) {
      if (group.length > 0 && group.length + list.length > maxStores) {
        groups.push([region, group]);
        group = [];
      }
      group.push(...list);
    }
    if (group.length > 0) groups.push([region, group]);
  }
  return groups;
}

/** A refusal in the caller's terms: the field inside the store batch and the source element behind it. */
function refusalOf(err: unknown, b?: StoredBatch, inner?: string): BatchRefusal {
  const code = err instanceof ServiceError ? err.code : 'INTERNAL';
  const message = String((err as Error)?.message ?? err);
  if (!b || !inner) return { code, message };
  const source = b.fields[inner] ?? b.fields[inner.replace(/\.[A-Za-z]+$/, '')] ?? b.fields.gln;
  return { code, message, field: inner, ...(source ? { sourceField: source } : {}) };
}

export function createRollupWorker(opts: RollupWorkerOptions): RollupWorker {
  const log = opts.logger.child({ component: 'pos-rollup-worker' });
  const window = opts.window ?? 2;
  const claimLimit = opts.claimLimit ?? Math.max(opts.maxStores * window, 1000);
  const leaseMs = opts.leaseMs ?? 300_000;
  let running = false;
  let loop: Promise<void> | undefined;
  let flushing: Promise<FlushReport> | undefined;

  /** The transaction that booked a batch already on the ledger. */
  async function bookedTx(b: StoredBatch): Promise<string | undefined> {
    return (await latestRecord(opts.ledger, `sales~${b.gln}~${b.batchId}`))?.txId;
  }

  async function submitGroup(region: string, group: StoredBatch[], report: FlushReport): Promise<void> {
    const members = [...group].sort((a, b) => (a.gln === b.gln ? (a.batchId < b.batchId ? -1 : 1) : a.gln < b.gln ? -1 : 1));
    while (members.length > 0) {
      const r = buildRollup(region, members);
      try {
        const out = await opts.submitter.submit(
          { fn: TX.RecordRegionSales, body: r.body, eventId: r.rollupId, actor: `pos-rollup@${opts.mspId}` },
          { mode: 'async', log },
        );
        await opts.store.commit(
          members.map((b, i) => ({
            batchId: b.batchId,
            rollupId: r.rollupId,
            regionRoot: r.root,
            regionProof: r.proofs[i],
            txId: out.txId,
            blockNumber: out.blockNumber,
          })),
        );
        report.rollups++;
        report.committed += members.length;
        return;
      } catch (err) {
        const field = err instanceof ServiceError ? (err.details?.field as string | undefined) : undefined;
        const at = field ? /^stores\[(\d+)\](?:\.(.+))?$/.exec(field) : null;
        if (isFinal(err) && at && Number(at[1]) < members.length) {
          const [b] = members.splice(Number(at[1]), 1);
          const inner = at[2] ?? 'gln';
          const txId = (err as ServiceError).code === 'DUPLICATE' && inner === 'batchId' ? await bookedTx(b) : undefined;
          if (txId) {
            await opts.store.commit([{ batchId: b.batchId, txId }]);
            report.committed++;
            log.info({ batchId: b.batchId, txId }, 'store batch was already on the ledger');
          } else {
            const refusal = refusalOf(err, b, inner);
            await opts.store.refuse(b.batchId, refusal);
            report.refused++;
            log.warn({ batchId: b.batchId, gln: b.gln, ...refusal }, 'store batch refused by the ledger; the rest of the region goes on');
          }
          continue;
        }
        const ids = members.map((b) => b.batchId);
        if (isFinal(err)) {
          // A verdict on the roll-up as a whole (not on one store): every member is refused with it.
          for (const b of members) await opts.store.refuse(b.batchId, refusalOf(err));
          report.refused += members.length;
          log.error({ region, err: (err as Error).message }, 'roll-up refused as a whole');
          return;
        }
        const attempts = Math.max(...members.map((b) => b.attempts));
        await opts.store.release(ids, backoffMs(attempts, 1000, 30_000), refusalOf(err));
        report.released += members.length;
        log.warn({ region, stores: members.length, err: (err as Error).message }, 'roll-up will be retried');
        return;
      }
    }
  }

  async function flushOnce(): Promise<FlushReport> {
    const report: FlushReport = { rollups: 0, committed: 0, refused: 0, released: 0 };
    for (;;) {
      const claimed = await opts.store.claim(opts.mspId, claimLimit, leaseMs);
      if (claimed.length === 0) break;
      const groups = groupBatches(claimed, opts.maxStores);
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(window, groups.length) }, async () => {
          while (next < groups.length) {
            const [region, g] = groups[next++];
            await submitGroup(region, g, report);
          }
        }),
      );
      if (claimed.length < claimLimit || !running) break;
    }
    if (report.rollups + report.refused > 0) log.info(report, 'roll-up flush');
    return report;
  }

  function flush(): Promise<FlushReport> {
    // One flush at a time per process; other processes take other rows (SKIP LOCKED).
    flushing ??= flushOnce().finally(() => (flushing = undefined));
    return flushing;
  }

  const { sleep, wakeAll } = createSleeper({ unref: true });

  async function run(): Promise<void> {
    while (running) {
      await sleep(opts.intervalMs);
      if (!running) break;
      try {
        await flush();
      } catch (err) {
        // The database or ledger is away: leases expire and the batches are claimed again.
        log.error({ err: (err as Error).message }, 'roll-up flush failed');
      }
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    flush,
    async stop() {
      running = false;
      wakeAll();
      await loop;
      await flushing?.catch(() => undefined);
      loop = undefined;
    },
  };
}
