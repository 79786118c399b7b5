/**
 * The GS1 EPCIS 2.0 REST binding's query side over the read model: `GET
 * /epcis/events`, `/epcis/events/{eventID}`, the browse paths (`/eventTypes`,
 * `/epcs`, `/bizSteps`, `/bizLocations`, `/readPoints`, `/dispositions`, each
 * `/{value}/events`) and OPTIONS with the GS1 headers; events paged with `perPage` and an opaque `nextPageToken` (announced
 * in a `Link: <…>; rel="next"` header). Errors are RFC 7807 problem+json in
 * the binding's style, naming the offending parameter.
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Pool } from 'pg';
import { ServiceError } from '../../../../lib/platform/src';
import { badRequest } from '../http-errors';
import { queryResultsXml } from '../../../../lib/epcis/src';
import { eventContexts, QUERY_NAME, queryDocument, toQueryEvent, type StoredEvent } from './epcis-document';
import { EVENT_TYPES, parseEventQuery } from './epcis-params';
import { eventPageStatement } from './epcis-sql';
import { eventScope, scopePredicate } from './event-visibility';
import { decodePageToken, encodePageToken } from './page-token';
import { GS1_HEADERS, type Principal } from '../../../../lib/domain/src';

interface PageRow extends StoredEvent {
  block_number: string;
  tx_index: number;
  seq: number;
}

/** The URL of the next page: this request's URL with the token replaced. */
function nextUrl(req: Request, token: string): string {
  const url = new URL(req.originalUrl, `${req.protocol}://${req.get('host') ?? 'localhost'}`);
  url.searchParams.set('nextPageToken', token);
  return url.toString();
}

/** EPCIS exception types of the REST binding, by status. */
const EXCEPTIONS: Record<number, { type: string; title: string }> = {
  400: { type: 'epcisException:QueryParameterException', title: 'Invalid query parameter' },
  404: { type: 'epcisException:NoSuchNameException', title: 'No such resource' },
};

/** problem+json as the EPCIS binding answers a bad query or a missing resource. */
function epcisProblems(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  const ex = err instanceof ServiceError ? EXCEPTIONS[err.httpStatus] : undefined;
  if (!ex || !(err instanceof ServiceError)) {
    next(err);
    return;
  }
  const parameter = typeof err.details?.field === 'string' ? err.details.field : undefined;
  res
    .status(err.httpStatus)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: ex.type,
        title: ex.title,
        status: err.httpStatus,
        detail: err.message,
        ...(parameter ? { parameter } : {}),
        code: err.code,
        message: err.message,
        requestId: String(res.locals.requestId ?? ''),
      }),
    );
}

/** Browse resources: path segment → the filter its `{value}/events` applies, and the column listing its values. */
/** A resource's distinct values among the events the caller may see (`te`, with `$1` its organisation or NULL for all). */
const valuesOf = (column: string, limit = '') =>
  `SELECT DISTINCT ${column} AS v FROM epcis_events te WHERE ${column.startsWith('unnest') ? 'true' : `${column} IS NOT NULL`}
     AND ($1::text IS NULL OR ${scopePredicate({ org: '' }, () => '$1')}) ORDER BY 1 ${limit}`;

const RESOURCES: Record<string, { filter: string; values: string }> = {
  eventTypes: { filter: 'eventType', values: valuesOf('event_type') },
  epcs: { filter: 'MATCH_anyEPC', values: valuesOf('unnest(any_epcs)', 'LIMIT 1000') },
  bizSteps: { filter: 'EQ_bizStep', values: valuesOf('biz_step') },
  bizLocations: { filter: 'EQ_bizLocation', values: valuesOf('biz_location', 'LIMIT 1000') },
  readPoints: { filter: 'EQ_readPoint', values: valuesOf('read_point', 'LIMIT 1000') },
  dispositions: { filter: 'EQ_disposition', values: valuesOf('disposition') },
};

