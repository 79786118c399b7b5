/**
 * Provenance API on a gateway (best run on the auditor organisation's gateway,
 * whose peer is the source of truth for the proofs):
 *
 *   GET /provenance/lots/{gtin}/{lotCode}   upstream and downstream trace, every transaction proven
 *   GET /provenance/transactions/{txId}     one transaction's proof
 */
import type { RouteFactory } from '../../gateway/src/gateway';
import type { RouteSpec } from '../../gateway/src/http/route-spec';
import { obj } from '../../gateway/src/http/schemas';
import { createProvenanceService } from './provenance';

const bigints = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)));

export function provenanceRoutes(): RouteFactory {
  return ({ ledger }) => {
    const service = createProvenanceService({ ledger });
    const routes: RouteSpec[] = [
      {
        method: 'get', path: '/provenance/lots/:gtin/:lotCode', operationId: 'lotProvenance', tag: 'provenance',
        summary: "A lot's upstream and downstream trace with every transaction proven (signatures, block, hash chain)",
        roles: ['auditor', 'retailer-ops', 'supplier', 'admin'], paramsSchema: 'provenanceLotParams',
        action: { kind: 'custom', handle: async (ctx) => ({ status: 200, body: bigints(await service.lotProvenance({ gtin: ctx.params.gtin, lotCode: ctx.params.lotCode })) }) },
      },
      {
        method: 'get', path: '/provenance/transactions/:txId', operationId: 'transactionProof', tag: 'provenance',
        summary: "One transaction's proof", roles: ['auditor', 'retailer-ops', 'supplier', 'finance', 'admin'], paramsSchema: 'provenanceTxParams',
        action: { kind: 'custom', handle: async (ctx) => ({ status: 200, body: bigints(await service.proveTransaction(ctx.params.txId)) }) },
      },
    ];
    return {
      routes,
      schemas: {
        provenanceLotParams: obj({ gtin: { type: 'string', pattern: '^[0-9]{14}$' }, lotCode: { type: 'string', pattern: '^[!-~]{1,20}$' } }, ['gtin', 'lotCode']),
        provenanceTxParams: obj({ txId: { type: 'string', pattern: '^[0-9a-f]{64}$' } }, ['txId']),
      },
    };
  };
}
