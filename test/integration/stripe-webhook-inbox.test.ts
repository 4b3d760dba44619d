import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import type { ProviderWebhook } from '../../src/connectors/provider-webhook.js';
import { StripeSimulator } from '../../src/connectors/stripe/simulator/stripe-simulator.js';
import { stripeWebhookAdapter } from '../../src/connectors/stripe/stripe-webhook.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { stripeClientFor } from '../support/stripe-harness.js';
import { post, serveInbox, type Signed } from '../support/webhook-inbox.js';

/**
 * The simulator's signed events through the hub's real inbox route (`POST /webhooks/stripe`) with
 * the Stripe adapter, on PostgreSQL: each event stored once under provider:stripe however often
 * and in whatever order it came; forged and stale deliveries refused with nothing stored. What
 * the payments handler then does with a row is the payments branch's to test.
 */
const SECRET = 'whsec_inbox_test_secret';

const stripeProvider: ProviderWebhook = {
  provider: 'stripe',
  adapter: stripeWebhookAdapter,
  secret: () => SECRET,
  handle: async () => ({ status: 'ignored', outcome: 'not applied in this test' }),
};

let db: TestDatabase;
let orm: Orm;
let inbox: { base: string; close: () => Promise<void> };
const enqueued: string[] = [];
const sims: StripeSimulator[] = [];

const rows = () =>
  sql<{ id: string; channel_id: string; delivery_id: string; topic: string; triggered_at: Date; body: string }>(
    db.url,
    `select id, channel_id, delivery_id, topic, triggered_at, body
       from webhook_delivery order by received_at`,
  );

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 5 });
  inbox = await serveInbox(orm, {
    secretFor: async () => {
      throw new Error('no channel here');
    },
    enqueue: async (id) => void enqueued.push(id),
    providers: new Map([['stripe', stripeProvider]]),
  });
});
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});
afterAll(async () => {
  await inbox.close();
  await orm.close(true);
  await db.drop();
});

describe('Stripe events through POST /webhooks/stripe', () => {
  it('stores every event once under provider:stripe though they come duplicated and out of order', async () => {
    const sim = new StripeSimulator({
      webhookSecret: SECRET,
      seed: 11,
      webhooks: { duplicateRate: 0.4, maxDelayMs: 50 },
    });
    await sim.start();
    sims.push(sim);
    sim.addWebhookEndpoint(`${inbox.base}/webhooks/stripe`);
    const stripe = stripeClientFor(sim);
    const intents: Stripe.PaymentIntent[] = [];
    for (let i = 0; i < 10; i++) {
      const intent = await stripe.paymentIntents.create(
        {
          amount: 2_000 + i,
          currency: 'eur',
          capture_method: 'manual',
          allowed_payment_method_types: ['card'],
          payment_method: i % 3 === 0 ? 'pm_card_threeDSecure2Required' : 'pm_card_visa',
          confirm: true,
          metadata: { orderId: `ord_${i}` },
        },
        { idempotencyKey: `order-ord_${i}-authorize` },
      );
      intents.push(intent);
      if (intent.status === 'requires_action') sim.completeAction(intent.id);
      await stripe.paymentIntents.capture(intent.id, {}, { idempotencyKey: `order-ord_${i}-capture-1` });
    }
    sim.dispute(intents[0]!.id);
    sim.earlyFraudWarning(intents[1]!.id);
    await sim.webhooks.drain();

    const stored = (await rows()).filter((r) => r.channel_id === 'provider:stripe');
    const made = sim.events.all;
    expect(stored.map((r) => r.delivery_id).sort()).toEqual(made.map((e) => e.id).sort());
    const byId = new Map(made.map((e) => [e.id, e]));
    for (const row of stored) {
      const event = byId.get(row.delivery_id)!;
      expect(row.topic).toBe(event.type);
      expect(row.triggered_at.getTime()).toBe(event.created * 1000);
      // The stored bytes are the event as sent (pending_webhooks counts down once delivered).
      expect({ ...JSON.parse(row.body), pending_webhooks: 0 }).toEqual({ ...event, pending_webhooks: 0 });
    }
    expect(enqueued.sort()).toEqual(stored.map((r) => r.id).sort());
    const attempts = sim.webhooks.deliveries;
    expect(attempts.every((d) => d.status === 200)).toBe(true);
    expect(attempts.length).toBeGreaterThan(made.length);
    const firstArrivals = [...new Set(attempts.map((d) => d.eventId))];
    expect(firstArrivals).not.toEqual(made.map((e) => e.id));
    expect(new Set(stored.map((r) => r.topic))).toEqual(
      new Set([
        'payment_intent.created',
        'payment_intent.requires_action',
        'charge.succeeded',
        'payment_intent.amount_capturable_updated',
        'charge.captured',
        'payment_intent.succeeded',
        'charge.dispute.created',
        'radar.early_fraud_warning.created',
      ]),
    );
    process.stdout.write(
      `stripe inbox: ${made.length} events, ${attempts.length} deliveries (duplicates answered 200), ${stored.length} rows\n`,
    );
  });

  it('refuses forged and stale deliveries (401, no row) and answers a recent replay as a duplicate', async () => {
    const before = (await rows()).length;
    const forger = new StripeSimulator({ webhookSecret: 'whsec_not_the_hubs', webhooks: { maxAttempts: 1 } });
    await forger.start();
    sims.push(forger);
    forger.addWebhookEndpoint(`${inbox.base}/webhooks/stripe`);
    await stripeClientFor(forger).paymentIntents.create({
      amount: 100,
      currency: 'usd',
      allowed_payment_method_types: ['card'],
    });
    await forger.webhooks.drain();
    expect(forger.webhooks.deliveries.map((d) => d.status)).toEqual([401]);

    const event = { id: 'evt_replayed_1', object: 'event', type: 'payment_intent.canceled', created: 1, data: {} };
    const body = Buffer.from(JSON.stringify(event));
    const signed = (timestamp: number): Signed => ({
      body,
      headers: {
        'content-type': 'application/json',
        'stripe-signature': Stripe.webhooks.generateTestHeaderString({
          payload: body.toString(),
          secret: SECRET,
          timestamp,
        }),
      },
    });
    const now = Math.floor(Date.now() / 1000);
    const stale = await post(inbox.base, 'stripe', signed(now - 301));
    expect(stale.status).toBe(401);
    expect(JSON.stringify(stale.body)).not.toContain('evt_replayed_1');
    expect((await rows()).length).toBe(before);

    expect((await post(inbox.base, 'stripe', signed(now - 10))).body.status).toBe('accepted');
    const replay = await post(inbox.base, 'stripe', signed(now - 5));
    expect(replay).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    expect((await rows()).length).toBe(before + 1);
  });
});