const collection = (member: string[]) => ({ '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], type: 'Collection', member });

function notFound(what: string): ServiceError {
  return new ServiceError({ code: 'NOT_FOUND', message: `${what} not found`, httpStatus: 404 });
}

/**
 * Answers an event query (JSON-LD, or XML when asked for), paged; `fixed` are
 * the filters the path (or a named query) sets, which the request may not repeat.
 */
export async function answerEventQuery(pool: Pool, req: Request, res: Response, fixed: Record<string, string> = {}, single = false): Promise<void> {
  const raw = { ...(req.query as Record<string, unknown>) };
  for (const [k, v] of Object.entries(fixed)) {
    if (k in raw) throw badRequest(`${k} is given by the path`, k);
    raw[k] = v;
  }
  const q = parseEventQuery(raw);
  const after = q.nextPageToken === undefined ? undefined : decodePageToken(q.nextPageToken, q.fingerprint);
  if (q.nextPageToken !== undefined && !after) throw badRequest('nextPageToken is malformed or belongs to another query', 'nextPageToken');
  const st = eventPageStatement(q, after, q.perPage + 1, eventScope(res.locals.principal as Principal | undefined, String(res.locals.ownerOrg ?? '')));
  const rows = (await pool.query<PageRow>(st)).rows;
  const page = rows.slice(0, q.perPage);
  if (single && page.length === 0) throw notFound(`event ${fixed.EQ_eventID}`);
  if (rows.length > q.perPage) {
    const last = page[page.length - 1];
    const token = encodePageToken({ block: String(last.block_number), tx: last.tx_index, seq: last.seq }, q.fingerprint);
    res.set('Link', `<${nextUrl(req, token)}>; rel="next"`);
  }
  res.set('GS1-EPCIS-Version', GS1_HEADERS['GS1-EPCIS-Version']);
  res.set('GS1-CBV-Version', GS1_HEADERS['GS1-CBV-Version']);
  res.set('GS1-Extensions', GS1_HEADERS['GS1-Extensions']);
  const events = page.map(toQueryEvent);
  const namespaces = eventContexts(page);
  // The XML binding when asked for (and preferred over JSON), JSON-LD otherwise.
  const wanted = req.accepts(['application/json', 'application/ld+json', 'application/xml', 'text/xml']);
  if (wanted === 'application/xml' || wanted === 'text/xml') {
    res.type('application/xml').send(queryResultsXml(events, { queryName: QUERY_NAME, creationDate: new Date().toISOString(), namespaces }));
    return;
  }
  const ld = (req.get('accept') ?? '').includes('application/ld+json');
  res.type(ld ? 'application/ld+json' : 'application/json').send(JSON.stringify(queryDocument(events, new Date(), namespaces)));
}

/** Router serving the GS1 EPCIS 2.0 REST binding's query side under `/epcis`. */
export function epcisRoutes(pool: Pool): Router {
  const r = Router();

  const sendCollection = (res: Response, member: string[]) => {
    res
      .set('GS1-EPCIS-Version', GS1_HEADERS['GS1-EPCIS-Version'])
      .set('GS1-CBV-Version', GS1_HEADERS['GS1-CBV-Version'])
      .set('GS1-Extensions', GS1_HEADERS['GS1-Extensions']);
    res.type('application/json').send(JSON.stringify(collection(member)));
  };

  r.options(['/epcis', '/epcis/*path'], (req, res) => {
    res
      .set(GS1_HEADERS)
      .set('Allow', /\/capture/.test(req.path) ? 'OPTIONS, GET, POST' : 'OPTIONS, GET')
      .status(204)
      .end();
  });
  r.get('/epcis', (_req, res) => sendCollection(res, ['capture', 'events', ...Object.keys(RESOURCES)]));
  r.get('/epcis/events', (req, res) => answerEventQuery(pool, req, res));
  r.get('/epcis/events/:eventID', (req, res) => answerEventQuery(pool, req, res, { EQ_eventID: req.params.eventID }, true));
  r.get('/epcis/:resource', async (req, res) => {
    const def = RESOURCES[req.params.resource];
    if (!def) throw notFound(`/epcis/${req.params.resource}`);
    const scope = eventScope(res.locals.principal as Principal | undefined, String(res.locals.ownerOrg ?? ''));
    const values =
      req.params.resource === 'eventTypes' ? [...EVENT_TYPES] : (await pool.query<{ v: string }>(def.values, [scope?.org ?? null])).rows.map((x) => x.v);
    sendCollection(res, values);
  });
  r.get('/epcis/:resource/:value', (req, res) => {
    if (!RESOURCES[req.params.resource]) throw notFound(`/epcis/${req.params.resource}`);
    if (req.params.resource === 'eventTypes' && !(EVENT_TYPES as readonly string[]).includes(req.params.value))
      throw notFound(`event type ${req.params.value}`);
    sendCollection(res, ['events']);
  });
  r.get('/epcis/:resource/:value/events', (req, res) => {
    const def = RESOURCES[req.params.resource];
    if (!def) throw notFound(`/epcis/${req.params.resource}`);
    return answerEventQuery(pool, req, res, { [def.filter]: req.params.value });
  });

  r.use('/epcis', epcisProblems);
  return r;
}
