import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { STRIPE_API_VERSION } from '../../src/connectors/stripe/stripe-api-version.js';
import { StripeGateway } from '../../src/connectors/stripe/stripe-gateway.js';
import { PaymentGatewayError } from '../../src/domain/payments/payment-gateway.js';
import { StripeSimulator } from '../../src/connectors/stripe/simulator/stripe-simulator.js';
import { stripeFixtures } from '../support/stripe-fixtures.js';
import { startWebhookReceiver, stripeClientFor } from '../support/stripe-harness.js';

const START = Date.parse('2026-12-07T09:00:00Z');
const SEVEN_DAYS = 7 * 86_400;

/** Manual capture of a card, as the gateway asks for it. */
function authorise(stripe: Stripe, key: string, extra: Partial<Stripe.PaymentIntentCreateParams> = {}) {
  return stripe.paymentIntents.create(
    {
      amount: 10_000,
      currency: 'eur',
      capture_method: 'manual',
      allowed_payment_method_types: ['card'],
      payment_method_options: { card: { request_multicapture: 'if_available' } },
      payment_method: 'pm_card_visa',
      confirm: true,
      metadata: { orderId: 'ord_1' },
      expand: ['latest_charge'],
      ...extra,
    },
    { idempotencyKey: key },
  );
}

async function failure(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (err) {
    return err as Stripe.errors.StripeError;
  }
  throw new Error('expected the call to fail');
}

