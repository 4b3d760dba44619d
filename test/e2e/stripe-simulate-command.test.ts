import { afterAll, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { STRIPE_API_VERSION } from '../../src/connectors/stripe/stripe-api-version.js';
import { killChildHubs, spawnHub } from '../support/child-hub.js';
import { startWebhookReceiver } from '../support/stripe-harness.js';

/** `switchyard simulate stripe`, the built CLI as an integrator runs it. */
describe('switchyard simulate stripe', () => {
  afterAll(() => killChildHubs());

  it('serves the official client, sends signed events to --webhook-url, and stops on SIGTERM', async () => {
    const receiver = await startWebhookReceiver();
    const sim = spawnHub(
      [
        'simulate',
        'stripe',
        '--secret-key',
        'sk_test_cli_key',
        '--webhook-secret',
        'whsec_cli',
        '--webhook-url',
        receiver.url,
      ],
      {},
    );
    const [, url] = await sim.waitFor(/STRIPE_API_BASE=(http:\/\/127\.0\.0\.1:\d+)/, 30_000);
    expect(sim.output()).toContain('STRIPE_SECRET_KEY=sk_test_cli_key');
    expect(sim.output()).toContain('STRIPE_WEBHOOK_SECRET=whsec_cli');
    const stripe = new Stripe('sk_test_cli_key', {
      apiVersion: STRIPE_API_VERSION,
      host: '127.0.0.1',
      port: Number(new URL(url!).port),
      protocol: 'http',
    });
    const intent = await stripe.paymentIntents.create(
      {
        amount: 1234,
        currency: 'eur',
        capture_method: 'manual',
        allowed_payment_method_types: ['card'],
        payment_method: 'pm_card_visa',
        confirm: true,
      },
      { idempotencyKey: 'cli-1' },
    );
    expect(intent.status).toBe('requires_capture');
    const requests = (await (await fetch(`${url}/__sim/requests`)).json()) as { idempotencyKey: string }[];
    expect(requests.map((r) => r.idempotencyKey)).toEqual(['cli-1']);
    for (let i = 0; i < 50 && receiver.received.length < 3; i++) await new Promise((r) => setTimeout(r, 100));
    expect(receiver.events().map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'payment_intent.created',
        'charge.succeeded',
        'payment_intent.amount_capturable_updated',
      ]),
    );
    for (const { body, headers } of receiver.received)
      expect(Stripe.webhooks.constructEvent(body, headers['stripe-signature'] as string, 'whsec_cli').object).toBe(
        'event',
      );
    sim.kill('SIGTERM');
    expect(await sim.exited).toBe(0);
    await receiver.stop();
  });

  it('refuses a live key or a bad option with exit 64', async () => {
    const live = spawnHub(['simulate', 'stripe', '--secret-key', 'sk_live_real'], {});
    expect(await live.exited).toBe(64);
    expect(live.output()).toContain('--secret-key must be a test key');
    const ambiguous = spawnHub(['simulate', 'stripe', '--ambiguous', '2'], {});
    expect(await ambiguous.exited).toBe(64);
    const unknown = spawnHub(['simulate', 'paypal'], {});
    expect(await unknown.exited).toBe(64);
    expect(unknown.output()).toContain('shopify|stripe');
  });
});
