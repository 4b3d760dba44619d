import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import {
  ledgerOfEvents,
  paymentStatusOf,
  type PaymentEventRecord,
} from '../../src/domain/orders/lifecycle/order-payment.js';
import { paymentSummaryOf } from '../../src/schema/orders/payment-summary.types.js';

/**
 * The payment ledger and its status, derived from plain timeline records shaped as the lifecycle
 * writes them (placement, hold release, edits, cancellations, returns).
 */
const placed = (total: number): PaymentEventRecord => ({ type: 'placed', data: { total, currency: 'USD', lines: 2 } });
const moved = (toStatus: string, data: Record<string, unknown> | null = null): PaymentEventRecord => ({
  type: 'status_changed',
  toStatus,
  data,
});
/** Placement's authorisation: no amount, it is the total at placement. */
const authorizedAtPlacement = moved('PAYMENT_AUTHORIZED', { provider: 'manual', reference: 'auth-1' });
const voided = (amount: number): PaymentEventRecord => ({
  type: 'payment_voided',
  data: { provider: 'manual', reference: 'void-x', authorization: 'auth-1', amount, currency: 'USD' },
});
const refunded = (amount: number): PaymentEventRecord => ({
  type: 'payment_refunded',
  data: { provider: 'manual', reference: 'ref-x', authorization: 'auth-1', amount, currency: 'USD' },
});

const authorizedOrder = (total: number) => [
  placed(total),
  moved('CONFIRMED'),
  authorizedAtPlacement,
  { type: 'sourced', data: { reservations: [] } },
  moved('ALLOCATED'),
];

describe('payment ledger from the timeline', () => {
  it('NONE: an order held at placement was never authorised', () => {
    const ledger = ledgerOfEvents([placed(250_000), moved('CONFIRMED'), moved('ON_HOLD')]);
    expect(ledger).toEqual({ provider: null, reference: null, authorized: 0, voided: 0, refunded: 0, open: 0 });
    expect(paymentStatusOf(ledger)).toBe('NONE');
  });

  it('NONE: a held order cancelled before any authorisation', () => {
    const ledger = ledgerOfEvents([
      placed(250_000),
      moved('CONFIRMED'),
      moved('ON_HOLD'),
      { type: 'order_cancelled', data: { releasedUnits: 0 } },
      moved('CANCELLED'),
    ]);
    expect(paymentStatusOf(ledger)).toBe('NONE');
  });

  it('AUTHORIZED: placement authorises the total (no amount recorded), other entries are ignored', () => {
    const ledger = ledgerOfEvents(authorizedOrder(7970));
    expect(ledger).toEqual({
      provider: 'manual',
      reference: 'auth-1',
      authorized: 7970,
      voided: 0,
      refunded: 0,
      open: 7970,
    });
    expect(paymentStatusOf(ledger)).toBe('AUTHORIZED');
  });

  it('AUTHORIZED: a hold release authorises with an amount; a reused authorisation is not counted twice', () => {
    const released = ledgerOfEvents([
      placed(5000),
      moved('CONFIRMED'),
      moved('ON_HOLD'),
      moved('CONFIRMED'),
      moved('PAYMENT_AUTHORIZED', { provider: 'manual', reference: 'auth-2', amount: 5000 }),
    ]);
    expect(released).toMatchObject({ reference: 'auth-2', authorized: 5000, open: 5000 });
    expect(paymentStatusOf(released)).toBe('AUTHORIZED');

    const reused = ledgerOfEvents([
      ...authorizedOrder(5000),
      moved('ON_HOLD'),
      moved('CONFIRMED'),
      moved('PAYMENT_AUTHORIZED', { reusedAuthorization: 'auth-1' }),
    ]);
    expect(reused).toMatchObject({ reference: 'auth-1', authorized: 5000, open: 5000 });
    expect(paymentStatusOf(reused)).toBe('AUTHORIZED');
  });

  it('AUTHORIZED: an edit that raised the total adds its authorisation, the latest reference wins', () => {
    const ledger = ledgerOfEvents([
      ...authorizedOrder(5000),
      { type: 'payment_authorized', data: { provider: 'manual', reference: 'auth-3', amount: 1200, currency: 'USD' } },
    ]);
    expect(ledger).toEqual({
      provider: 'manual',
      reference: 'auth-3',
      authorized: 6200,
      voided: 0,
      refunded: 0,
      open: 6200,
    });
    expect(paymentStatusOf(ledger)).toBe('AUTHORIZED');
  });

  it('PARTIALLY_VOIDED, then VOIDED: cancelling a line, then the rest', () => {
    const partly = ledgerOfEvents([...authorizedOrder(7970), voided(990)]);
    expect(partly).toMatchObject({ authorized: 7970, voided: 990, refunded: 0, open: 6980 });
    expect(paymentStatusOf(partly)).toBe('PARTIALLY_VOIDED');

    const whole = ledgerOfEvents([...authorizedOrder(7970), voided(990), voided(6980)]);
    expect(whole).toMatchObject({ voided: 7970, open: 0 });
    expect(paymentStatusOf(whole)).toBe('VOIDED');
  });

  it('PARTIALLY_REFUNDED, then REFUNDED: returns', () => {
    const partly = ledgerOfEvents([...authorizedOrder(7970), refunded(4480)]);
    expect(partly).toMatchObject({ authorized: 7970, voided: 0, refunded: 4480, open: 3490 });
    expect(paymentStatusOf(partly)).toBe('PARTIALLY_REFUNDED');

    const whole = ledgerOfEvents([...authorizedOrder(7970), refunded(4480), refunded(3490)]);
    expect(whole).toMatchObject({ refunded: 7970, open: 0 });
    expect(paymentStatusOf(whole)).toBe('REFUNDED');
  });

  it('a refund outranks a void when both happened', () => {
    const open = ledgerOfEvents([...authorizedOrder(7970), voided(990), refunded(2500)]);
    expect(open).toMatchObject({ voided: 990, refunded: 2500, open: 4480 });
    expect(paymentStatusOf(open)).toBe('PARTIALLY_REFUNDED');

    const closed = ledgerOfEvents([...authorizedOrder(7970), voided(990), refunded(6980)]);
    expect(closed.open).toBe(0);
    expect(paymentStatusOf(closed)).toBe('REFUNDED');
  });

  it('open never goes below zero', () => {
    const ledger = ledgerOfEvents([...authorizedOrder(1000), voided(600), refunded(600)]);
    expect(ledger.open).toBe(0);
    expect(paymentStatusOf(ledger)).toBe('REFUNDED');
  });

  it('the GraphQL summary carries the amounts as Money in the order currency', () => {
    expect(paymentSummaryOf([...authorizedOrder(7970), voided(990)], 'EUR')).toEqual({
      provider: 'manual',
      reference: 'auth-1',
      status: 'PARTIALLY_VOIDED',
      authorized: { amount: 7970, currency: 'EUR' },
      captured: { amount: 0, currency: 'EUR' },
      voided: { amount: 990, currency: 'EUR' },
      refunded: { amount: 0, currency: 'EUR' },
      open: { amount: 6980, currency: 'EUR' },
      nextAction: null,
      captureBefore: null,
      failureReason: null,
      cardIntent: null,
    });
    expect(paymentSummaryOf([], 'USD')).toMatchObject({
      status: 'NONE',
      provider: null,
      reference: null,
      open: { amount: 0, currency: 'USD' },
    });
  });
});
