/**
 * Reads the FSMA 204 critical tracking events from the read model in record
 * order, in batches (keyset paging), and maps each lot of each event to one
 * spreadsheet row with every key data element.
 */
import type { Pool } from 'pg';
import { FSMA_COLUMNS, NOT_APPLICABLE, NOT_RECORDED, type FsmaRow } from './fsma-columns';
import { tlcClass, type FsmaQuery } from './fsma-params';
import { gs1CheckDigit } from '../../../../lib/domain/src';
import { VISIBLE } from '../visibility';

/** Events read per SQL statement. */
export const BATCH_EVENTS = 5000;

/** Sales to consumers (and their returns), booked per store or rolled up per region, are not FSMA 204 events. */
const EVENT_FILTER = `te.biz_step IN ('commissioning', 'shipping', 'receiving')
     AND NOT (te.document ? 'errorDeclaration')
     AND (te.event_type = 'TransformationEvent' OR (te.event_type = 'ObjectEvent' AND (te.biz_step <> 'commissioning' OR te.document->>'action' = 'ADD')))
     AND COALESCE(te.document->'ct:ledger'->>'function', '') NOT IN ('RecordSales', 'RecordRegionSales')`;

/** Master data the rows refer to, read once per export (locations and products are few; lots are joined in SQL). */
export interface MasterData {
  bySgln: Map<string, LocationJson>;
  byGln: Map<string, LocationJson>;
  products: Map<string, { description: string; unit: string }>;
  /** eventID → reason of its first error declaration. */
  errors: Map<string, string>;
}

/** Loads {@link MasterData}. */
export async function loadMasterData(pool: Pool): Promise<MasterData> {
  const [w, p, e] = await Promise.all([
    pool.query('SELECT gln, name, sgln, address FROM warehouses'),
    pool.query('SELECT gtin, description, unit FROM inventory_items'),
    pool.query(`SELECT epcis_event_id, document->'errorDeclaration'->>'reason' AS reason FROM trace_events
                 WHERE document @> '{"ct:ledger":{"function":"DeclareError"}}' AND document ? 'errorDeclaration' ORDER BY block_number DESC, tx_index DESC`),
  ]);
  const md: MasterData = { bySgln: new Map(), byGln: new Map(), products: new Map(), errors: new Map() };
  for (const r of w.rows) {
    md.bySgln.set(r.sgln, r);
    md.byGln.set(r.gln, r);
  }
  for (const r of p.rows) md.products.set(r.gtin, r);
  for (const r of e.rows) md.errors.set(r.epcis_event_id, r.reason ?? 'unspecified');
  return md;
}

/** Builds the batch statement for the query (parameters: filters, then the position, then the limit). */
export function batchStatement(q: FsmaQuery): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const p = (v: unknown) => `$${values.push(v)}`;
  const where = [EVENT_FILTER];
  if (q.from) where.push(`te.event_time >= ${p(q.from.toISOString())}::timestamptz`);
  if (q.to) where.push(`te.event_time < ${p(q.to.toISOString())}::timestamptz`);
  if (q.org !== undefined) where.push(VISIBLE.traceEvent('te', `${p(q.org)}::text`));
  if (q.tlcs) {
    const alts = q.tlcs.flatMap((t) =>
      ['quantityList', 'inputQuantityList', 'outputQuantityList'].map(
        (list) => `te.document @> ${p(JSON.stringify({ [list]: [{ epcClass: tlcClass(t) }] }))}::jsonb`,
      ),
    );
    where.push(`(${alts.join(' OR ')})`);
  }
  const pos = `(te.block_number, te.tx_index, te.seq) > ($${values.length + 1}::bigint, $${values.length + 2}::int, $${values.length + 3}::int)`;
  const limit = `$${values.length + 4}`;
  const text = `WITH ev AS (
  SELECT te.block_number, te.tx_index, te.seq, te.tx_id, te.epcis_event_id, te.event_type, te.event_time, te.biz_step, te.biz_location, te.document
    FROM trace_events te
   WHERE ${where.join('\n     AND ')}
     AND ${pos}
   ORDER BY te.block_number, te.tx_index, te.seq
   LIMIT ${limit}
)
SELECT ev.block_number, ev.tx_index, ev.seq, ev.tx_id, ev.epcis_event_id, ev.event_type, ev.event_time, ev.biz_step, ev.biz_location,
       q.elem->>'epcClass' AS epc_class, q.elem->>'quantity' AS quantity, q.elem->>'uom' AS uom,
       l.gtin, l.lot_code, l.commissioned_gln, s.from_sgln, d.to_sgln,
       ev.document->'bizTransactionList' AS biz_tx, ev.document->'ct:ledger'->'detail'->>'shipmentId' AS shipment_id, inp.inputs
  FROM ev
  LEFT JOIN LATERAL jsonb_array_elements(CASE WHEN ev.event_type = 'TransformationEvent' THEN ev.document->'outputQuantityList' ELSE ev.document->'quantityList' END)
       WITH ORDINALITY AS q(elem, ord) ON true
  LEFT JOIN lots l ON l.epc_class = q.elem->>'epcClass'
  CROSS JOIN LATERAL (SELECT jsonb_path_query_first(ev.document, '$.sourceList[*] ? (@.type == "location").source') #>> '{}' AS from_sgln) s
  CROSS JOIN LATERAL (SELECT jsonb_path_query_first(ev.document, '$.destinationList[*] ? (@.type == "location").destination') #>> '{}' AS to_sgln) d
  LEFT JOIN LATERAL (
    SELECT jsonb_agg(jsonb_build_object('c', y.x->>'epcClass', 'q', y.x->>'quantity', 'u', y.x->>'uom', 'g', il.gtin, 'l', il.lot_code) ORDER BY y.o) AS inputs
      FROM jsonb_array_elements(ev.document->'inputQuantityList') WITH ORDINALITY AS y(x, o)
      LEFT JOIN lots il ON il.epc_class = y.x->>'epcClass'
     WHERE ev.event_type = 'TransformationEvent'
  ) inp ON true
 ORDER BY ev.block_number, ev.tx_index, ev.seq, q.ord`;
  return { text, values };
}

