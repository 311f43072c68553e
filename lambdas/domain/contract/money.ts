import { currencyMinorUnits } from './iso.ts';

/** Major-unit decimal string: no sign, no exponent, no leading zeros, at most 4 decimals. */
export const DECIMAL_AMOUNT = /^(0|[1-9]\d{0,17})(\.\d{1,4})?$/;

/**
 * Converts a validated decimal string into integer minor units of its currency.
 * Money is never a JS number: amounts are bigints in minor units from the wire onwards.
 */
export function toMinorUnits(value: string, currency: string): bigint {
  const digits = currencyMinorUnits(currency);
  if (digits === undefined) throw new Error(`unknown currency ${currency}`);
  const [whole = '0', fraction = ''] = value.split('.');
  if (fraction.length > digits) {
    throw new Error(`${currency} allows ${digits} decimal places, got ${fraction.length}`);
  }
  return BigInt(whole + fraction.padEnd(digits, '0'));
}

/** Renders minor units back as a major-unit decimal string ("1500000", "12.50"). */
export function formatMinorUnits(minor: bigint, currency: string): string {
  const digits = currencyMinorUnits(currency) ?? 2;
  if (digits === 0) return minor.toString();
  const sign = minor < 0n ? '-' : '';
  const text = (minor < 0n ? -minor : minor).toString().padStart(digits + 1, '0');
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** An exchange rate as an exact fraction, parsed from a decimal string ("1450", "0.36"). */
export interface Rate {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

export function parseRate(decimal: string): Rate {
  const [whole = '0', fraction = ''] = decimal.split('.');
  return { numerator: BigInt(whole + fraction), denominator: 10n ** BigInt(fraction.length) };
}

/**
 * Converts minor units of one currency into minor units of another at an exact rate
 * (units of `to` per one major unit of `from`), rounding down.
 */
export function convertMinorUnits(minor: bigint, from: string, to: string, rate: Rate): bigint {
  const fromDigits = BigInt(currencyMinorUnits(from) ?? 2);
  const toDigits = BigInt(currencyMinorUnits(to) ?? 2);
  return (minor * rate.numerator * 10n ** toDigits) / (rate.denominator * 10n ** fromDigits);
}
