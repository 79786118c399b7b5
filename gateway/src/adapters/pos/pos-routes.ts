/**
 * POS adapter routes: `POST /pos/sales` (POSLog XML, or JSON: gateway
 * receipts, Square orders, Toast orders — see pos-json.ts) batches receipts
 * per store into RecordSales; `GET /pos/receipts/{gln}/{receiptId}/proof`
 * returns a receipt's inclusion proof checked against the root on the ledger.
 * In roll-up mode (`?mode=rollup`, or by default with POS_ROLLUP_BY_DEFAULT)
 * the store batches are kept and answered 202, and booked per region by the
 * roll-up worker (pos-rollup.ts); `GET /pos/batches/{batchId}` reports them.
 */
import type { RouteFactory } from '../../gateway';
import { httpError } from '../../../../lib/platform/src';
import type { RouteSpec } from '../../http/route-spec';
import { runDocument, type DocumentCommand } from '../document/document-runner';
import { limitDocument } from '../document/limits';
import { batchReceipts } from './batching';
import { verifyProof } from './merkle';
import type { ProofStore } from './proof-store';
import { parsePosJson, POS_VENDOR_SCHEMAS } from './pos-json';
import { parsePosLog, POS_JSON_SCHEMA, type Receipt } from './receipts';
import { createRequestValidator } from '../../http/validation';
import { acceptRollup, batchRoute, regionProof, type PosRollup } from './pos-rollup';
import { latestRecord } from '../../ledger-record';
import { CUSTOM_FORMATS } from '../../http/validation';
import { partialSalesCommand, reportLines, type BatchResult } from './pos-lines';
import { unbookedRoutes } from './unbooked-routes';
import type { UnbookedStore } from './unbooked-store';
import { POLICY } from '../../../../lib/domain/src';

export interface PosAdapterOptions {
  proofs: ProofStore;
  /** POS store id → store GLN. */
  stores?: Record<string, string>;
  /** POS catalog object id (Square catalog_object_id, Toast item guid) → GTIN. */
  catalog?: Record<string, string>;
  /** Store GLN → region, for the roll-up (unnamed stores fall in the default region). */
  regions?: Record<string, string>;
  /** Current mappings, read per request (they can be reloaded); wins over `stores` / `catalog`. */
  mappings?: () => { stores?: Record<string, string>; catalog?: Record<string, string>; regions?: Record<string, string> };
  /** Roll-up mode: store batches kept in PostgreSQL and booked per region and interval. */
  rollup?: PosRollup;
  /** Where lines the ledger could not book are kept for replay. */
  unbooked?: UnbookedStore;
}

