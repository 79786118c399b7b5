/**
 * Goods movements, whatever IDoc carries them: WMMBXY (E1MBXYI items) and
 * MBGMCR (BAPI_GOODSMVT_CREATE, E1BP2017_GM_ITEM_CREATE items) are read into
 * the same movement items, and one function maps items to ledger commands
 * by movement type. Errors name the field as the sending format spells it.
 */
import type { FieldError } from '../../http/problem';
import type { LedgerCommand } from '../../submission/command';
import { asArray, textOf } from '../xml/safe-xml';
import type { createMapper } from './mappings';

type Seg = Record<string, unknown>;
type Mapper = ReturnType<typeof createMapper>;
const t = (s: Seg | undefined, name: string) => (s ? textOf(s[name]) : undefined);

/** SAP quantities: "10.000", " 5", "1,5" → decimal string with ≤3 places. */
export function qty(raw: string | undefined, field: string, errors: FieldError[]): string {
  const v = (raw ?? '').trim().replace(',', '.');
  const m = /^(-?)(\d{1,15})(?:\.(\d+))?$/.exec(v);
  if (!m || (m[3] && /[1-9]/.test(m[3].slice(3)))) {
    errors.push({ field, message: `quantity "${raw ?? ''}" is not a decimal with at most 3 places` });
    return '0';
  }
  return `${m[2]}${m[3] ? `.${m[3].slice(0, 3)}` : ''}`;
}

/** One goods-movement item, independent of the IDoc type it came in. */
export interface MovementItem {
  eventId: string;
  moveType?: string;
  material?: string;
  plant?: string;
  stgeLoc?: string;
  batch?: string;
  quantity?: string;
  /** Receiving plant / storage location (transfers). */
  movePlant?: string;
  moveStloc?: string;
  /** Delivery reference (WMMBXY XBLNR, MBGMCR REF_DOC_NO): the shipment is `DESADV-<ref>`. */
  deliveryRef?: string;
  /** Material document and item a 102 reverses. */
  reversedDoc?: string;
  reversedItem?: string;
  /** Production order (WMMBXY AUFNR, MBGMCR ORDERID): a 261 issues to it, a 101 receives from it. */
  order?: string;
  /** Full field paths for error messages, in the sender's names. */
  fields: Record<'moveType' | 'material' | 'plant' | 'quantity' | 'movePlant' | 'deliveryRef' | 'reversedDoc' | 'order', string>;
}

export const SUPPORTED_MOVEMENT_TYPES = ['101', '102', '261', '301', '311', '351', '551', '601', '641', '701', '702'];

/** WMMBXY (WMMBID02): E1MBXYH header with E1MBXYI items. */
export function wmmbxyItems(idoc: Seg, at: string, docnum: string, errors: FieldError[]): MovementItem[] {
  const hdr = idoc.E1MBXYH as Seg | undefined;
  const items = asArray(hdr?.E1MBXYI as Seg[] | undefined);
  if (items.length === 0) errors.push({ field: `${at}.E1MBXYH.E1MBXYI`, message: 'at least one item is required' });
  const mblnr = t(hdr, 'MBLNR');
  return items.map((it, i) => {
    const f = `${at}.E1MBXYH.E1MBXYI[${i}]`;
    return {
      // Keyed by material document when present, so a later 102 can name the 101 it reverses.
      eventId: mblnr ? `sap-mb-${mblnr}-${t(it, 'ZEILE') ?? i + 1}` : `sap-${docnum}-${i + 1}`,
      moveType: t(it, 'BWART'), material: t(it, 'MATNR'), plant: t(it, 'WERKS'), stgeLoc: t(it, 'LGORT'), batch: t(it, 'CHARG'), quantity: t(it, 'ERFMG'),
      movePlant: t(it, 'UMWRK'), moveStloc: t(it, 'UMLGO'), deliveryRef: t(hdr, 'XBLNR'), reversedDoc: t(it, 'SMBLN'), reversedItem: t(it, 'SMBLP'), order: t(it, 'AUFNR'),
      fields: { moveType: `${f}.BWART`, material: `${f}.MATNR`, plant: `${f}.WERKS`, quantity: `${f}.ERFMG`, movePlant: `${f}.UMWRK`, deliveryRef: `${at}.E1MBXYH.XBLNR`, reversedDoc: `${f}.SMBLN`, order: `${f}.AUFNR` },
    };
  });
}

/**
 * MBGMCR: E1BP2017_GM_HEAD_01 header and E1BP2017_GM_ITEM_CREATE items,
 * either directly under IDOC or under the E1MBGMCR root segment. No material
 * document exists yet, so event ids come from the IDoc number; a 102 names
 * the receipt it reverses with REF_DOC / REF_DOC_IT.
 */
export function mbgmcrItems(idoc: Seg, at: string, docnum: string, errors: FieldError[]): MovementItem[] {
  const root = (idoc.E1MBGMCR as Seg | undefined) ?? idoc;
  const base = root === idoc ? at : `${at}.E1MBGMCR`;
  const hdr = root.E1BP2017_GM_HEAD_01 as Seg | undefined;
  const items = asArray(root.E1BP2017_GM_ITEM_CREATE as Seg[] | undefined);
  if (items.length === 0) errors.push({ field: `${base}.E1BP2017_GM_ITEM_CREATE`, message: 'at least one item is required' });
  return items.map((it, i) => {
    const f = `${base}.E1BP2017_GM_ITEM_CREATE[${i}]`;
    return {
      eventId: `sap-${docnum}-${i + 1}`,
      moveType: t(it, 'MOVE_TYPE'), material: t(it, 'MATERIAL'), plant: t(it, 'PLANT'), stgeLoc: t(it, 'STGE_LOC'), batch: t(it, 'BATCH'), quantity: t(it, 'ENTRY_QNT'),
      movePlant: t(it, 'MOVE_PLANT'), moveStloc: t(it, 'MOVE_STLOC'), deliveryRef: t(hdr, 'REF_DOC_NO'), reversedDoc: t(it, 'REF_DOC'), reversedItem: t(it, 'REF_DOC_IT'), order: t(it, 'ORDERID'),
      fields: { moveType: `${f}.MOVE_TYPE`, material: `${f}.MATERIAL`, plant: `${f}.PLANT`, quantity: `${f}.ENTRY_QNT`, movePlant: `${f}.MOVE_PLANT`, deliveryRef: `${base}.E1BP2017_GM_HEAD_01.REF_DOC_NO`, reversedDoc: `${f}.REF_DOC`, order: `${f}.ORDERID` },
    };
  });
}

