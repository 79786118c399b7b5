/**
 * IDoc-XML → ledger commands. DESADV (DELVRY05/07) creates shipments;
 * WMMBXY and MBGMCR goods movements map by movement type (movements.ts);
 * ORDERS05 creates purchase orders. Unsupported message or movement types
 * are a 422 naming them.
 */
import { invalidInput, type FieldError } from '../../../../lib/platform/src';
import type { DocumentCommand } from '../document/document-runner';
import { asArray, parseSafeXml, textOf } from '../xml/safe-xml';
import { createMapper, type SapMappings, type UnitCheck } from './mappings';
import { mbgmcrItems, movementsToCommands, qty, wmmbxyItems } from './movements';
import { TX } from '../../../../lib/domain/src';

type Seg = Record<string, unknown>;

/** SAP dates (YYYYMMDD; 00000000 = none) as ISO dates. */
export function sapDate(raw: string | undefined, field: string, errors: FieldError[]): string | undefined {
  if (!raw || /^0+$/.test(raw)) return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(raw);
  const iso = m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
  if (!iso || Number.isNaN(Date.parse(`${iso}T00:00:00Z`)) || new Date(`${iso}T00:00:00Z`).toISOString().slice(0, 10) !== iso) {
    errors.push({ field, message: `date "${raw}" is not a date in SAP form YYYYMMDD` });
    return undefined;
  }
  return iso;
}
const t = (s: Seg | undefined, name: string) => (s ? textOf(s[name]) : undefined);

/** A mapped IDoc document: its ledger transactions in order, and the posted units to check on the ledger. */
export interface MappedIdoc {
  commands: DocumentCommand[];
  unitChecks: UnitCheck[];
}

