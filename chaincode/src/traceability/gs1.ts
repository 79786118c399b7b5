/**
 * GS1 identifiers as chaincode arguments: the domain library's rules, failing
 * with the chaincode's INVALID_ARGUMENT naming the field.
 */
import { DEFAULT_COMPANY_PREFIX_LENGTH, gs1CheckDigit, gs1CheckDigitOk, LOT_CODE, toGtin14 } from '../../../lib/domain/src';
import { fail } from './errors';

export { DEFAULT_COMPANY_PREFIX_LENGTH, gs1CheckDigit, lotClassUri, mspPartyUri, pglnUri, productClassUri, sglnUri } from '../../../lib/domain/src';

/** Validates a 13-digit GLN. */
export function parseGln(input: unknown, field: string): string {
  if (typeof input !== 'string' || !/^\d{13}$/.test(input)) throw fail.invalid(field, 'must be a 13-digit GLN');
  if (!gs1CheckDigitOk(input)) throw fail.invalid(field, `GLN ${input} has a wrong check digit`);
  return input;
}

/**
 * Validates a GTIN-8/12/13/14 and returns it as GTIN-14 (left-padded with
 * zeros), the one form used in keys so a product has exactly one key.
 */
export function parseGtin(input: unknown, field: string): string {
  if (typeof input !== 'string' || !/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(input)) {
    throw fail.invalid(field, 'must be a GTIN of 8, 12, 13 or 14 digits');
  }
  if (!gs1CheckDigitOk(input)) throw fail.invalid(field, `GTIN ${input} has a wrong check digit`);
  return toGtin14(input);
}

export function parseLotCode(input: unknown, field: string): string {
  if (typeof input !== 'string' || !LOT_CODE.test(input)) {
    throw fail.invalid(field, 'must be 1-20 characters of the GS1 AI(10) character set');
  }
  return input;
}

export function parseCompanyPrefixLength(input: unknown, field: string): number {
  if (input === undefined || input === null) return DEFAULT_COMPANY_PREFIX_LENGTH;
  if (typeof input !== 'number' || !Number.isInteger(input) || input < 6 || input > 12) {
    throw fail.invalid(field, 'must be an integer from 6 to 12');
  }
  return input;
}

/** GS1 keys that carry a GS1 company prefix. */
export type PrefixedKey = 'GLN' | 'GTIN' | 'SSCC';

/**
 * The digits of a key that begin with its GS1 company prefix (GS1 General
 * Specifications 1.4.4 and 2.1-2.2): a GLN begins with it; a GTIN-14 after its
 * indicator digit (so the GTIN-13 form, and a GTIN-12's U.P.C. prefix with its
 * leading zero); an SSCC after its extension digit.
 */
export function companyPrefixDigits(kind: PrefixedKey, key: string): string {
  return kind === 'GLN' ? key : key.slice(1);
}

/** A GS1 company prefix: 4 to 12 digits. */
export const COMPANY_PREFIX = /^\d{4,12}$/;

/** True when `key` (of `kind`) lies within one of `prefixes`. */
export function withinPrefixes(kind: PrefixedKey, key: string, prefixes: readonly string[]): boolean {
  const digits = companyPrefixDigits(kind, key);
  return prefixes.some((p) => digits.startsWith(p));
}

