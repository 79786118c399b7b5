/**
 * SAP code mappings: plants / storage locations → GLN, materials → GTIN,
 * partners (ship-to, vendors) → GLN or MSP. An unmapped code is a 422 that
 * names the segment field and the code.
 */
import type { FieldError } from '../../http/problem';

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
}

/** Collects unmapped-code errors while mapping a whole document. */
export function createMapper(m: SapMappings) {
  const errors: FieldError[] = [];
  const miss = (field: string, what: string, code: string | undefined) => {
    errors.push({ field, message: code ? `${what} ${code} has no mapping` : 'is required' });
    return '';
  };
  return {
    errors,
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