describe('Stripe simulator, driven by the official stripe client', () => {
  let now: number;
  let sim: StripeSimulator;
  let stripe: Stripe;

  beforeEach(async () => {
    now = START;
    sim = new StripeSimulator({ now: () => now, seed: 7, webhooks: { maxAttempts: 2, retryBaseMs: 10 } });
    await sim.start();
    stripe = stripeClientFor(sim);
  });
  afterEach(async () => {
    await sim.stop();
  });

  it('authorises a card with manual capture: requires_capture, the hold deadline 7 days out, metadata kept', async () => {
    const intent = await authorise(stripe, 'order-1-authorize');
    expect(intent).toMatchObject({
      object: 'payment_intent',
      status: 'requires_capture',
      amount: 10_000,
      amount_capturable: 10_000,
      amount_received: 0,
      currency: 'eur',
      capture_method: 'manual',
      metadata: { orderId: 'ord_1' },
    });
    const charge = intent.latest_charge as Stripe.Charge;
    expect(charge.payment_method_details!.card!.capture_before).toBe(START / 1000 + SEVEN_DAYS);
    expect(charge).toMatchObject({ paid: true, captured: false, amount_captured: 0, payment_intent: intent.id });
    expect(intent.lastResponse.headers['stripe-version']).toBe(STRIPE_API_VERSION);
    expect(intent.lastResponse.headers['idempotency-key']).toBe('order-1-authorize');
    expect(sim.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/v1/payment_intents',
      idempotencyKey: 'order-1-authorize',
      status: 200,
      stripeVersion: STRIPE_API_VERSION,
    });
    const retrieved = await stripe.paymentIntents.retrieve(intent.id);
    expect(retrieved.latest_charge).toBe(charge.id);
    expect(sim.events.all.map((e) => e.type)).toEqual([
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.amount_capturable_updated',
    ]);
  });

  it('captures part now and the rest later (multicapture), then refuses a capture above what is capturable', async () => {
    const intent = await authorise(stripe, 'order-2-authorize');
    const first = await stripe.paymentIntents.capture(
      intent.id,
      { amount_to_capture: 3_000, final_capture: false },
      { idempotencyKey: 'order-2-capture-1' },
    );
    expect(first).toMatchObject({ status: 'requires_capture', amount_received: 3_000, amount_capturable: 7_000 });
    const tooMuch = await failure(
      stripe.paymentIntents.capture(intent.id, { amount_to_capture: 7_001 }, { idempotencyKey: 'order-2-capture-2x' }),
    );
    expect(tooMuch).toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, code: 'amount_too_large' });
    const last = await stripe.paymentIntents.capture(
      intent.id,
      { amount_to_capture: 6_500, expand: ['latest_charge'] },
      { idempotencyKey: 'order-2-capture-2' },
    );
    // The final capture releases the 500 left over.
    expect(last).toMatchObject({ status: 'succeeded', amount_received: 9_500, amount_capturable: 0 });
    expect((last.latest_charge as Stripe.Charge).amount_captured).toBe(9_500);
    expect(sim.effectsFor(intent.id, 'capture').map((e) => [e.amount, e.idempotencyKey])).toEqual([
      [3_000, 'order-2-capture-1'],
      [6_500, 'order-2-capture-2'],
    ]);
    const again = await failure(stripe.paymentIntents.capture(intent.id, {}, { idempotencyKey: 'order-2-capture-3' }));
    expect(again).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
  });

  it('refuses a non-final capture when multicapture was not requested', async () => {
    const intent = await authorise(stripe, 'k-no-multi', { payment_method_options: {} });
    const err = await failure(
      stripe.paymentIntents.capture(
        intent.id,
        { amount_to_capture: 100, final_capture: false },
        { idempotencyKey: 'c' },
      ),
    );
    expect(err).toMatchObject({ statusCode: 400, param: 'final_capture' });
    expect(sim.effectsFor(intent.id, 'capture')).toHaveLength(0);
  });

  it('cancels before capture (void) and refuses to cancel once something is captured', async () => {
    const voided = await authorise(stripe, 'order-3-authorize');
    const canceled = await stripe.paymentIntents.cancel(
      voided.id,
      { cancellation_reason: 'requested_by_customer' },
      { idempotencyKey: 'order-3-void' },
    );
    expect(canceled).toMatchObject({
      status: 'canceled',
      cancellation_reason: 'requested_by_customer',
      amount_capturable: 0,
      canceled_at: START / 1000,
    });
    expect(sim.events.all.at(-1)!.type).toBe('payment_intent.canceled');

    const captured = await authorise(stripe, 'order-4-authorize');
    await stripe.paymentIntents.capture(
      captured.id,
      { amount_to_capture: 1_000, final_capture: false },
      { idempotencyKey: 'order-4-capture-1' },
    );
    const refused = await failure(stripe.paymentIntents.cancel(captured.id, {}, { idempotencyKey: 'order-4-void' }));
    expect(refused).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
    const badReason = await failure(
      stripe.paymentIntents.cancel(captured.id, { cancellation_reason: 'bored' as 'abandoned' }),
    );
    expect(badReason).toMatchObject({ statusCode: 400, param: 'cancellation_reason' });
  });

  it('refunds up to captured − refunded and refuses more, or a refund of money never captured', async () => {
    const intent = await authorise(stripe, 'order-5-authorize');
    const uncaptured = await failure(stripe.refunds.create({ payment_intent: intent.id, amount: 100 }));
    expect(uncaptured).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
    await stripe.paymentIntents.capture(
      intent.id,
      { amount_to_capture: 8_000 },
      { idempotencyKey: 'order-5-capture-1' },
    );
    const partial = await stripe.refunds.create(
      { payment_intent: intent.id, amount: 3_000, reason: 'requested_by_customer' },
      { idempotencyKey: 'order-5-refund-1' },
    );
    expect(partial).toMatchObject({ object: 'refund', status: 'succeeded', amount: 3_000, payment_intent: intent.id });
    const over = await failure(
      stripe.refunds.create({ payment_intent: intent.id, amount: 5_001 }, { idempotencyKey: 'order-5-refund-2' }),
    );
    expect(over).toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, code: 'amount_too_large' });
    const rest = await stripe.refunds.create({ payment_intent: intent.id }, { idempotencyKey: 'order-5-refund-3' });
    expect(rest.amount).toBe(5_000);
    const charge = await stripe.charges.retrieve(partial.charge as string);
    expect(charge).toMatchObject({ amount_captured: 8_000, amount_refunded: 8_000, refunded: true });
    expect(charge.refunds!.data.map((r) => r.id)).toEqual([rest.id, partial.id]);
    expect(await stripe.refunds.retrieve(partial.id)).toMatchObject({ id: partial.id, amount: 3_000 });
    const none = await failure(stripe.refunds.create({ payment_intent: intent.id, amount: 1 }));
    expect(none).toMatchObject({ statusCode: 400, code: 'charge_already_refunded' });
    expect(sim.effectsFor(intent.id, 'refund').map((e) => e.amount)).toEqual([3_000, 5_000]);
    expect(sim.events.all.filter((e) => e.type === 'charge.refunded')).toHaveLength(2);
  });

  it('replays the stored answer for a repeated Idempotency-Key, and refuses the key with other parameters', async () => {
    const intent = await authorise(stripe, 'order-6-authorize');
    const first = await stripe.paymentIntents.capture(
      intent.id,
      { amount_to_capture: 2_000, final_capture: false },
      { idempotencyKey: 'order-6-capture-1' },
    );
    const second = await stripe.paymentIntents.capture(
      intent.id,
      { amount_to_capture: 2_000, final_capture: false },
      { idempotencyKey: 'order-6-capture-1' },
    );
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect({ ...second }).toEqual({ ...first });
    expect(sim.effectsFor(intent.id, 'capture')).toHaveLength(1);

    const mismatch = await failure(
      stripe.paymentIntents.capture(
        intent.id,
        { amount_to_capture: 2_500, final_capture: false },
        { idempotencyKey: 'order-6-capture-1' },
      ),
    );
    expect(mismatch).toMatchObject({ type: 'StripeIdempotencyError', statusCode: 400, rawType: 'idempotency_error' });
    const otherEndpoint = await failure(
      stripe.refunds.create({ payment_intent: intent.id }, { idempotencyKey: 'order-6-capture-1' }),
    );
    expect(otherEndpoint).toMatchObject({ type: 'StripeIdempotencyError', statusCode: 400 });
    expect(sim.effectsFor(intent.id, 'capture')).toHaveLength(1);
    expect(sim.effectsFor(intent.id, 'refund')).toHaveLength(0);

    // Parameters refused before execution store nothing: the key still works once corrected.
    const bad = await failure(
      stripe.paymentIntents.capture(intent.id, { amount_to_capture: -1 }, { idempotencyKey: 'order-6-capture-2' }),
    );
    expect(bad).toMatchObject({ statusCode: 400, code: 'parameter_invalid_integer' });
    const fixed = await stripe.paymentIntents.capture(
      intent.id,
      { amount_to_capture: 1_000 },
      { idempotencyKey: 'order-6-capture-2' },
    );
    expect(fixed.amount_received).toBe(3_000);
  });

  it('forgets a key after 24 hours, as Stripe prunes them', async () => {
    const a = await stripe.paymentIntents.create(
      { amount: 500, currency: 'usd', allowed_payment_method_types: ['card'] },
      { idempotencyKey: 'k-old' },
    );
    now += 24 * 3_600_000;
    const b = await stripe.paymentIntents.create(
      { amount: 500, currency: 'usd', allowed_payment_method_types: ['card'] },
      { idempotencyKey: 'k-old' },
    );
    expect(b.id).not.toBe(a.id);
  });

  it('declines the documented test cards with 402 card_error and decline_code; the intent waits for another method', async () => {
    for (const [method, declineCode] of [
      ['pm_card_chargeDeclined', 'generic_decline'],
      ['pm_card_visa_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
    ] as const) {
      const err = await failure(authorise(stripe, `decline-${method}`, { payment_method: method }));
      expect(err).toMatchObject({
        type: 'StripeCardError',
        statusCode: 402,
        code: 'card_declined',
        decline_code: declineCode,
      });
      const intent = err.payment_intent!;
      expect(intent).toMatchObject({
        status: 'requires_payment_method',
        payment_method: null,
        last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: declineCode },
      });
      // The decline is a stored result: the same key answers it again, with no second attempt.
      const replay = await failure(authorise(stripe, `decline-${method}`, { payment_method: method }));
      expect(replay).toMatchObject({ statusCode: 402, decline_code: declineCode });
      expect(replay.payment_intent!.id).toBe(intent.id);
      expect(sim.effectsFor(intent.id, 'decline')).toHaveLength(1);
      expect(sim.events.all.filter((e) => e.type === 'payment_intent.payment_failed').at(-1)!.data.object.id).toBe(
        intent.id,
      );
      // A good card then authorises the same intent.
      const retried = await stripe.paymentIntents.confirm(
        intent.id,
        { payment_method: 'pm_card_visa' },
        { idempotencyKey: `retry-${method}` },
      );
      expect(retried.status).toBe('requires_capture');
    }
  });

  it('asks for 3-D Secure, and the test control completes (or fails) the customer step', async () => {
    const intent = await authorise(stripe, 'order-7-authorize', { payment_method: 'pm_card_threeDSecure2Required' });
    expect(intent.status).toBe('requires_action');
    expect(intent.next_action!.type).toBe('use_stripe_sdk');
    expect(intent.client_secret).toMatch(new RegExp(`^${intent.id}_secret_`));
    expect(sim.events.all.at(-1)!.type).toBe('payment_intent.requires_action');

    const done = await fetch(`${sim.url}/__sim/payment_intents/${intent.id}/confirm`, { method: 'POST' });
    expect(done.status).toBe(200);
    const after = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
    expect(after).toMatchObject({ status: 'requires_capture', amount_capturable: 10_000, next_action: null });
    expect((after.latest_charge as Stripe.Charge).payment_method_details!.card!.capture_before).toBe(
      START / 1000 + SEVEN_DAYS,
    );
    expect(sim.events.all.at(-1)).toMatchObject({
      type: 'payment_intent.amount_capturable_updated',
      request: { id: null, idempotency_key: null },
    });

    const other = await authorise(stripe, 'order-8-authorize', { payment_method: 'pm_card_threeDSecure2Required' });
    const failed = await fetch(`${sim.url}/__sim/payment_intents/${other.id}/confirm`, {
      method: 'POST',
      body: JSON.stringify({ outcome: 'fail' }),
    });
    expect(((await failed.json()) as Stripe.PaymentIntent).last_payment_error!.code).toBe(
      'payment_intent_authentication_failure',
    );
    expect((await stripe.paymentIntents.retrieve(other.id)).status).toBe('requires_payment_method');
  });

  it('without a payment method returns the client secret, and a later confirm authorises it', async () => {
    const intent = await stripe.paymentIntents.create(
      { amount: 2_500, currency: 'gbp', capture_method: 'manual', allowed_payment_method_types: ['card'] },
      { idempotencyKey: 'order-9-authorize' },
    );
    expect(intent).toMatchObject({ status: 'requires_payment_method', payment_method: null });
    expect(intent.client_secret).toEqual(expect.stringContaining('_secret_'));
    const confirmed = await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_mastercard' });
    expect(confirmed).toMatchObject({ status: 'requires_capture', amount_capturable: 2_500 });
  });

  it('refuses a server-side confirm without return_url when redirecting methods are allowed, as Stripe does', async () => {
    const err = await failure(
      stripe.paymentIntents.create({ amount: 1_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true }),
    );
    expect(err).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'return_url' });
    expect(sim.store.intents.size).toBe(0);
  });

  it("answers 401 in Stripe's error shape for a missing or wrong key, and runs nothing", async () => {
    const wrong = await failure(stripeClientFor(sim, { key: 'sk_test_not_the_key_9876' }).paymentIntents.list());
    expect(wrong).toMatchObject({ type: 'StripeAuthenticationError', statusCode: 401 });
    expect(wrong.message).toContain('sk_test_');
    expect(wrong.message).toContain('9876');
    expect(wrong.message).not.toContain('not_the_key');
    const missing = await fetch(`${sim.url}/v1/payment_intents`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'amount=100&currency=usd',
    });
    expect(missing.status).toBe(401);
    const body = (await missing.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/did not provide an API key/);
    expect(sim.store.intents.size).toBe(0);
  });

  it('decodes nested form fields and refuses unknown parameters, non-form bodies and unknown ids', async () => {
    const res = await fetch(`${sim.url}/v1/payment_intents`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${sim.secretKey}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        'Idempotency-Key': 'raw-1',
      },
      body: 'amount=700&currency=USD&metadata[orderId]=ord%2042&metadata[note]=a%26b&payment_method_types[]=card&expand[]=latest_charge',
    });
    const created = (await res.json()) as Stripe.PaymentIntent;
    expect(res.status).toBe(200);
    expect(created).toMatchObject({ amount: 700, currency: 'usd', metadata: { orderId: 'ord 42', note: 'a&b' } });
    const unknown = await failure(
      stripe.paymentIntents.create({ amount: 1, currency: 'usd', colour: 'red' } as Stripe.PaymentIntentCreateParams),
    );
    expect(unknown).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'colour' });
    const asJson = await fetch(`${sim.url}/v1/payment_intents`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sim.secretKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ amount: 1, currency: 'usd' }),
    });
    expect(asJson.status).toBe(400);
    const missing = await failure(stripe.paymentIntents.retrieve('pi_doesnotexist'));
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    const route = await failure(stripe.customers.create({}));
    expect(route).toMatchObject({ statusCode: 404 });
  });

  it('answers seeded 5xx and 429 faults; the client retries 5xx with the same key, 429 surfaces with Retry-After', async () => {
    sim.setFaults({ serverError: 1 });
    const pending = stripe.paymentIntents.create(
      { amount: 900, currency: 'usd', allowed_payment_method_types: ['card'] },
      { idempotencyKey: 'k-5xx' },
    );
    setTimeout(() => sim.setFaults({ serverError: 0 }), 300);
    const created = await pending;
    const attempts = sim.requests.filter((r) => r.idempotencyKey === 'k-5xx');
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts.at(-1)).toMatchObject({ status: 200, fault: 'none' });
    expect(attempts.slice(0, -1).every((r) => r.fault === '5xx' && r.status >= 500)).toBe(true);
    expect(sim.store.intents.has(created.id)).toBe(true);

    sim.setFaults({ tooManyRequests: 1, retryAfterSeconds: 3 });
    const limited = await failure(stripe.paymentIntents.retrieve(created.id));
    expect(limited).toMatchObject({ type: 'StripeRateLimitError', statusCode: 429 });
    expect(limited.headers!['retry-after']).toBe('3');
  });

  it('lapses an uncaptured hold at capture_before: canceled with reason automatic, payment_intent.canceled sent', async () => {
    const intent = await authorise(stripe, 'order-10-authorize');
    now += SEVEN_DAYS * 1000 - 1000;
    expect(sim.expireHolds()).toBe(0);
    now += 1000;
    const after = await stripe.paymentIntents.retrieve(intent.id);
    expect(after).toMatchObject({ status: 'canceled', cancellation_reason: 'automatic', amount_capturable: 0 });
    expect(sim.events.all.at(-1)).toMatchObject({ type: 'payment_intent.canceled' });
    const late = await failure(stripe.paymentIntents.capture(intent.id, {}, { idempotencyKey: 'order-10-capture-1' }));
    expect(late).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
  });

  it('logs every call with its key, readable in process and over GET /__sim/requests', async () => {
    const intent = await authorise(stripe, 'order-11-authorize');
    await stripe.paymentIntents.retrieve(intent.id);
    await stripe.paymentIntents.capture(intent.id, {}, { idempotencyKey: 'order-11-capture-1' });
    await stripe.refunds.create({ payment_intent: intent.id, amount: 10 }, { idempotencyKey: 'order-11-refund-1' });
    const overHttp = (await (await fetch(`${sim.url}/__sim/requests`)).json()) as typeof sim.requests;
    expect(overHttp).toEqual(sim.requests);
    expect(overHttp.map((r) => [r.method, r.path.replace(intent.id, ':id'), r.idempotencyKey, r.status])).toEqual([
      ['POST', '/v1/payment_intents', 'order-11-authorize', 200],
      ['GET', '/v1/payment_intents/:id', null, 200],
      ['POST', '/v1/payment_intents/:id/capture', 'order-11-capture-1', 200],
      ['POST', '/v1/refunds', 'order-11-refund-1', 200],
    ]);
    const effects = (await (await fetch(`${sim.url}/__sim/effects`)).json()) as typeof sim.store.effects;
    expect(effects.map((e) => e.kind)).toEqual(['authorise', 'capture', 'refund']);
  });

  it('carries every key of the fixtures3 payment_intent, charge, refund and event objects', async () => {
    const fixtures = stripeFixtures();
    const intent = await authorise(stripe, 'order-12-authorize');
    await stripe.paymentIntents.capture(intent.id, {}, { idempotencyKey: 'order-12-capture-1' });
    const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 5 });
    const charge = await stripe.charges.retrieve(refund.charge as string);
    const event = (await stripe.events.list({ limit: 1 })).data[0]!;
    const missing = (fixture: Record<string, unknown>, ours: object) =>
      Object.keys(fixture).filter((k) => !(k in ours));
    expect(missing(fixtures.payment_intent, intent)).toEqual([]);
    expect(missing(fixtures.charge, charge)).toEqual([]);
    expect(missing(fixtures.refund, refund)).toEqual([]);
    expect(missing(fixtures.event, event)).toEqual([]);
    const card = fixtures.charge.payment_method_details as { card: Record<string, unknown> };
    expect(missing(card.card, charge.payment_method_details!.card!)).toEqual([]);
  });

  it('takes the fixtures3 payment_intent unchanged and confirms it', async () => {
    const fixture = stripeFixtures().payment_intent;
    const before = JSON.stringify(fixture);
    sim.seedIntent(fixture);
    expect(JSON.stringify(fixture)).toBe(before);
    const read = await stripe.paymentIntents.retrieve(fixture.id);
    expect(read).toMatchObject({ id: fixture.id, amount: 1099, status: 'requires_payment_method' });
    const confirmed = await stripe.paymentIntents.confirm(fixture.id, {
      payment_method: 'pm_card_visa',
      return_url: 'https://shop.example/done',
    });
    // The fixture's capture_method is automatic: confirming takes the money at once.
    expect(confirmed).toMatchObject({ status: 'succeeded', amount_received: 1099 });
  });

  it('lists events newest first, filtered by type and by failed delivery', async () => {
    const receiver = await startWebhookReceiver(() => 500);
    sim.addWebhookEndpoint(receiver.url, ['payment_intent.canceled']);
    const a = await authorise(stripe, 'order-13-authorize');
    await stripe.paymentIntents.cancel(a.id, {}, { idempotencyKey: 'order-13-void' });
    await sim.webhooks.drain();
    const all = await stripe.events.list({ limit: 100 });
    expect(all.data.map((e) => e.type)).toEqual([
      'payment_intent.canceled',
      'payment_intent.amount_capturable_updated',
      'charge.succeeded',
      'payment_intent.created',
    ]);
    const pi = await stripe.events.list({ type: 'payment_intent.*' });
    expect(pi.data).toHaveLength(3);
    const failed = await stripe.events.list({ delivery_success: false });
    expect(failed.data.map((e) => e.type)).toEqual(['payment_intent.canceled']);
    expect((await stripe.events.retrieve(failed.data[0]!.id)).data.object).toMatchObject({ id: a.id });
    const page = await stripe.events.list({ limit: 2, starting_after: all.data[1]!.id });
    expect(page.data.map((e) => e.id)).toEqual([all.data[2]!.id, all.data[3]!.id]);
    await receiver.stop();
  });
});