/** GS1 mod-10 check digit of a digit string. */
function checkDigit(body: string): string {
  return String(gs1CheckDigit(body));
}

/** GLN of an SGLN URI (`urn:epc:id:sgln:<prefix>.<ref>.<ext>`), or undefined. */
export function glnOfSgln(sgln: string | null | undefined): string | undefined {
  const m = /^urn:epc:id:sgln:(\d+)\.(\d*)\./.exec(sgln ?? '');
  if (!m || m[1].length + m[2].length !== 12) return undefined;
  return m[1] + m[2] + checkDigit(m[1] + m[2]);
}

interface LocationJson {
  gln: string;
  name: string;
  address: Record<string, string | undefined>;
}

function locationCells(prefix: string, loc: LocationJson | null, sgln: string | null | undefined, out: FsmaRow): void {
  const a = loc?.address ?? {};
  const v = (s: string | undefined) => (s && s.trim() !== '' ? s : NOT_RECORDED);
  out[`${prefix}.gln`] = loc?.gln ?? glnOfSgln(sgln) ?? NOT_RECORDED;
  out[`${prefix}.name`] = v(loc?.name);
  out[`${prefix}.street`] = v(a.line1);
  out[`${prefix}.city`] = v(a.city);
  out[`${prefix}.state`] = v(a.region);
  out[`${prefix}.zip`] = v(a.postalCode);
  out[`${prefix}.country`] = v(a.country);
  out[`${prefix}.phone`] = v(a.phone);
}

function notApplicable(prefix: string, out: FsmaRow): void {
  for (const c of FSMA_COLUMNS) if (c.key.startsWith(`${prefix}.`)) out[c.key] = NOT_APPLICABLE;
}

const DOC_TYPES: Record<string, string> = { bol: 'BOL', desadv: 'ASN', po: 'PO', prodorder: 'WO' };
const CTE: Record<string, [string, string]> = {
  IPK: ['IPK', 'Initial packing'],
  TRF: ['TRF', 'Transformation'],
  SHP: ['SHP', 'Shipping'],
  RCV: ['RCV', 'Receiving'],
};

/** The document id inside a CBV business-transaction URI `urn:epcglobal:cbv:bt:<gln>:<id>`. */
function docNumber(uri: string): string {
  const m = /^urn:epcglobal:cbv:bt:\d{13}:(.+)$/.exec(uri);
  return m ? m[1] : uri;
}

