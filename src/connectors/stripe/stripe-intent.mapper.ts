import type Stripe from 'stripe';
import type { GatewayIntent, GatewayIntentStatus, GatewayRefund } from '../../domain/payments/payment-gateway.js';

/**
 * Stripe's PaymentIntent and Refund in the gateway port's shapes. Pure: the raw objects stop here.
 * `captureBefore` is read from the latest charge, which the gateway always expands; a charge that
 * came as a bare id (an intent inside an error body) gives null.
 */

const STATUSES: ReadonlySet<string> = new Set<GatewayIntentStatus>([
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'canceled',
  'succeeded',
]);

export function toGatewayIntent(intent: Stripe.PaymentIntent): GatewayIntent {
  if (!STATUSES.has(intent.status)) throw new Error(`Stripe PaymentIntent status ${intent.status} is not known`);
  const charge = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
  const captureBefore = charge?.payment_method_details?.card?.capture_before;
  const error = intent.last_payment_error;
  return {
    id: intent.id,
    status: intent.status as GatewayIntentStatus,
    amount: intent.amount,
    amountCapturable: intent.amount_capturable,
    amountReceived: intent.amount_received,
    currency: intent.currency,
    clientSecret: intent.client_secret ?? null,
    lastError: error
      ? { code: error.code ?? null, declineCode: error.decline_code ?? null, message: error.message ?? '' }
      : null,
    nextAction: intent.next_action?.type ?? null,
    // Only an authorisation still held has a deadline; after capture or cancel it means nothing.
    captureBefore:
      intent.status === 'requires_capture' && typeof captureBefore === 'number'
        ? new Date(captureBefore * 1000).toISOString()
        : null,
    cancellationReason: intent.cancellation_reason ?? null,
    metadata: { ...intent.metadata },
  };
}

export function toGatewayRefund(refund: Stripe.Refund, intentId: string): GatewayRefund {
  const fromRefund = typeof refund.payment_intent === 'string' ? refund.payment_intent : refund.payment_intent?.id;
  return {
    id: refund.id,
    intentId: fromRefund ?? intentId,
    amount: refund.amount,
    currency: refund.currency,
    status: refund.status ?? 'pending',
  };
}
