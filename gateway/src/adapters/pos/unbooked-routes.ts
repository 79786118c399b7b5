/**
 * POS lines kept for replay: `GET /pos/unbooked` lists them (pending or
 * booked, per store), `POST /pos/unbooked/replay` submits the pending ones
 * again (per store batch, each line booked alone, as far as the facts now
 * allow) and answers what each line became.
 */
import { POLICY } from '../../../../lib/domain/src';
import { ServiceError } from '../../../../lib/platform/src';
import type { RouteSpec } from '../../http/route-spec';
import type { CommandExecutor } from '../../submission/executor';
import { replayCommands } from './pos-lines';
import type { UnbookedStore } from './unbooked-store';

/** Lines one replay request submits at most. */
const REPLAY_LIMIT = 5000;

export function unbookedRoutes(o: { store: UnbookedStore; executor: CommandExecutor; mspId: string }): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/pos/unbooked',
      operationId: 'posUnbooked',
      summary: 'POS lines the ledger could not book, kept for replay (with the refusal, named by its XPath)',
      tag: 'pos',
      roles: POLICY['pos.unbooked'],
      querySchema: 'posUnbookedQuery',
      action: {
        kind: 'custom',
        handle: async (ctx) => {
          const lines = await o.store.list({
            mspId: o.mspId,
            gln: ctx.query.gln as string | undefined,
            status: (ctx.query.status as 'pending' | 'booked' | undefined) ?? 'pending',
            limit: REPLAY_LIMIT,
          });
          return { status: 200, body: { lines } };
        },
      },
    },
    {
      method: 'post',
      path: '/pos/unbooked/replay',
      operationId: 'posUnbookedReplay',
      summary: 'Submits the POS lines kept for replay again; each is booked or stays pending with the new refusal',
      tag: 'pos',
      roles: POLICY['pos.replay'],
      bodySchema: 'posReplayBody',
      action: {
        kind: 'custom',
        handle: async (ctx) => {
          const gln = (ctx.body as { gln?: string } | undefined)?.gln;
          const pending = await o.store.list({ mspId: o.mspId, gln, status: 'pending', limit: REPLAY_LIMIT });
          const lines = [];
          for (const { cmd, rows } of replayCommands(pending)) {
            let blockNumber: number | undefined;
            let result: { txId?: string; batch?: { lines?: { line: number }[]; refused?: { line: number; code: string; message: string; field?: string }[] } };
            try {
              const out = await o.executor.execute({
                cmd,
                principal: ctx.principal!,
                async: false,
                route: 'post /pos/unbooked/replay',
                log: ctx.log,
                requestId: ctx.requestId,
              });
              result = (out.body as { txId?: string; result?: typeof result }).result ?? {};
              result.txId ??= (out.body as { txId?: string }).txId;
              blockNumber = (out.body as { blockNumber?: number }).blockNumber;
            } catch (err) {
              // A whole batch refused (or the ledger away): its lines stay pending with that reason.
              if (!(err instanceof ServiceError)) throw err;
              for (const r of rows) {
                const error = { code: err.code, message: err.message, field: r.linePath };
                await o.store.refusedAgain(r.batchId, r.linePath, error);
                lines.push({ line: r.linePath, receiptId: r.receiptId, status: 'pending', ...error });
              }
              continue;
            }
            for (const [i, r] of rows.entries()) {
              const refusal = result.batch?.refused?.find((f) => f.line === i);
              if (refusal) {
                const error = { code: refusal.code, message: refusal.message, field: r.error.field ?? r.linePath };
                await o.store.refusedAgain(r.batchId, r.linePath, error);
                lines.push({ line: r.linePath, receiptId: r.receiptId, status: 'pending', ...error });
              } else {
                await o.store.booked(r.batchId, r.linePath, result.txId ?? '');
                lines.push({ line: r.linePath, receiptId: r.receiptId, status: 'booked', txId: result.txId, blockNumber });
              }
            }
          }
          const booked = lines.filter((l) => l.status === 'booked').length;
          return { status: 200, body: { replayed: lines.length, booked, pending: lines.length - booked, lines } };
        },
      },
    },
  ];
}
