import { badInput } from './errors.js';
import { currencyCode } from './input-formats.js';
import { MAX_ORDER_TOTAL } from './input-limits.js';

/*
 * Platforms send money as decimal strings ("414.95"); the hub keeps integer minor units. This is
 * the one converter between the two, exact (string arithmetic, never a float), per the ISO 4217
 * exponent of the currency (JPY 0, USD 2, KWD 3).
 *
 * The exponent comes from the ICU data Node ships (Intl.NumberFormat's maximumFractionDigits for
 * style currency), which follows ISO 4217 and is kept current with Node; the test pins the known
 * values (JPY 0, USD 2, KWD 3, BHD 3, CLP 0, ISK 0).
 */

const exponents = new Map<string, number>();

/** Digits after the decimal point of one minor unit of `currency` (ISO 4217). */
export function currencyExponent(currency: string): number {
  const code = currencyCode('currency', currency);
  let exponent = exponents.get(code);
  if (exponent === undefined) {
    exponent = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions()
      .maximumFractionDigits!;
    exponents.set(code, exponent);
  }
  return exponent;
}

export interface DecimalOptions {
  /** Whether a negative amount is allowed (adjustments); default no. */
  allowNegative?: boolean;
  /** Largest absolute value in minor units; default MAX_ORDER_TOTAL (input-limits.ts). */
  max?: number;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * "414.95" USD → 41495; "1500" JPY → 1500; "1.234" KWD → 1234. Refused (BAD_USER_INPUT naming
 * `field`): anything that is not a plain decimal (exponent notation, blanks, signs other than a
 * leading minus, thousands separators), more fraction digits than the currency has unless every
 * extra one is 0 ("1.230" USD is 123; "1.234" USD would lose a tenth of a cent), a negative
 * amount unless allowed, and an amount above the domain's limit.
 */
export function decimalToMinor(field: string, amount: string, currency: string, options: DecimalOptions = {}): number {
  const exponent = currencyExponent(currency);
  const max = options.max ?? MAX_ORDER_TOTAL;
  if (typeof amount !== 'string') throw badInput(field, `must be a decimal string, got ${typeof amount}`);
  const match = DECIMAL.exec(amount);
  if (!match) throw badInput(field, `must be a plain decimal number such as "12.34", got ${JSON.stringify(amount)}`);
  const [, sign, whole, fraction = ''] = match;
  const kept = fraction.slice(0, exponent);
  if (/[^0]/.test(fraction.slice(exponent))) {
    throw badInput(
      field,
      `${amount} has more decimals than ${currency.toUpperCase()} has (${exponent}): it cannot be held exactly`,
      { exponent },
    );
  }
  // Leading zeros are dropped by BigInt; length is checked first so a huge string costs nothing.
  const digits = (whole! + kept.padEnd(exponent, '0')).replace(/^0+(?=\d)/, '');
  if (digits.length > 16) throw badInput(field, `${amount} is above the limit ${max}`, { max });
  const minor = BigInt(digits);
  if (minor > BigInt(max)) throw badInput(field, `${amount} is above the limit ${max}`, { max });
  const value = Number(minor);
  if (sign === '-' && value !== 0) {
    if (!options.allowNegative) throw badInput(field, `must not be negative, got ${amount}`);
    return -value;
  }
  return value;
}

/** 41495 USD → "414.95"; 1500 JPY → "1500"; 1234 KWD → "1.234". Exact for every safe integer. */
export function minorToDecimal(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) throw badInput('amount', `must be a whole number of minor units, got ${minor}`);
  const exponent = currencyExponent(currency);
  const negative = minor < 0;
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  const text =
    exponent === 0 ? digits : `${digits.slice(0, digits.length - exponent)}.${digits.slice(digits.length - exponent)}`;
  return negative ? `-${text}` : text;
}
