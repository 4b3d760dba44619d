import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { StripeSimulator } from '../../src/connectors/stripe/simulator/stripe-simulator.js';
import { ADDRESS } from '../support/commerce.js';
import { sql } from '../support/database.js';
import { invariantViolationsAt } from '../support/order-lifecycle.js';
import { codesOf, gql, startTestHub, type TestHub } from '../support/hub.js';

/**
 * Card payments through the API of a whole hub (api + worker in one process) configured with
 * STRIPE_SECRET_KEY and STRIPE_API_BASE pointing at the Stripe simulator, whose signed webhooks
 * (duplicated and out of order) go to the hub's own `POST /webhooks/stripe`: placeOrder with a
 * payment method answers CONFIRMED, the payments job authorises and the order is allocated;
 * 3-D Secure shows the action and the client secret (read from the gateway), and the customer's
 * completion arrives as a webhook through the inbox; a dispute holds an allocated order; a forged
 * delivery is refused with nothing stored; a hub without a key refuses paymentMethod.
 */
let hub: TestHub;
let sim: StripeSimulator;
const sku = `CARD-${randomBytes(3).toString('hex')}`;

const PAYMENT =
  'provider reference status authorized { amount } captured { amount } nextAction clientSecret failureReason';
type Payment = {
  provider: string | null;
  reference: string | null;
  status: string;
  authorized: { amount: number };
  captured: { amount: number };
  nextAction: string | null;
  clientSecret: string | null;
  failureReason: string | null;
};
type OrderView = { id: string; status: string; holdReason: string | null; payment: Payment };

async function ok<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await gql<T>(hub.base, query, { key: hub.adminKey, variables });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!;
}

const place = async (input: Record<string, unknown>) =>
  (
    await ok<{ placeOrder: OrderView }>(
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status holdReason payment { ${PAYMENT} } } }`,
      { input: { currency: 'USD', shippingAddress: ADDRESS, lines: [{ sku, quantity: 1 }], ...input } },
    )
  ).placeOrder;

const orderOf = async (id: string) =>
  (
    await ok<{ order: OrderView }>(
      `query($id: ID!) { order(id: $id) { id status holdReason payment { ${PAYMENT} } } }`,
      { id },
    )
  ).order;

async function until(id: string, done: (o: OrderView) => boolean, ms = 20_000): Promise<OrderView> {
  const deadline = Date.now() + ms;
  for (;;) {
    const o = await orderOf(id);
    if (done(o)) return o;
    if (Date.now() > deadline) throw new Error(`order ${id} stayed ${o.status} / ${o.payment.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  sim = new StripeSimulator({ webhooks: { duplicateRate: 0.3, maxDelayMs: 30, retryBaseMs: 50 } });
  await sim.start();
  hub = await startTestHub('all', {
    STRIPE_SECRET_KEY: sim.secretKey,
    STRIPE_WEBHOOK_SECRET: String(sim.webhookSecret),
    STRIPE_API_BASE: sim.url,
  });
  sim.addWebhookEndpoint(`${hub.base}/webhooks/stripe`);
  const loc = await ok<{ createLocation: { id: string } }>(
    'mutation { createLocation(input: { code: "CARD", name: "Card DC", address: { line1: "1 Main St", city: "Austin", countryCode: "US" } }) { id } }',
  );
  await ok(
    `mutation { createProduct(input: { title: "Card tee", variants: [{ sku: "${sku}", priceAmount: 2500, currency: "USD" }] }) { id } }`,
  );
  await ok(
    'mutation($loc: ID!, $sku: String!) { receiveStock(sku: $sku, locationId: $loc, quantity: 20) { onHand } }',
    {
      loc: loc.createLocation.id,
      sku,
    },
  );
}, 120_000);

afterAll(async () => {
  const url = hub?.db.url;
  const violations = url ? await invariantViolationsAt(url) : [];
  await hub?.stop();
  await sim?.stop();
  expect(violations).toEqual([]);
});

