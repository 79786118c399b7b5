/**
 * Payment routes: finance claims an on-chain payment for a purchase order and
 * follows it until it is final and recorded on the ledger.
 *
 *   POST /purchase-orders/:poId/payments  {chainId, txHash}
 *   GET  /purchase-orders/:poId/payments
 *   GET  /payments/:claimId
 */
import { ServiceError } from '../../../lib/platform/src';
import type { RouteFactory } from '../gateway';
import type { RouteSpec } from '../http/route-spec';
import { obj } from '../http/schemas';
import type { PaymentsService } from './payments-service';
import { POLICY } from '../../../lib/domain/src';

const CLAIM_BODY = obj(
  {
    chainId: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'EVM chain id the payment was made on' },
    txHash: { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$', description: 'Hash of the paying transaction' },
  },
  ['chainId', 'txHash'],
);

/** A pending claim answers 202; a settled one 200 (or 201 when this request recorded it). */
function statusFor(status: string): number {
  return status === 'pending' ? 202 : 200;
}

export function paymentsRoutes(opts: { service: PaymentsService }): RouteFactory {
  return () => {
    const { service } = opts;
    const routes: RouteSpec[] = [
      {
        method: 'post',
        path: '/purchase-orders/:poId/payments',
        operationId: 'claimPayment',
        tag: 'payments',
        summary:
          "Claim an on-chain payment for an order, at the payee's gateway (403 at any other): verified against its terms, recorded on the ledger once final",
        roles: POLICY['payments.verify'],
        bodySchema: 'PaymentClaim',
        paramsSchema: 'poParams',
        success: { status: 200, description: 'The claim: paid, partial, overpaid, invalid or rejected (202 while pending)' },
        action: {
          kind: 'custom',
          handle: async (ctx) => {
            const body = ctx.body as { chainId: number; txHash: string };
            const claim = await service.claim({ poId: ctx.params.poId, chainId: body.chainId, txHash: body.txHash, actor: ctx.principal?.sub });
            return { status: statusFor(claim.status), body: claim, headers: { Location: `/payments/${claim.id}` } };
          },
        },
      },
      {
        method: 'get',
        path: '/purchase-orders/:poId/payments',
        operationId: 'listPaymentClaims',
        tag: 'payments',
        summary: "An order's payment claims and their status",
        roles: POLICY['payments.read'],
        paramsSchema: 'poParams',
        action: { kind: 'custom', handle: async (ctx) => ({ status: 200, body: { claims: await service.listForOrder(ctx.params.poId) } }) },
      },
      {
        method: 'get',
        path: '/payments/:claimId',
        operationId: 'getPaymentClaim',
        tag: 'payments',
        summary: 'One payment claim',
        roles: POLICY['payments.read'],
        paramsSchema: 'claimParams',
        action: {
          kind: 'custom',
          handle: async (ctx) => {
            const claim = await service.get(ctx.params.claimId);
            if (!claim)
              throw new ServiceError({ code: 'NOT_FOUND', message: `no payment claim ${ctx.params.claimId}`, httpStatus: 404, details: { field: 'claimId' } });
            return { status: 200, body: claim };
          },
        },
      },
    ];
    return { routes, schemas: { PaymentClaim: CLAIM_BODY, claimParams: obj({ claimId: { type: 'string', pattern: '^[0-9]{1,18}$' } }, ['claimId']) } };
  };
}
