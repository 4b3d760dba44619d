import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { apiAddress, StripeGateway } from '../../src/connectors/stripe/stripe-gateway.js';
import { isStripeError, toPaymentGatewayError } from '../../src/connectors/stripe/stripe-gateway-errors.js';
import { toGatewayIntent, toGatewayRefund } from '../../src/connectors/stripe/stripe-intent.mapper.js';
import { PaymentGatewayError, type GatewayErrorKind } from '../../src/domain/payments/payment-gateway.js';

interface Recorded {
  status: number;
  headers: Record<string, string>;
  body: { error: Record<string, unknown> };
}

const BODIES = new URL('../../src/connectors/stripe/error-bodies/', import.meta.url);
const recorded = (file: string): Recorded => JSON.parse(readFileSync(new URL(file, BODIES), 'utf8')) as Recorded;

const SECRET = 'sk_test_unit_gateway_secret_0000';

/** An authorised intent as Stripe answers it with `expand[]=latest_charge`. */
const AUTHORISED = {
  id: 'pi_3QunitAUTHxxxxxxxxxxxxxx',
  object: 'payment_intent',
  amount: 4200,
  amount_capturable: 4200,
  amount_received: 0,
  currency: 'eur',
  status: 'requires_capture',
  client_secret: 'pi_3QunitAUTHxxxxxxxxxxxxxx_secret_x',
  cancellation_reason: null,
  last_payment_error: null,
  next_action: null,
  metadata: { orderId: 'ord_42' },
  latest_charge: {
    id: 'ch_3Qunit',
    object: 'charge',
    payment_method_details: { type: 'card', card: { capture_before: 1797238800 } },
  },
};

type Answer = (res: ServerResponse, n: number) => void;

/** A stand-in API answering whatever the test says, recording what the client sent. */
const api = {
  server: undefined as Server | undefined,
  url: '',
  answer: ((res) => res.writeHead(500).end()) as Answer,
  seen: [] as { method: string; path: string; headers: IncomingHttpHeaders; body: string }[],
};

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function gateway(options: { maxNetworkRetries?: number; timeoutMs?: number; apiBase?: string } = {}) {
  return new StripeGateway({ secretKey: SECRET, apiBase: api.url, maxNetworkRetries: 0, ...options });
}

async function failure(promise: Promise<unknown>): Promise<PaymentGatewayError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(PaymentGatewayError);
    return err as PaymentGatewayError;
  }
  throw new Error('expected the call to fail');
}

const capture = (g: StripeGateway) =>
  g.capture({ intentId: AUTHORISED.id, amount: 4200, final: true, idempotencyKey: 'order-42-capture-1' });

beforeAll(async () => {
  api.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      api.seen.push({
        method: req.method!,
        path: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      api.answer(res, api.seen.length);
    });
  });
  await new Promise<void>((resolve) => api.server!.listen(0, '127.0.0.1', () => resolve()));
  api.url = `http://127.0.0.1:${(api.server!.address() as AddressInfo).port}`;
});
afterAll(async () => {
  api.server!.closeAllConnections();
  await new Promise<void>((resolve) => api.server!.close(() => resolve()));
});
beforeEach(() => {
  api.seen = [];
});