describe('card payments through the API', () => {
  it('placeOrder with a payment method answers CONFIRMED (PENDING); the job authorises, the order is allocated; shipping captures', async () => {
    const placed = await place({ paymentMethod: 'pm_card_visa' });
    expect(placed).toMatchObject({
      status: 'CONFIRMED',
      payment: { provider: 'stripe', status: 'PENDING', reference: null },
    });
    const allocated = await until(placed.id, (o) => o.status === 'ALLOCATED');
    expect(allocated.payment).toMatchObject({
      provider: 'stripe',
      status: 'AUTHORIZED',
      reference: expect.stringMatching(/^pi_/),
      authorized: { amount: 2_500 },
      clientSecret: null,
    });
    const created = await ok<{ createShipment: { shipments: { id: string }[] } }>(
      'mutation($id: ID!) { createShipment(orderId: $id) { shipments { id } } }',
      { id: placed.id },
    );
    await ok(
      'mutation($id: ID!) { markShipmentShipped(shipmentId: $id, input: { carrier: "UPS", trackingNumber: "1ZCARD" }) { order { status } } }',
      {
        id: created.createShipment.shipments[0]!.id,
      },
    );
    const captured = await until(placed.id, (o) => o.payment.status === 'CAPTURED');
    expect(captured.payment.captured.amount).toBe(2_500);
    expect(sim.effectsFor(captured.payment.reference!, 'capture').map((e) => e.idempotencyKey)).toEqual([
      `order-${placed.id}-capture-1`,
    ]);
  });

  it('3-D Secure: REQUIRES_ACTION with nextAction and the client secret; the completion comes through the inbox and moves the order on', async () => {
    const placed = await place({ paymentMethod: 'pm_card_threeDSecure2Required' });
    const waiting = await until(placed.id, (o) => o.payment.status === 'REQUIRES_ACTION');
    expect(waiting).toMatchObject({ status: 'CONFIRMED', payment: { nextAction: 'use_stripe_sdk' } });
    const intentId = waiting.payment.reference!;
    expect(waiting.payment.clientSecret).toBe(sim.store.intents.get(intentId)!.client_secret);

    sim.completeAction(intentId);
    const allocated = await until(placed.id, (o) => o.status === 'ALLOCATED');
    expect(allocated.payment).toMatchObject({ status: 'AUTHORIZED', clientSecret: null, nextAction: null });
    // Stored once per Stripe event id, however often the simulator sent it.
    const rows = await sql<{ delivery_id: string; n: number }>(
      hub.db.url,
      `select delivery_id, count(*)::int as n from webhook_delivery where channel_id = 'provider:stripe' group by delivery_id`,
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.n === 1)).toBe(true);
  });

  it('a dispute on an allocated order, delivered through the inbox, holds it', async () => {
    const placed = await place({ paymentMethod: 'pm_card_visa' });
    const allocated = await until(placed.id, (o) => o.status === 'ALLOCATED');
    sim.dispute(allocated.payment.reference!);
    const held = await until(placed.id, (o) => o.status === 'ON_HOLD');
    expect(held.holdReason).toMatch(/^the customer disputed the card payment \(charge\.dispute\.created evt_/);
  });

  it('a forged Stripe delivery is refused (401) and nothing is stored', async () => {
    const before = await sql<{ n: number }>(hub.db.url, 'select count(*)::int as n from webhook_delivery');
    const body = JSON.stringify({
      id: 'evt_forged',
      object: 'event',
      type: 'charge.dispute.created',
      data: { object: {} },
    });
    const res = await fetch(`${hub.base}/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`,
      },
      body,
    });
    expect(res.status).toBe(401);
    expect(await sql<{ n: number }>(hub.db.url, 'select count(*)::int as n from webhook_delivery')).toEqual(before);
  });

  it('a declined card: ON_HOLD with the decline reason, payment DECLINED', async () => {
    const placed = await place({ paymentMethod: 'pm_card_chargeDeclined' });
    const held = await until(placed.id, (o) => o.status === 'ON_HOLD');
    expect(held.holdReason).toMatch(/^stripe payment declined: .*card_declined/);
    expect(held.payment).toMatchObject({ status: 'DECLINED', failureReason: expect.any(String) });
  });
});

describe('a hub without a card gateway', () => {
  it('refuses paymentMethod with BAD_USER_INPUT naming what is allowed', async () => {
    const manual = await startTestHub('api');
    try {
      const res = await gql(manual.base, 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }', {
        key: manual.adminKey,
        variables: { input: { currency: 'USD', lines: [{ sku: 'ANY', quantity: 1 }], paymentMethod: 'pm_card_visa' } },
      });
      expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors![0]!.message).toMatch(
        /paymentMethod: this hub takes no card payments .*leave paymentMethod out/,
      );
    } finally {
      await manual.stop();
    }
  });
});
