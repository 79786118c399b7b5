/**
 * What a search string names: a lot (GTIN + lot as `gtin/lot`, a GS1 Digital
 * Link `…/01/<gtin>/10/<lot>`, a GS1 element string `(01)…(10)…` or a raw
 * barcode `01<gtin>10<lot>`), or something the indexer resolves (SSCC,
 * shipment, purchase order, transaction id).
 */
import { LOT_CODE } from '../../../lib/domain/src';

export type SearchTarget = { kind: 'lot'; gtin: string; lotCode: string } | { kind: 'other'; q: string };

const GS = '\u001d';
/** `<gtin14>/<lot>`, the lot in the ledger's one lot-code alphabet. */
const SLASH = new RegExp(`^(\\d{14})\\/(${LOT_CODE.source.slice(1, -1)})$`);

export function parseSearch(input: string): SearchTarget {
  const q = input.trim();
  const slash = SLASH.exec(q);
  if (slash) return { kind: 'lot', gtin: slash[1], lotCode: slash[2] };
  const dl = /\/01\/(\d{14})\/10\/([^/?#]{1,60})/.exec(q);
  if (dl) return { kind: 'lot', gtin: dl[1], lotCode: decodeURIComponent(dl[2]) };
  const hri = /^\(01\)(\d{14})(?:\(\d{2,4}\)[^(]*)*?\(10\)([^(]{1,20})/.exec(q);
  if (hri) return { kind: 'lot', gtin: hri[1], lotCode: hri[2] };
  // Raw scan: 01 + GTIN, optional fixed-length AIs (11/13/15/17 dates), then 10 + lot up to a group separator.
  const raw = /^(?:\]C1|\]d2|\]Q3)?01(\d{14})((?:1[1357]\d{6})*)10([^\u001d]{1,20})/.exec(q.replace(/\s/g, GS));
  if (raw) return { kind: 'lot', gtin: raw[1], lotCode: raw[3] };
  return { kind: 'other', q };
}
