/**
 * EPCIS named queries and webhook subscriptions (REST binding `/queries`),
 * fed from the indexer's committed events only (epcis_events). Durable: the
 * queries, the subscriptions, each subscription's position (the last event
 * delivered, in record order) and a scheduled subscription's pending report
 * live in PostgreSQL, so a restarted indexer resumes where it stopped.
 * Subscriptions stream (`stream: true`, the default) or follow a `schedule`
 * (with `reportIfEmpty`); delivery is subscription-delivery.ts's job.
 *
 * Queries and subscriptions belong to the organisation whose token created
 * them (its organisation claim) and record the creating user (the subject):
 * each organisation sees, uses and deletes only its own, anything else is a
 * 404, and each may hold at most `maxPerOrg` of each. A token without an
 * organisation claim owns rows "of no organisation" and sees only those
 * (production tokens carry the claim). A webhook destination must not resolve
 * to an internal address unless the operator allow-lists it (webhook-sender.ts).
 */
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { ServiceError } from '../../../../lib/platform/src';
import { badRequest } from '../http-errors';
import type { StoredEvent } from './epcis-document';
import { parseEventQuery } from './epcis-params';
import { answerEventQuery } from './epcis-routes';
import { eventPageStatement } from './epcis-sql';
import { eventScope, type EventScope } from './event-visibility';
import { checkSchedule, nextRun, type QuerySchedule } from './query-schedule';
import type { Principal } from '../../../../lib/domain/src';
import { createDeliveryPool } from './delivery-pool';
import { deliverSubscription, destinationOf, dueSubscriptions, tipPosition, type DueSubscription, type Position } from './subscription-delivery';
import { createWebhookSender, type WebhookSender } from './webhook-sender';

export { gs1Signature, tipPosition } from './subscription-delivery';

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function notFound(what: string): ServiceError {
  return new ServiceError({ code: 'NOT_FOUND', message: `${what} not found`, httpStatus: 404 });
}

/** Query parameters of a named query: the same as GET /events takes (paging excluded). */
function checkQuery(raw: unknown): Record<string, string> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badRequest('query must be an object of event query parameters', 'query');
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'perPage' || k === 'nextPageToken') throw badRequest(`query.${k} is not part of a named query`, `query.${k}`);
    q[k] = Array.isArray(v) ? v.join(',') : String(v);
  }
  parseEventQuery(q);
  return q;
}

export interface PageRow extends StoredEvent {
  block_number: string;
  tx_index: number;
  seq: number;
}

/**
 * The organisation that owns what a caller creates and the only one whose rows
 * it sees: the token's organisation claim, '' (no organisation) without one.
 */
export function ownerOrg(principal: Pick<Principal, 'org'> | undefined): string {
  return principal?.org ?? '';
}

/** A named query's parameters, when `org` owns a query of that name; else undefined. */
export async function namedQuery(pool: Pool, org: string, name: string): Promise<Record<string, string> | undefined> {
  return (await pool.query<{ query: Record<string, string> }>('SELECT query FROM epcis_named_queries WHERE owner_org = $1 AND name = $2', [org, name])).rows[0]
    ?.query;
}

/** The next events of a named query after a position, at most `n`. */
export async function nextEvents(
  pool: Pool,
  query: Record<string, string>,
  after: { block: string; tx: number; seq: number },
  n: number,
  scope?: EventScope,
): Promise<PageRow[]> {
  const q = parseEventQuery({ ...query, perPage: String(n) });
  const st = eventPageStatement(q, after, q.perPage, scope);
  return (await pool.query<PageRow>(st)).rows;
}

/** Dependencies of {@link createSubscriptions}. */
export interface SubscriptionsDeps {
  pool: Pool;
  log?: Logger;
  /** How often due subscriptions are looked for, ms; default 250. */
  pollMs?: number;
  pageSize?: number;
  maxBackoffMs?: number;
  /** Most named queries, and most subscriptions, per organisation; default 100. */
  maxPerOrg?: number;
  /** Most deliveries in flight; default 8. */
  concurrency?: number;
  /** Checks and sends webhooks; default: no allow-list, 10 s timeout. */
  sender?: WebhookSender;
  /** Told the outcome of each delivery attempt (metrics). */
  onDelivery?: (outcome: 'delivered' | 'failed') => void;
}

