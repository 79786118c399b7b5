/**
 * Operations and bookkeeping routes: liveness, readiness (ledger and
 * database reachable), Prometheus metrics, the OpenAPI document, and the
 * status of async submissions.
 */
import type { LedgerClient } from '../../../lib/fabric/src';
import { hasAnyRole, ROLES } from '../../../lib/domain/src';
import type { SubmissionStore } from '../submission/store';
import type { GatewayMetrics } from './metrics';
import { httpError } from '../../../lib/platform/src';
import type { RouteSpec } from './route-spec';

export interface OpsDeps {
  ledger: LedgerClient;
  store: SubmissionStore;
  metrics: GatewayMetrics;
  mspId: string;
  /** The document, built lazily because it lists these routes too. */
  openapi: () => object;
  /** Readiness probe timeout, ms. */
  readyTimeoutMs?: number;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(t),
  );
}

/** Each channel peer's height (a query to that peer) and whether this client's commit stream to it runs. */
async function peerReachability(ledger: LedgerClient, ms: number) {
  const listening = new Map(ledger.commitListeners().peers.map((p) => [p.name, p.listening]));
  return Promise.all(
    ledger.peers().map((p) =>
      withTimeout(ledger.height(p.name), ms).then(
        (h) => ({ name: p.name, mspId: p.mspId, reachable: true, height: Number(h), commitStream: listening.get(p.name) ?? false }),
        (e: Error) => ({ name: p.name, mspId: p.mspId, reachable: false, error: e.message.split('\n')[0], commitStream: listening.get(p.name) ?? false }),
      ),
    ),
  );
}

export function opsRoutes(deps: OpsDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/healthz',
      operationId: 'healthz',
      summary: 'Liveness: the process serves HTTP',
      tag: 'operations',
      roles: 'public',
      action: { kind: 'custom', handle: async () => ({ status: 200, body: { status: 'ok', mspId: deps.mspId } }) },
    },
    {
      method: 'get',
      path: '/readyz',
      operationId: 'readyz',
      summary: "Readiness: the ledger and the database answer; every channel peer's reachability is reported",
      tag: 'operations',
      roles: 'public',
      action: {
        kind: 'custom',
        handle: async () => {
          const ms = deps.readyTimeoutMs ?? 3000;
          const [ledger, database, peers] = await Promise.all([
            withTimeout(deps.ledger.height(), ms).then(
              (h) => ({ ok: true, height: Number(h) }),
              (e: Error) => ({ ok: false, error: e.message.split('\n')[0] }),
            ),
            withTimeout(deps.store.ping(), ms).then(
              (ok) => ({ ok }),
              () => ({ ok: false }),
            ),
            peerReachability(deps.ledger, ms),
          ]);
          // Another organisation's peer being down does not stop this gateway (the endorsement plan goes
          // around it); it is reported so that an operator sees it, and the status says "degraded".
          const ready = ledger.ok && database.ok;
          const degraded = peers.some((p) => !p.reachable);
          return {
            status: ready ? 200 : 503,
            body: { status: ready ? (degraded ? 'degraded' : 'ready') : 'not ready', ledger, database, peers },
            headers: ready ? undefined : { 'Retry-After': '5' },
          };
        },
      },
    },
    {
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics',
      tag: 'operations',
      roles: 'public',
      success: {
        status: 200,
        description: 'Metrics in the Prometheus text exposition format (version 0.0.4)',
        contentType: 'text/plain',
        schema: { type: 'string' },
      },
      action: {
        kind: 'custom',
        handle: async () => {
          const counts = await deps.store.counts(deps.mspId).catch(() => undefined);
          if (counts) for (const [status, n] of Object.entries(counts)) deps.metrics.queue.set({ status }, n);
          return { status: 200, body: null, raw: await deps.metrics.registry.metrics(), contentType: deps.metrics.registry.contentType };
        },
      },
    },
    {
      method: 'get',
      path: '/openapi.json',
      operationId: 'openapi',
      summary: 'This OpenAPI 3.1 document',
      tag: 'operations',
      roles: 'public',
      action: { kind: 'custom', handle: async () => ({ status: 200, body: deps.openapi() }) },
    },
    {
      method: 'get',
      path: '/submissions/:submissionId',
      operationId: 'getSubmission',
      summary: 'Status of an async submission',
      tag: 'submissions',
      roles: ROLES,
      paramsSchema: 'submissionParams',
      action: {
        kind: 'custom',
        handle: async (ctx) => {
          const row = await deps.store.get(ctx.params.submissionId);
          // Another client's submission is reported as absent, not forbidden, so ids cannot be probed.
          if (!row || row.mspId !== deps.mspId || (row.clientId !== ctx.principal!.clientId && !hasAnyRole(ctx.principal!, ['admin']))) {
            throw httpError(404, 'NOT_FOUND', `submission ${ctx.params.submissionId} not found`, { field: 'submissionId' });
          }
          return {
            status: 200,
            body: {
              submissionId: row.id,
              status: row.status,
              eventId: row.eventId,
              fn: row.fn,
              attempts: row.attempts,
              txId: row.txId,
              blockNumber: row.blockNumber,
              result: row.result,
              error: row.error,
              createdAt: row.createdAt,
              updatedAt: row.updatedAt,
            },
          };
        },
      },
    },
  ];
}