/** Reads every IDOC of a document and maps it to commands (all-or-nothing). */
export function idocToCommands(xml: string, mappings: SapMappings): MappedIdoc {
  const doc = parseSafeXml(xml, {
    arrays: ['IDOC', 'E1EDL24', 'E1EDL37', 'E1EDL44', 'E1EDT13', 'E1ADRM1', 'E1MBXYI', 'E1BP2017_GM_ITEM_CREATE', 'E1EDP01', 'E1EDP19', 'E1EDK02', 'E1EDKA1'],
  });
  const root = Object.values(doc).find((v) => v && typeof v === 'object' && 'IDOC' in (v as object)) as Seg | undefined;
  const idocs = asArray(root?.IDOC as Seg[] | undefined);
  if (idocs.length === 0)
    throw invalidInput([{ field: 'IDOC', message: 'no IDOC element found (root element named after the basic type)' }], 422, 'UNSUPPORTED_DOCUMENT');
  const map = createMapper(mappings);
  const errors = map.errors;
  const commands: DocumentCommand[] = [];
  idocs.forEach((idoc, n) => {
    const dc = idoc.EDI_DC40 as Seg | undefined;
    const type = t(dc, 'IDOCTYP') ?? '';
    const mestyp = t(dc, 'MESTYP') ?? '';
    const docnum = t(dc, 'DOCNUM') ?? String(n);
    const at = `IDOC[${n}]`;
    if (/^DELVRY0[57]$/.test(type)) commands.push(...desadv(idoc, at, docnum));
    else if (mestyp === 'WMMBXY' || type === 'WMMBID02') commands.push(...movementsToCommands(wmmbxyItems(idoc, at, docnum, errors), map, errors));
    else if (mestyp === 'MBGMCR' || /^MBGMCR\d\d$/.test(type)) commands.push(...movementsToCommands(mbgmcrItems(idoc, at, docnum, errors), map, errors));
    else if (type === 'ORDERS05') commands.push(order(idoc, at, docnum));
    else
      errors.push({ field: `${at}.EDI_DC40.IDOCTYP`, message: `basic type ${type || '(missing)'} / message type ${mestyp || '(missing)'} is not supported` });
  });
  if (errors.length) throw invalidInput(errors, 422, 'UNMAPPED_CODE');
  return { commands, unitChecks: map.unitChecks };

  function desadv(idoc: Seg, at: string, docnum: string): DocumentCommand[] {
    const hdr = idoc.E1EDL20 as Seg | undefined;
    const vbeln = t(hdr, 'VBELN');
    if (!vbeln) errors.push({ field: `${at}.E1EDL20.VBELN`, message: 'is required' });
    const items = asArray(hdr?.E1EDL24 as Seg[] | undefined);
    if (items.length === 0) errors.push({ field: `${at}.E1EDL20.E1EDL24`, message: 'at least one item is required' });
    const shipTo = asArray(hdr?.E1ADRM1 as Seg[] | undefined).find((p) => t(p, 'PARTNER_Q') === 'WE');
    const toGln = map.partner(t(shipTo, 'PARTNER_ID'), `${at}.E1EDL20.E1ADRM1[PARTNER_Q=WE].PARTNER_ID`);
    const fromGln = map.plant(t(items[0], 'WERKS'), t(items[0], 'LGORT'), `${at}.E1EDL20.E1EDL24[0].WERKS`);
    const fields: Record<string, string> = {
      shipmentId: `${at}.E1EDL20.VBELN`,
      fromGln: `${at}.E1EDL20.E1EDL24[0].WERKS`,
      toGln: `${at}.E1EDL20.E1ADRM1[PARTNER_Q=WE].PARTNER_ID`,
    };
    const lines = items.map((it, i) => {
      const f = `${at}.E1EDL20.E1EDL24[${i}]`;
      Object.assign(fields, {
        [`lines[${i}]`]: f,
        [`lines[${i}].gtin`]: `${f}.MATNR`,
        [`lines[${i}].lotCode`]: `${f}.CHARG`,
        [`lines[${i}].quantity`]: `${f}.LFIMG`,
      });
      Object.assign(fields, { [`lines[${i}].expiryDate`]: `${f}.VFDAT`, [`lines[${i}].productionDate`]: `${f}.HSDAT`, [`lines[${i}].poItem`]: `${f}.VGPOS` });
      const expiryDate = sapDate(t(it, 'VFDAT'), `${f}.VFDAT`, errors);
      const productionDate = sapDate(t(it, 'HSDAT'), `${f}.HSDAT`, errors);
      const po = t(it, 'VGBEL');
      return {
        gtin: map.material(t(it, 'MATNR'), `${f}.MATNR`),
        lotCode: t(it, 'CHARG') ?? (errors.push({ field: `${f}.CHARG`, message: 'batch (lot) is required' }), ''),
        quantity: map.quantity(
          { material: t(it, 'MATNR'), unit: t(it, 'VRKME'), fields: { unit: `${f}.VRKME`, material: `${f}.MATNR` } },
          qty(t(it, 'LFIMG'), `${f}.LFIMG`, errors),
        ),
        ...(po ? { poItem: `${po}/${t(it, 'VGPOS') ?? ''}`.replace(/\/$/, '') } : {}),
        ...(expiryDate ? { expiryDate } : {}),
        ...(productionDate ? { productionDate } : {}),
      };
    });
    const pos = [...new Set(items.map((it) => t(it, 'VGBEL')).filter(Boolean))];
    const details = desadvDetails(hdr, items, lines, at, fields);
    return [
      {
        cmd: {
          fn: TX.CreateShipment,
          body: {
            eventId: `sap-${docnum}`,
            shipmentId: `DESADV-${vbeln}`,
            desadv: vbeln,
            fromGln,
            toGln,
            lines,
            ...(pos.length === 1 ? { poReference: pos[0] } : {}),
            ...details,
          },
          endorsement: { kind: 'parties', fromGln, toGln },
        },
        items: [`${at}.E1EDL20`],
        fields,
        defaultField: `${at}.E1EDL20.VBELN`,
      },
    ];
  }

  /** Handling units (E1EDL37 EXIDV with E1EDL44 contents), dates (E1EDT13) and weights (E1EDL20 BTGEW/NTGEW/GEWEI). */
  function desadvDetails(
    hdr: Seg | undefined,
    items: Seg[],
    lines: { gtin: string; lotCode: string }[],
    at: string,
    fields: Record<string, string>,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const byPosnr = new Map(items.map((it, i) => [t(it, 'POSNR')?.replace(/^0+/, ''), i]));
    const hus = asArray(hdr?.E1EDL37 as Seg[] | undefined);
    if (hus.length) {
      out.handlingUnits = hus.map((hu, h) => {
        const f = `${at}.E1EDL20.E1EDL37[${h}]`;
        fields[`handlingUnits[${h}].sscc`] = `${f}.EXIDV`;
        const contents = asArray(hu.E1EDL44 as Seg[] | undefined).map((c, k) => {
          const cf = `${f}.E1EDL44[${k}]`;
          Object.assign(fields, {
            [`handlingUnits[${h}].contents[${k}].lotCode`]: `${cf}.CHARG`,
            [`handlingUnits[${h}].contents[${k}].quantity`]: `${cf}.VEMNG`,
          });
          const i = byPosnr.get(t(c, 'POSNR')?.replace(/^0+/, ''));
          const line = i !== undefined ? lines[i] : { gtin: map.material(t(c, 'MATNR'), `${cf}.MATNR`), lotCode: t(c, 'CHARG') ?? '' };
          if (i === undefined && !t(c, 'MATNR'))
            errors.push({ field: `${cf}.POSNR`, message: `names no delivery item (E1EDL24 POSNR ${t(c, 'POSNR') ?? '(missing)'})` });
          return { gtin: line.gtin, lotCode: line.lotCode, quantity: qty(t(c, 'VEMNG'), `${cf}.VEMNG`, errors) };
        });
        return { sscc: (t(hu, 'EXIDV') ?? '').replace(/^00(?=\d{18}$)/, ''), contents };
      });
    }
    const dates = asArray(hdr?.E1EDT13 as Seg[] | undefined).map((d, k) => {
      const f = `${at}.E1EDL20.E1EDT13[${k}]`;
      const planned = sapDate(t(d, 'NTANF'), `${f}.NTANF`, errors);
      const actual = sapDate(t(d, 'ISDD'), `${f}.ISDD`, errors);
      return { qualifier: t(d, 'QUALF') ?? '', ...(planned ? { planned } : {}), ...(actual ? { actual } : {}) };
    });
    if (dates.length) out.dates = dates;
    const unit = t(hdr, 'GEWEI');
    if (unit)
      out.weights = {
        unit,
        ...(t(hdr, 'BTGEW') ? { gross: qty(t(hdr, 'BTGEW'), `${at}.E1EDL20.BTGEW`, errors) } : {}),
        ...(t(hdr, 'NTGEW') ? { net: qty(t(hdr, 'NTGEW'), `${at}.E1EDL20.NTGEW`, errors) } : {}),
      };
    fields.poReference = `${at}.E1EDL20.E1EDL24[0].VGBEL`;
    return out;
  }

  function order(idoc: Seg, at: string, docnum: string): DocumentCommand {
    const k01 = idoc.E1EDK01 as Seg | undefined;
    const poId =
      t(
        asArray(idoc.E1EDK02 as Seg[] | undefined).find((s) => t(s, 'QUALF') === '001'),
        'BELNR',
      ) ?? t(k01, 'BELNR');
    if (!poId) errors.push({ field: `${at}.E1EDK02[QUALF=001].BELNR`, message: 'purchase order number is required' });
    const lf = asArray(idoc.E1EDKA1 as Seg[] | undefined).find((p) => t(p, 'PARVW') === 'LF');
    const supplierMsp = map.vendor(t(lf, 'PARTN'), `${at}.E1EDKA1[PARVW=LF].PARTN`);
    const items = asArray(idoc.E1EDP01 as Seg[] | undefined);
    if (items.length === 0) errors.push({ field: `${at}.E1EDP01`, message: 'at least one item is required' });
    const lines = items.map((it, i) => {
      const mat = asArray(it.E1EDP19 as Seg[] | undefined).find((s) => t(s, 'QUALF') === '002') ?? asArray(it.E1EDP19 as Seg[] | undefined)[0];
      return { gtin: map.material(t(mat, 'IDTNR'), `${at}.E1EDP01[${i}].E1EDP19.IDTNR`), quantity: qty(t(it, 'MENGE'), `${at}.E1EDP01[${i}].MENGE`, errors) };
    });
    if (!mappings.paymentTerms)
      errors.push({ field: 'paymentTerms', message: 'ORDERS05 carries no crypto payment terms; configure sap.paymentTerms in the mappings' });
    return {
      cmd: { fn: TX.CreatePurchaseOrder, body: { eventId: `sap-${docnum}`, poId, supplierMsp, lines, paymentTerms: mappings.paymentTerms } },
      items: [`${at}.E1EDK01`],
      fields: { poId: `${at}.E1EDK02[QUALF=001].BELNR`, supplierMsp: `${at}.E1EDKA1[PARVW=LF].PARTN` },
      defaultField: `${at}.E1EDK02[QUALF=001].BELNR`,
    };
  }
}
