/**
 * Quantities: decimal strings at the API boundary, integer base units (bigint)
 * inside. One fixed scale for every unit of measure keeps arithmetic exact and
 * the stored form unambiguous.
 */
import { fail } from './errors';

/** Decimal places carried by every quantity (1 base unit = 0.001). */
export const QUANTITY_SCALE = 3;
const FACTOR = 10n ** BigInt(QUANTITY_SCALE);
/** Largest accepted integer part, so values stay far below any storage limit. */
const MAX_INTEGER_DIGITS = 15;

const UNSIGNED = /^(\d+)(?:\.(\d+))?$/;
const SIGNED = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Parses a non-negative decimal string ("12", "12.5", "0.125") to base units.
 * Rejects numbers, signs, exponents and more than {@link QUANTITY_SCALE} places.
 */
export function parseQuantity(input: unknown, field: string, opts: { allowZero?: boolean } = {}): bigint {
  if (typeof input !== 'string') throw fail.invalid(field, 'must be a decimal string such as "12.500"');
  const m = UNSIGNED.exec(input);
  if (!m) throw fail.invalid(field, `"${input}" is not a non-negative decimal string`);
  const units = toUnits(m[1], m[2], field);
  if (units === 0n && !opts.allowZero) throw fail.invalid(field, 'must be greater than zero');
  return units;
}

/** Parses a signed decimal string ("-2.5", "3") to base units; zero is rejected. */
export function parseSignedQuantity(input: unknown, field: string): bigint {
  if (typeof input !== 'string') throw fail.invalid(field, 'must be a signed decimal string such as "-2.000"');
  const m = SIGNED.exec(input);
  if (!m) throw fail.invalid(field, `"${input}" is not a decimal string`);
  const units = toUnits(m[2], m[3], field);
  if (units === 0n) throw fail.invalid(field, 'must not be zero');
  return m[1] === '-' ? -units : units;
}

function toUnits(intPart: string, fracPart: string | undefined, field: string): bigint {
  const frac = fracPart ?? '';
  if (frac.length > QUANTITY_SCALE) {
    throw fail.invalid(field, `at most ${QUANTITY_SCALE} decimal places are allowed`);
  }
  const trimmed = intPart.replace(/^0+(?=\d)/, '');
  if (trimmed.length > MAX_INTEGER_DIGITS) throw fail.invalid(field, 'is too large');
  return BigInt(trimmed) * FACTOR + BigInt(frac.padEnd(QUANTITY_SCALE, '0'));
}

/** Formats base units as a fixed-scale decimal string: 12500n → "12.500". */
export function formatQuantity(units: bigint): string {
  const neg = units < 0n;
  const abs = neg ? -units : units;
  const int = abs / FACTOR;
  const frac = (abs % FACTOR).toString().padStart(QUANTITY_SCALE, '0');
  return `${neg ? '-' : ''}${int.toString()}.${frac}`;
}

/** Base units as a JSON number for EPCIS quantityList (exact for the sizes we accept). */
export function quantityNumber(units: bigint): number {
  return Number(formatQuantity(units));
}

/** Parses an integer string of token base units (payments); no sign, no decimals. */
export function parseBaseUnits(input: unknown, field: string): bigint {
  if (typeof input !== 'string' || !/^\d{1,78}$/.test(input)) {
    throw fail.invalid(field, 'must be an integer string of base units');
  }
  return BigInt(input);
}

/**
 * Parses a token amount decimal string with the token's own number of decimals
 * (e.g. "1500.25" with 6 decimals → 1500250000n).
 */
export function parseTokenAmount(input: unknown, decimals: number, field: string): bigint {
  if (typeof input !== 'string') throw fail.invalid(field, 'must be a decimal string');
  const m = UNSIGNED.exec(input);
  if (!m) throw fail.invalid(field, `"${input}" is not a non-negative decimal string`);
  const frac = m[2] ?? '';
  if (frac.length > decimals) throw fail.invalid(field, `at most ${decimals} decimal places are allowed`);
  if (m[1].length > 60) throw fail.invalid(field, 'is too large');
  const units = BigInt(m[1]) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, '0') || '0');
  if (units === 0n) throw fail.invalid(field, 'must be greater than zero');
  return units;
}

/** Formats token base units with `decimals` places, trimming nothing (exact). */
export function formatTokenAmount(units: bigint, decimals: number): string {
  if (decimals === 0) return units.toString();
  const f = 10n ** BigInt(decimals);
  return `${(units / f).toString()}.${(units % f).toString().padStart(decimals, '0')}`;
}
