import { describe, expect, it } from '@jest/globals';
import { cardPaymentStatusOf } from '../../src/domain/payments/card-payment-view.js';
import { paymentStepKey } from '../../src/domain/payments/payment-keys.js';
import {
  expirySteps,
  paymentPosition,
  returnRefundAmount,
  settlementSteps,
  shareOfTotal,
  type StepFacts,
} from '../../src/domain/payments/payment-plan.js';

/**
 * The card payment rules as pure functions (payment-plan.ts): what a shipment captures, what the
 * last shipment and cancellations settle, what a return refunds, what an authorisation about to
 * lapse does — from the order's figures and the steps already decided.
 */
const step = (kind: StepFacts['kind'], amount: number, extra: Partial<StepFacts> = {}): StepFacts => ({
  kind,
  amount,
  final: false,
  status: 'succeeded',
  returnId: null,
  ...extra,
});

describe('idempotency keys', () => {
  it('are derived from the business step alone, and are valid BullMQ job ids', () => {
    const id = '6f1c2a8e-0000-4000-8000-000000000001';
    expect(paymentStepKey(id, 'authorize', 1)).toBe(`order-${id}-authorize`);
    expect(paymentStepKey(id, 'capture', 2)).toBe(`order-${id}-capture-2`);
    expect(paymentStepKey(id, 'void', 1)).toBe(`order-${id}-void`);
    expect(paymentStepKey(id, 'refund', 3)).toBe(`order-${id}-refund-3`);
    for (const kind of ['authorize', 'capture', 'void', 'refund'] as const)
      expect(paymentStepKey(id, kind, 1)).toMatch(/^[A-Za-z0-9-]{1,255}$/);
  });
});

describe('the position the steps decided', () => {
  it('counts pending and succeeded steps, never failed or skipped ones', () => {
    const position = paymentPosition([
      step('authorize', 5000),
      step('capture', 1000),
      step('capture', 700, { status: 'pending' }),
      step('capture', 900, { status: 'failed' }),
      step('refund', 300, { returnId: 'r1' }),
      step('refund', 200),
      step('refund', 50, { status: 'skipped' }),
    ]);
    expect(position).toEqual({ captured: 1700, refunded: 500, refundedForTotal: 200, closed: false });
  });

  it('is closed by a final capture or a void, pending or done', () => {
    expect(paymentPosition([step('capture', 10, { final: true, status: 'pending' })]).closed).toBe(true);
    expect(paymentPosition([step('void', 0)]).closed).toBe(true);
    expect(paymentPosition([step('void', 0, { status: 'failed' })]).closed).toBe(false);
  });
});

describe('captures at shipment', () => {
  const figures = { authorized: 11_000, total: 11_000, subtotal: 10_000, openUnits: 1 };

  it('a shipment leaving units behind captures its goods’ share of the total, not final', () => {
    // 2 × 50.00 + 10.00 shipping: the first unit carries half the shipping.
    expect(settlementSteps(figures, [step('authorize', 11_000)], { goodsValue: 5_000 })).toEqual([
      { kind: 'capture', amount: 5_500, final: false, reason: expect.any(String) },
    ]);
  });

  it('the last shipment captures the rest of the total, final (releasing what the authorisation held beyond)', () => {
    const steps = [step('authorize', 11_000), step('capture', 5_500)];
    expect(settlementSteps({ ...figures, openUnits: 0 }, steps, { goodsValue: 5_000 })).toEqual([
      { kind: 'capture', amount: 5_500, final: true, reason: expect.any(String) },
    ]);
  });

  it('never captures beyond the authorisation, however the total grew', () => {
    expect(
      settlementSteps({ authorized: 8_000, total: 9_000, subtotal: 9_000, openUnits: 0 }, [step('capture', 3_000)]),
    ).toEqual([{ kind: 'capture', amount: 5_000, final: true, reason: expect.any(String) }]);
  });

  it('rounds shares down, so the last capture takes the odd minor units', () => {
    expect(shareOfTotal(1_000, 999, 3_000)).toBe(333);
    expect(shareOfTotal(0, 999, 3_000)).toBe(0);
    expect(shareOfTotal(1_000, 999, 0)).toBe(0);
    // The product passes 2^53; integer arithmetic keeps it exact.
    expect(shareOfTotal(999_999_999_999, 1_000_000_000_000, 999_999_999_999)).toBe(1_000_000_000_000);
  });

  it('a free shipment captures nothing', () => {
    expect(settlementSteps(figures, [], { goodsValue: 0 })).toEqual([]);
  });
});

