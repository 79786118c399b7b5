/**
 * Goods movements, whatever IDoc carries them: WMMBXY (E1MBXYI items) and
 * MBGMCR (BAPI_GOODSMVT_CREATE, E1BP2017_GM_ITEM_CREATE items) are read into
 * the same movement items, and one function maps items to ledger commands
 * by movement type. Errors name the field as the sending format spells it.
 */
import type { FieldError } from '../../../../lib/platform/src';
import type { DocumentCommand } from '../document/document-runner';
import { asArray, textOf } from '../xml/safe-xml';
import type { createMapper } from './mappings';
import { TX } from '../../../../lib/domain/src';

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
  /** Material document and item a reversal (102, 122, 202, 262, 602, 642) takes back. */
  reversedDoc?: string;
  reversedItem?: string;
  /** Production order (WMMBXY AUFNR, MBGMCR ORDERID): a 261 issues to it, a 101 receives from it. */
  order?: string;
  /** Posted unit (WMMBXY ERFME, MBGMCR ENTRY_UOM); absent = the product's unit. */
  unit?: string;
  /** Delivery completed (WMMBXY ELIKZ, MBGMCR NO_MORE_GR): this receipt closes the shipment. */
  complete?: boolean;
  /** The item's path in the document, e.g. `IDOC[0].E1MBXYH.E1MBXYI[2]`. */
  path: string;
  /** Full field paths for error messages, in the sender's names. */
  fields: Record<
    'moveType' | 'material' | 'plant' | 'batch' | 'quantity' | 'unit' | 'complete' | 'movePlant' | 'deliveryRef' | 'reversedDoc' | 'order',
    string
  >;
}

const flag = (v: string | undefined) => !!v && v !== '0' && v.toUpperCase() !== 'N' && v.toUpperCase() !== 'FALSE';

export const SUPPORTED_MOVEMENT_TYPES = ['101', '102', '122', '202', '261', '262', '301', '311', '351', '551', '601', '602', '641', '642', '701', '702'];

/**
 * Reversal movement types and what they take back: each names the material
 * document item it reverses, and books the opposite of that item's stock effect.
 */