/** Routes under `/epcis/queries` and the background deliverer. */
export function createSubscriptions(deps: SubscriptionsDeps) {
  const { pool } = deps;
  const maxPerOrg = deps.maxPerOrg ?? 100;
  const sender = deps.sender ?? createWebhookSender();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let busy: Promise<void> | undefined;
  let again = false;

  const deliveries = createDeliveryPool<DueSubscription>({
    concurrency: deps.concurrency,
    maxBackoffMs: deps.maxBackoffMs,
    key: (s) => s.id,
    destination: (s) => destinationOf(s.dest),
    retrying: (s) => s.attempts > 0,
    run: (s, signal) => deliverSubscription({ ...deps, sender }, s.id, signal),
    // A delivery that moved a subscription on: its next page may be due at once. (Not after a skip or a failure,
    // which would only spin.)
    onSettled: (_s, result) => {
      if (result === 'ok') wake();
    },
  });

  const routes = Router();
  const json = (res: Response, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.status(status).set(headers).type('application/json').send(JSON.stringify(body));
  const owner = (res: Response) => {
    const p = res.locals.principal as Principal | undefined;
    return { org: ownerOrg(p), user: p?.sub ?? null };
  };

  /** Runs `fn` in a transaction holding the organisation's lock, so that concurrent creations respect the cap. */
  async function asOwner<T>(org: string, fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query(`SELECT pg_advisory_xact_lock(hashtext('epcis-owner:' || $1))`, [org]);
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }
  async function underCap(c: PoolClient, table: 'epcis_named_queries' | 'epcis_subscriptions', org: string, what: string): Promise<void> {
    const n = Number((await c.query(`SELECT count(*) AS n FROM ${table} WHERE owner_org = $1`, [org])).rows[0].n);
    if (n >= maxPerOrg)
      throw new ServiceError({
        code: 'LIMIT_EXCEEDED',
        message: `your organisation has ${n} ${what}, the most it may have (${maxPerOrg}); delete one first`,
        httpStatus: 409,
        details: { limit: maxPerOrg },
      });
  }

  routes.post('/epcis/queries', async (req: Request, res: Response) => {
    const body = req.body as { name?: unknown; query?: unknown };
    if (typeof body?.name !== 'string' || !NAME.test(body.name)) throw badRequest('name must be 1-64 characters [A-Za-z0-9_.-]', 'name');
    const name = body.name;
    const query = checkQuery(body.query);
    const { org, user } = owner(res);
    const r = await asOwner(org, async (c) => {
      if ((await c.query('SELECT 1 FROM epcis_named_queries WHERE owner_org = $1 AND name = $2', [org, name])).rowCount === 0)
        await underCap(c, 'epcis_named_queries', org, 'named queries');
      return c.query(
        'INSERT INTO epcis_named_queries (owner_org, name, query, created_by) VALUES ($1, $2, $3, $4) ON CONFLICT (owner_org, name) DO NOTHING RETURNING name',
        [org, name, JSON.stringify(query), user],
      );
    });
    if (r.rowCount === 0) throw new ServiceError({ code: 'CONFLICT', message: `query ${name} exists`, httpStatus: 409 });
    json(res, 201, { name, query }, { Location: `/epcis/queries/${name}` });
  });
  routes.get('/epcis/queries', async (_req, res) => {
    const rows = (await pool.query<{ name: string }>('SELECT name FROM epcis_named_queries WHERE owner_org = $1 ORDER BY name', [owner(res).org])).rows;
    json(res, 200, { '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], type: 'Collection', member: rows.map((r) => r.name) });
  });
  const named = async (res: Response, name: string) => {
    const query = await namedQuery(pool, owner(res).org, name);
    if (!query) throw notFound(`query ${name}`);
    return query;
  };
  routes.get('/epcis/queries/:name', async (req, res) => json(res, 200, { name: req.params.name, query: await named(res, String(req.params.name)) }));
  routes.delete('/epcis/queries/:name', async (req, res) => {
    // Its subscriptions go with it (ON DELETE CASCADE, migration 013).
    const r = await pool.query('DELETE FROM epcis_named_queries WHERE owner_org = $1 AND name = $2', [owner(res).org, req.params.name]);
    if (r.rowCount === 0) throw notFound(`query ${req.params.name}`);
    res.status(204).end();
  });
  // The named query's results (without an upgrade; WebSocket upgrades are event-stream.ts's).
  routes.get('/epcis/queries/:name/events', async (req, res) => {
    const query = await named(res, String(req.params.name));
    for (const k of Object.keys(req.query)) {
      if (k !== 'perPage' && k !== 'nextPageToken')
        throw badRequest(`${k}: the named query ${req.params.name} sets the filters; only perPage and nextPageToken may be given`, k);
    }
    await answerEventQuery(pool, req, res, query);
  });
  routes.post('/epcis/queries/:name/subscriptions', async (req: Request, res: Response) => {
    const name = String(req.params.name);
    await named(res, name);
    const body = req.body as {
      dest?: unknown;
      signatureToken?: unknown;
      initialRecordTime?: unknown;
      stream?: unknown;
      schedule?: unknown;
      reportIfEmpty?: unknown;
    };
    if (typeof body?.dest !== 'string' || !/^https?:\/\//.test(body.dest)) throw badRequest('dest must be an http(s) URL (webhook)', 'dest');
    if (body.signatureToken !== undefined && (typeof body.signatureToken !== 'string' || body.signatureToken.length < 8))
      throw badRequest('signatureToken must be a string of 8 or more characters', 'signatureToken');
    if (body.stream !== undefined && typeof body.stream !== 'boolean') throw badRequest('stream must be true or false', 'stream');
    if (body.reportIfEmpty !== undefined && typeof body.reportIfEmpty !== 'boolean') throw badRequest('reportIfEmpty must be true or false', 'reportIfEmpty');
    let schedule: QuerySchedule | undefined;
    if (body.schedule !== undefined) {
      if (body.stream === true) throw badRequest('stream and schedule exclude each other', 'stream');
      schedule = checkSchedule(body.schedule);
    } else {
      if (body.stream === false) throw badRequest('a subscription with stream false needs a schedule', 'schedule');
      if (body.reportIfEmpty !== undefined) throw badRequest('reportIfEmpty applies to scheduled subscriptions only', 'reportIfEmpty');
    }
    // The same check as every delivery makes; one message whatever the reason, so the answer maps nothing out.
    await sender.check(body.dest).catch(() => {
      throw badRequest('dest is refused: webhooks go only to public addresses (or to destinations the operator allows)', 'dest');
    });
    // Without initialRecordTime: events recorded after the subscription; with it, from the first one at or after it.
    let start: Position = await tipPosition(pool);
    if (body.initialRecordTime !== undefined) {
      if (typeof body.initialRecordTime !== 'string' || Number.isNaN(Date.parse(body.initialRecordTime)))
        throw badRequest('initialRecordTime must be a date-time', 'initialRecordTime');
      const first = (
        await pool.query<PageRow>('SELECT block_number, tx_index, seq FROM epcis_events WHERE record_time >= $1 ORDER BY block_number, tx_index, seq LIMIT 1', [
          body.initialRecordTime,
        ])
      ).rows[0];
      if (first) start = { block: String(BigInt(first.block_number) - 1n), tx: 2 ** 31 - 1, seq: 0 };
    }
    const id = randomUUID();
    const { org, user } = owner(res);
    const row = await asOwner(org, async (c) => {
      await underCap(c, 'epcis_subscriptions', org, 'subscriptions');
      return (
        await c.query(
          `INSERT INTO epcis_subscriptions (id, owner_org, created_by, query_name, dest, signature_token, after_block, after_tx, after_seq, schedule,
             report_if_empty, next_run_at, initial_record_time, scope_org)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING *`,
          [
            id,
            org,
            user,
            name,
            body.dest,
            body.signatureToken ?? null,
            start.block,
            start.tx,
            start.seq,
            schedule ? JSON.stringify(schedule) : null,
            body.reportIfEmpty === true,
            schedule ? (nextRun(schedule, new Date()) ?? 'infinity') : null,
            body.initialRecordTime ?? null,
            // What the subscriber may see is decided per event at delivery: all for an auditor, else its organisation's.
            eventScope(res.locals.principal as Principal | undefined, String(res.locals.ownerOrg ?? ''))?.org ?? null,
          ],
        )
      ).rows[0];
    });
    json(res, 201, describe(row), { Location: `/epcis/queries/${name}/subscriptions/${id}` });
  });
  routes.get('/epcis/queries/:name/subscriptions', async (req, res) => {
    await named(res, String(req.params.name));
    const rows = (
      await pool.query('SELECT * FROM epcis_subscriptions WHERE owner_org = $1 AND query_name = $2 ORDER BY created_at', [owner(res).org, req.params.name])
    ).rows;
    json(res, 200, rows.map(describe));
  });
  const subscription = async (res: Response, name: string, id: string) => {
    const row = /^[0-9a-f-]{36}$/.test(id)
      ? (await pool.query('SELECT * FROM epcis_subscriptions WHERE id = $1 AND owner_org = $2 AND query_name = $3', [id, owner(res).org, name])).rows[0]
      : undefined;
    if (!row) throw notFound(`subscription ${id}`);
    return row;
  };
  routes.get('/epcis/queries/:name/subscriptions/:id', async (req, res) =>
    json(res, 200, describe(await subscription(res, String(req.params.name), String(req.params.id)))),
  );
  routes.delete('/epcis/queries/:name/subscriptions/:id', async (req, res) => {
    const row = await subscription(res, String(req.params.name), String(req.params.id));
    await pool.query('DELETE FROM epcis_subscriptions WHERE id = $1 AND owner_org = $2', [row.id, row.owner_org]);
    res.status(204).end();
  });

  /** One pass: offers the due subscriptions (but those in flight) to the delivery pool. */
  async function pass(): Promise<void> {
    const due = await dueSubscriptions(pool, deliveries.inFlight());
    deliveries.offer(due);
  }

  function loop(): void {
    if (!running) return;
    if (timer) clearTimeout(timer);
    timer = undefined;
    again = false;
    busy = pass()
      .catch((err) => deps.log?.error({ err }, 'subscription pass failed'))
      .finally(() => {
        busy = undefined;
        if (running) timer = setTimeout(loop, again ? 0 : (deps.pollMs ?? 250));
      });
  }
  /** Looks for due subscriptions now rather than at the next poll (after a pass under way, if any). */
  function wake(): void {
    if (!running) return;
    if (busy) again = true;
    else loop();
  }

  return {
    routes,
    start(): void {
      if (running) return;
      running = true;
      loop();
    },
    async stop(): Promise<void> {
      running = false;
      if (timer) clearTimeout(timer);
      await busy;
      await deliveries.stop();
    },
  };
}

/** A subscription as the binding shows it (the signature token is never shown), with its delivery state. */
function describe(row: Record<string, any>): Record<string, unknown> {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : undefined);
  return {
    subscriptionID: row.id,
    queryName: row.query_name,
    dest: row.dest,
    createdBy: row.created_by ?? undefined,
    createdAt: iso(row.created_at),
    lastNotifiedAt: iso(row.last_notified_at),
    initialRecordTime: iso(row.initial_record_time),
    ...(row.schedule ? { schedule: row.schedule, reportIfEmpty: row.report_if_empty, nextRunAt: iso(row.next_run_at) } : { stream: true }),
    delivered: Number(row.delivered),
    attempts: row.attempts,
    lastError: row.last_error ?? undefined,
  };
}
