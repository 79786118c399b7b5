/**
 * `GET /epcis/events`: the GS1 EPCIS 2.0 REST binding's event query over the
 * read model, paged with `perPage` and an opaque `nextPageToken` (announced
 * in a `Link: <…>; rel="next"` header). Errors are RFC 7807 problem+json in
 * the binding's style, naming the offending parameter.
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Pool } from 'pg';
import { ServiceError } from '../../../../ledger/src';
import { badRequest } from '../http-errors';
import { queryResultsXml } from '../../../../gateway/src/adapters/epcis/xml-binding';
import { eventContexts, QUERY_NAME, queryDocument, toQueryEvent, type StoredEvent } from './epcis-document';
import { parseEventQuery } from './epcis-params';
import { eventPageStatement } from './epcis-sql';
import { decodePageToken, encodePageToken } from './page-token';

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

/** problem+json as the EPCIS binding answers a bad query. */
function epcisProblems(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (!(err instanceof ServiceError) || err.httpStatus !== 400) {
    next(err);
    return;
  }
  const parameter = typeof err.details?.field === 'string' ? err.details.field : undefined;
  res.status(400).type('application/problem+json').send(JSON.stringify({
    type: 'epcisException:QueryParameterException',
    title: 'Invalid query parameter',
    status: 400,
    detail: err.message,
    ...(parameter ? { parameter } : {}),
    code: err.code,
    message: err.message,
    requestId: String(res.locals.requestId ?? ''),
  }));
}

/** Router serving `GET /epcis/events`. */
export function epcisRoutes(pool: Pool): Router {
  const r = Router();

  r.get('/epcis/events', async (req, res) => {
    const q = parseEventQuery(req.query as Record<string, unknown>);
    const after = q.nextPageToken === undefined ? undefined : decodePageToken(q.nextPageToken, q.fingerprint);
    if (q.nextPageToken !== undefined && !after) throw badRequest('nextPageToken is malformed or belongs to another query', 'nextPageToken');
    const st = eventPageStatement(q, after, q.perPage + 1);
    const rows = (await pool.query<PageRow>(st.text, st.values)).rows;
    const page = rows.slice(0, q.perPage);
    if (rows.length > q.perPage) {
      const last = page[page.length - 1];
      const token = encodePageToken({ block: String(last.block_number), tx: last.tx_index, seq: last.seq }, q.fingerprint);
      res.set('Link', `<${nextUrl(req, token)}>; rel="next"`);
    }
    res.set('GS1-EPCIS-Version', '2.0.0');
    res.set('GS1-CBV-Version', '2.0.0');
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
  });

  r.use('/epcis', epcisProblems);
  return r;
}