/** A production issue (261) or a receipt from a production order (101 with an order number). */
const isProduction = (it: MovementItem) => it.moveType === '261' || (it.moveType === '101' && !!it.order);

/**
 * Production: the 261 issues and the 101 receipts of one production order in
 * the document become one TransformLots (inputs consumed, outputs produced
 * with lineage). The contract records consumption only with what it produced,
 * so a 261 without its order's 101 in the same document (or the reverse) is
 * refused, naming the item.
 */
function productionToCommands(items: MovementItem[], map: Mapper, errors: FieldError[]): LedgerCommand[] {
  const byOrder = new Map<string, MovementItem[]>();
  for (const it of items) {
    if (!it.order) {
      errors.push({ field: it.fields.order, message: 'a production issue (261) must name its production order' });
      continue;
    }
    byOrder.set(it.order, [...(byOrder.get(it.order) ?? []), it]);
  }
  const out: LedgerCommand[] = [];
  for (const [order, group] of byOrder) {
    const issues = group.filter((i) => i.moveType === '261');
    const receipts = group.filter((i) => i.moveType === '101');
    if (issues.length === 0 || receipts.length === 0) {
      const lone = (issues[0] ?? receipts[0]).fields.moveType;
      errors.push({ field: lone, message: `production order ${order} needs both its issues (261) and its receipt (101) in the same document` });
      continue;
    }
    const line = (it: MovementItem) => ({ gtin: map.material(it.material, it.fields.material), lotCode: it.batch ?? '', quantity: qty(it.quantity, it.fields.quantity, errors) });
    const gln = map.plant(receipts[0].plant, receipts[0].stgeLoc, receipts[0].fields.plant);
    for (const it of [...issues, ...receipts]) {
      if (it.plant !== receipts[0].plant) errors.push({ field: it.fields.plant, message: `production order ${order} moves stock at plant ${receipts[0].plant}, not ${it.plant}` });
    }
    out.push({ fn: 'TransformLots', body: { eventId: `${receipts[0].eventId}-prod-${order}`, gln, workOrder: order, inputs: issues.map(line), outputs: receipts.map(line) } });
  }
  return out;
}

/** Maps movement items to commands by movement type; problems go to `errors`. */
export function movementsToCommands(items: MovementItem[], map: Mapper, errors: FieldError[]): LedgerCommand[] {
  const out: LedgerCommand[] = productionToCommands(items.filter(isProduction), map, errors);
  for (const it of items.filter((i) => !isProduction(i))) {
    const { eventId, fields: f } = it;
    const bwart = it.moveType ?? '';
    const line = () => ({ gtin: map.material(it.material, f.material), lotCode: it.batch ?? '', quantity: qty(it.quantity, f.quantity, errors) });
    const gln = () => map.plant(it.plant, it.stgeLoc, f.plant);
    const shipmentId = `DESADV-${it.deliveryRef}`;
    const needRef = () => it.deliveryRef || errors.push({ field: f.deliveryRef, message: `is required for movement type ${bwart} (delivery reference)` });
    switch (bwart) {
      case '101':
        needRef();
        out.push({ fn: 'ReceiveShipment', body: { eventId, shipmentId }, endorsement: { kind: 'shipment', shipmentId } });
        break;
      case '102':
        // The reversal declares the reversed receipt's event erroneous (facts are corrected, never edited).
        if (!it.reversedDoc) errors.push({ field: f.reversedDoc, message: 'the reversed material document is required for movement type 102' });
        out.push({ fn: 'DeclareError', body: { eventId, targetEventId: `sap-mb-${it.reversedDoc}-${it.reversedItem ?? 1}`, reason: 'did_not_occur' } });
        break;
      case '351': case '641': case '601':
        needRef();
        out.push({ fn: 'DispatchShipment', body: { eventId, shipmentId }, endorsement: { kind: 'shipment', shipmentId } });
        break;
      case '301': case '311': {
        const toGln = map.plant(it.movePlant ?? it.plant, it.moveStloc, f.movePlant);
        out.push({ fn: 'TransferStock', body: { eventId, fromGln: gln(), toGln, lines: [line()] } });
        break;
      }
      case '551': {
        const l = line();
        out.push({ fn: 'AdjustStock', body: { eventId, gln: gln(), reason: 'waste', lines: [{ gtin: l.gtin, lotCode: l.lotCode, delta: `-${l.quantity}` }] } });
        break;
      }
      case '701': case '702': {
        const l = line();
        out.push({ fn: 'AdjustStock', body: { eventId, gln: gln(), reason: 'count_difference', lines: [{ gtin: l.gtin, lotCode: l.lotCode, delta: `${bwart === '702' ? '-' : ''}${l.quantity}` }] } });
        break;
      }
      default:
        errors.push({ field: f.moveType, message: `movement type ${bwart || '(missing)'} is not supported (supported: ${SUPPORTED_MOVEMENT_TYPES.join(', ')})` });
    }
  }
  return out;
}
