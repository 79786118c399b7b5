/**
 * Parameters of `GET /fsma/export`: `format` (csv | xlsx), `tlc` (a
 * comma-separated list of `<GTIN-14>/<lot code>`), `from` and `to` (dates
 * `YYYY-MM-DD`, both inclusive, or ISO date-times, `to` exclusive).
 */
import { badRequest } from '../http-errors';
import { LOT_CODE } from '../../../../lib/domain/src';

/** A traceability lot code: product and lot. */
export interface Tlc {
  gtin: string;
  lotCode: string;
}

/** The parsed request. */
export interface FsmaQuery {
  format: 'csv' | 'xlsx';
  tlcs?: Tlc[];
  from?: Date;
  /** Exclusive upper bound. */
  to?: Date;
  /** The caller's organisation: only its events (VISIBLE.traceEvent); absent for every event. Set by the route, never from the query string. */
  org?: string;
}

/** Largest number of TLCs in one request. */
export const MAX_TLCS = 500;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const TLC = new RegExp(`^(\\d{14})\\/(${LOT_CODE.source.slice(1, -1)})$`);

/** The lot-level EPC class of a TLC, as the chaincode writes it (GS1 Digital Link). */
export function tlcClass(t: Tlc): string {
  return `https://id.gs1.org/01/${t.gtin}/10/${encodeURIComponent(t.lotCode)}`;
}

function day(name: string, raw: string, endOfDay: boolean): Date {
  if (DATE.test(raw)) {
    const d = new Date(`${raw}T00:00:00Z`);
    if (!Number.isNaN(d.getTime()) && d.toISOString().startsWith(raw)) return endOfDay ? new Date(d.getTime() + 86_400_000) : d;
  } else if (DATE_TIME.test(raw)) {
    const d = new Date(raw);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw badRequest(`${name} must be a date YYYY-MM-DD or an ISO 8601 date-time with a time zone`, name);
}

/** Parses the raw query of an export request. */
export function parseFsmaQuery(query: Record<string, unknown>, opts: { allowFormat?: string[] } = {}): FsmaQuery {
  const formats = opts.allowFormat ?? ['csv', 'xlsx'];
  const q: FsmaQuery = { format: formats[0] as 'csv' };
  for (const [name, value] of Object.entries(query)) {
    if (typeof value !== 'string' || value === '') throw badRequest(`${name} must be given once, with a value`, name);
    switch (name) {
      case 'format':
        if (!formats.includes(value)) throw badRequest(`format must be one of ${formats.join(', ')}`, name);
        q.format = value as 'csv';
        break;
      case 'tlc': {
        const items = value.split(',').map((s) => s.trim());
        if (items.length > MAX_TLCS) throw badRequest(`tlc takes at most ${MAX_TLCS} lot codes`, name);
        q.tlcs = items.map((s) => {
          const m = TLC.exec(s);
          if (!m) throw badRequest(`tlc: "${s}" is not <GTIN-14>/<lot code>`, name);
          return { gtin: m[1], lotCode: m[2] };
        });
        break;
      }
      case 'from':
        q.from = day(name, value, false);
        break;
      case 'to':
        q.to = day(name, value, true);
        break;
      default:
        throw badRequest(`unknown query parameter ${name}`, name);
    }
  }
  if (q.from && q.to && q.from >= q.to) throw badRequest('from must be before to', 'from');
  return q;
}
