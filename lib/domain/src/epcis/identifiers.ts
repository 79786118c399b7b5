/**
 * GS1 identifier conversions for EPCIS capture: EPC URIs and GS1 Digital
 * Link URIs into the plain GLN / GTIN / lot the chaincode works with. Each
 * function returns `undefined` or a reason string instead of throwing, so the
 * mapper can name the field the problem sits in.
 */
import { gs1CheckDigit, gs1CheckDigitOk, LOT_CODE } from '../gs1';

/** A converted value, or why it could not be converted. */
export type Converted<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Converted<T> => ({ ok: true, value });
const bad = <T>(reason: string): Converted<T> => ({ ok: false, reason });

/** GS1 mod-10 check digit of a digit string (the digit that would follow it). */
export function checkDigit(body: string): string {
  return String(gs1CheckDigit(body));
}

const LOT = LOT_CODE;

function decodeLot(raw: string): Converted<string> {
  let lot: string;
  try {
    lot = decodeURIComponent(raw);
  } catch {
    return bad('has a lot with invalid percent-encoding');
  }
  return LOT.test(lot) ? ok(lot) : bad(`has lot "${lot}", which is not a GS1 lot (1-20 characters of the AI 10 set)`);
}

const SGLN = /^urn:epc:id:sgln:(\d{6,12})\.(\d{0,6})\.([!%-?A-Z_a-z\x22]{1,20})$/;
const DL_GLN = /^https?:\/\/[^/?#]+(?:\/[^?#]*)?\/414\/(\d{13})(?:\/254\/[^/?#]+)?\/?(?:[?#].*)?$/;

/**
 * SGLN (`urn:epc:id:sgln:<CompanyPrefix>.<LocationRef>.<Extension>`) or GS1
 * Digital Link (`…/414/<GLN>[/254/<ext>]`) → GLN. The company prefix length
 * is read from the URI itself: the prefix and the location reference together
 * are the GLN's first 12 digits, followed by the computed check digit. The
 * extension names a sub-location; the ledger keeps stock per GLN, so it is dropped.
 */
export function locationToGln(uri: string): Converted<string> {
  const s = SGLN.exec(uri);
  if (s) {
    const body = s[1] + s[2];
    if (body.length !== 12) return bad('must have company prefix and location reference of 12 digits together');
    return ok(body + checkDigit(body));
  }
  const d = DL_GLN.exec(uri);
  if (d) return gs1CheckDigitOk(d[1]) ? ok(d[1]) : bad('has a GLN with a wrong check digit');
  return bad('must be an SGLN (urn:epc:id:sgln:…) or a GS1 Digital Link with AI 414');
}

const LGTIN = /^urn:epc:class:lgtin:(\d{6,12})\.(\d{1,7})\.(.+)$/;
const DL_LOT = /^https?:\/\/[^/?#]+(?:\/[^?#]*)?\/01\/(\d{8}|\d{12,14})\/10\/([^/?#]+)\/?(?:[?#].*)?$/;

/** A lot-level class: GTIN-14 and lot code. */
export interface LotClass {
  gtin: string;
  lotCode: string;
}

/**
 * LGTIN class (`urn:epc:class:lgtin:<CompanyPrefix>.<Indicator+ItemRef>.<lot>`)
 * or GS1 Digital Link (`https://id.gs1.org/01/<GTIN>/10/<lot>`) → GTIN-14 and
 * lot. In the LGTIN the first digit of the item reference is the GTIN's
 * indicator digit, which goes first; the check digit is computed.
 */
export function epcClassToLot(uri: string): Converted<LotClass> {
  const l = LGTIN.exec(uri);
  if (l) {
    const [, prefix, itemRef, rawLot] = l;
    if (prefix.length + itemRef.length !== 13) return bad('must have company prefix and item reference of 13 digits together');
    const body = itemRef[0] + prefix + itemRef.slice(1);
    const lot = decodeLot(rawLot);
    return lot.ok ? ok({ gtin: body + checkDigit(body), lotCode: lot.value }) : bad(lot.reason);
  }
  const d = DL_LOT.exec(uri);
  if (d) {
    const gtin = d[1].padStart(14, '0');
    if (!gs1CheckDigitOk(gtin)) return bad('has a GTIN with a wrong check digit');
    const lot = decodeLot(d[2]);
    return lot.ok ? ok({ gtin, lotCode: lot.value }) : bad(lot.reason);
  }
  return bad('must be a lot-level class: urn:epc:class:lgtin:… or a GS1 Digital Link …/01/<GTIN>/10/<lot>');
}

/** The chaincode's identifier rule (eventId, shipmentId, poId, …). */
export const LEDGER_ID = /^[A-Za-z0-9][A-Za-z0-9._:/@#-]{0,127}$/;

const CBV_BT = /^urn:epcglobal:cbv:bt:(\d{13}):(.+)$/;

/**
 * A business transaction reference → ledger id. The CBV form
 * `urn:epcglobal:cbv:bt:<GLN>:<id>` yields `<id>` (the form the chaincode
 * itself emits, so an exported event captures back to the same shipment);
 * any other value is used whole when it is a valid ledger id.
 */
export function bizTransactionToId(value: string): Converted<string> {
  const m = CBV_BT.exec(value);
  const id = m ? m[2] : value;
  return LEDGER_ID.test(id) ? ok(id) : bad('must be urn:epcglobal:cbv:bt:<GLN>:<id> or an id of 1-128 characters [A-Za-z0-9._:/@#-]');
}

/**
 * An EPCIS JSON quantity (a number) → the chaincode's decimal string: positive,
 * at most 3 decimals. Numbers are printed the way JSON wrote them, which for
 * the schema's range never uses exponent notation.
 */
export function quantityToDecimal(q: number): Converted<string> {
  const text = String(q);
  if (!(q > 0) || !/^\d{1,15}(\.\d{1,3})?$/.test(text)) return bad('must be a positive number with at most 3 decimals');
  return ok(text);
}

/** A CBV value given as short name (`shipping`) or URI (`urn:epcglobal:cbv:bizstep:shipping`, `https://ref.gs1.org/cbv/BizStep-shipping`) → short name. */
export function cbvShortName(value: string, vocabulary: 'bizstep' | 'btt' | 'sdt' | 'disp' | 'er'): string {
  const urn = `urn:epcglobal:cbv:${vocabulary}:`;
  if (value.startsWith(urn)) return value.slice(urn.length);
  const web = /^https:\/\/ref\.gs1\.org\/cbv\/[A-Za-z]+-(.+)$/.exec(value);
  return web ? web[1] : value;
}
