/**
 * What a despatch advice says besides its lines: the purchase order it
 * answers (linked when that order is on the ledger, kept as the sender's
 * reference otherwise), handling units (SSCC, within the sender's GS1 company prefixes) with their contents, document
 * dates, weights, and the batches' production and expiry dates, which go onto
 * the lot. A date that differs from one the lot already has is refused:
 * facts are corrected by new facts, never overwritten.
 */
import { requireLot } from './access';
import { fail } from './errors';
import { gs1CheckDigit } from './gs1';
import { assertOwnKey } from './identifier-rules';
import type { Input } from './input';
import { OBJECT_TYPES } from './keys';
import { formatQuantity } from './quantity';
import type { TxEnv } from './tx-env';
import type { LotRecord, ShipmentRecord } from './types';

const SSCC = /^\d{18}$/;
const WEIGHT = /^\d{1,12}(\.\d{1,3})?$/;

export type ShipmentDetails = Pick<ShipmentRecord, 'poId' | 'poReference' | 'handlingUnits' | 'dates' | 'weights'>;

/** Reads the optional details of CreateShipment; `lines` are the shipment's lines already read. */
export async function readShipmentDetails(env: TxEnv, input: Input, lines: { gtin: string; lotCode: string }[]): Promise<ShipmentDetails> {
  const out: ShipmentDetails = {};
  const ref = input.optId('poReference');
  if (ref) {
    if (await env.ledger.exists(env.ledger.key(OBJECT_TYPES.po, [ref]))) out.poId = ref;
    else out.poReference = ref;
  }
  if (input.has('handlingUnits')) {
    const seen = new Set<string>();
    out.handlingUnits = input.list('handlingUnits', 0, 1000).map((hu) => {
      const sscc = hu.str('sscc', { pattern: SSCC, hint: 'must be an 18-digit SSCC' });
      if (gs1CheckDigit(sscc.slice(0, 17)) !== Number(sscc[17])) throw fail.invalid(hu.at('sscc'), 'has a wrong check digit');
      if (seen.has(sscc)) throw fail.invalid(hu.at('sscc'), `SSCC ${sscc} appears more than once`);
      // The sender builds the handling units, so their SSCCs come from its own GS1 company prefixes.
      assertOwnKey(env, 'SSCC', sscc, hu.at('sscc'), 'ship handling unit');
      seen.add(sscc);
      const contents = hu.list('contents', 0, 500).map((c) => {
        const gtin = c.gtin('gtin');
        const lotCode = c.lotCode('lotCode');
        if (!lines.some((l) => l.gtin === gtin && l.lotCode === lotCode))
          throw fail.invalid(c.at('lotCode'), `batch ${gtin}/${lotCode} is not a line of this shipment`);
        return { gtin, lotCode, quantity: formatQuantity(c.quantity('quantity')) };
      });
      return { sscc, contents };
    });
  }
  if (input.has('dates')) {
    out.dates = input.list('dates', 0, 20).map((d) => ({
      qualifier: d.str('qualifier', { max: 8 }),
      ...(d.optDate('planned') ? { planned: d.optDate('planned') } : {}),
      ...(d.optDate('actual') ? { actual: d.optDate('actual') } : {}),
    }));
  }
  const w = input.optObj('weights');
  if (w) {
    const weight = (n: string) => w.optStr(n, { pattern: WEIGHT, hint: 'must be a decimal with at most 3 places' });
    out.weights = { gross: weight('gross'), net: weight('net'), unit: w.str('unit', { max: 8 }) };
  }
  return out;
}

/**
 * Puts each line's `productionDate` / `expiryDate` onto its lot. A lot
 * without the date gets it; the same date is a no-op; a different one is
 * INVALID_ARGUMENT on the line's date field.
 */
export async function applyLotDates(env: TxEnv, input: Input): Promise<void> {
  for (const l of input.list('lines', 1, 500)) {
    const dates = { productionDate: l.optDate('productionDate'), expiryDate: l.optDate('expiryDate') };
    if (!dates.productionDate && !dates.expiryDate) continue;
    const gtin = l.gtin('gtin');
    const lotCode = l.lotCode('lotCode');
    const lot = await requireLot(env, gtin, lotCode, l.at('lotCode'));
    const next: LotRecord = { ...lot };
    for (const k of ['productionDate', 'expiryDate'] as const) {
      const given = dates[k];
      if (!given) continue;
      if (lot[k] && lot[k] !== given) throw fail.invalid(l.at(k), `lot ${gtin}/${lotCode} has ${k} ${lot[k]}; ${given} conflicts with it`);
      next[k] = given;
    }
    if (next.productionDate !== lot.productionDate || next.expiryDate !== lot.expiryDate)
      await env.ledger.put(env.ledger.key(OBJECT_TYPES.lot, [gtin, lotCode]), next);
  }
}
