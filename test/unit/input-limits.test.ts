import { describe, expect, it } from '@jest/globals';
import { countryCode, currencyCode, emailAddress } from '../../src/domain/input-formats.js';
import { checkAmount, MAX_ORDER_TOTAL, reportFigure } from '../../src/domain/input-limits.js';
import { checkOrderTotals } from '../../src/domain/orders/order-total-limit.js';

/** The pure checks behind the input limits and formats (the GraphQL regressions are in test/integration). */
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as { code: string; details: Record<string, unknown> };
  }
  throw new Error('expected a refusal');
};

describe('checkAmount', () => {
  it('accepts 0 and the limit, refuses a fraction, a negative and one above, naming the limit and value', () => {
    expect(checkAmount('x', 0, 10)).toBe(0);
    expect(checkAmount('x', 10, 10)).toBe(10);
    for (const value of [1.5, -1, 11, Number.NaN])
      expect(refusal(() => checkAmount('x', value, 10))).toMatchObject({
        code: 'BAD_USER_INPUT',
        details: { field: 'x', max: 10 },
      });
  });
});

describe('checkOrderTotals', () => {
  it('refuses a subtotal past the limit, and one past 2^53 that a number could only round', () => {
    expect(() => checkOrderTotals('lines', MAX_ORDER_TOTAL, MAX_ORDER_TOTAL)).not.toThrow();
    expect(refusal(() => checkOrderTotals('lines', MAX_ORDER_TOTAL + 1, 0))).toMatchObject({
      details: { field: 'lines', max: MAX_ORDER_TOTAL },
    });
    expect(refusal(() => checkOrderTotals('lines', 2 * Number.MAX_SAFE_INTEGER, 0)).code).toBe('BAD_USER_INPUT');
  });
});

describe('reportFigure', () => {
  it('converts an exact SQL sum given as text, a number or a bigint', () => {
    expect(reportFigure('f', '40000000000000')).toBe(40_000_000_000_000);
    expect(reportFigure('f', 5994)).toBe(5994);
    expect(reportFigure('f', 12n)).toBe(12);
  });

  it('refuses a sum past 2^53 − 1 with BAD_USER_INPUT instead of answering it rounded', () => {
    expect(refusal(() => reportFigure('revenueByDay.amount', '9007199254740993'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { field: 'revenueByDay.amount', max: Number.MAX_SAFE_INTEGER },
    });
  });
});

describe('formats', () => {
  it('takes currency and country codes from the ISO lists, upper-cased', () => {
    expect(currencyCode('currency', ' usd ')).toBe('USD');
    expect(refusal(() => currencyCode('currency', 'ZZZ')).details).toMatchObject({ field: 'currency' });
    expect(countryCode('countryCode', 'de')).toBe('DE');
    for (const code of ['XX', 'ZZ', 'QQ', 'UK', 'USA', ''])
      expect(refusal(() => countryCode('countryCode', code)).code).toBe('BAD_USER_INPUT');
  });

  it('checks emails by address syntax and refuses a blank one', () => {
    expect(emailAddress('email', ' Ann@Example.COM ')).toBe('ann@example.com');
    for (const email of ['a@b..com', 'a@b', 'not-an-email', '   ', `${'a'.repeat(320)}@example.com`])
      expect(refusal(() => emailAddress('email', email)).code).toBe('BAD_USER_INPUT');
  });
});
