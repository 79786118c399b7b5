/**
 * POS adapter routes: `POST /pos/sales` (POSLog XML, or JSON: gateway
 * receipts, Square orders, Toast orders — see pos-json.ts) batches receipts
 * per store into RecordSales; `GET /pos/receipts/{gln}/{receiptId}/proof`
 * returns a receipt's inclusion proof checked against the root on the ledger.
 */
import type { RouteFactory } from '../../gateway';
import { httpError } from '../../http/problem';
import type { RouteSpec } from '../../http/route-spec';
import { batchReceipts } from './batching';
import { verifyProof } from './merkle';
import type { ProofStore } from './proof-store';
import { parsePosJson, POS_VENDOR_SCHEMAS } from './pos-json';
import { parsePosLog, POS_JSON_SCHEMA, type Receipt } from './receipts';
import { createRequestValidator } from '../../http/validation';

export interface PosAdapterOptions {
  proofs: ProofStore;
  /** POS store id → store GLN. */
  stores?: Record<string, string>;
  /** POS catalog object id (Square catalog_object_id, Toast item guid) → GTIN. */
  catalog?: Record<string, string>;
}

export function posRoutes(opts: PosAdapterOptions): RouteFactory {
  const validator = createRequestValidator({ PosReceipts: POS_JSON_SCHEMA, ...POS_VENDOR_SCHEMAS });
  return ({ executor, ledger }) => {
    const routes: RouteSpec[] = [
      {
        method: 'post', path: '/pos/sales', operationId: 'posSales', summary: 'POS sales (ARTS POSLog XML, JSON receipts, Square or Toast orders), batched per store into RecordSales', tag: 'pos',
        roles: ['pos', 'admin'], bodyType: 'json-or-xml', success: { status: 201, description: 'One committed RecordSales per store' },
        action: {
          kind: 'custom',
          handle: async (ctx) => {
            let receipts: Receipt[];
            if (typeof ctx.body === 'string') receipts = parsePosLog(ctx.body);
            else receipts = parsePosJson(ctx.body ?? {}, validator, { stores: opts.stores ?? {}, catalog: opts.catalog ?? {} });
            const batches = batchReceipts(receipts, opts.stores ?? {});
            const results = [];
            for (const b of batches) {
              await opts.proofs.save(b.proofs);
              const out = await executor.execute({ cmd: b.command, principal: ctx.principal!, async: ctx.query.mode === 'async', route: 'post /pos/sales', log: ctx.log, requestId: ctx.requestId });
              results.push({ gln: b.gln, batchId: b.batchId, merkleRoot: b.root, receipts: b.proofs.length, status: out.status, outcome: out.body });
            }
            return { status: results.some((r) => r.status === 202) ? 202 : 201, body: { batches: results, receipts: receipts.length } };
          },
        },
      },
      {
        method: 'get', path: '/pos/receipts/:gln/:receiptId/proof', operationId: 'posReceiptProof', summary: "A receipt's Merkle inclusion proof, checked against the batch root on the ledger", tag: 'pos',
        roles: ['pos', 'retailer-ops', 'auditor', 'admin'], paramsSchema: 'posProofParams',
        action: {
          kind: 'custom',
          handle: async (ctx) => {
            const p = await opts.proofs.get(ctx.params.gln, ctx.params.receiptId);
            if (!p) throw httpError(404, 'NOT_FOUND', `no proof for receipt ${ctx.params.receiptId} at ${ctx.params.gln}`, { field: 'receiptId' });
            const hist = JSON.parse((await ledger.evaluate({ contract: 'traceability', fn: 'GetHistory', args: [`sales~${p.gln}~${p.batchId}`] })).toString('utf8')) as { history: Array<{ value?: { merkleRoot?: string }; txId: string }> };
            const onLedger = hist.history.at(-1);
            const ledgerRoot = onLedger?.value?.merkleRoot;
            return {
              status: 200,
              body: { ...p, ledgerRoot, ledgerTxId: onLedger?.txId, verified: !!ledgerRoot && ledgerRoot === p.root && verifyProof(p.leaf, p.proof, ledgerRoot) },
            };
          },
        },
      },
    ];
    return {
      routes,
      schemas: {
        posProofParams: { type: 'object', additionalProperties: false, required: ['gln', 'receiptId'], properties: { gln: { type: 'string', format: 'gln' }, receiptId: { type: 'string', pattern: '^[A-Za-z0-9._:/-]{1,128}$' } } },
      },
    };
  };
}
