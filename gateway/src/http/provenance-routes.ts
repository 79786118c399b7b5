/**
 * Provenance API on a gateway (best run on the auditor organisation's gateway,
 * whose peer is the source of truth for the proofs):
 *
 *   GET /provenance/lots/{gtin}/{lotCode}   upstream and downstream trace, every transaction proven
 *   GET /provenance/transactions/{txId}     one transaction's proof
 *   GET /provenance/transactions/{txId}/raw?pinned=N   the raw proof material, for verification by the reader
 *   GET /provenance/blocks/tip              the newest block's header (what an auditor pins)
 *   GET /provenance/blocks/{number}/raw     one block as the peer returned it (e.g. a config block's members)
 */
import type { RouteFactory } from '../gateway';
import type { RouteSpec } from './route-spec';
import { obj } from './schemas';
import { createProvenanceService, createRawProofService } from '../../../lib/fabric/src';
import { LOT_CODE, POLICY } from '../../../lib/domain/src';

const bigints = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)));

export function provenanceRoutes(): RouteFactory {
  return ({ ledger }) => {
    const service = createProvenanceService({ ledger });
    const raw = createRawProofService({ ledger });
    const proofReaders: RouteSpec['roles'] = POLICY['provenance.proof'];
    const routes: RouteSpec[] = [
      {
        method: 'get',
        path: '/provenance/lots/:gtin/:lotCode',
        operationId: 'lotProvenance',
        tag: 'provenance',
        summary: "A lot's upstream and downstream trace with every transaction proven (signatures, block, hash chain)",
        roles: POLICY['provenance.trace'],
        paramsSchema: 'provenanceLotParams',
        action: {
          kind: 'custom',
          handle: async (ctx) => ({ status: 200, body: bigints(await service.lotProvenance({ gtin: ctx.params.gtin, lotCode: ctx.params.lotCode })) }),
        },
      },
      {
        method: 'get',
        path: '/provenance/transactions/:txId',
        operationId: 'transactionProof',
        tag: 'provenance',
        summary: "One transaction's proof",
        roles: POLICY['provenance.proof'],
        paramsSchema: 'provenanceTxParams',
        action: { kind: 'custom', handle: async (ctx) => ({ status: 200, body: bigints(await service.proveTransaction(ctx.params.txId)) }) },
      },
      {
        method: 'get',
        path: '/provenance/transactions/:txId/raw',
        operationId: 'transactionProofMaterial',
        tag: 'provenance',
        summary: "One transaction's raw proof material (block, config block, header chain to a pinned block) for verification by the reader",
        roles: proofReaders,
        paramsSchema: 'provenanceTxParams',
        querySchema: 'rawProofQuery',
        action: {
          kind: 'custom',
          handle: async (ctx) => ({
            status: 200,
            body: await raw.bundle({ txId: ctx.params.txId, pinned: ctx.query.pinned === undefined ? undefined : BigInt(String(ctx.query.pinned)) }),
          }),
        },
      },
      {
        method: 'get',
        path: '/provenance/blocks/tip',
        operationId: 'tipHeader',
        tag: 'provenance',
        summary: "The newest block's header, to pin",
        roles: proofReaders,
        action: { kind: 'custom', handle: async () => ({ status: 200, body: await raw.tip() }) },
      },
      {
        method: 'get',
        path: '/provenance/blocks/:number/raw',
        operationId: 'rawBlock',
        tag: 'provenance',
        summary: 'One block as the peer returned it',
        roles: proofReaders,
        paramsSchema: 'blockNumberParams',
        action: { kind: 'custom', handle: async (ctx) => ({ status: 200, body: await raw.block(BigInt(ctx.params.number)) }) },
      },
    ];
    return {
      routes,
      schemas: {
        provenanceLotParams: obj({ gtin: { type: 'string', pattern: '^[0-9]{14}$' }, lotCode: { type: 'string', pattern: LOT_CODE.source } }, [
          'gtin',
          'lotCode',
        ]),
        provenanceTxParams: obj({ txId: { type: 'string', pattern: '^[0-9a-f]{64}$' } }, ['txId']),
        rawProofQuery: obj({ pinned: { type: 'string', pattern: '^[0-9]{1,15}$' } }, []),
        blockNumberParams: obj({ number: { type: 'string', pattern: '^[0-9]{1,15}$' } }, ['number']),
      },
    };
  };
}
