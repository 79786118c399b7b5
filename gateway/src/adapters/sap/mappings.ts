/**
 * SAP code mappings: plants / storage locations → GLN, materials → GTIN,
 * partners (ship-to, vendors) → GLN or MSP. An unmapped code is a 422 that
 * names the segment field and the code.
 */
import type { FieldError } from '../../../../lib/platform/src';

export interface SapMappings {
  /** `WERKS/LGORT` or `WERKS` → GLN (the more specific entry wins). */
  plants: Record<string, string>;
  /** MATNR → GTIN. */
  materials: Record<string, string>;
  /** Partner id (E1ADRM1 PARTNER_ID, E1EDKA1 PARTN) → GLN of their location. */
  partners?: Record<string, string>;
  /** Vendor partner id → supplier MSP id (purchase orders). */
  vendors?: Record<string, string>;
  /** Payment terms for purchase orders, which ORDERS05 does not carry. */
  paymentTerms?: Record<string, unknown>;
  /**
   * MATNR → the unit the product is counted in on the ledger (`base`, e.g.
   * `EA`) and how many base units one alternative unit holds (`per`, e.g.
   * `{"CS": "12"}`: one case is twelve each; `{"KGM": "4"}`: four each per kg).
   */
  units?: Record<string, { base: string; per?: Record<string, string> }>;
}

/** A posted unit the route checks against the product's unit on the ledger. */
export interface UnitCheck {
  gtin: string;
  unit: string;
  field: string;
}

/** Decimal string × decimal factor, exact to 3 places, or undefined when it is not. */
export function scaleQuantity(q: string, factor: string): string | undefined {
  const dec = (v: string) => {
    const m = /^(\d+)(?:\.(\d+))?$/.exec(v.trim());
    return m ? { n: BigInt(m[1] + (m[2] ?? '')), scale: (m[2] ?? '').length } : undefined;
  };
  const a = dec(q);
  const b = dec(factor);
  if (!a || !b || b.n === 0n) return undefined;
  const n = a.n * b.n;
  const scale = a.scale + b.scale;
  const milli = scale <= 3 ? n * 10n ** BigInt(3 - scale) : n % 10n ** BigInt(scale - 3) === 0n ? n / 10n ** BigInt(scale - 3) : undefined;
  if (milli === undefined) return undefined;
  const frac = (milli % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
  return `${milli / 1000n}${frac ? `.${frac}` : ''}`;
}

/** Collects unmapped-code errors while mapping a whole document. */
export function createMapper(m: SapMappings) {
  const errors: FieldError[] = [];
  const unitChecks: UnitCheck[] = [];
  const strip = (code: string | undefined) => code?.replace(/^0+(?=\d)/, '');
  const miss = (field: string, what: string, code: string | undefined) => {
    errors.push({ field, message: code ? `${what} ${code} has no mapping` : 'is required' });
    return '';
  };
  return {
    errors,
    unitChecks,
    /**
     * A posted quantity in the product's unit: as posted when the unit is the
     * material's base unit, converted through `units[MATNR].per`, or an error
     * naming the unit field. The unit it ends up in is checked on the ledger.
     */
    quantity(it: { material?: string; unit?: string; fields: { unit: string; material: string } }, q: string): string {
      if (!it.unit) return q;
      const gtin = this.material(it.material, it.fields.material);
      const conv = it.material ? (m.units?.[it.material] ?? m.units?.[strip(it.material) ?? '']) : undefined;
      if (!conv || conv.base === it.unit) {
        unitChecks.push({ gtin, unit: it.unit, field: it.fields.unit });
        return q;
      }
      const factor = conv.per?.[it.unit];
      if (!factor) {
        errors.push({ field: it.fields.unit, message: `unit ${it.unit} of material ${it.material} has no conversion to ${conv.base} in the unit mappings` });
        return q;
      }
      const converted = scaleQuantity(q, factor);
      if (converted === undefined) errors.push({ field: it.fields.unit, message: `${q} ${it.unit} is not a whole number of thousandths of ${conv.base}` });
      unitChecks.push({ gtin, unit: conv.base, field: it.fields.unit });
      return converted ?? q;
    },
    plant(werks: string | undefined, lgort: string | undefined, field: string): string {
      if (!werks) return miss(field, 'plant', werks);
      return m.plants[`${werks}/${lgort ?? ''}`] ?? m.plants[werks] ?? miss(field, 'plant/storage location', lgort ? `${werks}/${lgort}` : werks);
    },
    material(matnr: string | undefined, field: string): string {
      // SAP pads numeric material numbers with leading zeros; accept either form.
      const key = matnr?.replace(/^0+(?=\d)/, '');
      return (matnr && (m.materials[matnr] ?? (key ? m.materials[key] : undefined))) || miss(field, 'material', matnr);
    },
    partner(id: string | undefined, field: string): string {
      return (id && m.partners?.[id]) || miss(field, 'partner', id);
    },
    vendor(id: string | undefined, field: string): string {
      return (id && m.vendors?.[id]) || miss(field, 'vendor', id);
    },
  };
}
