/**
 * GS1 identifiers as chaincode arguments: the domain library's rules, failing
 * with the chaincode's INVALID_ARGUMENT naming the field.
 */
import { DEFAULT_COMPANY_PREFIX_LENGTH, gs1CheckDigitOk, LOT_CODE, toGtin14 } from '../../../lib/domain/src';
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
