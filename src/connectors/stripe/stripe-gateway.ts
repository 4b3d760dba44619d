import Stripe from 'stripe';
import {
  PaymentGatewayError,
  type CreateIntentRequest,
  type GatewayIntent,
  type GatewayRefund,
  type PaymentGateway,
} from '../../domain/payments/payment-gateway.js';
import { STRIPE_API_VERSION } from './stripe-api-version.js';
import { isStripeError, toPaymentGatewayError } from './stripe-gateway-errors.js';
import { toGatewayIntent, toGatewayRefund } from './stripe-intent.mapper.js';

/**
 * The PaymentGateway port on Stripe, through the official `stripe` client: card PaymentIntents
 * with manual capture (multicapture requested, so shipments can be captured one by one), cancel
 * and refunds. Every POST carries the caller's deterministic Idempotency-Key; the client retries
 * a dropped connection, a 5xx or a 409 itself with that same key (`maxNetworkRetries`), so a
 * capture whose answer was lost is answered from Stripe's idempotency store on the retry.
 * Failures come out as PaymentGatewayError (stripe-gateway-errors.ts). Jobs call it, never an
 * open transaction.
 */

export interface StripeGatewayOptions {
  /** `sk_…` or a restricted `rk_…` key. Never logged, never in an error message. */
  secretKey: string;
  /** Where the API is: Stripe by default; the simulator's `http://127.0.0.1:<port>` in tests and sandboxes. */
  apiBase?: string;
  /** One attempt's timeout (Stripe's client defaults to 80 s: far longer than a job should wait). */
  timeoutMs?: number;
  /** Retries of a dropped connection, 5xx or 409, each with the same Idempotency-Key. */
  maxNetworkRetries?: number;
}

export const STRIPE_DEFAULT_TIMEOUT_MS = 20_000;
export const STRIPE_DEFAULT_NETWORK_RETRIES = 3;

/** Refund reasons Stripe itself takes; anything else travels in the refund's metadata. */
const STRIPE_REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;
type StripeRefundReason = (typeof STRIPE_REFUND_REASONS)[number];

export class StripeGateway implements PaymentGateway {
  readonly id = 'stripe';
  private readonly stripe: Stripe;

  constructor(options: StripeGatewayOptions) {
    if (!/^(sk|rk)_(test|live)_\S+$/.test(options.secretKey))
      throw new Error('The Stripe secret key must be an sk_test_/sk_live_ (or rk_) key');
    this.stripe = new Stripe(options.secretKey, {
      apiVersion: STRIPE_API_VERSION,
      timeout: options.timeoutMs ?? STRIPE_DEFAULT_TIMEOUT_MS,
      maxNetworkRetries: options.maxNetworkRetries ?? STRIPE_DEFAULT_NETWORK_RETRIES,
      telemetry: false,
      appInfo: { name: 'switchyard' },
      ...(options.apiBase ? apiAddress(options.apiBase) : {}),
    });
  }

  async createIntent(request: CreateIntentRequest): Promise<GatewayIntent> {
    checkAmount(request.amount, 1);
    const currency = checkCurrency(request.currency);
    const idempotencyKey = checkKey(request.idempotencyKey);
    return this.call(async () =>
      toGatewayIntent(
        await this.stripe.paymentIntents.create(
          {
            amount: request.amount,
            currency,
            capture_method: 'manual',
            // Cards only: no redirecting method, so a server-side confirm needs no return_url.
            allowed_payment_method_types: ['card'],
            payment_method_options: { card: { request_multicapture: 'if_available' } },
            metadata: { orderId: request.orderId },
            ...(request.customerEmail ? { receipt_email: request.customerEmail } : {}),
            ...(request.paymentMethod ? { payment_method: request.paymentMethod, confirm: true } : {}),
            expand: ['latest_charge'],
          },
          { idempotencyKey },
        ),
      ),
    );
  }

  async retrieveIntent(intentId: string): Promise<GatewayIntent> {
    checkIntentId(intentId);
    return this.call(async () =>
      toGatewayIntent(await this.stripe.paymentIntents.retrieve(intentId, { expand: ['latest_charge'] })),
    );
  }

  async capture(request: { intentId: string; amount: number; final: boolean; idempotencyKey: string }) {
    checkIntentId(request.intentId);
    checkAmount(request.amount, 0);
    const idempotencyKey = checkKey(request.idempotencyKey);
    return this.call(async () =>
      toGatewayIntent(
        await this.stripe.paymentIntents.capture(
          request.intentId,
          {
            amount_to_capture: request.amount,
            // Sent only to keep the rest capturable: final is Stripe's default.
            ...(request.final ? {} : { final_capture: false }),
            expand: ['latest_charge'],
          },
          { idempotencyKey },
        ),
      ),
    );
  }

  async cancel(request: {
    intentId: string;
    reason: 'requested_by_customer' | 'abandoned' | 'fraudulent' | 'duplicate';
    idempotencyKey: string;
  }): Promise<GatewayIntent> {
    checkIntentId(request.intentId);
    const idempotencyKey = checkKey(request.idempotencyKey);
    return this.call(async () =>
      toGatewayIntent(
        await this.stripe.paymentIntents.cancel(
          request.intentId,
          { cancellation_reason: request.reason, expand: ['latest_charge'] },
          { idempotencyKey },
        ),
      ),
    );
  }

  async refund(request: {
    intentId: string;
    amount: number;
    reason: string | null;
    idempotencyKey: string;
  }): Promise<GatewayRefund> {
    checkIntentId(request.intentId);
    checkAmount(request.amount, 1);
    const idempotencyKey = checkKey(request.idempotencyKey);
    const stripeReason = STRIPE_REFUND_REASONS.find((r) => r === request.reason) as StripeRefundReason | undefined;
    return this.call(async () =>
      toGatewayRefund(
        await this.stripe.refunds.create(
          {
            payment_intent: request.intentId,
            amount: request.amount,
            ...(stripeReason ? { reason: stripeReason } : {}),
            ...(request.reason && !stripeReason ? { metadata: { reason: request.reason.slice(0, 500) } } : {}),
          },
          { idempotencyKey },
        ),
        request.intentId,
      ),
    );
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (isStripeError(err)) throw toPaymentGatewayError(err);
      throw err;
    }
  }
}

/** `http://127.0.0.1:12111` → the client's host, port and protocol (it always adds `/v1/…`). */
export function apiAddress(apiBase: string): { host: string; port: number; protocol: 'http' | 'https' } {
  const url = new URL(apiBase);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('The Stripe API base must be http(s)');
  if (url.pathname !== '/' || url.search) throw new Error('The Stripe API base is an origin: no path or query');
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: Number(url.port || (protocol === 'http' ? 80 : 443)), protocol };
}

function invalid(message: string): PaymentGatewayError {
  return new PaymentGatewayError('invalid', message);
}

function checkAmount(amount: number, min: number): void {
  if (!Number.isSafeInteger(amount) || amount < min)
    throw invalid(`The amount must be a whole number of minor units of at least ${min}`);
}

function checkCurrency(currency: string): string {
  if (!/^[A-Za-z]{3}$/.test(currency)) throw invalid('The currency must be a three-letter ISO 4217 code');
  return currency.toLowerCase();
}

function checkKey(key: string): string {
  if (!key || key.length > 255) throw invalid('An idempotency key of 1 to 255 characters is required');
  return key;
}

function checkIntentId(id: string): void {
  if (!/^pi_[A-Za-z0-9_]+$/.test(id)) throw invalid('The intent id must be a Stripe PaymentIntent id (pi_…)');
}
