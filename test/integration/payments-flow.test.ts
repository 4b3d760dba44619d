import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DomainError } from '../../src/domain/errors.js';
import { cancelOrder } from '../../src/domain/orders/lifecycle/cancel-order.js';
import { createShipment } from '../../src/domain/orders/lifecycle/create-shipment.js';
import { approveReturn } from '../../src/domain/orders/lifecycle/decide-return.js';
import { editOrder } from '../../src/domain/orders/lifecycle/edit-order.js';
import { markShipmentShipped } from '../../src/domain/orders/lifecycle/mark-shipment-shipped.js';
import { receiveReturn } from '../../src/domain/orders/lifecycle/receive-return.js';
import { releaseOrderHold } from '../../src/domain/orders/lifecycle/release-order-hold.js';
import { requestReturn } from '../../src/domain/orders/lifecycle/request-return.js';
import { placeOrder, type PlaceOrderDeps } from '../../src/domain/orders/place-order.service.js';
import type { PlaceOrderInput } from '../../src/domain/orders/place-order.input.js';
import { manualPaymentProvider } from '../../src/domain/payments/payment-provider.js';
import { ADDRESS, createLocations, createSku, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { sql } from '../support/database.js';
import { invariantViolationsAt, orderState, timelineOf } from '../support/order-lifecycle.js';
import {
  orderStatusOf,
  paymentOf,
  startPaymentsRig,
  stepsOf,
  waitFor,
  type PaymentsRig,
} from '../support/payments-rig.js';
import { stripeFixtures } from '../support/stripe-fixtures.js';
import { stripeClientFor } from '../support/stripe-harness.js';

/**
 * Card payments end to end below the API: orders placed with the Stripe provider commit in
 * CONFIRMED with a pending payment; the payments job (BullMQ on real Redis, fed by the outbox
 * relay) creates the PaymentIntent through the official client against the Stripe simulator;
 * the simulator's signed webhooks are applied by re-reading the intent. Every gateway call is
 * checked in the simulator's own request log and effect count.
 */
let rig: PaymentsRig;
let location: string;
let n = 0;
const deps: PlaceOrderDeps = {
  payments: manualPaymentProvider,
  policy: { holdTotalAbove: 1_000_000 },
  cardPayments: { provider: 'stripe' },
};
const lifecycle = { payments: manualPaymentProvider };
const ctx = () => contextFor(rig.orm.em);

beforeAll(async () => {
  rig = await startPaymentsRig();
  ({ PAY: location } = (await createLocations(ctx(), [{ code: 'PAY' }])) as { PAY: string });
});
afterAll(async () => {
  const violations = await invariantViolationsAt(rig.db.url);
  await rig.close();
  expect(violations).toEqual([]);
});

async function sku(price: number, onHand = 100): Promise<string> {
  const code = `PF-${++n}`;
  await createSku(ctx(), code, price);
  await stock(ctx(), code, location, onHand);
  return code;
}

const place = (lines: { sku: string; quantity: number }[], extra: Partial<PlaceOrderInput> = {}) =>
  placeOrder(ctx(), deps, { currency: 'USD', shippingAddress: ADDRESS, lines, ...extra });

const statusBecomes = (orderId: string, status: string) =>
  waitFor(`order ${orderId} ${status}`, async () => {
    const o = await orderStatusOf(rig.db.url, orderId);
    return o.status === status ? o : undefined;
  });

const stepsSettle = (orderId: string) =>
  waitFor(`the payment steps of ${orderId}`, async () => {
    const steps = await stepsOf(rig.db.url, orderId);
    return steps.length > 0 && steps.every((s) => s.status !== 'pending') ? steps : undefined;
  });

const linesOf = (orderId: string) =>
  sql<{ id: string; quantity: number }>(
    rig.db.url,
    'select id, quantity from order_line where order_id = $1 order by position',
    [orderId],
  );

async function ship(orderId: string, lines?: { lineId: string; quantity: number }[]) {
  const { shipments } = await createShipment(ctx(), orderId, lines ? { lines } : {});
  for (const s of shipments)
    await markShipmentShipped(ctx(), s.shipment.id, {
      carrier: 'UPS',
      trackingNumber: `1Z${s.shipment.id.slice(0, 8)}`,
    });
  return shipments;
}

describe('authorisation at placement', () => {
  it('commits CONFIRMED with a pending payment and no gateway call; the job authorises, then allocation follows', async () => {
    const code = await sku(2_500);
    const calls = rig.sim.requests.length;
    const order = await place([{ sku: code, quantity: 2 }], { paymentMethod: 'pm_card_visa', shippingAmount: 500 });
    expect(order.status).toBe('CONFIRMED');
    expect(await paymentOf(rig.db.url, order.id)).toMatchObject({
      intent_id: null,
      intent_status: null,
      amount: 5_500,
    });

    await statusBecomes(order.id, 'ALLOCATED');
    const payment = (await paymentOf(rig.db.url, order.id))!;
    expect(payment).toMatchObject({ intent_status: 'requires_capture', authorized_amount: 5_500, captured_amount: 0 });
    expect(payment.capture_before).not.toBeNull();
    const intent = rig.sim.store.intents.get(payment.intent_id!)!;
    expect(intent).toMatchObject({
      amount: 5_500,
      currency: 'usd',
      capture_method: 'manual',
      metadata: { orderId: order.id },
    });
    const posts = rig.sim.requests.slice(calls).filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.idempotencyKey)).toEqual([`order-${order.id}-authorize`]);
    expect(rig.sim.effectsFor(payment.intent_id!, 'authorise')).toHaveLength(1);
    expect((await timelineOf(rig.db.url, order.id)).map((e) => e.to_status ?? e.type)).toEqual([
      'placed',
      'CONFIRMED',
      'PAYMENT_AUTHORIZED',
      'sourced',
      'ALLOCATED',
    ]);
  });

  it('a declined card puts the order ON_HOLD with the decline reason; nothing is reserved', async () => {
    const code = await sku(1_000, 5);
    const order = await place([{ sku: code, quantity: 1 }], {
      paymentMethod: 'pm_card_visa_chargeDeclinedInsufficientFunds',
    });
    const held = await statusBecomes(order.id, 'ON_HOLD');
    expect(held.hold_reason).toMatch(/stripe payment declined: .*insufficient_funds/);
    expect(await paymentOf(rig.db.url, order.id)).toMatchObject({ intent_status: 'requires_payment_method' });
    expect((await timelineOf(rig.db.url, order.id)).at(-1)).toMatchObject({
      to_status: 'ON_HOLD',
      data: { provider: 'stripe', declineCode: 'insufficient_funds' },
    });
    const [level] = await sql<{ reserved: number }>(
      rig.db.url,
      'select s.reserved from stock_level s join variant v on v.id = s.variant_id where v.sku = $1',
      [code],
    );
    expect(level!.reserved).toBe(0);
    // A decline is the card's answer, not a failed job.
    expect(await rig.queues.payments.getFailedCount()).toBe(0);
  });

  it('3-D Secure: the order waits in CONFIRMED with the action surfaced; the customer completes it and the webhook moves it on', async () => {
    const order = await place([{ sku: await sku(4_000), quantity: 1 }], {
      paymentMethod: 'pm_card_threeDSecure2Required',
    });
    const waiting = await waitFor('requires_action', async () => {
      const p = await paymentOf(rig.db.url, order.id);
      return p?.intent_status === 'requires_action' ? p : undefined;
    });
    expect(waiting.next_action).toBe('use_stripe_sdk');
    expect((await orderStatusOf(rig.db.url, order.id)).status).toBe('CONFIRMED');
    expect((await timelineOf(rig.db.url, order.id)).some((e) => e.type === 'payment_action_required')).toBe(true);
    // What the storefront confirms with: read from the gateway, never stored.
    expect((await rig.gateway.retrieveIntent(waiting.intent_id!)).clientSecret).toMatch(/^pi_.+_secret_/);
    expect(JSON.stringify(await sql(rig.db.url, 'select * from payment'))).not.toContain('_secret_');

    rig.sim.completeAction(waiting.intent_id!);
    await statusBecomes(order.id, 'ALLOCATED');
    expect(rig.webhookOutcomes.some((w) => w.outcome.startsWith('processed: authorised'))).toBe(true);
  });

  it('without a payment method the storefront confirms with the client secret, and the webhook moves the order on', async () => {
    const order = await place([{ sku: await sku(1_200), quantity: 3 }]);
    const waiting = await waitFor('requires_payment_method', async () => {
      const p = await paymentOf(rig.db.url, order.id);
      return p?.intent_status === 'requires_payment_method' ? p : undefined;
    });
    expect((await orderStatusOf(rig.db.url, order.id)).status).toBe('CONFIRMED');
    await stripeClientFor(rig.sim).paymentIntents.confirm(waiting.intent_id!, { payment_method: 'pm_card_visa' });
    await statusBecomes(order.id, 'ALLOCATED');
    expect(await paymentOf(rig.db.url, order.id)).toMatchObject({
      intent_status: 'requires_capture',
      authorized_amount: 3_600,
    });
  });

  it('a held order keeps its authorisation until released; the release carries it on', async () => {
    const order = await place([{ sku: await sku(600_000, 3), quantity: 2 }], { paymentMethod: 'pm_card_visa' });
    expect(order.status).toBe('ON_HOLD');
    await waitFor('authorised while held', async () =>
      (await paymentOf(rig.db.url, order.id))?.intent_status === 'requires_capture' ? true : undefined,
    );
    expect((await orderStatusOf(rig.db.url, order.id)).status).toBe('ON_HOLD');
    const released = await releaseOrderHold(ctx(), lifecycle, order.id, { reason: 'reviewed' });
    expect(released.status).toBe('ALLOCATED');
    expect(rig.sim.effectsFor((await paymentOf(rig.db.url, order.id))!.intent_id!, 'authorise')).toHaveLength(1);
  });
});

