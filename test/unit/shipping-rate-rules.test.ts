import { describe, expect, it } from '@jest/globals';
import type { RateQuote } from '../../src/domain/shipping/carrier.js';
import { DomainError } from '../../src/domain/errors.js';
import { LABEL_STATUSES, LABEL_TRANSITIONS, transitionLabel } from '../../src/domain/shipping/label-status.js';
import { parcelOf } from '../../src/domain/shipping/parcel.js';
import { chooseRate, parseRule, ruleText, validRateRule } from '../../src/domain/shipping/rate-rules.js';

const rate = (
  id: string,
  carrier: string,
  service: string,
  amount: number,
  deliveryDays: number | null,
): RateQuote => ({
  id,
  carrier,
  service,
  amount,
  currency: 'USD',
  deliveryDays,
});

const RATES = [
  rate('r-ground', 'USPS', 'GroundAdvantage', 593, 5),
  rate('r-priority', 'USPS', 'Priority', 912, 2),
  rate('r-ups-ground', 'UPS', 'Ground', 811, 4),
  rate('r-nda', 'UPS', 'NextDayAir', 4510, 1),
  rate('r-fedex-2day', 'FedEx', 'FEDEX_2_DAY', 1799, 2),
];

describe('rate rules', () => {
  it('CHEAPEST takes the lowest price and names the runner-up', () => {
    const choice = chooseRate(RATES, { kind: 'CHEAPEST' });
    expect(choice.chosen?.id).toBe('r-ground');
    expect(choice.why).toBe(
      'cheapest of 5 rates: USPS GroundAdvantage 5.93 USD (5 days); next: UPS Ground 8.11 USD (4 days)',
    );
  });

  it('FASTEST takes the fewest days, the cheaper of two equally fast ones, never one of unknown transit', () => {
    expect(chooseRate(RATES, { kind: 'FASTEST' }).chosen?.id).toBe('r-nda');
    const twoDays = RATES.filter((r) => r.id !== 'r-nda').concat(rate('r-unknown', 'DHL', 'Express', 100, null));
    const choice = chooseRate(twoDays, { kind: 'FASTEST' });
    expect(choice.chosen?.id).toBe('r-priority');
    expect(choice.why).toBe(
      'fastest of 5 rates: USPS Priority 9.12 USD (2 days); next: FedEx FEDEX_2_DAY 17.99 USD (2 days)',
    );
  });

  it('CHEAPEST_WITHIN_DAYS takes the cheapest fast enough and says how many were left out', () => {
    const choice = chooseRate(RATES, { kind: 'CHEAPEST_WITHIN_DAYS', days: 2 });
    expect(choice.chosen?.id).toBe('r-priority');
    expect(choice.why).toBe(
      'cheapest of 3 within 2 days: USPS Priority 9.12 USD (2 days); next: FedEx FEDEX_2_DAY 17.99 USD (2 days); 2 slower or of unknown transit time left out',
    );
    expect(chooseRate(RATES, { kind: 'CHEAPEST_WITHIN_DAYS', days: 4 }).chosen?.id).toBe('r-ups-ground');
  });

  it('chooses nothing, with the reason, when no rate fits', () => {
    const slow = [rate('a', 'USPS', 'GroundAdvantage', 593, 5), rate('b', 'UPS', 'Ground', 811, null)];
    expect(chooseRate(slow, { kind: 'CHEAPEST_WITHIN_DAYS', days: 3 })).toEqual({
      chosen: null,
      why: 'none of 2 rates delivers within 3 days; the fastest is USPS GroundAdvantage 5.93 USD (5 days)',
    });
    expect(chooseRate([], { kind: 'CHEAPEST' }).chosen).toBeNull();
    const mixed = [rate('a', 'X', 'A', 100, 1), { ...rate('b', 'Y', 'B', 90, 1), currency: 'CAD' }];
    expect(chooseRate(mixed, { kind: 'CHEAPEST' })).toEqual({
      chosen: null,
      why: 'the rates come in several currencies (USD, CAD) and cannot be compared',
    });
  });

  it('does not depend on the order the carrier listed its rates in', () => {
    const tie = [rate('z', 'USPS', 'B', 500, 3), rate('y', 'UPS', 'A', 500, 3), rate('x', 'USPS', 'A', 500, 3)];
    const first = chooseRate(tie, { kind: 'CHEAPEST' }).chosen?.id;
    expect(first).toBe('y');
    expect(chooseRate([...tie].reverse(), { kind: 'CHEAPEST' }).chosen?.id).toBe(first);
  });

  it('validates rules and round-trips their stored text', () => {
    expect(validRateRule('rule', { kind: 'CHEAPEST_WITHIN_DAYS', withinDays: 3 })).toEqual({
      kind: 'CHEAPEST_WITHIN_DAYS',
      days: 3,
    });
    expect(() => validRateRule('rule', { kind: 'CHEAPEST_WITHIN_DAYS' })).toThrow(/rule.withinDays/);
    expect(() => validRateRule('rule', { kind: 'CHEAPEST_WITHIN_DAYS', withinDays: 0 })).toThrow(/from 1 to 60/);
    expect(() => validRateRule('rule', { kind: 'FASTEST', withinDays: 2 })).toThrow(/only for CHEAPEST_WITHIN_DAYS/);
    for (const rule of [{ kind: 'CHEAPEST' }, { kind: 'FASTEST' }, { kind: 'CHEAPEST_WITHIN_DAYS', days: 7 }] as const)
      expect(parseRule(ruleText(rule))).toEqual(rule);
    expect(ruleText({ kind: 'CHEAPEST_WITHIN_DAYS', days: 7 })).toBe('CHEAPEST_WITHIN_DAYS(7)');
  });
});