export function posRoutes(opts: PosAdapterOptions): RouteFactory {
  const validator = createRequestValidator({ PosReceipts: POS_JSON_SCHEMA, ...POS_VENDOR_SCHEMAS });
  return ({ executor, ledger, limiter, submitter, mspId, logger }) => {
    const rollup = opts.rollup;
    rollup?.attach({ submitter, ledger, mspId, logger });
    const routes: RouteSpec[] = [
      {
        method: 'post',
        path: '/pos/sales',
        operationId: 'posSales',
        summary: 'POS sales (ARTS POSLog XML, JSON receipts, Square or Toast orders), batched per store into RecordSales',
        tag: 'pos',
        roles: POLICY['pos.sales'],
        bodyType: 'json-or-xml',
        success: { status: 201, description: 'One committed RecordSales per store (202 with the store batches in roll-up mode)' },
        action: {
          kind: 'custom',
          handle: async (ctx) => {
            const m = opts.mappings?.() ?? opts;
            const stores = m.stores ?? {};
            let receipts: Receipt[];
            if (typeof ctx.body === 'string') receipts = parsePosLog(ctx.body);
            else receipts = parsePosJson(ctx.body ?? {}, validator, { stores, catalog: m.catalog ?? {} });
            const batches = batchReceipts(receipts, stores);
            limitDocument(
              batches.map((b) => ({ cmd: b.command, items: [b.storeField], fields: {}, defaultField: b.storeField })),
              { limiter, clientId: ctx.principal!.clientId, what: 'POS document', maxLinesPerTransaction: 5000 },
            );
            for (const b of batches) await opts.proofs.save(b.proofs);
            const mode = ctx.query.mode ?? (rollup?.config.byDefault ? 'rollup' : undefined);
            if (mode === 'rollup') {
              if (!rollup) throw httpError(400, 'VALIDATION_FAILED', 'this gateway has no POS roll-up', { field: 'mode' });
              const out = await acceptRollup(rollup, batches, { mspId, regions: m.regions ?? {} });
              return { status: out.status, body: { ...out.body, receipts: receipts.length } };
            }
            if (ctx.query.mode === 'async') {
              const results = [];
              for (const b of batches) {
                const out = await executor.execute({
                  cmd: b.command,
                  principal: ctx.principal!,
                  async: true,
                  route: 'post /pos/sales',
                  log: ctx.log,
                  requestId: ctx.requestId,
                });
                results.push({ gln: b.gln, batchId: b.batchId, merkleRoot: b.root, receipts: b.proofs.length, status: out.status, outcome: out.body });
              }
              return { status: 202, body: { batches: results, receipts: receipts.length } };
            }
            // One partial RecordSales per store, each with an event id derived from its content: a resend skips stores already booked.
            const commands: DocumentCommand[] = batches.map((b) => ({
              cmd: partialSalesCommand(b),
              items: [b.storeField.replace(/\/BusinessUnit\/UnitID$/, '')],
              fields: b.fields,
              defaultField: b.storeField,
            }));
            const out = await runDocument({
              commands,
              executor,
              ledger,
              principal: ctx.principal!,
              route: 'post /pos/sales',
              log: ctx.log,
              requestId: ctx.requestId,
            });
            const booked = out.body.transactions.map((t) =>
              t.status === 'committed' || t.status === 'already_committed' ? (t.result as BatchResult) : undefined,
            );
            const glnOf = (id: string) => stores[id] ?? (CUSTOM_FORMATS.gln(id) ? id : undefined);
            const report = reportLines(receipts, batches, booked, { mspId, glnOf });
            // Kept before answering: a line the ledger could not book is never only in an HTTP answer.
            if (report.kept.length) await opts.unbooked?.save(report.kept);
            const results = batches.map((b, i) => {
              const t = out.body.transactions[i];
              return {
                gln: b.gln,
                batchId: b.batchId,
                merkleRoot: b.root,
                receipts: b.proofs.length,
                status: t.status,
                outcome: { txId: t.txId, blockNumber: t.blockNumber, code: t.code, field: t.field },
              };
            });
            const keptAll = out.status === 201 && report.kept.length > 0;
            return {
              // 202: booked but for the lines kept for replay, which the gateway books later; the till need not resend.
              status: keptAll ? 202 : out.status,
              headers: out.headers,
              body: {
                ...out.body,
                transactions: undefined,
                complete: out.body.complete && report.kept.length === 0,
                batches: results,
                receipts: receipts.length,
                kept: report.kept.length,
                ...(keptAll ? { errors: report.lines.filter((l) => l.status === 'kept_for_replay').map((l) => ({ field: l.field, message: l.message })) } : {}),
                lines: report.lines,
              },
            };
          },
        },
      },
      {
        method: 'get',
        path: '/pos/receipts/:gln/:receiptId/proof',
        operationId: 'posReceiptProof',
        summary: "A receipt's Merkle inclusion proof, checked against the batch root on the ledger",
        tag: 'pos',
        roles: POLICY['pos.proofs'],
        paramsSchema: 'posProofParams',
        action: {
          kind: 'custom',
          handle: async (ctx) => {
            const p = await opts.proofs.get(ctx.params.gln, ctx.params.receiptId);
            if (!p) throw httpError(404, 'NOT_FOUND', `no proof for receipt ${ctx.params.receiptId} at ${ctx.params.gln}`, { field: 'receiptId' });
            const onLedger = await latestRecord<{ merkleRoot?: string }>(ledger, `sales~${p.gln}~${p.batchId}`);
            const ledgerRoot = onLedger?.value?.merkleRoot;
            const storeVerified = !!ledgerRoot && ledgerRoot === p.root && verifyProof(p.leaf, p.proof, ledgerRoot);
            // A rolled-up batch: its store root is also proven part of the region root on the ledger.
            const region = rollup ? await regionProof(rollup, ledger, p.batchId) : undefined;
            return {
              status: 200,
              body: {
                ...p,
                ledgerRoot,
                ledgerTxId: onLedger?.txId,
                ...(region ? { region } : {}),
                verified: storeVerified && (!region || region.verified === true),
              },
            };
          },
        },
      },
    ];
    if (rollup) routes.push(batchRoute(rollup, mspId));
    if (opts.unbooked) routes.push(...unbookedRoutes({ store: opts.unbooked, executor, mspId }));
    return {
      routes,
      schemas: {
        posProofParams: {
          type: 'object',
          additionalProperties: false,
          required: ['gln', 'receiptId'],
          properties: { gln: { type: 'string', format: 'gln' }, receiptId: { type: 'string', pattern: '^[A-Za-z0-9._:/-]{1,128}$' } },
        },
        posUnbookedQuery: {
          type: 'object',
          additionalProperties: false,
          properties: { gln: { type: 'string', format: 'gln' }, status: { type: 'string', enum: ['pending', 'booked'] } },
        },
        posReplayBody: {
          type: 'object',
          additionalProperties: false,
          properties: { gln: { type: 'string', format: 'gln' } },
        },
        posBatchParams: {
          type: 'object',
          additionalProperties: false,
          required: ['batchId'],
          properties: { batchId: { type: 'string', pattern: '^pos-[0-9a-f]{24}$' } },
        },
      },
    };
  };
}