describe('captures, voids and refunds', () => {
  it('captures each shipment’s share as it ships (not final), then the rest with the last one (final)', async () => {
    const [a, b] = [await sku(4_000), await sku(6_000)];
    const order = await place(
      [
        { sku: a, quantity: 1 },
        { sku: b, quantity: 1 },
      ],
      { paymentMethod: 'pm_card_visa', shippingAmount: 1_000 },
    );
    await statusBecomes(order.id, 'ALLOCATED');
    const [lineA, lineB] = await linesOf(order.id);
    await ship(order.id, [{ lineId: lineA!.id, quantity: 1 }]);
    await waitFor('the first capture', async () =>
      (await paymentOf(rig.db.url, order.id))!.captured_amount > 0 ? true : undefined,
    );
    const intentId = (await paymentOf(rig.db.url, order.id))!.intent_id!;
    // 40.00 of 100.00 goods: 40 % of the 110.00 total.
    expect(rig.sim.effectsFor(intentId, 'capture').map((e) => e.amount)).toEqual([4_400]);
    expect(rig.sim.store.intents.get(intentId)).toMatchObject({ status: 'requires_capture', amount_capturable: 6_600 });

    await ship(order.id, [{ lineId: lineB!.id, quantity: 1 }]);
    const steps = await stepsSettle(order.id);
    expect(steps.map((s) => [s.kind, s.amount, s.final, s.status])).toEqual([
      ['authorize', 11_000, false, 'succeeded'],
      ['capture', 4_400, false, 'succeeded'],
      ['capture', 6_600, true, 'succeeded'],
    ]);
    expect(steps.map((s) => s.key)).toEqual([
      `order-${order.id}-authorize`,
      `order-${order.id}-capture-1`,
      `order-${order.id}-capture-2`,
    ]);
    expect(rig.sim.effectsFor(intentId, 'capture').map((e) => [e.amount, e.idempotencyKey])).toEqual([
      [4_400, `order-${order.id}-capture-1`],
      [6_600, `order-${order.id}-capture-2`],
    ]);
    expect(await paymentOf(rig.db.url, order.id)).toMatchObject({
      intent_status: 'succeeded',
      authorized_amount: 11_000,
      captured_amount: 11_000,
      voided_amount: 0,
    });
  });

  it('voids the authorisation when the order is cancelled before anything was captured', async () => {
    const order = await place([{ sku: await sku(3_000), quantity: 2 }], { paymentMethod: 'pm_card_visa' });
    await statusBecomes(order.id, 'ALLOCATED');
    await cancelOrder(ctx(), lifecycle, order.id, { reason: 'customer changed their mind' });
    const steps = await stepsSettle(order.id);
    expect(steps.map((s) => [s.kind, s.status])).toEqual([
      ['authorize', 'succeeded'],
      ['void', 'succeeded'],
    ]);
    const payment = (await paymentOf(rig.db.url, order.id))!;
    expect(payment).toMatchObject({ intent_status: 'canceled', voided_amount: 6_000, captured_amount: 0 });
    expect(rig.sim.effectsFor(payment.intent_id!, 'cancel')).toHaveLength(1);
    expect(rig.sim.effectsFor(payment.intent_id!, 'capture')).toHaveLength(0);
  });

  it('an order cancelled before its authorisation arrives has the intent cancelled once it exists', async () => {
    const order = await place([{ sku: await sku(700), quantity: 1 }], { paymentMethod: 'pm_card_visa' });
    await cancelOrder(ctx(), lifecycle, order.id, { reason: 'duplicate order' });
    const steps = await stepsSettle(order.id);
    expect(steps.map((s) => [s.kind, s.status])).toEqual([
      ['authorize', 'succeeded'],
      ['void', 'succeeded'],
    ]);
    expect((await orderStatusOf(rig.db.url, order.id)).status).toBe('CANCELLED');
    expect((await paymentOf(rig.db.url, order.id))!.intent_status).toBe('canceled');
  });

  it('refunds what was captured beyond the total when the rest of a discounted order is cancelled', async () => {
    const code = await sku(5_000);
    const order = await place([{ sku: code, quantity: 2 }], { paymentMethod: 'pm_card_visa', discountAmount: 2_000 });
    await statusBecomes(order.id, 'ALLOCATED');
    const [line] = await linesOf(order.id);
    await ship(order.id, [{ lineId: line!.id, quantity: 1 }]);
    // 50.00 of 100.00 goods: half the 80.00 total.
    await waitFor('the capture', async () =>
      (await paymentOf(rig.db.url, order.id))!.captured_amount === 4_000 ? true : undefined,
    );
    // The other unit cancelled: 50.00 − 20.00 discount = 30.00, 10.00 less than captured.
    await cancelOrder(ctx(), lifecycle, order.id, {
      reason: 'out of stock',
      lines: [{ lineId: line!.id, quantity: 1 }],
    });
    const steps = await stepsSettle(order.id);
    expect(steps.slice(2).map((s) => [s.kind, s.amount, s.final, s.status])).toEqual([
      ['capture', 0, true, 'succeeded'],
      ['refund', 1_000, false, 'succeeded'],
    ]);
    const payment = (await paymentOf(rig.db.url, order.id))!;
    expect(payment).toMatchObject({
      intent_status: 'succeeded',
      captured_amount: 4_000,
      refunded_amount: 1_000,
      voided_amount: 4_000,
    });
    expect(rig.sim.effectsFor(payment.intent_id!, 'refund').map((e) => e.amount)).toEqual([1_000]);
    expect((await orderStatusOf(rig.db.url, order.id)).status).toBe('SHIPPED');
  });

  it('refunds a received return (and only what arrived), then marks the return refunded', async () => {
    const order = await place([{ sku: await sku(2_000), quantity: 3 }], { paymentMethod: 'pm_card_visa' });
    await statusBecomes(order.id, 'ALLOCATED');
    await ship(order.id);
    await stepsSettle(order.id);
    const [line] = await linesOf(order.id);
    const ret = await requestReturn(ctx(), order.id, { lines: [{ lineId: line!.id, quantity: 2 }] });
    await approveReturn(ctx(), ret.returnRequest.id);
    const received = await receiveReturn(ctx(), lifecycle, ret.returnRequest.id, {
      lines: [{ lineId: line!.id, quantity: 1, restock: true }],
    });
    expect(received.returnRequest.status).toBe('received');
    await waitFor('the return refunded', async () => {
      const [r] = await sql<{ status: string; refunded_amount: number; refund_reference: string | null }>(
        rig.db.url,
        'select status, refunded_amount::float8 as refunded_amount, refund_reference from return_request where id = $1',
        [ret.returnRequest.id],
      );
      return r?.status === 'refunded' ? r : undefined;
    }).then((r) =>
      expect(r).toMatchObject({ refunded_amount: 2_000, refund_reference: expect.stringMatching(/^re_/) }),
    );
    const payment = (await paymentOf(rig.db.url, order.id))!;
    expect(payment).toMatchObject({ captured_amount: 6_000, refunded_amount: 2_000 });
    expect(rig.sim.effectsFor(payment.intent_id!, 'refund').map((e) => [e.amount, e.idempotencyKey])).toEqual([
      [2_000, `order-${order.id}-refund-1`],
    ]);
    const timeline = await timelineOf(rig.db.url, order.id);
    expect(timeline.filter((e) => e.type === 'payment_refunded').map((e) => e.data?.amount)).toEqual([2_000]);
  });

  it('refuses an edit raising a card order above its authorisation, changing nothing', async () => {
    // Held for review at placement (above the hold threshold): still editable.
    const order = await place([{ sku: await sku(600_000, 10), quantity: 2 }], { paymentMethod: 'pm_card_visa' });
    expect(order.status).toBe('ON_HOLD');
    await stepsSettle(order.id);
    const [line] = await linesOf(order.id);
    const before = await orderState(rig.db.url, order.id);
    const error = await editOrder(ctx(), lifecycle, order.id, { lines: [{ lineId: line!.id, quantity: 3 }] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', details: { authorized: 1_200_000, total: 1_800_000 } });
    expect(await orderState(rig.db.url, order.id)).toEqual(before);
    // Lower is fine: the capture later takes only the new total.
    const edited = await editOrder(ctx(), lifecycle, order.id, { lines: [{ lineId: line!.id, quantity: 1 }] });
    expect(edited.totalAmount).toBe(600_000);
    expect((await stepsOf(rig.db.url, order.id)).map((s) => s.kind)).toEqual(['authorize']);
  });
});

describe('disputes and fraud warnings', () => {
  for (const [signal, raise] of [
    ['a dispute', (intentId: string) => rig.sim.dispute(intentId)],
    ['an early fraud warning', (intentId: string) => rig.sim.earlyFraudWarning(intentId)],
  ] as const) {
    it(`${signal} on an allocated order holds it; it cannot ship until released`, async () => {
      const order = await place([{ sku: await sku(3_300), quantity: 1 }], { paymentMethod: 'pm_card_visa' });
      await statusBecomes(order.id, 'ALLOCATED');
      const { shipments } = await createShipment(ctx(), order.id);
      raise((await paymentOf(rig.db.url, order.id))!.intent_id!);
      const held = await statusBecomes(order.id, 'ON_HOLD');
      expect(held.hold_reason).toMatch(signal === 'a dispute' ? /disputed/ : /early fraud warning/);
      const refused = await markShipmentShipped(ctx(), shipments[0]!.shipment.id, {
        carrier: 'UPS',
        trackingNumber: 'X1',
      }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'ILLEGAL_TRANSITION', details: { current: 'ON_HOLD' } });
      await releaseOrderHold(ctx(), lifecycle, order.id, { reason: 'evidence submitted' });
      const { order: shipped } = await markShipmentShipped(ctx(), shipments[0]!.shipment.id, {
        carrier: 'UPS',
        trackingNumber: 'X1',
      });
      expect(shipped.status).toBe('SHIPPED');
    });
  }
});

describe('events the hub did not cause', () => {
  it('an event about an intent that is not the hub’s (the official fixture, unchanged) is ignored', async () => {
    const fixtures = stripeFixtures();
    rig.sim.seedIntent(fixtures.payment_intent);
    const event = {
      ...fixtures.event,
      id: 'evt_fixture_not_ours',
      type: 'payment_intent.succeeded',
      data: { object: fixtures.payment_intent },
    };
    await rig.sim.sendEvent(event);
    const applied = await waitFor('the fixture event', async () =>
      rig.webhookOutcomes.find((w) => w.id === 'evt_fixture_not_ours'),
    );
    expect(applied.outcome).toBe(`ignored: intent ${fixtures.payment_intent.id} is not for an order of this hub`);
  });

  it('events of types the hub does not act on are taken and ignored', async () => {
    const fixtures = stripeFixtures();
    await rig.sim.sendEvent({ ...fixtures.event, id: 'evt_fixture_plan' });
    const applied = await waitFor('the plan event', async () =>
      rig.webhookOutcomes.find((w) => w.id === 'evt_fixture_plan'),
    );
    expect(applied.outcome).toBe('ignored: plan.created is not handled');
  });
});

describe('placeOrder input', () => {
  it('refuses a paymentMethod where no card payment is taken, saying what is allowed', async () => {
    const code = await sku(1_000);
    const manualOnly = { ...deps, cardPayments: null };
    const error = await placeOrder(ctx(), manualOnly, {
      currency: 'USD',
      shippingAddress: ADDRESS,
      lines: [{ sku: code, quantity: 1 }],
      paymentMethod: 'pm_card_visa',
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'paymentMethod' } });
    expect((error as Error).message).toMatch(/takes no card payments/);
    for (const paymentMethod of ['4242424242424242', 'pm_4242424242424242', 'card_visa', 'pm_'])
      expect(await place([{ sku: code, quantity: 1 }], { paymentMethod }).catch((e: unknown) => e)).toMatchObject({
        code: 'BAD_USER_INPUT',
        details: { field: 'paymentMethod' },
      });
    // A card number is never stored, not even a refused one.
    expect(JSON.stringify(await sql(rig.db.url, 'select payment_method from payment_step'))).not.toContain(
      '4242424242424242',
    );
    const terms = await place([{ sku: code, quantity: 1 }], {
      paymentMethod: 'pm_card_visa',
      paymentTerms: 'NET30',
    }).catch((e: unknown) => e);
    expect(terms).toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'paymentMethod' } });
  });

  it('the invariant checker notices a payment whose amounts drift from its steps', async () => {
    const [row] = await sql<{ order_id: string }>(
      rig.db.url,
      'select order_id from payment where captured_amount > 0 limit 1',
    );
    await sql(rig.db.url, 'update payment set refunded_amount = refunded_amount + 1 where order_id = $1', [
      row!.order_id,
    ]);
    try {
      expect((await invariantViolationsAt(rig.db.url)).map((v) => v.invariant)).toEqual([
        'card payments captured and refunded what their steps did',
      ]);
    } finally {
      await sql(rig.db.url, 'update payment set refunded_amount = refunded_amount - 1 where order_id = $1', [
        row!.order_id,
      ]);
    }
  });

  it('every gateway call carried the hub’s own idempotency key', () => {
    // Every POST but the storefront's own confirmation (made with the official client in a test above).
    const posts = rig.sim.requests.filter((r) => r.method === 'POST' && !r.path.endsWith('/confirm'));
    expect(posts.length).toBeGreaterThan(10);
    for (const r of posts)
      expect(r.idempotencyKey).toMatch(/^order-[0-9a-f-]{36}-(authorize|capture-\d+|void|refund-\d+)$/);
  });
});