/** Product and lot of a Digital Link lot class when the lot is not in the read model. */
function lotOfClass(epcClass: string): { gtin: string; lotCode: string } {
  const m = /\/01\/(\d{14})\/10\/([^/?#]+)/.exec(epcClass);
  return m ? { gtin: m[1], lotCode: decodeURIComponent(m[2]) } : { gtin: NOT_RECORDED, lotCode: epcClass };
}

/** Maps one joined SQL row to a spreadsheet row. */
export function toFsmaRow(r: any, md: MasterData): FsmaRow {
  const kind = r.event_type === 'TransformationEvent' ? 'TRF' : r.biz_step === 'commissioning' ? 'IPK' : r.biz_step === 'shipping' ? 'SHP' : 'RCV';
  const time = (r.event_time instanceof Date ? r.event_time : new Date(r.event_time)).toISOString();
  const lot = r.gtin ? { gtin: r.gtin as string, lotCode: r.lot_code as string } : lotOfClass(r.epc_class);
  const product = md.products.get(lot.gtin);
  const at = (sgln: string | null | undefined) => (sgln ? (md.bySgln.get(sgln) ?? null) : null);
  const loc = at(r.biz_location);
  const out: FsmaRow = {
    cte: CTE[kind][0],
    cteDescription: CTE[kind][1],
    eventDate: time.slice(0, 10),
    eventTime: time,
    tlc: `${lot.gtin}/${lot.lotCode}`,
    gtin: lot.gtin,
    lotCode: lot.lotCode,
    product: product?.description ?? NOT_RECORDED,
    quantity: r.quantity === null ? NOT_RECORDED : Number(r.quantity),
    unit: r.uom ?? product?.unit ?? NOT_RECORDED,
  };
  locationCells('loc', loc, r.biz_location, out);
  if (kind === 'SHP') {
    locationCells('from', at(r.from_sgln) ?? loc, r.from_sgln ?? r.biz_location, out);
    locationCells('to', at(r.to_sgln), r.to_sgln, out);
  } else if (kind === 'RCV') {
    locationCells('from', at(r.from_sgln), r.from_sgln, out);
    locationCells('to', at(r.to_sgln) ?? loc, r.to_sgln ?? r.biz_location, out);
  } else {
    notApplicable('from', out);
    notApplicable('to', out);
  }
  out.tlcSourceGln = r.commissioned_gln ?? NOT_RECORDED;
  out.tlcSourceName = md.byGln.get(r.commissioned_gln)?.name ?? NOT_RECORDED;
  out.inputs =
    kind === 'TRF'
      ? (r.inputs ?? [])
          .map((x: any) => {
            const l = x.g ? { gtin: x.g, lotCode: x.l } : lotOfClass(x.c);
            return `${l.gtin}/${l.lotCode}; ${md.products.get(l.gtin)?.description ?? NOT_RECORDED}; ${x.q ?? NOT_RECORDED} ${x.u ?? ''}`.trim();
          })
          .join(' | ') || NOT_RECORDED
      : NOT_APPLICABLE;
  const docs = ((r.biz_tx ?? []) as Array<{ type?: string; bizTransaction: string }>).filter((b) => b.type && DOC_TYPES[b.type]);
  if (docs.length > 0) {
    out.refType = docs.map((b) => DOC_TYPES[b.type as string]).join('; ');
    out.refNumber = docs.map((b) => docNumber(b.bizTransaction)).join('; ');
  } else if (r.shipment_id) {
    out.refType = 'SHIPMENT';
    out.refNumber = r.shipment_id;
  } else {
    out.refType = 'LEDGER_TX';
    out.refNumber = r.tx_id;
  }
  out.txId = r.tx_id;
  out.blockNumber = Number(r.block_number);
  out.eventId = r.epcis_event_id;
  const error = md.errors.get(r.epcis_event_id);
  out.recordStatus = error ? `error declared: ${error}` : 'active';
  return out;
}

/** Yields the export's rows in record order, one batch of events at a time (the next batch is read while this one is written). */
export async function* fsmaRows(pool: Pool, q: FsmaQuery, batchEvents = BATCH_EVENTS): AsyncGenerator<FsmaRow[]> {
  const st = batchStatement(q);
  const wanted = q.tlcs ? new Set(q.tlcs.map(tlcClass)) : undefined;
  const md = await loadMasterData(pool);
  const read = (after: unknown[]) => pool.query(st.text, [...st.values, ...after, batchEvents]).then((r) => r.rows);
  let pending = read(['-1', 0, 0]);
  for (;;) {
    const rows = await pending;
    if (rows.length === 0) return;
    const last = rows[rows.length - 1];
    const events = new Set(rows.map((r) => `${r.block_number}/${r.tx_index}/${r.seq}`)).size;
    const more = events >= batchEvents;
    if (more) {
      pending = read([String(last.block_number), last.tx_index, last.seq]);
      pending.catch(() => undefined);
    }
    const out = rows
      .filter((r) => r.epc_class !== null && (!wanted || wanted.has(r.epc_class) || r.event_type === 'TransformationEvent'))
      .map((r) => toFsmaRow(r, md));
    if (out.length > 0) yield out;
    if (!more) return;
  }
}
