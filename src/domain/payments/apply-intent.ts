import type { EntityManager } from '@mikro-orm/core';
import type { OperationContext } from '../context.js';
import { authorizeAndAllocate } from '../orders/authorize-and-allocate.js';
import type { ClaimedOrder } from '../orders/lifecycle/order-change.js';
import { putOnHold, resumesFulfilment } from '../orders/order-hold.js';
import { canTransition } from '../orders/order-status.js';
import { recordOrderEvent } from '../orders/order-transitions.js';
import { settleCardPayment } from './card-payments.js';
import type { GatewayIntent, GatewayIntentStatus } from './payment-gateway.js';
import type { CardPayment } from './payment-steps.js';
import type { Payment } from './payment.entity.js';

/**
 * Applies what the gateway says an intent is now — from a step's answer or from re-reading it
 * after a webhook — to the payment row and the order, in the caller's transaction (the order
 * claimed, the payment row locked). Idempotent: the order moves only on a change of the intent's
 * status, so the same state applied twice (a duplicate event, a job and a webhook racing) does
 * nothing the second time; and a state older than the one held (events come unordered) never
 * moves a payment back.
 */

/** How far an intent has come; it never goes back (requires_capture → requires_action is a stale read). */
function rankOf(status: GatewayIntentStatus | null): number {
  if (status === null) return -1;
  if (status === 'requires_capture') return 1;
  if (status === 'succeeded' || status === 'canceled') return 2;
  return 0;
}

export interface ApplyIntentOptions {
  /**
   * Set when allocating after the authorisation was refused (INSUFFICIENT_STOCK under the
   * `reject` backorder policy): the order is held with this reason instead, so the authorised
   * payment is never lost with a rolled-back change. See payment-runner.ts.
   */
  holdInsteadOfAllocating?: string;
  /** Why, for the timeline: `authorise step`, `stripe event payment_intent.succeeded`, … */
  source: string;
}

export interface AppliedIntent {
  /** What happened, in a few words (job and delivery outcomes). */
  outcome: string;
  ignored: boolean;
}

export async function applyIntent(
  tx: EntityManager,
  ctx: OperationContext,
  claimed: ClaimedOrder,
  card: CardPayment,
  intent: GatewayIntent,
  options: ApplyIntentOptions,
): Promise<AppliedIntent> {
  const p = card.payment;
  if (p.intentId !== null && p.intentId !== intent.id)
    return { outcome: `intent ${intent.id} is not this order's (${p.intentId})`, ignored: true };
  p.intentId = intent.id;
  const before = p.intentStatus ?? null;
  if (rankOf(intent.status) < rankOf(before))
    return { outcome: `stale: intent is ${before}, the read said ${intent.status}`, ignored: true };
  // A new decline leaves the status as it was (requires_payment_method) with a new error.
  const newDecline =
    intent.status === 'requires_payment_method' &&
    intent.lastError !== null &&
    (before !== intent.status || p.lastError !== intent.lastError.message.slice(0, 1000));
  copyIntent(p, intent);
  if (before === intent.status && !newDecline)
    return { outcome: `intent ${intent.status} (no change)`, ignored: false };

  const { order } = claimed;
  switch (intent.status) {
    case 'requires_capture':
      return { outcome: await onAuthorized(tx, ctx, claimed, card, options), ignored: false };
    case 'requires_payment_method':
      if (newDecline) return { outcome: onDeclined(tx, ctx, claimed, card, intent), ignored: false };
      return { outcome: 'waiting for a payment method', ignored: false };
    case 'requires_action':
    case 'requires_confirmation':
      recordOrderEvent(
        tx,
        order,
        ctx.actor,
        'payment_action_required',
        `${p.provider}: the customer must complete the payment (${intent.nextAction ?? intent.status})`,
        { provider: p.provider, reference: intent.id, status: intent.status, nextAction: intent.nextAction },
      );
      return { outcome: `customer action required (${intent.nextAction ?? intent.status})`, ignored: false };
    case 'canceled':
      return { outcome: onCanceled(tx, ctx, claimed, card, intent), ignored: false };
    default:
      return { outcome: `intent ${intent.status}`, ignored: false };
  }
}

