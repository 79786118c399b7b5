/**
 * EPCIS named queries and webhook subscriptions (REST binding `/queries`),
 * fed from the indexer's committed events only (epcis_events). Durable: the
 * queries, the subscriptions and each subscription's position (the last event
 * delivered, in record order) live in PostgreSQL, so a restarted indexer
 * resumes where it stopped. Delivery is at least once: a page of events is
 * POSTed to `dest` as an EPCISQueryDocument (events keep their stable
 * eventIDs); only a 2xx answer moves the position; otherwise the subscription
 * is retried with exponential backoff while the subscriber is down. With a
 * `signatureToken`, each delivery carries `GS1-Signature`: the hex HMAC-SHA256
 * of the body under that token.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { ServiceError } from '../../../../gateway/src/errors';
import { badRequest } from '../http-errors';
import { eventContexts, queryDocument, toQueryEvent, type StoredEvent } from './epcis-document';
import { parseEventQuery } from './epcis-params';
import { eventPageStatement } from './epcis-sql';

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** The signature a subscriber checks: hex HMAC-SHA256 of the exact body under the subscription's token. */
export function gs1Signature(token: string, body: string): string {
  return createHmac('sha256', token).update(body, 'utf8').digest('hex');
}

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

/** The newest indexed event's position (record order), or before the first event when there is none. */
export async function tipPosition(pool: Pool): Promise<{ block: string; tx: number; seq: number }> {
  const tip = (await pool.query<PageRow>('SELECT block_number, tx_index, seq FROM epcis_events ORDER BY block_number DESC, tx_index DESC, seq DESC LIMIT 1'))
    .rows[0];
  return tip ? { block: String(tip.block_number), tx: tip.tx_index, seq: tip.seq } : { block: '-1', tx: 0, seq: 0 };
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
    const row = (await pool.query<{ query: Record<string, string> }>('SELECT query FROM epcis_named_queries WHERE name = $1', [name])).rows[0];
    if (!row) throw notFound(`query ${name}`);
    return row.query;
  };
  routes.get('/epcis/queries/:name', async (req, res) => json(res, 200, { name: req.params.name, query: await named(String(req.params.name)) }));
  routes.post('/epcis/queries/:name/subscriptions', async (req: Request, res: Response) => {
    const query = await named(String(req.params.name));
    const body = req.body as { dest?: unknown; signatureToken?: unknown; initialRecordTime?: unknown; stream?: unknown; schedule?: unknown };
    if (typeof body?.dest !== 'string' || !/^https?:\/\//.test(body.dest)) throw badRequest('dest must be an http(s) URL (webhook)', 'dest');
    if (body.schedule !== undefined) throw badRequest('schedule: scheduled subscriptions are not offered; use stream', 'schedule');
    if (body.signatureToken !== undefined && (typeof body.signatureToken !== 'string' || body.signatureToken.length < 8))
      throw badRequest('signatureToken must be a string of 8 or more characters', 'signatureToken');
    let start = { block: '-1', tx: 0, seq: 0 };
    if (body.initialRecordTime !== undefined) {
      if (typeof body.initialRecordTime !== 'string' || Number.isNaN(Date.parse(body.initialRecordTime)))
        throw badRequest('initialRecordTime must be a date-time', 'initialRecordTime');
      // From the first event recorded at or after that time.
      const first = (
        await pool.query<PageRow>('SELECT block_number, tx_index, seq FROM epcis_events WHERE record_time >= $1 ORDER BY block_number, tx_index, seq LIMIT 1', [
          body.initialRecordTime,
        ])
      ).rows[0];
      const tip = (
        await pool.query<PageRow>('SELECT block_number, tx_index, seq FROM epcis_events ORDER BY block_number DESC, tx_index DESC, seq DESC LIMIT 1')
      ).rows[0];
      start = first
        ? { block: String(BigInt(first.block_number) - 1n), tx: 2 ** 31 - 1, seq: 0 }
        : tip
          ? { block: String(tip.block_number), tx: tip.tx_index, seq: tip.seq }
          : start;
    } else {
      // Streaming from now: events committed after the subscription.
      const tip = (
        await pool.query<PageRow>('SELECT block_number, tx_index, seq FROM epcis_events ORDER BY block_number DESC, tx_index DESC, seq DESC LIMIT 1')
      ).rows[0];
      if (tip) start = { block: String(tip.block_number), tx: tip.tx_index, seq: tip.seq };
    }
    const id = randomUUID();
    await pool.query(
      'INSERT INTO epcis_subscriptions (id, query_name, dest, signature_token, after_block, after_tx, after_seq) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [id, req.params.name, body.dest, body.signatureToken ?? null, start.block, start.tx, start.seq],
    );
    void query;
    json(
      res,
      201,
      { subscriptionID: id, queryName: req.params.name, dest: body.dest, stream: true },
      { Location: `/epcis/queries/${String(req.params.name)}/subscriptions/${id}` },
    );
  });
  routes.get('/epcis/queries/:name/subscriptions/:id', async (req, res) => {
    if (!/^[0-9a-f-]{36}$/.test(String(req.params.id))) throw notFound(`subscription ${req.params.id}`);
    const row = (
      await pool.query('SELECT id, query_name, dest, delivered, attempts, last_error, created_at FROM epcis_subscriptions WHERE id = $1 AND query_name = $2', [
        req.params.id,
        req.params.name,
      ])
    ).rows[0];
    if (!row) throw notFound(`subscription ${req.params.id}`);
    json(res, 200, {
      subscriptionID: row.id,
      queryName: row.query_name,
      dest: row.dest,
      delivered: Number(row.delivered),
      attempts: row.attempts,
      lastError: row.last_error ?? undefined,
    });
  });

  /** One pass: every due subscription gets at most one page. */
  async function deliverDue(): Promise<void> {
    const due = (
      await pool.query(
        'SELECT s.*, q.query FROM epcis_subscriptions s JOIN epcis_named_queries q ON q.name = s.query_name WHERE s.next_attempt_at <= now() ORDER BY s.created_at',
      )
    ).rows;
    for (const s of due) {
      const q = parseEventQuery({ ...s.query, perPage: String(deps.pageSize ?? 100) });
      const st = eventPageStatement(q, { block: String(s.after_block), tx: s.after_tx, seq: s.after_seq }, q.perPage);
      const rows = (await pool.query<PageRow>(st.text, st.values)).rows;
      if (rows.length === 0) continue;
      const body = JSON.stringify(queryDocument(rows.map(toQueryEvent), new Date(), eventContexts(rows)));
      const headers: Record<string, string> = { 'content-type': 'application/json', 'GS1-Subscription-ID': s.id, 'GS1-Query-Name': s.query_name };
      if (s.signature_token) headers['GS1-Signature'] = gs1Signature(s.signature_token, body);
      let error: string | undefined;
      try {
        const res = await fetch(s.dest, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
        if (res.status < 200 || res.status > 299) error = `answered ${res.status}`;
      } catch (err) {
        error = String((err as Error).message ?? err);
      }
      const last = rows[rows.length - 1];
      if (!error) {
        await pool.query(
          'UPDATE epcis_subscriptions SET after_block = $2, after_tx = $3, after_seq = $4, attempts = 0, next_attempt_at = now(), delivered = delivered + $5, last_error = NULL WHERE id = $1',
          [s.id, last.block_number, last.tx_index, last.seq, rows.length],
        );
      } else {
        const backoff = Math.min(deps.maxBackoffMs ?? 10_000, 250 * 2 ** Math.min(s.attempts, 10));
        await pool.query(
          'UPDATE epcis_subscriptions SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2), last_error = $3 WHERE id = $1',
          [s.id, backoff / 1000, error],
        );
        deps.log?.warn({ subscription: s.id, error, retryInMs: backoff }, 'subscription delivery failed');
      }
    }
  }

  function loop(): void {
    if (!running) return;
    busy = deliverDue()
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
