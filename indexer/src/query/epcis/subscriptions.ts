/**
 * EPCIS named queries and webhook subscriptions (REST binding `/queries`),
 * fed from the indexer's committed events only (epcis_events). Durable: the
 * queries, the subscriptions, each subscription's position (the last event
 * delivered, in record order) and a scheduled subscription's pending report
 * live in PostgreSQL, so a restarted indexer resumes where it stopped.
 * Subscriptions stream (`stream: true`, the default) or follow a `schedule`
 * (with `reportIfEmpty`); delivery is subscription-delivery.ts's job.
 */
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { ServiceError } from '../../../../lib/platform/src';
import { badRequest } from '../http-errors';
import type { StoredEvent } from './epcis-document';
import { parseEventQuery } from './epcis-params';
import { answerEventQuery } from './epcis-routes';
import { eventPageStatement } from './epcis-sql';
import { checkSchedule, nextRun, type QuerySchedule } from './query-schedule';
import { deliverDue, tipPosition, type Position } from './subscription-delivery';

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

/** A named query's parameters, or undefined. */
export async function namedQuery(pool: Pool, name: string): Promise<Record<string, string> | undefined> {
  return (await pool.query<{ query: Record<string, string> }>('SELECT query FROM epcis_named_queries WHERE name = $1', [name])).rows[0]?.query;
}

/** The next events of a named query after a position, at most `n`. */
export async function nextEvents(pool: Pool, query: Record<string, string>, after: { block: string; tx: number; seq: number }, n: number): Promise<PageRow[]> {
  const q = parseEventQuery({ ...query, perPage: String(n) });
  const st = eventPageStatement(q, after, q.perPage);
  return (await pool.query<PageRow>(st.text, st.values)).rows;
}

/** Routes under `/epcis/queries` and the background deliverer. */
export function createSubscriptions(deps: { pool: Pool; log?: Logger; pollMs?: number; pageSize?: number; maxBackoffMs?: number }) {
  const { pool } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let busy: Promise<void> | undefined;

  const routes = Router();
  const json = (res: Response, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.status(status).set(headers).type('application/json').send(JSON.stringify(body));

  routes.post('/epcis/queries', async (req: Request, res: Response) => {
    const body = req.body as { name?: unknown; query?: unknown };
    if (typeof body?.name !== 'string' || !NAME.test(body.name)) throw badRequest('name must be 1-64 characters [A-Za-z0-9_.-]', 'name');
    const query = checkQuery(body.query);
    const r = await pool.query('INSERT INTO epcis_named_queries (name, query) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING name', [
      body.name,
      JSON.stringify(query),
    ]);
    if (r.rowCount === 0) throw new ServiceError({ code: 'CONFLICT', message: `query ${body.name} exists`, httpStatus: 409 });
    json(res, 201, { name: body.name, query }, { Location: `/epcis/queries/${body.name}` });
  });
  routes.get('/epcis/queries', async (_req, res) => {
    const rows = (await pool.query<{ name: string }>('SELECT name FROM epcis_named_queries ORDER BY name')).rows;
    json(res, 200, { '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], type: 'Collection', member: rows.map((r) => r.name) });
  });
  const named = async (name: string) => {
    const query = await namedQuery(pool, name);
    if (!query) throw notFound(`query ${name}`);
    return query;
  };
  routes.get('/epcis/queries/:name', async (req, res) => json(res, 200, { name: req.params.name, query: await named(String(req.params.name)) }));
  routes.delete('/epcis/queries/:name', async (req, res) => {
    // Its subscriptions go with it (ON DELETE CASCADE, migration 012).
    const r = await pool.query('DELETE FROM epcis_named_queries WHERE name = $1', [req.params.name]);
    if (r.rowCount === 0) throw notFound(`query ${req.params.name}`);
    res.status(204).end();
  });
  // The named query's results (without an upgrade; WebSocket upgrades are event-stream.ts's).
  routes.get('/epcis/queries/:name/events', async (req, res) => {
    const query = await named(String(req.params.name));
    for (const k of Object.keys(req.query)) {
      if (k !== 'perPage' && k !== 'nextPageToken')
        throw badRequest(`${k}: the named query ${req.params.name} sets the filters; only perPage and nextPageToken may be given`, k);
    }
    await answerEventQuery(pool, req, res, query);
  });
  routes.post('/epcis/queries/:name/subscriptions', async (req: Request, res: Response) => {
    await named(String(req.params.name));
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
    const row = (
      await pool.query(
        `INSERT INTO epcis_subscriptions (id, query_name, dest, signature_token, after_block, after_tx, after_seq, schedule, report_if_empty, next_run_at, initial_record_time)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
        [
          id,
          req.params.name,
          body.dest,
          body.signatureToken ?? null,
          start.block,
          start.tx,
          start.seq,
          schedule ? JSON.stringify(schedule) : null,
          body.reportIfEmpty === true,
          schedule ? (nextRun(schedule, new Date()) ?? 'infinity') : null,
          body.initialRecordTime ?? null,
        ],
      )
    ).rows[0];
    json(res, 201, describe(row), { Location: `/epcis/queries/${String(req.params.name)}/subscriptions/${id}` });
  });
  routes.get('/epcis/queries/:name/subscriptions', async (req, res) => {
    await named(String(req.params.name));
    const rows = (await pool.query('SELECT * FROM epcis_subscriptions WHERE query_name = $1 ORDER BY created_at', [req.params.name])).rows;
    json(res, 200, rows.map(describe));
  });
  const subscription = async (name: string, id: string) => {
    const row = /^[0-9a-f-]{36}$/.test(id)
      ? (await pool.query('SELECT * FROM epcis_subscriptions WHERE id = $1 AND query_name = $2', [id, name])).rows[0]
      : undefined;
    if (!row) throw notFound(`subscription ${id}`);
    return row;
  };
  routes.get('/epcis/queries/:name/subscriptions/:id', async (req, res) =>
    json(res, 200, describe(await subscription(String(req.params.name), String(req.params.id)))),
  );
  routes.delete('/epcis/queries/:name/subscriptions/:id', async (req, res) => {
    await subscription(String(req.params.name), String(req.params.id));
    await pool.query('DELETE FROM epcis_subscriptions WHERE id = $1', [req.params.id]);
    res.status(204).end();
  });

  function loop(): void {
    if (!running) return;
    busy = deliverDue(deps)
      .catch((err) => deps.log?.error({ err }, 'subscription pass failed'))
      .finally(() => {
        busy = undefined;
        if (running) timer = setTimeout(loop, deps.pollMs ?? 250);
      });
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
    createdAt: iso(row.created_at),
    lastNotifiedAt: iso(row.last_notified_at),
    initialRecordTime: iso(row.initial_record_time),
    ...(row.schedule ? { schedule: row.schedule, reportIfEmpty: row.report_if_empty, nextRunAt: iso(row.next_run_at) } : { stream: true }),
    delivered: Number(row.delivered),
    attempts: row.attempts,
    lastError: row.last_error ?? undefined,
  };
}