describe('Stripe simulator webhooks', () => {
  let sim: StripeSimulator;
  let stripe: Stripe;

  afterEach(async () => {
    await sim.stop();
  });

  it('signs each delivery exactly as Stripe does: the official constructEvent accepts it, also while a secret rolls', async () => {
    sim = new StripeSimulator({ webhookSecret: ['whsec_old_secret', 'whsec_new_secret'] });
    await sim.start();
    stripe = stripeClientFor(sim);
    const receiver = await startWebhookReceiver();
    sim.addWebhookEndpoint(receiver.url);
    const intent = await authorise(stripe, 'order-20-authorize', { payment_method: 'pm_card_threeDSecure2Required' });
    sim.completeAction(intent.id);
    sim.dispute(intent.id);
    sim.earlyFraudWarning(intent.id);
    await sim.webhooks.drain();
    const types = receiver.events().map((e) => e.type);
    expect(new Set(types)).toEqual(
      new Set([
        'payment_intent.created',
        'payment_intent.requires_action',
        'charge.succeeded',
        'payment_intent.amount_capturable_updated',
        'charge.dispute.created',
        'radar.early_fraud_warning.created',
      ]),
    );
    for (const { headers, body } of receiver.received) {
      const header = headers['stripe-signature'] as string;
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
      for (const secret of ['whsec_old_secret', 'whsec_new_secret']) {
        const event = Stripe.webhooks.constructEvent(body, header, secret);
        expect(event.object).toBe('event');
      }
      expect(() => Stripe.webhooks.constructEvent(body, header, 'whsec_other')).toThrow();
      expect(headers['content-type']).toBe('application/json; charset=utf-8');
    }
    const dispute = receiver.events().find((e) => e.type === 'charge.dispute.created') as unknown as Stripe.Event;
    expect(dispute.data.object).toMatchObject({
      object: 'dispute',
      payment_intent: intent.id,
      status: 'needs_response',
    });
    const warning = receiver
      .events()
      .find((e) => e.type === 'radar.early_fraud_warning.created') as unknown as Stripe.Event;
    expect(warning.data.object).toMatchObject({ object: 'radar.early_fraud_warning', payment_intent: intent.id });
    await receiver.stop();
  });

  it('retries a delivery that got no 2xx, re-signed, and may deliver twice and out of order', async () => {
    sim = new StripeSimulator({
      seed: 3,
      webhooks: { duplicateRate: 0.5, maxDelayMs: 40, retryBaseMs: 10, maxAttempts: 4 },
    });
    await sim.start();
    stripe = stripeClientFor(sim);
    // Every third answer is a 500: those deliveries come again.
    const receiver = await startWebhookReceiver((n) => (n % 3 === 0 ? 500 : 200));
    sim.addWebhookEndpoint(receiver.url);
    for (let i = 0; i < 10; i++) await authorise(stripe, `order-3${i}-authorize`);
    await sim.webhooks.drain();
    const made = sim.events.all.map((e) => e.id);
    const arrived = receiver.events().map((e) => e.id);
    const failedAttempts = sim.webhooks.deliveries.filter((d) => d.status === 500);
    expect(failedAttempts.length).toBeGreaterThan(0);
    // Every event got through at least once; some twice; the order is not the order made.
    expect(new Set(arrived)).toEqual(new Set(made));
    const accepted = new Map<string, number>();
    for (const d of sim.webhooks.deliveries)
      if (d.status === 200) accepted.set(d.eventId, (accepted.get(d.eventId) ?? 0) + 1);
    expect([...accepted.values()].some((n) => n === 2)).toBe(true);
    expect(arrived).not.toEqual(made);
    for (const { headers, body } of receiver.received)
      expect(() =>
        Stripe.webhooks.constructEvent(body, headers['stripe-signature'] as string, sim.webhookSecret as string),
      ).not.toThrow();
    process.stdout.write(
      `stripe webhooks: ${made.length} events, ${receiver.received.length} deliveries, ${failedAttempts.length} answered 500 and retried\n`,
    );
    await receiver.stop();
  });

  it('delivers the fixtures3 event unchanged', async () => {
    sim = new StripeSimulator();
    await sim.start();
    const receiver = await startWebhookReceiver();
    sim.addWebhookEndpoint(receiver.url);
    const event = stripeFixtures().event;
    const body = JSON.stringify(event, null, 2);
    const res = await fetch(`${sim.url}/__sim/events`, { method: 'POST', body });
    expect(res.status).toBe(202);
    await sim.webhooks.drain();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.body.toString('utf8')).toBe(body);
    const verified = Stripe.webhooks.constructEvent(
      receiver.received[0]!.body,
      receiver.received[0]!.headers['stripe-signature'] as string,
      sim.webhookSecret as string,
    );
    expect(verified).toEqual(event);
    await receiver.stop();
  });
});