describe('cancellations and edits', () => {
  it('voids the whole authorisation when everything is cancelled before anything was captured', () => {
    expect(
      settlementSteps({ authorized: 5_000, total: 0, subtotal: 0, openUnits: 0 }, [step('authorize', 5_000)]),
    ).toEqual([{ kind: 'void', amount: 0, final: false, reason: expect.any(String) }]);
  });

  it('cancelling the rest of a partly shipped order captures what the shipped part still owes, final', () => {
    // Shipped 1 of 2 × 40.00 (captured 40.00 + half of 10.00 shipping = 45.00); the other cancelled.
    expect(
      settlementSteps({ authorized: 9_000, total: 5_000, subtotal: 4_000, openUnits: 0 }, [step('capture', 4_500)]),
    ).toEqual([{ kind: 'capture', amount: 500, final: true, reason: expect.any(String) }]);
  });

  it('refunds what was captured beyond the new total, and releases the rest', () => {
    // 2 × 50.00 − 20.00 discount; one shipped (captured 40.00); the other cancelled: total 30.00.
    expect(
      settlementSteps({ authorized: 8_000, total: 3_000, subtotal: 5_000, openUnits: 0 }, [step('capture', 4_000)]),
    ).toEqual([
      // A zero final capture releases the rest: an intent that captured anything cannot be cancelled.
      { kind: 'capture', amount: 0, final: true, reason: expect.any(String) },
      { kind: 'refund', amount: 1_000, final: false, reason: expect.any(String) },
    ]);
  });

  it('a cancellation while units remain changes nothing until they ship (the final capture takes less)', () => {
    expect(settlementSteps({ authorized: 8_000, total: 6_000, subtotal: 6_000, openUnits: 2 }, [])).toEqual([]);
  });

  it('after an early final capture, a cancellation refunds the difference, once', () => {
    const steps = [step('capture', 8_000, { final: true })];
    const figures = { authorized: 8_000, total: 5_000, subtotal: 5_000, openUnits: 1 };
    expect(settlementSteps(figures, steps)).toEqual([
      { kind: 'refund', amount: 3_000, final: false, reason: expect.any(String) },
    ]);
    expect(settlementSteps(figures, [...steps, step('refund', 3_000, { status: 'pending' })])).toEqual([]);
  });
});

describe('returns', () => {
  it('refund what arrived, capped at what was captured and not refunded yet', () => {
    const steps = [step('capture', 5_000), step('refund', 1_000, { returnId: 'r1' })];
    expect(returnRefundAmount(2_500, steps)).toBe(2_500);
    expect(returnRefundAmount(9_000, steps)).toBe(4_000);
    expect(returnRefundAmount(100, [step('capture', 1_000, { status: 'failed' })])).toBe(0);
  });
});

describe('an authorisation about to lapse', () => {
  const allocated = { authorized: 10_000, total: 10_000, subtotal: 10_000, openUnits: 4 };

  it('captures the whole total, final, when every open unit is allocated', () => {
    expect(
      expirySteps({ ...allocated, allocatedGoods: 10_000, unallocatedUnits: 0 }, [step('capture', 2_500)]),
    ).toEqual([{ kind: 'capture', amount: 7_500, final: true, reason: expect.any(String) }]);
  });

  it('captures the allocated goods’ share when some units wait for stock', () => {
    expect(expirySteps({ ...allocated, allocatedGoods: 6_000, unallocatedUnits: 2 }, [])).toEqual([
      { kind: 'capture', amount: 6_000, final: true, reason: expect.any(String) },
    ]);
  });

  it('voids it when nothing is allocated', () => {
    expect(expirySteps({ ...allocated, allocatedGoods: 0, unallocatedUnits: 4 }, [])).toEqual([
      { kind: 'void', amount: 0, final: false, reason: expect.any(String) },
    ]);
  });

  it('does nothing once a final capture or void was decided', () => {
    expect(
      expirySteps({ ...allocated, allocatedGoods: 10_000, unallocatedUnits: 0 }, [
        step('void', 0, { status: 'pending' }),
      ]),
    ).toEqual([]);
  });
});

describe('the status a card payment shows', () => {
  const base = {
    intentStatus: null,
    lastError: null,
    authorizedAmount: 0,
    capturedAmount: 0,
    voidedAmount: 0,
    refundedAmount: 0,
  };
  it.each([
    [{}, 'PENDING'],
    [{ lastError: 'amount too small' }, 'FAILED'],
    [{ intentStatus: 'requires_payment_method' }, 'REQUIRES_PAYMENT_METHOD'],
    [{ intentStatus: 'requires_payment_method', lastError: 'declined' }, 'DECLINED'],
    [{ intentStatus: 'requires_action' }, 'REQUIRES_ACTION'],
    [{ intentStatus: 'processing' }, 'PROCESSING'],
    [{ intentStatus: 'requires_capture', authorizedAmount: 900 }, 'AUTHORIZED'],
    [{ intentStatus: 'requires_capture', authorizedAmount: 900, capturedAmount: 300 }, 'PARTIALLY_CAPTURED'],
    [{ intentStatus: 'succeeded', authorizedAmount: 900, capturedAmount: 800, voidedAmount: 100 }, 'CAPTURED'],
    [{ intentStatus: 'canceled', authorizedAmount: 900, voidedAmount: 900 }, 'VOIDED'],
    [
      { intentStatus: 'succeeded', authorizedAmount: 900, capturedAmount: 900, refundedAmount: 200 },
      'PARTIALLY_REFUNDED',
    ],
    [{ intentStatus: 'succeeded', authorizedAmount: 900, capturedAmount: 900, refundedAmount: 900 }, 'REFUNDED'],
  ] as const)('%j is %s', (fields, status) => {
    expect(cardPaymentStatusOf({ ...base, ...fields })).toBe(status);
  });
});
