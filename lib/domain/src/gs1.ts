/**
 * GS1 keys: check digits, the shapes of GLN, GTIN, SSCC and lot codes, and
 * the URIs derived from them. Pure functions, safe in the browser; callers
 * turn a `false` into an error in their own terms.
 */

/** Default GS1 company prefix length when a location does not state its own. */
export const DEFAULT_COMPANY_PREFIX_LENGTH = 7;

/** GS1 mod-10 check digit of the digits before the check digit. */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** True when the last digit of an all-digit GS1 key is its check digit. */
export function gs1CheckDigitOk(code: string): boolean {
  if (!/^\d{2,}$/.test(code)) return false;
  return gs1CheckDigit(code.slice(0, -1)) === code.charCodeAt(code.length - 1) - 48;
}

/** A 13-digit GLN with a valid check digit. */
export function isGln(v: string): boolean {
  return /^\d{13}$/.test(v) && gs1CheckDigitOk(v);
}

/** A GTIN-8/12/13/14 with a valid check digit. */
export function isGtin(v: string): boolean {
  return /^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(v) && gs1CheckDigitOk(v);
}

/** An 18-digit SSCC with a valid check digit. */
export function isSscc(v: string): boolean {
  return /^\d{18}$/.test(v) && gs1CheckDigitOk(v);
}

/** The one form of a GTIN used in keys: GTIN-14, left-padded with zeros. */
export function toGtin14(gtin: string): string {
  return gtin.padStart(14, '0');
}

/**
 * GS1 AI (10) batch/lot: 1–20 characters of GS1 character set 82 (which has
 * no `~`, NUL or space, so it is safe in composite keys and readable key paths).
 * The one lot-code rule of the project: the chaincode, the gateway and the
 * query API all test lots with it.
 */
export const LOT_CODE = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/;

/** True when `v` is a lot code the ledger accepts. */
export function isLotCode(v: string): boolean {
  return LOT_CODE.test(v);
}

/** `urn:epc:id:sgln:<prefix>.<locationRef>.0` for a GLN without extension. */
export function sglnUri(gln: string, companyPrefixLength: number): string {
  return `urn:epc:id:sgln:${gln.slice(0, companyPrefixLength)}.${gln.slice(companyPrefixLength, 12)}.0`;
}

/** `urn:epc:id:pgln:<prefix>.<partyRef>` for a party GLN. */
export function pglnUri(gln: string, companyPrefixLength: number): string {
  return `urn:epc:id:pgln:${gln.slice(0, companyPrefixLength)}.${gln.slice(companyPrefixLength, 12)}`;
}

/**
 * Lot-level EPC class in GS1 Digital Link form. Unlike the LGTIN URN it needs
 * no company prefix length, so it is always exact.
 */
export function lotClassUri(gtin14: string, lotCode: string): string {
  return `https://id.gs1.org/01/${gtin14}/10/${encodeURIComponent(lotCode)}`;
}

/** Product-level class (no lot), Digital Link form. */
export function productClassUri(gtin14: string): string {
  return `https://id.gs1.org/01/${gtin14}`;
}

/** A party without a party GLN is named by its Fabric MSP. */
export function mspPartyUri(mspId: string): string {
  return `urn:coffee-trace:party:msp:${encodeURIComponent(mspId)}`;
}
