import type Stripe from 'stripe';
import { PaymentGatewayError, type GatewayErrorKind } from '../../domain/payments/payment-gateway.js';
import { toGatewayIntent } from './stripe-intent.mapper.js';

/**
 * Every failure of a Stripe call as one of the port's three kinds, in one place:
 * - `declined`: a card error (402): the card said no; the intent it left comes along;
 * - `invalid`: what no retry fixes: 400/404 requests (bad state, amount too large, unknown id),
 *   an Idempotency-Key reused with other parameters, a rejected API key (401/403);
 * - `transient`: the answer may differ next time: connection dropped or timed out, 5xx, 409
 *   (a concurrent request with the same key), 429 rate limits and lock timeouts.
 * Messages never carry the API key: Stripe's own 401 message (which shows part of it) is replaced.
 */

type StripeLikeError = Partial<Stripe.errors.StripeError> & { type?: string; rawType?: string };

export function isStripeError(err: unknown): err is Stripe.errors.StripeError {
  return (
    err instanceof Error &&
    typeof (err as StripeLikeError).type === 'string' &&
    /^Stripe/.test((err as StripeLikeError).type!)
  );
}

export function toPaymentGatewayError(err: Stripe.errors.StripeError): PaymentGatewayError {
  const status = err.statusCode ?? null;
  const details = { code: err.code ?? null, declineCode: err.decline_code || null, httpStatus: status };
  const kind = kindOf(err);
  if (kind === 'declined') {
    return new PaymentGatewayError('declined', err.message || 'The card was declined', {
      ...details,
      intent: err.payment_intent ? toGatewayIntent(err.payment_intent) : null,
    });
  }
  return new PaymentGatewayError(kind, messageOf(err), details);
}

function kindOf(err: Stripe.errors.StripeError): GatewayErrorKind {
  switch (err.type) {
    case 'StripeCardError':
      return 'declined';
    case 'StripeConnectionError':
    case 'StripeRateLimitError':
    case 'StripeAPIError':
      return 'transient';
    case 'StripeIdempotencyError':
    case 'StripeAuthenticationError':
    case 'StripePermissionError':
    case 'StripeInvalidRequestError':
      return err.code === 'lock_timeout' ? 'transient' : 'invalid';
    default: {
      const status = err.statusCode ?? 0;
      return status === 409 || status === 429 || status >= 500 ? 'transient' : 'invalid';
    }
  }
}

function messageOf(err: Stripe.errors.StripeError): string {
  if (err.type === 'StripeAuthenticationError') return 'Stripe refused the API key (401): check STRIPE_SECRET_KEY';
  if (err.type === 'StripePermissionError') return 'The Stripe API key may not make this request (403)';
  const retryAfter = err.headers?.['retry-after'];
  if (err.type === 'StripeRateLimitError' && retryAfter) return `${err.message} (Retry-After: ${retryAfter} s)`;
  return err.message || err.type;
}
