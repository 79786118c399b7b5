/**
 * Reading an event's fields into what the ledger takes: GLNs, lots with
 * quantities, business transactions, source/destination locations and ILMD
 * dates. Each reader reports a problem against the event's own field.
 */
import { bizTransactionToId, cbvShortName, epcClassToLot, locationToGln, quantityToDecimal } from '../../../../lib/domain/src';
import { CUSTOM_FORMATS } from '../../http/validation';
import type { EventMapping, MappedLot, QuantityElement } from './mapping-types';

const ILMD_DATES: Record<string, 'bestBeforeDate' | 'expiryDate'> = { bestBeforeDate: 'bestBeforeDate', itemExpirationDate: 'expiryDate' };

/** The field readers of one event. */
export function fieldReaders(m: EventMapping) {
  const gln = (f: string, uri: string | undefined, own: boolean): string | undefined => {
    if (uri === undefined) return void m.invalid(f, 'is required for this event');
    const c = locationToGln(uri);
    if (!c.ok) return void m.invalid(f, c.reason);
    m.plan.locations.push({ gln: c.value, own, field: m.at(f) });
    return c.value;
  };
  const lots = (f: string, list: QuantityElement[] | undefined, _epcs: string[] | undefined, _epcField: string): MappedLot[] => {
    if (!list) {
      m.invalid(f, 'is required for this event');
      return [];
    }
    const outLots: MappedLot[] = [];
    const seen = new Set<string>();
    list.forEach((q, j) => {
      const lot = epcClassToLot(q.epcClass);
      const qty = quantityToDecimal(q.quantity);
      if (!lot.ok) return void m.invalid(`${f}[${j}].epcClass`, lot.reason);
      if (!qty.ok) return void m.invalid(`${f}[${j}].quantity`, qty.reason);
      const key = `${lot.value.gtin}/${lot.value.lotCode}`;
      if (seen.has(key)) return void m.invalid(`${f}[${j}].epcClass`, `lot ${key} appears more than once`);
      seen.add(key);
      m.plan.products.push({ gtin: lot.value.gtin, uom: q.uom, field: m.at(`${f}[${j}]${q.uom ? '.uom' : '.epcClass'}`) });
      outLots.push({ ...lot.value, quantity: qty.value, field: m.at(`${f}[${j}]`) });
    });
    return outLots;
  };
  const bizTx = (types: string[]): { type: string; id: string } | undefined => {
    for (const t of types) {
      const k = (m.ev.bizTransactionList ?? []).findIndex((b) => b.type !== undefined && cbvShortName(b.type, 'btt') === t);
      if (k < 0) continue;
      const id = bizTransactionToId(m.ev.bizTransactionList![k].bizTransaction);
      if (!id.ok) return void m.invalid(`bizTransactionList[${k}].bizTransaction`, id.reason);
      return { type: t, id: id.value };
    }
    return undefined;
  };
  const typed = (list: Array<{ type: string; source?: string; destination?: string }> | undefined, name: string) => {
    const k = (list ?? []).findIndex((e) => cbvShortName(e.type, 'sdt') === 'location');
    return k < 0 ? undefined : { field: `${name}[${k}].${name === 'sourceList' ? 'source' : 'destination'}`, id: (list![k].source ?? list![k].destination)! };
  };
  const ilmdDates = () => {
    const dates: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.ev.ilmd ?? {})) {
      const name = ILMD_DATES[k.replace(/^cbvmda:/, '')];
      if (!name) continue;
      if (typeof v === 'string' && CUSTOM_FORMATS['iso-date'](v)) dates[name] = v;
      else m.invalid(`ilmd.${k}`, 'must be an ISO-8601 date');
    }
    return dates;
  };
  const lines = (l: MappedLot[]) => l.map(({ gtin, lotCode, quantity }) => ({ gtin, lotCode, quantity }));

  return { gln, lots, bizTx, typed, ilmdDates, lines };
}

/** The readers of one event (see {@link fieldReaders}). */
export type FieldReaders = ReturnType<typeof fieldReaders>;
