/**
 * EPCIS 2.0 capture, after GS1's REST binding: `POST /epcis/capture` takes an
 * EPCIS document (application/json, application/ld+json or EPCIS 2.0 XML), validates it
 * (400 naming fields), maps every event and checks the references on the
 * ledger (422 naming event and field) and only then stores a capture job and
 * answers 202 with `Location: /epcis/capture/{captureId}`. The job's commands
 * are submitted in the background, in order; `GET /epcis/capture/{captureId}`
 * reports it. An accepted capture is charged to the caller's rate limit per
 * ledger transaction or per event, whichever is more.
 */
import { randomUUID } from 'node:crypto';
import { POLICY, type Role } from '../../../../lib/domain/src';
import type { RouteFactory } from '../../gateway';
import { httpError } from '../../../../lib/platform/src';
import type { RouteSpec } from '../../http/route-spec';
import type { CaptureJob, CaptureStore } from './capture-store';
import { createCaptureWorker, type CaptureWorker } from './capture-worker';
import { assertEpcisValid } from './gs1-validation';
import { mapDocument } from './mapping';
import { preflight } from './preflight';
import { captureXmlToEpcisDocument } from './xml-structure';
import { captureOptionsHeaders } from './epcis-query-proxy';
import { CAPTURE_PARAMS_SCHEMA, EPCIS_DOCUMENT_SCHEMA, EPCIS_DOCUMENT_SCHEMA_ID, MAX_EVENTS } from './schema';

/** Who may capture: those who may commission, ship and receive (and the SAP connector). */
export const EPCIS_CAPTURE_ROLES: readonly Role[] = POLICY['epcis.capture'];

export interface EpcisCaptureOptions {
  store: CaptureStore;
  /** Worker poll interval when idle (ms). */
  pollMs?: number;
  leaseMs?: number;
  maxAttempts?: number;
  /** Check locations, products, orders and shipments on the ledger before accepting (default true). */
  preflight?: boolean;
  /** The gateway's body limit, announced by OPTIONS. */
  bodyLimit?: string;
  /** Start the background worker when the routes are built (default true). */
  autoStart?: boolean;
}

/** The capture routes plus their background worker's lifecycle. */
export interface EpcisCapture {
  routes: RouteFactory;
  /** The worker, once the routes were built. */
  worker(): CaptureWorker | undefined;
  /** Stops the worker; a job in progress is given back to be resumed. */
  stop(): Promise<void>;
}

/** A job as GET reports it: GS1's `running`/`success` flags plus what was committed and what failed. */
export function captureReport(job: CaptureJob): Record<string, unknown> {
  return {
    captureID: job.id,
    status: job.status,
    running: job.status === 'running',
    success: job.status === 'success',
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
    eventCount: job.eventCount,
    transactionCount: job.commands.length,
    committed: job.nextIndex,
    transactions: job.results,
    errors: job.errors,
    recordedWithoutStockEffect: notes(job.commands),
  };
}

/** The events recorded as plain events although they describe a stock movement, and why. */
function notes(commands: Array<{ eventIndex: number; eventID: string; note?: string }>) {
  return commands.filter((c) => c.note).map(({ eventIndex, eventID, note }) => ({ eventIndex, eventID, reason: note }));
}

