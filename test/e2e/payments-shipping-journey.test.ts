import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EasyPostSimulator } from '../../src/connectors/carriers/easypost/simulator/easypost-simulator.js';
import { StripeSimulator } from '../../src/connectors/stripe/simulator/stripe-simulator.js';
import { waitFor } from '../support/channel-jobs.js';
import { gql, startTestHub, type TestHub } from '../support/hub.js';
import { startSmtpCapture } from '../support/smtp-capture.js';

/**
 * The whole story of a direct order paid by card, over HTTP only, on a hub (`all`: api, workers,
 * outbox relay) with real PostgreSQL and Redis, the Stripe and EasyPost simulators and a local SMTP
 * server: placed with a test card → authorised by the payments job → allocated → a label bought by
 * rule → the carrier's tracking webhooks ship it (the shipped amount is captured) and deliver it → a
 * return is received → refunded through Stripe. The customer gets each email once; every call to
 * Stripe and EasyPost is in the simulators' own logs under the hub's idempotency key.
 */
// GraphQL answers, read as the test walks them.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const STRIPE_KEY = 'sk_test_journey';
const STRIPE_WHSEC = 'whsec_journey';
const EASYPOST_KEY = 'EZTK_journey';
const EASYPOST_WHSEC = 'whsec_easypost_journey';
const EMAIL = 'card.buyer@example.com';
const UNIT = 2_500;

let stripe: StripeSimulator;
let easypost: EasyPostSimulator;
let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
let hub: TestHub;

async function ok<T = Json>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await gql<T>(hub.base, query, { key: hub.adminKey, variables });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!;
}

const ORDER_FIELDS = `id status totals { total { amount currency } }
  payment { provider status reference authorized { amount } captured { amount } refunded { amount } voided { amount } }
  lines { id quantity }
  shipments { id status trackingNumber label { status trackingCode } }`;

const orderOf = async (id: string): Promise<Json> =>
  (await ok<{ order: Json }>(`query($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`, { id })).order;

async function orderWhere(id: string, what: string, test: (o: Json) => boolean): Promise<Json> {
  let order: Json = {};
  await waitFor(
    async () => {
      order = await orderOf(id);
      return test(order);
    },
    45_000,
    what,
  );
  return order;
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  stripe = new StripeSimulator({ secretKey: STRIPE_KEY, webhookSecret: STRIPE_WHSEC, seed: 11 });
  const stripeUrl = await stripe.start();
  easypost = await EasyPostSimulator.start({ apiKey: EASYPOST_KEY, seed: 5 });
  hub = await startTestHub('all', {
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: STRIPE_WHSEC,
    STRIPE_API_BASE: stripeUrl,
    EASYPOST_API_KEY: EASYPOST_KEY,
    EASYPOST_API_BASE: easypost.baseUrl,
    EASYPOST_WEBHOOK_SECRET: EASYPOST_WHSEC,
    SMTP_URL: smtp.url,
    NOTIFY_FROM: 'Journey Shop <orders@shop.example>',
  });
  stripe.addWebhookEndpoint(`${hub.base}/webhooks/stripe`);
  easypost.setWebhook({ url: `${hub.base}/webhooks/easypost`, secret: EASYPOST_WHSEC });
  const { createLocation } = await ok<{ createLocation: { id: string } }>(
    `mutation { createLocation(input: { code: "JRN", name: "Journey DC",
        address: { line1: "1 Depot Rd", city: "Dallas", region: "TX", postalCode: "75201", countryCode: "US" } }) { id } }`,
  );
  await ok(
    `mutation { createProduct(input: { title: "Journey mug", variants: [
        { sku: "JRN-MUG", priceAmount: ${UNIT}, currency: "USD", weightGrams: 350, lengthMm: 120, widthMm: 100, heightMm: 95 }] }) { id } }`,
  );
  await ok(`mutation($l: ID!) { receiveStock(locationId: $l, sku: "JRN-MUG", quantity: 20) { onHand } }`, {
    l: createLocation.id,
  });
}, 90_000);

afterAll(async () => {
  await hub?.stop();
  await stripe?.stop();
  await easypost?.stop();
  await smtp?.close();
});

