import type { OperationContext } from '../context.js';
import { isUuid } from '../ids.js';
import { applyIntent } from './apply-intent.js';
import { changeCardPayment } from './claimed-change.js';
import type { PaymentGateway } from './payment-gateway.js';
import { holdForPaymentRisk } from './payment-risk.js';

/**
 * Stripe's webhook events, once the inbox has verified and stored them (the ProviderWebhook for
 * `stripe` calls this with the stored body). Stripe delivers at least once and in no order, so an
 * event is only a hint of which intent changed: the intent is read again from the gateway and
 * its current state applied (apply-intent.ts), which is the same whatever order the events came
 * in and however often. Disputes and early fraud warnings hold the order (payment-risk.ts).
 */

/** Topics that mean "this intent changed: read it again". */
export const STRIPE_INTENT_EVENTS = [
  'payment_intent.amount_capturable_updated',
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
  'payment_intent.requires_action',
  'payment_intent.processing',
  'payment_intent.partially_funded',
] as const;

/** Topics that put the order on hold, with the reason the timeline gives. */
export const STRIPE_RISK_EVENTS: Record<string, string> = {
  'charge.dispute.created': 'the customer disputed the card payment',
  'radar.early_fraud_warning.created': 'the card issuer sent an early fraud warning',
};

export interface StripeEventDeps {
  gateway: PaymentGateway;
}

export interface EventResult {
  status: 'processed' | 'ignored';
  outcome: string;
}

interface StripeEventShape {
  id?: unknown;
  type?: unknown;
  data?: { object?: { id?: unknown; object?: unknown; payment_intent?: unknown; reason?: unknown } };
}

/** The intent an event is about: the object itself for payment_intent.*, its `payment_intent` for charges' children. */
export function intentIdOf(event: StripeEventShape): string | null {
  const object = event.data?.object;
  if (!object) return null;
  if (object.object === 'payment_intent' && typeof object.id === 'string') return object.id;
  const pi = object.payment_intent;
  if (typeof pi === 'string') return pi;
  if (pi && typeof pi === 'object' && typeof (pi as { id?: unknown }).id === 'string') return (pi as { id: string }).id;
  return null;
}

export async function handleStripeEvent(
  ctx: OperationContext,
  deps: StripeEventDeps,
  body: string,
): Promise<EventResult> {
  let event: StripeEventShape;
  try {
    event = JSON.parse(body) as StripeEventShape;
  } catch {
    return { status: 'ignored', outcome: 'body is not JSON' };
  }
  const type = typeof event.type === 'string' ? event.type : '';
  const eventId = typeof event.id === 'string' ? event.id : '';
  const risk = STRIPE_RISK_EVENTS[type];
  if (!risk && !(STRIPE_INTENT_EVENTS as readonly string[]).includes(type))
    return { status: 'ignored', outcome: `${type || 'an event without a type'} is not handled` };
  const intentId = intentIdOf(event);
  if (!intentId) return { status: 'ignored', outcome: `${type} names no payment intent` };

  // Outside any transaction: a gateway call. A transient failure throws, and the queue retries.
  const intent = await deps.gateway.retrieveIntent(intentId);
  const orderId = intent.metadata.orderId;
  // Another system on the same Stripe account makes intents too: theirs carry no order of ours.
  if (!orderId || !isUuid(orderId) || !(await orderExists(ctx, orderId)))
    return { status: 'ignored', outcome: `intent ${intentId} is not for an order of this hub` };

  return changeCardPayment(ctx, orderId, async (tx, claimed, card) => {
    if (!card || card.payment.provider !== deps.gateway.id)
      return { status: 'ignored', outcome: `order ${orderId} has no ${deps.gateway.id} payment` };
    if (card.payment.intentId !== null && card.payment.intentId !== intent.id)
      return { status: 'ignored', outcome: `intent ${intent.id} is not order ${orderId}'s` };
    const applied = await applyIntent(tx, ctx, claimed, card, intent, { source: `${deps.gateway.id} event ${type}` });
    // A stale read changes nothing, but a dispute still holds the order.
    if (!risk) return { status: applied.ignored ? 'ignored' : 'processed', outcome: applied.outcome };
    const held = await holdForPaymentRisk(tx, ctx, claimed, {
      reason: `${risk} (${type} ${eventId})`,
      eventId: eventId || `${type}:${intentId}`,
      provider: card.payment.provider,
      reference: intent.id,
    });
    return { status: 'processed', outcome: `${applied.outcome}; ${held}` };
  });
}

async function orderExists(ctx: OperationContext, orderId: string): Promise<boolean> {
  const rows = await ctx.em.fork().getConnection().execute(`select 1 from "order" where id = ?`, [orderId]);
  return rows.length > 0;
}
