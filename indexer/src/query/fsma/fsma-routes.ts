/**
 * FSMA 204 export: `GET /fsma/export?format=csv|xlsx&tlc=…&from=…&to=…`
 * streams the electronic sortable spreadsheet; `GET /fsma/export/key`
 * (`?format=csv|json`) is the key to its codes (also the XLSX's second sheet).
 * The export holds the events the caller may see (docs/visibility.md).
 */
import { Router } from 'express';
import { badRequest } from '../http-errors';
import type { Pool } from 'pg';
import { FSMA_COLUMNS, keyRows } from './fsma-columns';
import { csvKey, writeCsv } from './fsma-csv';
import { parseFsmaQuery } from './fsma-params';
import { fsmaRows } from './fsma-rows';
import { writeXlsx } from './fsma-xlsx';
import { requestScope } from '../visibility';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Router serving the export and its key. */
export function fsmaRoutes(pool: Pool, onError?: (err: unknown) => void): Router {
  const r = Router();

  r.get('/fsma/export/key', (req, res) => {
    const q = parseFsmaQuery(req.query as Record<string, unknown>, { allowFormat: ['csv', 'json'] });
    if (q.tlcs || q.from || q.to) throw badRequest('the key takes only format', q.tlcs ? 'tlc' : q.from ? 'from' : 'to');
    if ((q.format as string) === 'json') {
      res.json({
        columns: FSMA_COLUMNS.map((c) => ({ header: c.header, description: c.description })),
        codes: keyRows().map(([section, code, meaning]) => ({ section, code, meaning })),
      });
      return;
    }
    res.type('text/csv; charset=utf-8; header=present').set('Content-Disposition', 'attachment; filename="fsma204-key.csv"').send(csvKey());
  });

  r.get('/fsma/export', async (req, res) => {
    // Only the critical tracking events the caller's organisation recorded or that happened at its locations.
    const scope = requestScope(res);
    const q = { ...parseFsmaQuery(req.query as Record<string, unknown>), ...(scope ? { org: scope.org } : {}) };
    const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
    // Validated, so the first byte can go out now; a failure later can only cut the stream.
    const rows = fsmaRows(pool, q);
    const first = await rows.next();
    async function* all() {
      if (!first.done) yield first.value;
      yield* rows;
    }
    res.set('Content-Disposition', `attachment; filename="fsma204-${stamp}.${q.format}"`);
    res.set('Link', '</fsma/export/key>; rel="describedby"');
    try {
      if (q.format === 'csv') {
        res.type('text/csv; charset=utf-8; header=present');
        await writeCsv(res, all());
        res.end();
      } else {
        res.type(XLSX_TYPE);
        await writeXlsx(res, all());
      }
    } catch (err) {
      onError?.(err);
      res.destroy(err as Error);
    }
  });

  return r;
}