/** The row follows the intent; amounts only grow (authorised, captured), released = authorised − captured once closed. */
function copyIntent(p: Payment, intent: GatewayIntent): void {
  p.intentStatus = intent.status;
  p.nextAction = intent.status === 'requires_action' ? intent.nextAction : null;
  if (intent.captureBefore) p.captureBefore = new Date(intent.captureBefore);
  p.cancellationReason = intent.cancellationReason;
  if (rankOf(intent.status) >= 1) {
    p.authorizedAmount = Math.min(
      p.amount,
      Math.max(p.authorizedAmount, intent.amountCapturable + intent.amountReceived),
    );
    p.capturedAmount = Math.min(p.authorizedAmount, Math.max(p.capturedAmount, intent.amountReceived));
    p.errorCode = null;
    p.declineCode = null;
    p.lastError = null;
  } else if (intent.lastError) {
    p.errorCode = intent.lastError.code;
    p.declineCode = intent.lastError.declineCode;
    p.lastError = intent.lastError.message.slice(0, 1000);
  }
  p.voidedAmount = rankOf(intent.status) === 2 ? Math.max(0, p.authorizedAmount - p.capturedAmount) : 0;
}

async function onAuthorized(
  tx: EntityManager,
  ctx: OperationContext,
  claimed: ClaimedOrder,
  card: CardPayment,
  options: ApplyIntentOptions,
): Promise<string> {
  const { order, lines } = claimed;
  const p = card.payment;
  const authorized = `${p.provider} authorised ${p.authorizedAmount} ${order.currency}`;
  const data = { provider: p.provider, reference: p.intentId, amount: p.authorizedAmount, currency: order.currency };
  if (order.status === 'CONFIRMED') {
    if (options.holdInsteadOfAllocating) {
      recordOrderEvent(tx, order, ctx.actor, 'payment_authorized', authorized, data);
      putOnHold(tx, order, ctx.actor, options.holdInsteadOfAllocating);
      return `authorised; held: ${options.holdInsteadOfAllocating}`;
    }
    await authorizeAndAllocate(tx, ctx, order, lines, { reason: authorized, data });
    return `authorised; order ${order.status}`;
  }
  if (order.status === 'CANCELLED') {
    recordOrderEvent(tx, order, ctx.actor, 'payment_authorized', `${authorized} after the order was cancelled`, data);
    settleCardPayment(tx, order, lines, card);
    return 'authorised after the order was cancelled: void requested';
  }
  const held = order.status === 'ON_HOLD' && !resumesFulfilment(order);
  recordOrderEvent(
    tx,
    order,
    ctx.actor,
    'payment_authorized',
    held ? `${authorized} while the order is held; releasing the hold carries it on` : authorized,
    data,
  );
  return `authorised; order stays ${order.status}`;
}

function onDeclined(
  tx: EntityManager,
  ctx: OperationContext,
  claimed: ClaimedOrder,
  card: CardPayment,
  intent: GatewayIntent,
): string {
  const { order } = claimed;
  const p = card.payment;
  const why = declineReason(p.provider, intent);
  const data = {
    provider: p.provider,
    reference: intent.id,
    code: intent.lastError?.code ?? null,
    declineCode: intent.lastError?.declineCode ?? null,
  };
  if (order.status === 'CONFIRMED') {
    putOnHold(tx, order, ctx.actor, why, data);
    return `declined; held: ${why}`;
  }
  recordOrderEvent(tx, order, ctx.actor, 'payment_declined', why, data);
  return `declined; order stays ${order.status}`;
}

/** `payment declined: Your card has insufficient funds. (card_declined, insufficient_funds)`. */
export function declineReason(provider: string, intent: Pick<GatewayIntent, 'lastError'>): string {
  const e = intent.lastError;
  const codes = [e?.code, e?.declineCode].filter((c): c is string => typeof c === 'string' && c.length > 0);
  const text = `${provider} payment declined: ${e?.message ?? 'no reason given'}${codes.length ? ` (${codes.join(', ')})` : ''}`;
  return text.slice(0, 500);
}

/**
 * The intent was cancelled. By the hub (a void step) that step records it; otherwise the gateway
 * or someone in its dashboard did (an expired hold is `automatic`): an order that has not shipped
 * in full is held, since nothing more can be captured for it.
 */
function onCanceled(
  tx: EntityManager,
  ctx: OperationContext,
  claimed: ClaimedOrder,
  card: CardPayment,
  intent: GatewayIntent,
): string {
  const { order } = claimed;
  const p = card.payment;
  const ours = card.steps.some((s) => s.kind === 'void' && (s.status === 'pending' || s.status === 'succeeded'));
  if (ours) return 'cancelled (our void)';
  const why = `${p.provider} cancelled the card authorisation (${intent.cancellationReason ?? 'no reason given'}): nothing more can be captured`;
  const data = { provider: p.provider, reference: intent.id, cancellationReason: intent.cancellationReason };
  if (order.status !== 'ON_HOLD' && canTransition(order.status, 'ON_HOLD')) {
    putOnHold(tx, order, ctx.actor, why.slice(0, 500), data);
    return `cancelled by ${p.provider}; held`;
  }
  recordOrderEvent(tx, order, ctx.actor, 'payment_cancelled', why, data);
  return `cancelled by ${p.provider}; order stays ${order.status}`;
}