describe('parcel', () => {
  it('weighs every unit and stacks the units on their smallest side', () => {
    expect(
      parcelOf([
        { sku: 'MUG', quantity: 2, weightGrams: 350, lengthMm: 100, widthMm: 120, heightMm: 90 },
        { sku: 'BOOK', quantity: 1, weightGrams: 500, lengthMm: 30, widthMm: 240, heightMm: 170 },
      ]),
    ).toEqual({ weightGrams: 1200, lengthMm: 240, widthMm: 170, heightMm: 90 + 90 + 30 });
  });

  it('gives the weight alone when a unit has no dimensions', () => {
    expect(parcelOf([{ sku: 'A', quantity: 3, weightGrams: 100, lengthMm: 10, widthMm: null, heightMm: 10 }])).toEqual({
      weightGrams: 300,
      lengthMm: null,
      widthMm: null,
      heightMm: null,
    });
  });

  it('refuses units without a weight, naming them', () => {
    const error = (() => {
      try {
        parcelOf([
          { sku: 'A', quantity: 1, weightGrams: null, lengthMm: null, widthMm: null, heightMm: null },
          { sku: 'B', quantity: 1, weightGrams: 0, lengthMm: null, widthMm: null, heightMm: null },
        ]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('BAD_USER_INPUT');
    expect((error as DomainError).details).toEqual({ field: 'weightGrams', skus: ['A', 'B'] });
  });
});

describe('label lifecycle', () => {
  it('walks every legal edge and refuses every illegal one', () => {
    let legal = 0;
    for (const from of LABEL_STATUSES) {
      for (const to of LABEL_STATUSES) {
        const label = { id: 'l1', status: from };
        if (LABEL_TRANSITIONS[from].includes(to)) {
          transitionLabel(label, to);
          expect(label.status).toBe(to);
          legal++;
        } else {
          expect(() => transitionLabel(label, to)).toThrow(`Shipping label l1 is ${from.toUpperCase()}`);
          expect(label.status).toBe(from);
        }
      }
    }
    expect(legal).toBe(7);
  });
});