export const REVERSAL_MOVEMENT_TYPES: Record<string, string> = {
  '102': 'goods receipt reversed',
  '122': 'returned to vendor',
  '202': 'issue to cost centre reversed',
  '262': 'production issue reversed',
  '602': 'goods issue for delivery reversed',
  '642': 'stock transport goods issue reversed',
};

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
      moveType: t(it, 'BWART'),
      material: t(it, 'MATNR'),
      plant: t(it, 'WERKS'),
      stgeLoc: t(it, 'LGORT'),
      batch: t(it, 'CHARG'),
      quantity: t(it, 'ERFMG'),
      movePlant: t(it, 'UMWRK'),
      moveStloc: t(it, 'UMLGO'),
      deliveryRef: t(it, 'VBELN_IM') ?? t(hdr, 'XBLNR'),
      // A reversal names the document it cancels in SMBLN/SMBLP; a return delivery (122) its receipt in LFBNR/LFPOS.
      reversedDoc: t(it, 'SMBLN') ?? t(it, 'LFBNR'),
      reversedItem: t(it, 'SMBLN') ? t(it, 'SMBLP') : (t(it, 'LFPOS') ?? t(it, 'SMBLP')),
      order: t(it, 'AUFNR'),
      unit: t(it, 'ERFME'),
      complete: flag(t(it, 'ELIKZ')),
      path: f,
      fields: {
        moveType: `${f}.BWART`,
        material: `${f}.MATNR`,
        plant: `${f}.WERKS`,
        batch: `${f}.CHARG`,
        quantity: `${f}.ERFMG`,
        unit: `${f}.ERFME`,
        complete: `${f}.ELIKZ`,
        movePlant: `${f}.UMWRK`,
        deliveryRef: t(it, 'VBELN_IM') ? `${f}.VBELN_IM` : `${at}.E1MBXYH.XBLNR`,
        reversedDoc: !t(it, 'SMBLN') && t(it, 'LFBNR') ? `${f}.LFBNR` : `${f}.SMBLN`,
        order: `${f}.AUFNR`,
      },
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
      moveType: t(it, 'MOVE_TYPE'),
      material: t(it, 'MATERIAL'),
      plant: t(it, 'PLANT'),
      stgeLoc: t(it, 'STGE_LOC'),
      batch: t(it, 'BATCH'),
      quantity: t(it, 'ENTRY_QNT'),
      movePlant: t(it, 'MOVE_PLANT'),
      moveStloc: t(it, 'MOVE_STLOC'),
      deliveryRef: t(it, 'DELIV_NUMB') ?? t(hdr, 'REF_DOC_NO'),
      reversedDoc: t(it, 'REF_DOC'),
      reversedItem: t(it, 'REF_DOC_IT'),
      order: t(it, 'ORDERID'),
      unit: t(it, 'ENTRY_UOM'),
      complete: flag(t(it, 'NO_MORE_GR')),
      path: f,
      fields: {
        moveType: `${f}.MOVE_TYPE`,
        material: `${f}.MATERIAL`,
        plant: `${f}.PLANT`,
        batch: `${f}.BATCH`,
        quantity: `${f}.ENTRY_QNT`,
        unit: `${f}.ENTRY_UOM`,
        complete: `${f}.NO_MORE_GR`,
        movePlant: `${f}.MOVE_PLANT`,
        deliveryRef: t(it, 'DELIV_NUMB') ? `${f}.DELIV_NUMB` : `${base}.E1BP2017_GM_HEAD_01.REF_DOC_NO`,
        reversedDoc: `${f}.REF_DOC`,
        order: `${f}.ORDERID`,
      },
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
function productionToCommands(items: MovementItem[], map: Mapper, errors: FieldError[]): DocumentCommand[] {
  const byOrder = new Map<string, MovementItem[]>();
  for (const it of items) {
    if (!it.order) {
      errors.push({ field: it.fields.order, message: 'a production issue (261) must name its production order' });
      continue;
    }
    byOrder.set(it.order, [...(byOrder.get(it.order) ?? []), it]);
  }
  const out: DocumentCommand[] = [];
  for (const [order, group] of byOrder) {
    const issues = group.filter((i) => i.moveType === '261');
    const receipts = group.filter((i) => i.moveType === '101');
    if (issues.length === 0 || receipts.length === 0) {
      const lone = (issues[0] ?? receipts[0]).fields.moveType;
      errors.push({ field: lone, message: `production order ${order} needs both its issues (261) and its receipt (101) in the same document` });
      continue;
    }
    const line = (it: MovementItem) => ({
      gtin: map.material(it.material, it.fields.material),
      lotCode: it.batch ?? '',
      quantity: map.quantity(it, qty(it.quantity, it.fields.quantity, errors)),
    });
    const gln = map.plant(receipts[0].plant, receipts[0].stgeLoc, receipts[0].fields.plant);
    for (const it of [...issues, ...receipts]) {
      if (it.plant !== receipts[0].plant)
        errors.push({ field: it.fields.plant, message: `production order ${order} moves stock at plant ${receipts[0].plant}, not ${it.plant}` });
    }
    const fields: Record<string, string> = { gln: receipts[0].fields.plant, workOrder: receipts[0].fields.order };
    issues.forEach((it, k) => Object.assign(fields, lineFields(`inputs[${k}]`, it)));
    receipts.forEach((it, k) => Object.assign(fields, lineFields(`outputs[${k}]`, it)));
    out.push({
      cmd: {
        fn: TX.TransformLots,
        body: { eventId: `${receipts[0].eventId}-prod-${order}`, gln, workOrder: order, inputs: issues.map(line), outputs: receipts.map(line) },
      },
      items: group.map((g) => g.path),
      fields,
      defaultField: receipts[0].fields.order,
    });
  }
  return out;
}

/** Chaincode line fields → the item's segment fields. */
function lineFields(prefix: string, it: MovementItem, qtyName = 'quantity'): Record<string, string> {
  return { [prefix]: it.path, [`${prefix}.gtin`]: it.fields.material, [`${prefix}.lotCode`]: it.fields.batch, [`${prefix}.${qtyName}`]: it.fields.quantity };
}

/**
 * Maps movement items to commands by movement type, one ledger transaction
 * per item (as SAP posts them) except production orders; problems go to
 * `errors`. A goods receipt (101) books its item's posted quantity and batch
 * at the plant/storage location it names; the last receipt item of a
 * delivery closes the shipment when any of its items carries the
 * delivery-completed indicator.
 */