describe('Stripe simulator, ambiguous mode, through the StripeGateway', () => {
  it('captures and refunds each of 100 intents exactly once while 30% of them are committed and their answer dropped', async () => {
    const sim = new StripeSimulator({ seed: 2026 });
    await sim.start();
    const gateway = new StripeGateway({
      secretKey: sim.secretKey,
      apiBase: sim.url,
      maxNetworkRetries: 4,
      timeoutMs: 5_000,
    });
    /** As a payments job does: a transient failure is retried with the same key. */
    async function withJobRetries<T>(run: () => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await run();
        } catch (err) {
          if (!(err instanceof PaymentGatewayError) || err.kind !== 'transient' || attempt === 5) throw err;
        }
      }
    }
    const orders = Array.from({ length: 100 }, (_, i) => ({ orderId: `ord_${i}`, amount: 1_000 + i }));
    const intents = await Promise.all(
      orders.map((o) =>
        gateway.createIntent({
          ...o,
          currency: 'eur',
          paymentMethod: 'pm_card_visa',
          customerEmail: null,
          idempotencyKey: `order-${o.orderId}-authorize`,
        }),
      ),
    );
    sim.setFaults({ ambiguous: 0.3 });
    const captured = await Promise.all(
      intents.map((intent, i) =>
        withJobRetries(() =>
          gateway.capture({
            intentId: intent.id,
            amount: intent.amount,
            final: true,
            idempotencyKey: `order-${orders[i]!.orderId}-capture-1`,
          }),
        ),
      ),
    );
    const refunded = await Promise.all(
      intents.map((intent, i) =>
        withJobRetries(() =>
          gateway.refund({
            intentId: intent.id,
            amount: 100,
            reason: 'requested_by_customer',
            idempotencyKey: `order-${orders[i]!.orderId}-refund-1`,
          }),
        ),
      ),
    );
    expect(captured.every((c, i) => c.status === 'succeeded' && c.amountReceived === orders[i]!.amount)).toBe(true);
    expect(refunded.every((r, i) => r.intentId === intents[i]!.id && r.amount === 100)).toBe(true);
    // The simulator's own count: one capture and one refund per intent, whatever was retried.
    for (const intent of intents) {
      expect(sim.effectsFor(intent.id, 'capture')).toHaveLength(1);
      expect(sim.effectsFor(intent.id, 'refund')).toHaveLength(1);
    }
    const charges = [...sim.store.charges.values()];
    expect(charges.every((c) => c.amount_captured === c.amount && c.amount_refunded === 100)).toBe(true);
    const moneyCalls = sim.requests.filter((r) => r.method === 'POST' && /capture$|refunds$/.test(r.path));
    const dropped = moneyCalls.filter((r) => r.fault === 'ambiguous');
    const replayed = moneyCalls.filter((r) => r.replayed && r.status === 200);
    expect(dropped.length).toBeGreaterThanOrEqual(30);
    expect(replayed.length).toBeGreaterThanOrEqual(dropped.filter((r) => !r.replayed).length);
    // Every POST carried the hub's own key, and only the key of its step.
    const posts = sim.requests.filter((r) => r.method === 'POST');
    expect(posts.every((r) => /^order-ord_\d+-(authorize|capture-1|refund-1)$/.test(r.idempotencyKey ?? ''))).toBe(
      true,
    );
    process.stdout.write(
      `ambiguous mode: 200 money calls, ${moneyCalls.length} requests, ${dropped.length} answers dropped after commit, ` +
        `${replayed.length} answered from the idempotency store; captures ${sim.effectsFor(undefined, 'capture').length}, ` +
        `refunds ${sim.effectsFor(undefined, 'refund').length}\n`,
    );
    await sim.stop();
  });
});