/** Builds the EPCIS capture adapter; pass `routes` to the gateway's extraRoutes and call stop() on shutdown. */
export function createEpcisCapture(opts: EpcisCaptureOptions): EpcisCapture {
  let worker: CaptureWorker | undefined;
  const routes: RouteFactory = ({ submitter, ledger, mspId, logger, limiter }) => {
    worker = createCaptureWorker({ store: opts.store, submitter, mspId, logger, pollMs: opts.pollMs, leaseMs: opts.leaseMs, maxAttempts: opts.maxAttempts });
    if (opts.autoStart !== false) worker.start();
    const specs: RouteSpec[] = [
      {
        method: 'post',
        path: '/epcis/capture',
        operationId: 'epcisCapture',
        summary: 'Capture an EPCIS 2.0 JSON-LD document: every event type; stock-moving events map to ledger commands, the others are recorded as captured',
        tag: 'epcis',
        roles: EPCIS_CAPTURE_ROLES,
        bodySchema: EPCIS_DOCUMENT_SCHEMA_ID,
        bodyType: 'json-or-xml',
        xmlToJson: captureXmlToEpcisDocument,
        success: { status: 202, description: 'Accepted as a capture job; Location names it' },
        action: {
          kind: 'custom',
          handle: async (ctx) => {
            const doc = ctx.body as { epcisBody: { eventList: unknown[] } };
            // GS1's schema and CBV first: nothing is mapped, checked on the ledger or stored for an invalid document.
            assertEpcisValid(doc, ctx.request?.is(['application/xml', 'text/xml', 'application/*+xml']) ? 'xml' : 'json');
            const plan = mapDocument(doc);
            if (opts.preflight !== false) await preflight(plan, { ledger, mspId });
            const principal = ctx.principal!;
            const id = randomUUID();
            const commands = plan.commands.map((c) => {
              const { eventId, ...body } = c.command.body;
              return {
                eventIndex: c.eventIndex,
                eventID: c.eventID,
                command: { ...c.command, body, eventId: String(eventId), actor: principal.sub },
                ...(c.note ? { note: c.note } : {}),
              };
            });
            // The request took one token; a document costs what its ledger transactions or events would cost one by one
            // (whichever is more), so a 500-event capture is not cheaper than 500 requests. The bucket may go below zero:
            // the document is not cut, the caller's next requests wait.
            limiter.charge(principal.clientId, Math.max(commands.length, doc.epcisBody.eventList.length) - 1);
            await opts.store.create({ id, mspId, clientId: principal.clientId, eventCount: doc.epcisBody.eventList.length, commands });
            worker?.kick();
            ctx.log.info({ captureId: id, events: doc.epcisBody.eventList.length, transactions: commands.length }, 'epcis capture accepted');
            const location = `/epcis/capture/${id}`;
            return {
              status: 202,
              headers: { Location: location, 'GS1-EPCIS-Version': '2.0.0', 'GS1-CBV-Version': '2.0.0', 'GS1-Extensions': 'ct=urn:coffee-trace:ns:' },
              body: {
                captureID: id,
                status: 'running',
                statusUrl: location,
                eventCount: doc.epcisBody.eventList.length,
                eventIDs: [...new Set(plan.commands.map((c) => c.eventID))],
                eventHashes: [...new Set(plan.commands.map((c) => c.eventHash))],
                alreadyCaptured: plan.alreadyCaptured,
                recordedWithoutStockEffect: notes(commands),
                transactionCount: commands.length,
              },
            };
          },
        },
      },
      {
        method: 'options',
        path: '/epcis/capture',
        operationId: 'epcisCaptureOptions',
        summary: 'EPCIS capture capabilities: GS1 versions, capture limits, error behaviour',
        tag: 'epcis',
        roles: EPCIS_CAPTURE_ROLES,
        success: { status: 204, description: 'The capabilities are the GS1-* response headers; no body' },
        action: {
          kind: 'custom',
          handle: async () => ({ status: 204, headers: captureOptionsHeaders(MAX_EVENTS, opts.bodyLimit ?? '1mb'), body: null, raw: '' }),
        },
      },
      {
        method: 'get',
        path: '/epcis/capture/:captureId',
        operationId: 'getEpcisCapture',
        summary: 'Status of an EPCIS capture job: running, success, or failed with per-event errors',
        tag: 'epcis',
        roles: EPCIS_CAPTURE_ROLES,
        paramsSchema: 'epcisCaptureParams',
        action: {
          kind: 'custom',
          handle: async (ctx) => {
            const job = await opts.store.get(ctx.params.captureId);
            // Another client's job is reported as absent, not forbidden, so ids cannot be probed.
            if (!job || job.clientId !== ctx.principal!.clientId || job.mspId !== mspId) {
              throw httpError(404, 'NOT_FOUND', `capture ${ctx.params.captureId} not found`, { field: 'captureId' });
            }
            return { status: 200, body: captureReport(job) };
          },
        },
      },
    ];
    return { routes: specs, schemas: { [EPCIS_DOCUMENT_SCHEMA_ID]: EPCIS_DOCUMENT_SCHEMA, epcisCaptureParams: CAPTURE_PARAMS_SCHEMA } };
  };
  return {
    routes,
    worker: () => worker,
    stop: async () => worker?.stop(),
  };
}