export function movementsToCommands(items: MovementItem[], map: Mapper, errors: FieldError[]): DocumentCommand[] {
  const out: DocumentCommand[] = productionToCommands(items.filter(isProduction), map, errors);
  const receipts = items.filter((i) => i.moveType === '101' && !isProduction(i));
  const lastReceipt = new Map(receipts.map((it) => [it.deliveryRef, it]));
  const closes = new Set(receipts.filter((it) => it.complete).map((it) => it.deliveryRef));
  for (const it of items.filter((i) => !isProduction(i))) {
    const { eventId, fields: f } = it;
    const bwart = it.moveType ?? '';
    const lot = () => ({
      gtin: map.material(it.material, f.material),
      lotCode: it.batch ?? (errors.push({ field: f.batch, message: `batch is required for movement type ${bwart}` }), ''),
    });
    const quantity = () => map.quantity(it, qty(it.quantity, f.quantity, errors));
    const gln = () => map.plant(it.plant, it.stgeLoc, f.plant);
    const shipmentId = `DESADV-${it.deliveryRef}`;
    const needRef = () => it.deliveryRef || errors.push({ field: f.deliveryRef, message: `is required for movement type ${bwart} (delivery reference)` });
    const push = (cmd: DocumentCommand['cmd'], fields: Record<string, string>) => out.push({ cmd, items: [it.path], fields, defaultField: f.moveType });
    switch (bwart) {
      case '101': {
        needRef();
        const close = lastReceipt.get(it.deliveryRef) === it && closes.has(it.deliveryRef);
        push(
          {
            fn: TX.ReceiveShipment,
            body: { eventId, shipmentId, gln: gln(), close, lines: [{ ...lot(), received: quantity() }] },
            endorsement: { kind: 'shipment', shipmentId },
          },
          { shipmentId: f.deliveryRef, gln: f.plant, close: f.complete, lines: it.path, ...lineFields('lines[0]', it, 'received') },
        );
        break;
      }
      case '102':
      case '122':
      case '202':
      case '262':
      case '602':
      case '642': {
        // Takes back the stock the named item moved (ReverseMovement reads where it went from that item's ledger record).
        if (!it.reversedDoc) errors.push({ field: f.reversedDoc, message: `the reversed material document is required for movement type ${bwart}` });
        push(
          {
            fn: TX.ReverseMovement,
            body: {
              eventId,
              targetEventId: `sap-mb-${it.reversedDoc}-${it.reversedItem ?? 1}`,
              gtin: map.material(it.material, f.material),
              ...(it.batch ? { lotCode: it.batch } : {}),
              ...(it.quantity !== undefined ? { quantity: quantity() } : {}),
              reason: `SAP ${bwart}: ${REVERSAL_MOVEMENT_TYPES[bwart]}`,
            },
          },
          { targetEventId: f.reversedDoc, gtin: f.material, lotCode: f.batch, quantity: f.quantity },
        );
        break;
      }
      case '351':
      case '641':
      case '601':
        needRef();
        push(
          {
            fn: TX.DispatchShipment,
            body: { eventId, shipmentId, lines: [{ ...lot(), quantity: quantity() }] },
            endorsement: { kind: 'shipment', shipmentId },
          },
          { shipmentId: f.deliveryRef, lines: it.path, ...lineFields('lines[0]', it) },
        );
        break;
      case '301':
      case '311': {
        const toGln = map.plant(it.movePlant ?? it.plant, it.moveStloc, f.movePlant);
        push(
          { fn: TX.TransferStock, body: { eventId, fromGln: gln(), toGln, lines: [{ ...lot(), quantity: quantity() }] } },
          { fromGln: f.plant, toGln: f.movePlant, ...lineFields('lines[0]', it) },
        );
        break;
      }
      case '551':
      case '701':
      case '702': {
        const sign = bwart === '701' ? '' : '-';
        const reason = bwart === '551' ? 'waste' : 'count_difference';
        push(
          { fn: TX.AdjustStock, body: { eventId, gln: gln(), reason, lines: [{ ...lot(), delta: `${sign}${quantity()}` }] } },
          { gln: f.plant, ...lineFields('lines[0]', it, 'delta') },
        );
        break;
      }
      default:
        errors.push({
          field: f.moveType,
          message: `movement type ${bwart || '(missing)'} is not supported (supported: ${SUPPORTED_MOVEMENT_TYPES.join(', ')})`,
        });
    }
  }
  return out;
}
