/**
 * POS roll-up mode: an upload's store batches are kept in PostgreSQL and
 * answered 202 at once; the roll-up worker books them per region and interval
 * in one RecordRegionSales each. This module holds the mode's settings, the
 * upload answer, the batch status route and the region half of a receipt proof.
 */
import type { Logger } from 'pino';
import type { LedgerClient } from '../../../../lib/fabric/src';
import type { RouteSpec } from '../../http/route-spec';
import { httpError } from '../../../../lib/platform/src';
import type { Submitter } from '../../submission/submitter';
import type { StoreBatch } from './batching';
import { verifyProof } from './merkle';
import type { RollupStore, StoredBatch } from './rollup-store';
import { createRollupWorker, storeBatchLeaf, type RollupWorker } from './rollup-worker';
import { latestRecord } from '../../ledger-record';
import { POLICY } from '../../../../lib/domain/src';

/** POS_ROLLUP_* settings. */
export interface PosRollupConfig {
  /** Flush interval of the worker (ms). */
  intervalMs: number;
  /** Whether `POST /pos/sales` without `?mode=` rolls up (otherwise only `?mode=rollup` does). */
  byDefault: boolean;
  /** Most store batches per roll-up transaction. */
  maxStores: number;
  /** Roll-up transactions in flight at once per gateway process. */
  concurrency: number;
  /** Region of a store the `regions` mapping does not name. */
  defaultRegion: string;
}

export interface PosRollup {
  readonly config: PosRollupConfig;
  readonly store: RollupStore;
  /** Creates (and unless `autoStart` is false, starts) the worker; called once by the routes. */
  attach(deps: { submitter: Submitter; ledger: LedgerClient; mspId: string; logger: Logger }): RollupWorker;
  worker(): RollupWorker | undefined;
  stop(): Promise<void>;
}

export function createPosRollup(opts: { store: RollupStore; config: PosRollupConfig; autoStart?: boolean }): PosRollup {
  let worker: RollupWorker | undefined;
  return {
    config: opts.config,
    store: opts.store,
    attach(deps) {
      worker = createRollupWorker({
        ...deps,
        store: opts.store,
        intervalMs: opts.config.intervalMs,
        maxStores: opts.config.maxStores,
        window: opts.config.concurrency,
      });
      if (opts.autoStart !== false) worker.start();
      return worker;
    },
    worker: () => worker,
    async stop() {
      await worker?.stop();
    },
  };
}

/** How a batch is reported to the uploader and by `GET /pos/batches/{batchId}`. */
export function batchReport(b: StoredBatch): Record<string, unknown> {
  return {
    batchId: b.batchId,
    gln: b.gln,
    region: b.region,
    merkleRoot: b.merkleRoot,
    receipts: b.receiptCount,
    status: b.status,
    receivedAt: b.receivedAt,
    ...(b.rollupId ? { rollupId: b.rollupId, regionRoot: b.regionRoot } : {}),
    ...(b.txId ? { txId: b.txId, blockNumber: b.blockNumber } : {}),
    ...(b.finishedAt ? { finishedAt: b.finishedAt } : {}),
    ...(b.error ? { error: b.error } : {}),
    statusUrl: `/pos/batches/${b.batchId}`,
  };
}

/** Accepts an upload's store batches for the roll-up; a resent batch is answered with where it stands. */
export async function acceptRollup(
  rollup: PosRollup,
  batches: StoreBatch[],
  ctx: { mspId: string; regions: Record<string, string> },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const pending = batches.map((b) => ({
    batchId: b.batchId,
    mspId: ctx.mspId,
    gln: b.gln,
    region: ctx.regions[b.gln] ?? rollup.config.defaultRegion,
    merkleRoot: b.root,
    receiptCount: b.proofs.length,
    lines: b.command.body.lines as Array<Record<string, unknown>>,
    fields: b.fields,
  }));
  const fresh = await rollup.store.accept(pending);
  // Only a resent batch is read back: a new one stands as it was written.
  const resent = pending.filter((p) => !fresh.has(p.batchId)).map((p) => p.batchId);
  const stored = new Map((resent.length ? await rollup.store.getMany(resent) : []).map((b) => [b.batchId, b]));
  const now = new Date().toISOString();
  const out = pending.map((p) =>
    fresh.has(p.batchId)
      ? { ...batchReport({ ...p, status: 'pending', receivedAt: now, attempts: 0 }), resent: false }
      : { ...batchReport(stored.get(p.batchId)!), resent: true },
  );
  return { status: 202, body: { mode: 'rollup', batches: out, accepted: fresh.size, resent: out.length - fresh.size } };
}

/** `GET /pos/batches/{batchId}`: a store batch of the roll-up and where it stands. */
export function batchRoute(rollup: PosRollup, mspId: string): RouteSpec {
  return {
    method: 'get',
    path: '/pos/batches/:batchId',
    operationId: 'posBatch',
    summary: 'A POS store batch of the roll-up: pending, committed (roll-up transaction and block) or refused (reason and field)',
    tag: 'pos',
    roles: POLICY['pos.proofs'],
    paramsSchema: 'posBatchParams',
    action: {
      kind: 'custom',
      handle: async (ctx) => {
        const b = await rollup.store.get(ctx.params.batchId);
        // Gateways of several organisations may share a database: each answers for its own.
        if (!b || b.mspId !== mspId) throw httpError(404, 'NOT_FOUND', `no POS batch ${ctx.params.batchId}`, { field: 'batchId' });
        return { status: 200, body: batchReport(b) };
      },
    },
  };
}

/** The store root → region root half of a rolled-up receipt's proof, checked against the region record on the ledger. */
export async function regionProof(rollup: PosRollup, ledger: LedgerClient, batchId: string): Promise<Record<string, unknown> | undefined> {
  const b = await rollup.store.get(batchId);
  if (!b || b.status !== 'committed' || !b.rollupId || !b.regionProof || !b.regionRoot) return undefined;
  const onLedger = await latestRecord<{ regionRoot?: string }>(ledger, `regionsales~${b.region}~${b.rollupId}`);
  const ledgerRegionRoot = onLedger?.value?.regionRoot;
  const leaf = storeBatchLeaf(b.gln, b.batchId, b.merkleRoot);
  return {
    region: b.region,
    rollupId: b.rollupId,
    storeLeaf: leaf,
    proof: b.regionProof,
    regionRoot: b.regionRoot,
    ledgerRegionRoot,
    ledgerTxId: onLedger?.txId,
    verified: !!ledgerRegionRoot && ledgerRegionRoot === b.regionRoot && verifyProof(leaf, b.regionProof, ledgerRegionRoot),
  };
}