describe('a direct order paid by card, labelled, tracked, returned and refunded', () => {
  it('walks the whole story over HTTP, each email once, every provider call keyed', async () => {
    const { placeOrder } = await ok<{ placeOrder: Json }>(
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }`,
      {
        input: {
          currency: 'USD',
          paymentMethod: 'pm_card_visa',
          customer: { email: EMAIL, name: 'Card Buyer' },
          shippingAddress: {
            name: 'Card Buyer',
            line1: '1 Main St',
            city: 'Austin',
            region: 'TX',
            postalCode: '78701',
            countryCode: 'US',
          },
          lines: [{ sku: 'JRN-MUG', quantity: 2 }],
        },
      },
    );
    // Nothing leaves before the commit: the card is authorised by a job after the answer.
    expect(placeOrder.status).toBe('CONFIRMED');
    const orderId = placeOrder.id as string;

    const allocated = await orderWhere(orderId, 'authorised and allocated', (o) => o.status === 'ALLOCATED');
    const total = allocated.totals.total.amount as number;
    expect(total).toBeGreaterThanOrEqual(2 * UNIT);
    expect(allocated.payment).toMatchObject({ provider: 'stripe', authorized: { amount: total } });
    const intentId = allocated.payment.reference as string;
    expect(intentId).toMatch(/^pi_/);
    expect(stripe.effectsFor(intentId, 'authorise')).toHaveLength(1);

    const { createShipment } = await ok<{ createShipment: Json }>(
      `mutation($id: ID!) { createShipment(orderId: $id) { shipments { id } } }`,
      { id: orderId },
    );
    const shipmentId = createShipment.shipments[0].id as string;
    await ok(
      `mutation($id: ID!) { buyShippingLabel(shipmentId: $id, rule: { kind: CHEAPEST }) { label { status } } }`,
      {
        id: shipmentId,
      },
    );
    const labelled = await orderWhere(orderId, 'the label', (o) => o.shipments[0]?.label?.status === 'PURCHASED');
    const trackingCode = labelled.shipments[0].label.trackingCode as string;
    const bought = easypost.purchases().filter((p) => p.trackingCode === trackingCode);
    expect(bought).toHaveLength(1);

    // The carrier scans it: in transit ships the order, and the shipped amount is captured.
    const tracker = easypost.shipment(bought[0]!.shipmentId)!.tracker!.id;
    await easypost.advanceTracker(tracker, { steps: 1 });
    const shipped = await orderWhere(
      orderId,
      'shipped and captured',
      (o) => o.status === 'SHIPPED' && o.payment.captured.amount === total,
    );
    expect(shipped.shipments[0]).toMatchObject({ status: 'SHIPPED', trackingNumber: trackingCode });
    expect(stripe.effectsFor(intentId, 'capture')).toHaveLength(1);

    await easypost.advanceTracker(tracker, { steps: 2 });
    await orderWhere(orderId, 'delivered', (o) => o.status === 'DELIVERED');

    // One unit comes back: requested, approved, received, refunded through Stripe.
    const lineId = shipped.lines[0].id as string;
    const { requestReturn } = await ok<{ requestReturn: Json }>(
      `mutation($o: ID!, $l: ID!) { requestReturn(orderId: $o, input: { lines: [{ lineId: $l, quantity: 1 }], reason: "too small" }) { return { id } } }`,
      { o: orderId, l: lineId },
    );
    const returnId = requestReturn.return.id as string;
    await ok(`mutation($r: ID!) { approveReturn(returnId: $r) { return { id } } }`, { r: returnId });
    await ok(
      `mutation($r: ID!, $l: ID!) { receiveReturn(returnId: $r, input: { lines: [{ lineId: $l, quantity: 1, restock: true }] }) { return { id } } }`,
      { r: returnId, l: lineId },
    );
    const refunded = await orderWhere(orderId, 'the refund', (o) => o.payment.refunded.amount > 0);
    expect(refunded.payment.refunded.amount).toBe(UNIT);
    expect(stripe.effectsFor(intentId, 'refund')).toHaveLength(1);

    // Each email once, the last one (refunded) after the refund went through.
    await waitFor(
      async () => smtp.messages.some((m) => m.to === EMAIL && m.notificationKey.startsWith('refunded:')),
      30_000,
      'the refund email',
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const kinds = smtp.messages.filter((m) => m.to === EMAIL).map((m) => m.notificationKey.split(':')[0]);
    expect(kinds.sort()).toEqual(['confirmed', 'delivered', 'refunded', 'shipped']);
    const shippedMail = smtp.messages.find((m) => m.to === EMAIL && m.notificationKey.startsWith('shipped:'))!;
    expect(shippedMail.text).toContain(trackingCode);

    // Every call that changed something at Stripe carried the hub's own key, one key per step.
    const posts = stripe.requests.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThanOrEqual(3);
    for (const post of posts) expect(post.idempotencyKey).toMatch(new RegExp(`^order-${orderId}-`));
    const keys = new Set(posts.map((p) => p.idempotencyKey));
    expect([...keys].some((k) => /-authori[sz]e/.test(k!))).toBe(true);
    expect([...keys].some((k) => /-capture-/.test(k!))).toBe(true);
    expect([...keys].some((k) => /-refund-/.test(k!))).toBe(true);
    // EasyPost takes no key header: its shipment carries the hub's key as its reference.
    const carrierShipment = easypost.shipment(bought[0]!.shipmentId)!;
    expect(carrierShipment.reference).toBeTruthy();
    expect(easypost.purchasesByReference().get(carrierShipment.reference!)).toBe(1);

    // Both providers' webhooks went through the inbox and are listed like a channel's.
    for (const provider of ['stripe', 'easypost']) {
      const { webhookDeliveries } = await ok<{ webhookDeliveries: { edges: { node: Json }[] } }>(
        `query($c: String!) { webhookDeliveries(channelId: $c, first: 100) { edges { node { channelId topic status } } } }`,
        { c: `provider:${provider}` },
      );
      const nodes = webhookDeliveries.edges.map((e) => e.node);
      expect(nodes.length).toBeGreaterThan(0);
      for (const n of nodes) expect(n.channelId).toBe(`provider:${provider}`);
      expect(nodes.some((n) => n.status === 'PROCESSED')).toBe(true);
    }
  }, 180_000);
});
