/**
 * GS1 identifiers: validation of GLN / GTIN (with check digits) and the EPCIS
 * URIs derived from them (SGLN, PGLN, GS1 Digital Link for lots).
 */
import { fail } from './errors';

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

function hasValidCheckDigit(code: string): boolean {
  return gs1CheckDigit(code.slice(0, -1)) === code.charCodeAt(code.length - 1) - 48;
}

/** Validates a 13-digit GLN. */
export function parseGln(input: unknown, field: string): string {
  if (typeof input !== 'string' || !/^\d{13}$/.test(input)) throw fail.invalid(field, 'must be a 13-digit GLN');
  if (!hasValidCheckDigit(input)) throw fail.invalid(field, `GLN ${input} has a wrong check digit`);
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
  if (!hasValidCheckDigit(input)) throw fail.invalid(field, `GTIN ${input} has a wrong check digit`);
  return input.padStart(14, '0');
}

/**
 * GS1 AI (10) batch/lot: 1–20 characters of GS1 character set 82 (which has
 * no `~`, NUL or space, so it is safe in composite keys and readable key paths).
 */
const LOT_CODE = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/;

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