/** An SSCC (18 digits, check digit verified) from 18 digits, `urn:epc:id:sscc:<prefix>.<ext+serial>` or a Digital Link with AI 00; else undefined. */
export function ssccFromEpc(epc: string): string | undefined {
  let sscc: string | undefined;
  const urn = /^urn:epc:id:sscc:(\d+)\.(\d+)$/.exec(epc);
  if (urn && urn[1].length + urn[2].length === 17) sscc = `${urn[2][0]}${urn[1]}${urn[2].slice(1)}`;
  const link = /^https?:\/\/[^/]+(?:\/[^/]*)*?\/00\/(\d{18})(?:[/?#].*)?$/.exec(epc);
  if (link) return gs1CheckDigitOk(link[1]) ? link[1] : undefined;
  if (/^\d{18}$/.test(epc)) return gs1CheckDigitOk(epc) ? epc : undefined;
  if (!sscc) return undefined;
  return sscc + gs1CheckDigit(sscc);
}

/** A GLN from `urn:epc:id:sgln:<prefix>.<ref>.<ext>` (extension ignored) or a Digital Link with AI 414; else undefined. */
export function glnFromLocation(id: string): string | undefined {
  const urn = /^urn:epc:id:sgln:(\d+)\.(\d*)\.[^.]*$/.exec(id);
  if (urn && urn[1].length + urn[2].length === 12) {
    const body = urn[1] + urn[2];
    return body + gs1CheckDigit(body);
  }
  const link = /^https?:\/\/[^/]+(?:\/[^/]*)*?\/414\/(\d{13})(?:[/?#].*)?$/.exec(id);
  if (link && gs1CheckDigitOk(link[1])) return link[1];
  return undefined;
}

function decodeLot(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** GTIN-14 from an EPC URN's company prefix and item reference (indicator digit first), when they make 13 digits. */
function gtinFromUrn(prefix: string, itemRef: string): string | undefined {
  if (prefix.length + itemRef.length !== 13) return undefined;
  const body = itemRef[0] + prefix + itemRef.slice(1);
  return body + gs1CheckDigit(body);
}

/** A lot (GTIN-14 and lot code) from a lot-level class: `urn:epc:class:lgtin:…` or a Digital Link `…/01/<GTIN>/10/<lot>`. */
export function lotFromClass(epcClass: string): { gtin: string; lotCode: string } | undefined {
  const urn = /^urn:epc:class:lgtin:(\d+)\.(\d+)\.(.+)$/.exec(epcClass);
  if (urn) {
    const gtin = gtinFromUrn(urn[1], urn[2]);
    const lotCode = decodeLot(urn[3]);
    return gtin && lotCode ? { gtin, lotCode } : undefined;
  }
  const link = /^https?:\/\/[^?#]*?\/01\/(\d{14})\/10\/([^/?#]+)/.exec(epcClass);
  if (link && gs1CheckDigitOk(link[1])) {
    const lotCode = decodeLot(link[2]);
    return lotCode ? { gtin: link[1], lotCode } : undefined;
  }
  return undefined;
}

/** Digital Link AIs of keys whose value begins with an indicator, extension or padding digit before the company prefix. */
const LEADING_DIGIT_AIS = new Set(['01', '00', '8003', '8006']);
/** EPC URN schemes whose second component begins with an indicator or extension digit. */
const LEADING_DIGIT_SCHEMES = new Set(['sgtin', 'lgtin', 'sscc', 'itip']);

/**
 * The digits of any GS1 key named by an EPC (URN or Digital Link) from its
 * company prefix on: SGTIN/LGTIN/GTIN, SSCC, SGLN/GLN, GRAI, GIAI, GSRN,
 * GDTI, PGLN, … (`urn:epc:id:grai:4012345.00077.1` → `401234500077`);
 * undefined when the EPC names no GS1 key.
 */
export function companyDigitsOfEpc(epc: string): string | undefined {
  const urn = /^urn:epc:(?:id|class|idpat):([a-z]+):(\d+)\.([^.]*)/.exec(epc);
  if (urn) {
    const next = (/^\d*/.exec(urn[3]) ?? [''])[0];
    return urn[2] + (LEADING_DIGIT_SCHEMES.has(urn[1]) ? next.slice(1) : next);
  }
  const link = /^https?:\/\/[^/?#]+(?:\/[^?#]*?)?\/(01|00|414|417|8003|8004|8006|8017|8018|253|255)\/([^/?#]+)/.exec(epc);
  if (!link) return undefined;
  const digits = (/^\d*/.exec(decodeURIComponent(link[2])) ?? [''])[0];
  return LEADING_DIGIT_AIS.has(link[1]) ? digits.slice(1) : digits;
}