describe('StripeGateway errors: every Stripe answer into declined, invalid or transient', () => {
  it.each<[string, GatewayErrorKind, string | null]>([
    ['402-card-declined.json', 'declined', 'card_declined'],
    ['402-insufficient-funds.json', 'declined', 'card_declined'],
    ['400-idempotency-error.json', 'invalid', null],
    ['400-amount-too-large.json', 'invalid', 'amount_too_large'],
    ['400-unexpected-state.json', 'invalid', 'payment_intent_unexpected_state'],
    ['404-resource-missing.json', 'invalid', 'resource_missing'],
    ['401-invalid-api-key.json', 'invalid', 'api_key_invalid'],
    ['403-restricted-key.json', 'invalid', null],
    ['409-idempotency-key-in-use.json', 'transient', 'idempotency_key_in_use'],
    ['429-rate-limit.json', 'transient', 'rate_limit'],
    ['429-lock-timeout.json', 'transient', 'lock_timeout'],
    ['500-api-error.json', 'transient', null],
  ])('maps the answer %s, as the official client reads it, to %s', async (file, kind, code) => {
    const answer = recorded(file);
    api.answer = (res) => send(res, answer.status, answer.body, answer.headers);
    const err = await failure(capture(gateway()));
    expect(err.kind).toBe(kind);
    expect(err.details).toMatchObject({ code, httpStatus: answer.status });
    // No answer, however worded, brings the API key into our error.
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toMatch(/[sr]k_(test|live)_/);
    expect(api.seen).toHaveLength(1);
  });

  it('hands a decline over with its decline code and the intent as Stripe left it', async () => {
    const answer = recorded('402-insufficient-funds.json');
    api.answer = (res) => send(res, answer.status, answer.body);
    const err = await failure(
      gateway().createIntent({
        orderId: 'ord_42',
        amount: 4200,
        currency: 'EUR',
        paymentMethod: 'pm_card_visa_chargeDeclinedInsufficientFunds',
        customerEmail: null,
        idempotencyKey: 'order-42-authorize',
      }),
    );
    expect(err).toMatchObject({
      kind: 'declined',
      message: 'Your card has insufficient funds.',
      details: { code: 'card_declined', declineCode: 'insufficient_funds', httpStatus: 402 },
    });
    expect(err.details.intent).toMatchObject({
      id: 'pi_3QdeclinedSIMxxxxxxxxxxx',
      status: 'requires_payment_method',
      lastError: {
        code: 'card_declined',
        declineCode: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
      },
      captureBefore: null,
      metadata: { orderId: 'ord_42' },
    });
  });

  it('says when to come back after a 429', async () => {
    const answer = recorded('429-rate-limit.json');
    api.answer = (res) => send(res, answer.status, answer.body, answer.headers);
    const err = await failure(capture(gateway()));
    expect(err.message).toMatch(/Retry-After: 2 s/);
  });

  it('reports a refused connection and a timeout as transient', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await failure(capture(gateway({ apiBase: `http://127.0.0.1:${port}` })));
    expect(refused).toMatchObject({ kind: 'transient', details: { httpStatus: null } });

    api.answer = () => {}; // never answers
    const started = Date.now();
    const timedOut = await failure(capture(gateway({ timeoutMs: 200 })));
    expect(timedOut.kind).toBe('transient');
    expect(timedOut.message).toMatch(/timeout/i);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('lets the client retry a 5xx, a 409 and a dropped connection with our same Idempotency-Key', async () => {
    api.answer = (res, n) => {
      if (n === 1) return send(res, 500, recorded('500-api-error.json').body);
      if (n === 2) return send(res, 409, recorded('409-idempotency-key-in-use.json').body);
      if (n === 3) return res.socket!.destroy();
      send(res, 200, AUTHORISED);
    };
    const intent = await capture(gateway({ maxNetworkRetries: 3 }));
    expect(intent.status).toBe('requires_capture');
    expect(api.seen.map((s) => s.headers['idempotency-key'])).toEqual(Array(4).fill('order-42-capture-1'));
    expect(new Set(api.seen.map((s) => s.body)).size).toBe(1);
  });

  it('refuses bad input itself, before any call', async () => {
    const g = gateway();
    const cases: Promise<unknown>[] = [
      g.createIntent({
        orderId: 'o',
        amount: 12.5,
        currency: 'eur',
        paymentMethod: null,
        customerEmail: null,
        idempotencyKey: 'k',
      }),
      g.createIntent({
        orderId: 'o',
        amount: 0,
        currency: 'eur',
        paymentMethod: null,
        customerEmail: null,
        idempotencyKey: 'k',
      }),
      g.createIntent({
        orderId: 'o',
        amount: 100,
        currency: 'euro',
        paymentMethod: null,
        customerEmail: null,
        idempotencyKey: 'k',
      }),
      g.createIntent({
        orderId: 'o',
        amount: 100,
        currency: 'eur',
        paymentMethod: null,
        customerEmail: null,
        idempotencyKey: '',
      }),
      g.capture({ intentId: AUTHORISED.id, amount: -1, final: true, idempotencyKey: 'k' }),
      g.capture({ intentId: AUTHORISED.id, amount: 1, final: true, idempotencyKey: 'k'.repeat(256) }),
      g.retrieveIntent('../../v1/customers'),
      g.refund({ intentId: AUTHORISED.id, amount: 0, reason: null, idempotencyKey: 'k' }),
    ];
    for (const pending of cases) expect((await failure(pending)).kind).toBe('invalid');
    expect(api.seen).toHaveLength(0);
  });

  it('refuses to be built with something that is not a secret key, without echoing it', () => {
    expect(() => new StripeGateway({ secretKey: 'pk_test_publishable123' })).toThrow(/sk_test_/);
    expect(() => new StripeGateway({ secretKey: 'pk_test_publishable123' })).not.toThrow(/publishable123/);
  });

  it('tells Stripe errors from bugs: only Stripe errors are mapped', () => {
    expect(isStripeError(new TypeError('x'))).toBe(false);
    const err = Stripe.errors.StripeError.generate({ type: 'api_error', message: 'boom', statusCode: 503 } as never);
    expect(isStripeError(err)).toBe(true);
    expect(toPaymentGatewayError(err).kind).toBe('transient');
    expect(toPaymentGatewayError(new Stripe.errors.StripeConnectionError({ message: 'reset' })).kind).toBe('transient');
  });
});

describe('StripeGateway requests and mapping', () => {
  it('asks for a cards-only manual capture with multicapture, our key, the order id and the expanded charge', async () => {
    api.answer = (res) => send(res, 200, AUTHORISED);
    const intent = await gateway().createIntent({
      orderId: 'ord_42',
      amount: 4200,
      currency: 'EUR',
      paymentMethod: 'pm_card_visa',
      customerEmail: 'ada@example.com',
      idempotencyKey: 'order-42-authorize',
    });
    const sent = api.seen[0]!;
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/payment_intents' });
    expect(sent.headers).toMatchObject({
      authorization: `Bearer ${SECRET}`,
      'idempotency-key': 'order-42-authorize',
      'stripe-version': '2026-11-18.endive',
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(Object.fromEntries(new URLSearchParams(sent.body))).toEqual({
      amount: '4200',
      currency: 'eur',
      capture_method: 'manual',
      'allowed_payment_method_types[0]': 'card',
      'payment_method_options[card][request_multicapture]': 'if_available',
      'metadata[orderId]': 'ord_42',
      receipt_email: 'ada@example.com',
      payment_method: 'pm_card_visa',
      confirm: 'true',
      'expand[0]': 'latest_charge',
    });
    expect(intent).toEqual({
      id: AUTHORISED.id,
      status: 'requires_capture',
      amount: 4200,
      amountCapturable: 4200,
      amountReceived: 0,
      currency: 'eur',
      clientSecret: AUTHORISED.client_secret,
      lastError: null,
      nextAction: null,
      captureBefore: '2026-12-14T09:00:00.000Z',
      cancellationReason: null,
      metadata: { orderId: 'ord_42' },
    });
  });

  it('sends final_capture=false only for a partial capture, and a non-Stripe refund reason as metadata', async () => {
    api.answer = (res, n) =>
      n <= 2
        ? send(res, 200, AUTHORISED)
        : send(res, 200, {
            id: 're_1',
            object: 'refund',
            amount: 100,
            currency: 'eur',
            status: 'succeeded',
            payment_intent: null,
          });
    const g = gateway();
    await g.capture({ intentId: AUTHORISED.id, amount: 1000, final: false, idempotencyKey: 'order-42-capture-1' });
    await g.capture({ intentId: AUTHORISED.id, amount: 3200, final: true, idempotencyKey: 'order-42-capture-2' });
    const refund = await g.refund({
      intentId: AUTHORISED.id,
      amount: 100,
      reason: 'return received',
      idempotencyKey: 'r1',
    });
    const forms = api.seen.map((s) => Object.fromEntries(new URLSearchParams(s.body)));
    expect(forms[0]).toMatchObject({ amount_to_capture: '1000', final_capture: 'false' });
    expect(forms[1]).toEqual({ amount_to_capture: '3200', 'expand[0]': 'latest_charge' });
    expect(forms[2]).toEqual({ payment_intent: AUTHORISED.id, amount: '100', 'metadata[reason]': 'return received' });
    expect(refund).toEqual({ id: 're_1', intentId: AUTHORISED.id, amount: 100, currency: 'eur', status: 'succeeded' });
  });

  it('gives a deadline only to an authorisation still held', () => {
    const canceled = toGatewayIntent({
      ...AUTHORISED,
      status: 'canceled',
      amount_capturable: 0,
      cancellation_reason: 'automatic',
    } as unknown as Stripe.PaymentIntent);
    expect(canceled).toMatchObject({ captureBefore: null, cancellationReason: 'automatic' });
    const bareCharge = toGatewayIntent({ ...AUTHORISED, latest_charge: 'ch_x' } as unknown as Stripe.PaymentIntent);
    expect(bareCharge.captureBefore).toBeNull();
    expect(
      toGatewayRefund(
        { id: 're_2', amount: 5, currency: 'usd', status: null, payment_intent: 'pi_a' } as never,
        'pi_b',
      ),
    ).toMatchObject({ intentId: 'pi_a', status: 'pending' });
  });

  it('reads the API base as an origin', () => {
    expect(apiAddress('http://127.0.0.1:12111')).toEqual({ host: '127.0.0.1', port: 12111, protocol: 'http' });
    expect(apiAddress('https://api.stripe.com')).toEqual({ host: 'api.stripe.com', port: 443, protocol: 'https' });
    expect(() => apiAddress('http://127.0.0.1:1/v1')).toThrow(/origin/);
    expect(() => apiAddress('ftp://x')).toThrow(/http/);
  });
});
