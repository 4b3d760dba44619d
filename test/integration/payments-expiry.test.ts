import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cancelOrder } from '../../src/domain/orders/lifecycle/cancel-order.js';
import { createShipment } from '../../src/domain/orders/lifecycle/create-shipment.js';
import { markShipmentShipped } from '../../src/domain/orders/lifecycle/mark-shipment-shipped.js';
import { placeOrder, type PlaceOrderDeps } from '../../src/domain/orders/place-order.service.js';
import { manualPaymentProvider } from '../../src/domain/payments/payment-provider.js';
import { ADDRESS, createLocations, createSku, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { sql } from '../support/database.js';
import { invariantViolationsAt, timelineOf } from '../support/order-lifecycle.js';
import {
  orderStatusOf,
  paymentOf,
  startPaymentsRig,
  stepsOf,
  waitFor,
  type PaymentsRig,
} from '../support/payments-rig.js';

/**
 * The authorisation-expiry job on a fake clock: the simulator's clock and the scan's move on
 * together (days in milliseconds), real PostgreSQL, Redis and BullMQ in between. An
 * authorisation lapsing within the margin (24 h) is captured for what is allocated, or voided
 * when nothing is, before it lapses — and the timeline says so. One the scan never saw lapses at
 * Stripe, whose webhook then holds the order.
 */
const DAY = 86_400_000;
let rig: PaymentsRig;
let location: string;
let n = 0;
const deps: PlaceOrderDeps = {
  payments: manualPaymentProvider,
  policy: { holdTotalAbove: null },
  cardPayments: { provider: 'stripe' },
};
const lifecycle = { payments: manualPaymentProvider };
const ctx = () => contextFor(rig.orm.em);

beforeAll(async () => {
  rig = await startPaymentsRig();
  ({ EXP: location } = (await createLocations(ctx(), [{ code: 'EXP' }])) as { EXP: string });
});
afterAll(async () => {
  const violations = await invariantViolationsAt(rig.db.url);
  await rig.close();
  expect(violations).toEqual([]);
});

async function sku(price: number, onHand: number): Promise<string> {
  const code = `EX-${++n}`;
  await createSku(ctx(), code, price);
  await stock(ctx(), code, location, onHand);
  return code;
}

async function authorised(code: string, quantity: number): Promise<string> {
  const order = await placeOrder(ctx(), deps, {
    currency: 'USD',
    shippingAddress: ADDRESS,
    lines: [{ sku: code, quantity }],
    paymentMethod: 'pm_card_visa',
  });
  await waitFor('the authorisation', async () =>
    (await paymentOf(rig.db.url, order.id))?.intent_status === 'requires_capture' &&
    (await orderStatusOf(rig.db.url, order.id)).status !== 'CONFIRMED'
      ? true
      : undefined,
  );
  return order.id;
}

const settled = (orderId: string) =>
  waitFor(`the payment steps of ${orderId}`, async () => {
    const steps = await stepsOf(rig.db.url, orderId);
    return steps.every((s) => s.status !== 'pending') ? steps : undefined;
  });

/** Runs the scheduled scan once, through its queue and worker, and returns what it said. */
async function scan(id: string): Promise<string> {
  const job = await rig.queues['payment-maintenance'].add('scan', {}, { jobId: id });
  return waitFor(`scan ${id}`, async () => {
    const state = await job.getState();
    if (state === 'failed')
      throw new Error(`scan failed: ${(await rig.queues['payment-maintenance'].getJob(id))?.failedReason}`);
    return state === 'completed'
      ? String((await rig.queues['payment-maintenance'].getJob(id))!.returnvalue)
      : undefined;
  });
}

describe('authorisations about to lapse', () => {
  let allocated: string;
  let twoUnits: string;
  let backordered: string;
  let capturedBefore: Date;

  beforeAll(async () => {
    allocated = await authorised(await sku(2_000, 10), 2);
    twoUnits = await authorised(await sku(1_500, 10), 2);
    backordered = await authorised(await sku(900, 0), 1);
    expect((await orderStatusOf(rig.db.url, backordered)).status).toBe('BACKORDERED');
    capturedBefore = (await paymentOf(rig.db.url, allocated))!.capture_before!;
    expect(capturedBefore.getTime() - rig.now()).toBeGreaterThan(6.9 * DAY);
  });

  it('leaves authorisations alone while they are further off than the margin', async () => {
    rig.advanceClock(5 * DAY);
    expect(await scan('early')).toContain('0 authorisations about to lapse');
    expect((await stepsOf(rig.db.url, allocated)).map((s) => s.kind)).toEqual(['authorize']);
  });

  it('within the margin: captures what is allocated (final) and voids what has nothing allocated, saying so on the timeline', async () => {
    rig.advanceClock(1.5 * DAY); // 12 h before capture_before
    const said = await scan('due');
    expect(said).toContain('3 authorisations about to lapse');

    const steps = await settled(allocated);
    expect(steps.map((s) => [s.key, s.kind, s.amount, s.final, s.status])).toEqual([
      [`order-${allocated}-authorize`, 'authorize', 4_000, false, 'succeeded'],
      [`order-${allocated}-capture-1`, 'capture', 4_000, true, 'succeeded'],
    ]);
    const payment = (await paymentOf(rig.db.url, allocated))!;
    expect(payment).toMatchObject({ intent_status: 'succeeded', captured_amount: 4_000 });
    expect(rig.sim.effectsFor(payment.intent_id!, 'capture').map((e) => e.amount)).toEqual([4_000]);
    const expiring = (await timelineOf(rig.db.url, allocated)).find((e) => e.type === 'authorization_expiring')!;
    expect(expiring.reason).toBe(
      `the card authorisation lapses at ${capturedBefore.toISOString()}: capturing 4000 USD for what is allocated or shipped`,
    );
    expect((await orderStatusOf(rig.db.url, allocated)).status).toBe('ALLOCATED');

    await settled(backordered);
    const voided = (await paymentOf(rig.db.url, backordered))!;
    expect(voided).toMatchObject({ intent_status: 'canceled', voided_amount: 900, captured_amount: 0 });
    expect(rig.sim.effectsFor(voided.intent_id!, 'cancel')).toHaveLength(1);
    const held = await orderStatusOf(rig.db.url, backordered);
    expect(held.status).toBe('ON_HOLD');
    expect(held.hold_reason).toMatch(/nothing allocated to capture for: voiding it; the customer must pay again/);
  });

  it('a second scan finds nothing left to do', async () => {
    expect(await scan('again')).toContain('0 authorisations about to lapse');
  });

  it('after the early capture, shipping captures nothing more, and a cancellation refunds', async () => {
    const { shipments } = await createShipment(ctx(), allocated);
    await markShipmentShipped(ctx(), shipments[0]!.shipment.id, { carrier: 'UPS', trackingNumber: 'EXP1' });
    expect((await stepsOf(rig.db.url, allocated)).map((s) => s.kind)).toEqual(['authorize', 'capture']);

    await settled(twoUnits);
    const [line] = await sql<{ id: string }>(rig.db.url, 'select id from order_line where order_id = $1', [twoUnits]);
    await cancelOrder(ctx(), lifecycle, twoUnits, {
      reason: 'one too many',
      lines: [{ lineId: line!.id, quantity: 1 }],
    });
    const steps = await settled(twoUnits);
    expect(steps.map((s) => [s.kind, s.amount, s.status])).toEqual([
      ['authorize', 3_000, 'succeeded'],
      ['capture', 3_000, 'succeeded'],
      ['refund', 1_500, 'succeeded'],
    ]);
    const payment = (await paymentOf(rig.db.url, twoUnits))!;
    expect(payment).toMatchObject({ captured_amount: 3_000, refunded_amount: 1_500 });
    expect(rig.sim.effectsFor(payment.intent_id!, 'refund').map((e) => e.amount)).toEqual([1_500]);
  });

  it('an authorisation the scan never settled lapses at Stripe: the webhook holds the order', async () => {
    const late = await authorised(await sku(1_100, 5), 1);
    // Past its capture_before at once, with no scan in between: the simulator lapses the hold.
    rig.advanceClock(7.5 * DAY);
    const held = await waitFor('the lapse held the order', async () => {
      const o = await orderStatusOf(rig.db.url, late);
      return o.status === 'ON_HOLD' ? o : undefined;
    });
    expect(held.hold_reason).toMatch(/stripe cancelled the card authorisation \(automatic\)/);
    expect(await paymentOf(rig.db.url, late)).toMatchObject({ intent_status: 'canceled', voided_amount: 1_100 });
  });
});
