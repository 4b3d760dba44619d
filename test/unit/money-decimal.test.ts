import { describe, expect, it } from '@jest/globals';
import { MAX_ORDER_TOTAL } from '../../src/domain/input-limits.js';
import { currencyExponent, decimalToMinor, minorToDecimal } from '../../src/domain/money-decimal.js';

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as { code: string; message: string; details: Record<string, unknown> };
  }
  throw new Error('expected a refusal');
};

describe('currencyExponent', () => {
  it('gives the ISO 4217 exponents: 0, 2 and 3 digits', () => {
    const expected: Record<string, number> = {
      JPY: 0,
      CLP: 0,
      ISK: 0,
      KRW: 0,
      USD: 2,
      EUR: 2,
      GBP: 2,
      KWD: 3,
      BHD: 3,
      JOD: 3,
      TND: 3,
    };
    for (const [code, exponent] of Object.entries(expected))
      expect([code, currencyExponent(code)]).toEqual([code, exponent]);
  });

  it('refuses a code that is not a currency', () => {
    expect(refusal(() => currencyExponent('ZZZ')).code).toBe('BAD_USER_INPUT');
  });
});

describe('decimalToMinor', () => {
  it('converts exactly per exponent', () => {
    expect(decimalToMinor('a', '414.95', 'USD')).toBe(41495);
    expect(decimalToMinor('a', '1000', 'USD')).toBe(100000);
    expect(decimalToMinor('a', '1000.5', 'USD')).toBe(100050);
    expect(decimalToMinor('a', '0.01', 'USD')).toBe(1);
    expect(decimalToMinor('a', '0.00', 'USD')).toBe(0);
    expect(decimalToMinor('a', '1500', 'JPY')).toBe(1500);
    expect(decimalToMinor('a', '1.234', 'KWD')).toBe(1234);
    expect(decimalToMinor('a', '0.5', 'KWD')).toBe(500);
    expect(decimalToMinor('a', '007.10', 'EUR')).toBe(710);
  });

  it('is exact where a float is not (0.29 × 100 = 28.999…)', () => {
    expect(0.29 * 100).not.toBe(29);
    expect(decimalToMinor('a', '0.29', 'USD')).toBe(29);
    expect(decimalToMinor('a', '1.15', 'USD')).toBe(115);
    // Every cent value from 0.00 to 99.99 round-trips.
    for (let cents = 0; cents < 10_000; cents++) {
      const text = minorToDecimal(cents, 'USD');
      expect(decimalToMinor('a', text, 'USD')).toBe(cents);
    }
  });

  it('accepts extra fraction digits only when they are all 0', () => {
    expect(decimalToMinor('a', '1.230', 'USD')).toBe(123);
    expect(decimalToMinor('a', '1500.00', 'JPY')).toBe(1500);
    const tooFine = refusal(() => decimalToMinor('price', '1.234', 'USD'));
    expect(tooFine).toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'price', exponent: 2 } });
    expect(refusal(() => decimalToMinor('a', '1500.5', 'JPY')).code).toBe('BAD_USER_INPUT');
    expect(refusal(() => decimalToMinor('a', '1.2345', 'KWD')).code).toBe('BAD_USER_INPUT');
  });

  it('refuses negatives unless allowed', () => {
    expect(refusal(() => decimalToMinor('a', '-1.00', 'USD')).message).toMatch(/negative/);
    expect(decimalToMinor('a', '-1.00', 'USD', { allowNegative: true })).toBe(-100);
    expect(decimalToMinor('a', '-0.00', 'USD')).toBe(0);
  });

  it('refuses exponent notation, non-numbers and odd forms', () => {
    for (const text of [
      '1e3',
      '1E-2',
      'abc',
      '',
      ' 1.00',
      '1.00 ',
      '+1',
      '1,000.00',
      '.5',
      '5.',
      'NaN',
      'Infinity',
      '0x10',
      '١٢',
    ])
      expect([text, refusal(() => decimalToMinor('total', text, 'USD')).code]).toEqual([text, 'BAD_USER_INPUT']);
    expect(refusal(() => decimalToMinor('total', 12 as unknown as string, 'USD')).code).toBe('BAD_USER_INPUT');
  });

  it('refuses values above the domain limit, and huge strings without losing precision', () => {
    const limit = minorToDecimal(MAX_ORDER_TOTAL, 'USD');
    expect(decimalToMinor('a', limit, 'USD')).toBe(MAX_ORDER_TOTAL);
    expect(refusal(() => decimalToMinor('a', minorToDecimal(MAX_ORDER_TOTAL + 1, 'USD'), 'USD')).details).toMatchObject(
      {
        max: MAX_ORDER_TOTAL,
      },
    );
    expect(refusal(() => decimalToMinor('a', '9'.repeat(400), 'USD')).code).toBe('BAD_USER_INPUT');
    expect(decimalToMinor('a', '100', 'USD', { max: 10_000 })).toBe(10_000);
    expect(refusal(() => decimalToMinor('a', '100.01', 'USD', { max: 10_000 })).code).toBe('BAD_USER_INPUT');
  });
});

describe('minorToDecimal', () => {
  it('formats per exponent', () => {
    expect(minorToDecimal(41495, 'USD')).toBe('414.95');
    expect(minorToDecimal(5, 'USD')).toBe('0.05');
    expect(minorToDecimal(1500, 'JPY')).toBe('1500');
    expect(minorToDecimal(1234, 'KWD')).toBe('1.234');
    expect(minorToDecimal(-250, 'EUR')).toBe('-2.50');
  });
});
