import { describe, expect, it } from '@jest/globals';
import {
  holdReasons,
  joinHoldReasons,
  normalisePostalCode,
  type HoldFacts,
} from '../../src/domain/orders/hold-rules.js';
import type { AddressMismatchPolicy } from '../../src/config/address-mismatch-policies.js';

const US = { countryCode: 'US', postalCode: '78701' };
const facts = (over: Partial<HoldFacts> = {}): HoldFacts => ({
  total: 1000,
  currency: 'USD',
  shippingAddress: US,
  billingAddress: US,
  ...over,
});
const mismatch = (mode: AddressMismatchPolicy, over: Partial<HoldFacts>) =>
  holdReasons(facts(over), { holdTotalAbove: null, holdOnAddressMismatch: mode });

describe('holdReasons: total threshold', () => {
  it('holds an order above the threshold, with total, currency and threshold in the reason', () => {
    expect(holdReasons(facts({ total: 500_001 }), { holdTotalAbove: 500_000 })).toEqual([
      'total 500001 USD is above the review threshold 500000',
    ]);
  });

  it('keeps an order at the threshold exactly, and every order when the threshold is null', () => {
    expect(holdReasons(facts({ total: 500_000 }), { holdTotalAbove: 500_000 })).toEqual([]);
    expect(holdReasons(facts({ total: Number.MAX_SAFE_INTEGER }), { holdTotalAbove: null })).toEqual([]);
  });

  it('holds everything above 0 when the threshold is 0, but not a free order', () => {
    expect(holdReasons(facts({ total: 1 }), { holdTotalAbove: 0 })).toHaveLength(1);
    expect(holdReasons(facts({ total: 0 }), { holdTotalAbove: 0 })).toEqual([]);
  });
});

describe('holdReasons: address mismatch', () => {
  const DE = { countryCode: 'DE', postalCode: '10115' };

  it('off: never holds, whatever the addresses', () => {
    expect(mismatch('off', { billingAddress: DE })).toEqual([]);
  });

  it('is off when the policy does not say (callers that predate the rule)', () => {
    expect(holdReasons(facts({ billingAddress: DE }), { holdTotalAbove: null })).toEqual([]);
  });

  it('country: holds when the countries differ, naming both', () => {
    expect(mismatch('country', { billingAddress: DE })).toEqual([
      'billing address country DE differs from shipping address country US',
    ]);
  });

  it('country: ignores a different postal code in the same country', () => {
    expect(mismatch('country', { billingAddress: { countryCode: 'US', postalCode: '10001' } })).toEqual([]);
  });

  it('postal: holds when the countries differ', () => {
    expect(mismatch('postal', { billingAddress: DE })).toEqual([
      'billing address country DE differs from shipping address country US',
    ]);
  });

  it('postal: holds when the postal codes differ, without writing the codes into the reason', () => {
    const reasons = mismatch('postal', { billingAddress: { countryCode: 'US', postalCode: '10001' } });
    expect(reasons).toEqual(['billing address postal code differs from the shipping address postal code']);
    expect(reasons[0]).not.toMatch(/10001|78701/);
  });

  it('postal: ignores case and whitespace in postal codes', () => {
    const shippingAddress = { countryCode: 'GB', postalCode: 'SW1A 1AA' };
    for (const postalCode of ['sw1a1aa', ' SW1A  1AA ', 'Sw1a\t1aA', 'SW1A1AA']) {
      expect(mismatch('postal', { shippingAddress, billingAddress: { countryCode: 'GB', postalCode } })).toEqual([]);
    }
    expect(
      mismatch('postal', { shippingAddress, billingAddress: { countryCode: 'GB', postalCode: 'SW1A 1AB' } }),
    ).toHaveLength(1);
  });

  it('postal: cannot compare when either side has no postal code, so only the countries count', () => {
    const noCode = { countryCode: 'US', postalCode: null };
    expect(mismatch('postal', { billingAddress: noCode })).toEqual([]);
    expect(mismatch('postal', { shippingAddress: { countryCode: 'US', postalCode: '  ' } })).toEqual([]);
    expect(mismatch('postal', { shippingAddress: noCode, billingAddress: { countryCode: 'IE' } })).toHaveLength(1);
  });

  it('compares country codes without case or surrounding space', () => {
    expect(mismatch('country', { billingAddress: { countryCode: ' us ' } })).toEqual([]);
  });

  it.each(['country', 'postal'] as const)('%s: no mismatch without a billing or without a shipping address', (mode) => {
    expect(mismatch(mode, { billingAddress: null })).toEqual([]);
    expect(mismatch(mode, { billingAddress: undefined })).toEqual([]);
    expect(
      mismatch(mode, { shippingAddress: null, billingAddress: { countryCode: 'DE', postalCode: '10115' } }),
    ).toEqual([]);
    expect(mismatch(mode, { shippingAddress: null, billingAddress: null })).toEqual([]);
  });

  it.each(['country', 'postal'] as const)('%s: identical addresses never hold', (mode) => {
    expect(mismatch(mode, {})).toEqual([]);
  });
});

describe('holdReasons: several rules', () => {
  it('gives every reason, threshold first, and joins them into one holdReason with "; "', () => {
    const reasons = holdReasons(facts({ total: 900, billingAddress: { countryCode: 'FR' } }), {
      holdTotalAbove: 500,
      holdOnAddressMismatch: 'country',
    });
    expect(reasons).toEqual([
      'total 900 USD is above the review threshold 500',
      'billing address country FR differs from shipping address country US',
    ]);
    expect(joinHoldReasons(reasons)).toBe(
      'total 900 USD is above the review threshold 500; billing address country FR differs from shipping address country US',
    );
  });
});

describe('normalisePostalCode', () => {
  it('upper-cases and drops all whitespace; blank is null', () => {
    expect(normalisePostalCode(' sw1a 1aa ')).toBe('SW1A1AA');
    expect(normalisePostalCode('12345-6789')).toBe('12345-6789');
    expect(normalisePostalCode('   ')).toBeNull();
    expect(normalisePostalCode(null)).toBeNull();
    expect(normalisePostalCode(undefined)).toBeNull();
  });
});
