/**
 * Provenance API on a gateway: proofs read from this organisation's peer,
 * each scoped to the caller's organisation by the rules of record-visibility.ts
 * (the auditor role reads all). What the caller may not see answers 404 with
 * the same body as what does not exist.
 *
 *   GET /provenance/lots/{gtin}/{lotCode}   upstream and downstream trace, every transaction proven
 *   GET /provenance/transactions/{txId}     one transaction's proof
 *   GET /provenance/transactions/{txId}/raw?pinned=N   the raw proof material, for verification by the reader
 *   GET /provenance/blocks/tip              the newest block's header (what an auditor pins)
 *   GET /provenance/blocks/{number}/raw     one block as the peer returned it (e.g. a config block's members)
 *
 * A lot's proof covers the trace the caller may see (rule `genealogy`); a
 * transaction's, a transaction it may see (rule `transaction`); raw bytes of
 * a block reveal every transaction in it, so they are served only when the
 * caller may see each one (a configuration block: every member).
 */
import type { RouteFactory } from '../gateway';
import type { RouteContext, RouteSpec } from './route-spec';
import { obj } from './schemas';
import { createRecordVisibility } from './record-visibility';
import { createProvenanceService, createRawProofService, type LedgerBlock, type LotTraceAnswer } from '../../../lib/fabric/src';
import { CONTRACT, LOT_CODE, POLICY } from '../../../lib/domain/src';
import { httpError } from '../../../lib/platform/src';

const bigints = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)));

export function provenanceRoutes(): RouteFactory {
  return ({ ledger, mspId }) => {
    const service = createProvenanceService({ ledger });
    const raw = createRawProofService({ ledger });
    const records = createRecordVisibility(async (fn, ...args) =>
      JSON.parse((await ledger.evaluate({ contract: CONTRACT.traceability, fn, args })).toString('utf8')),
    );
    const proofReaders: RouteSpec['roles'] = POLICY['provenance.proof'];

    /** The caller's organisation, or undefined for the auditor role (every record). A token without one reads as this gateway's. */
    const scopeOf = (ctx: RouteContext): string | undefined => (ctx.principal?.roles.includes('auditor') ? undefined : (ctx.principal?.org ?? mspId));
    /** One answer for "absent" and "not the caller's", so a 404 confirms nothing. */
    const notFound = (operationId: string) => httpError(404, 'NOT_FOUND', `${operationId}: not found`);
    const absentAs = async <T>(operationId: string, read: () => Promise<T>): Promise<T> => {
      try {
        return await read();
      } catch (err) {
        if ((err as { httpStatus?: number }).httpStatus === 404) throw notFound(operationId);
        throw err;
      }
    };

    /** The caller's view of a lot's trace: the whole trace for the auditor, otherwise as the lot read (404 outside its provenance). */
    const lotTraceFor = async (ctx: RouteContext): Promise<LotTraceAnswer | undefined> => {
      const org = scopeOf(ctx);
      if (org === undefined) return undefined;
      const trace = await absentAs('lotProvenance', () => records.lotTrace(ctx.params.gtin, ctx.params.lotCode, org));
      if (!trace) throw notFound('lotProvenance');
      return trace as unknown as LotTraceAnswer;
    };

    /** Fails with 404 unless the caller may see transaction `txId`; returns its block for a member. */
    const visibleTransaction = async (ctx: RouteContext, operationId: string): Promise<LedgerBlock | undefined> => {
      const org = scopeOf(ctx);
      if (org === undefined) return undefined;
      const block = await absentAs(operationId, () => ledger.blockByTxId(ctx.params.txId));
      const tx = block.transactions.find((t) => t.txId === ctx.params.txId);
      if (!tx || !(await records.transactionVisible(block, tx, org))) throw notFound(operationId);
      return block;
    };
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
          handle: async (ctx) => {
            const trace = await lotTraceFor(ctx);
            return { status: 200, body: bigints(await service.lotProvenance({ gtin: ctx.params.gtin, lotCode: ctx.params.lotCode }, { trace })) };
          },
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
        action: {
          kind: 'custom',
          handle: async (ctx) => {
            await visibleTransaction(ctx, 'transactionProof');
            return { status: 200, body: bigints(await service.proveTransaction(ctx.params.txId)) };
          },
        },
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
          handle: async (ctx) => {
            const block = await visibleTransaction(ctx, 'transactionProofMaterial');
            // The block's bytes carry every transaction in it: a member gets them only when it may see each one.
            if (block && !(await records.blockVisible(block, scopeOf(ctx)!))) {
              throw httpError(
                403,
                'BLOCK_SHARED',
                `block ${block.number} also holds transactions of other members: its raw bytes are the auditor's; GET /provenance/transactions/${ctx.params.txId} proves the transaction`,
              );
            }
            return {
              status: 200,
              body: await raw.bundle({ txId: ctx.params.txId, pinned: ctx.query.pinned === undefined ? undefined : BigInt(String(ctx.query.pinned)) }),
            };
          },
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
        action: {
          kind: 'custom',
          handle: async (ctx) => {
            const n = BigInt(ctx.params.number);
            const org = scopeOf(ctx);
            if (org !== undefined) {
              // A block beyond the tip and one holding a transaction the caller may not see answer alike.
              if (n >= (await ledger.height())) throw notFound('rawBlock');
              const block = await ledger.blockByNumber(n);
              if (!(await records.blockVisible(block, org))) throw notFound('rawBlock');
              return { status: 200, body: { number: block.number.toString(), raw: block.raw.toString('base64') } };
            }
            return { status: 200, body: await raw.block(n) };
          },
        },
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
