import type { EntityManager } from '@mikro-orm/core';
import type { OperationContext } from '../../context.js';
import {
  cardAuthorized,
  checkCardCovers,
  refundReturnByCard,
  settleCardPayment,
} from '../../payments/card-payments.js';
import { cardPaymentOf } from '../../payments/payment-steps.js';
import type { PaymentProvider, PaymentReversal } from '../../payments/payment-provider.js';
import type { ReturnRequest } from '../../returns/return-request.entity.js';
import { transitionReturn } from '../../returns/return-transitions.js';
import type { Shipment } from '../../fulfilment/shipment.entity.js';
import type { OrderLine } from '../order-line.entity.js';
import { OrderEvent } from '../order-event.entity.js';
import { recordOrderEvent } from '../order-transitions.js';
import type { Order } from '../order.entity.js';
import type { ClaimedOrder } from './order-change.js';

/**
 * What lifecycle operations need from outside the domain: the provider of orders paid `manual`ly
 * (or on their channel). Orders paid by card (a `payment` row, payments/card-payments.ts) need
 * nothing here: their changes store payment steps, and the payments job calls the gateway.
 */
export interface LifecycleDeps {
  payments: PaymentProvider;
}

/**
 * The order's payment as its timeline records it: the authorisation (placement or hold release
 * records it on the move to PAYMENT_AUTHORIZED), extra authorisations after an edit raised the
 * total, and every void and refund. `open` is what may still be given back.
 */
export interface PaymentLedger {
  provider: string | null;
  reference: string | null;
  authorized: number;
  voided: number;
  refunded: number;
  open: number;
}

/** The timeline entries the ledger reads; every other entry is ignored. */
export const PAYMENT_EVENT_TYPES = [
  'placed',
  'status_changed',
  'payment_authorized',
  'payment_voided',
  'payment_refunded',
];

/** What the ledger needs of one timeline entry: an `OrderEvent` or a plain record of one. */
export interface PaymentEventRecord {
  type: string;
  toStatus?: string | null;
  data?: Record<string, unknown> | null;
}

/**
 * The ledger from an order's timeline, oldest entry first (entries of other types are skipped).
 * Pure: no database, so a page of orders can derive it from events already loaded.
 */
export function ledgerOfEvents(events: Iterable<PaymentEventRecord>): PaymentLedger {
  const ledger: PaymentLedger = { provider: null, reference: null, authorized: 0, voided: 0, refunded: 0, open: 0 };
  let placedTotal = 0;
  for (const e of events) {
    const data = e.data ?? {};
    const amount = typeof data.amount === 'number' ? data.amount : null;
    if (e.type === 'placed') placedTotal = typeof data.total === 'number' ? data.total : 0;
    const authorization =
      (e.type === 'status_changed' && e.toStatus === 'PAYMENT_AUTHORIZED') || e.type === 'payment_authorized';
    if (authorization && typeof data.reference === 'string') {
      // Placement records the authorisation without an amount: it was the total at placement.
      ledger.authorized += amount ?? placedTotal;
      ledger.provider = typeof data.provider === 'string' ? data.provider : ledger.provider;
      ledger.reference = data.reference;
    }
    if (e.type === 'payment_voided') ledger.voided += amount ?? 0;
    if (e.type === 'payment_refunded') ledger.refunded += amount ?? 0;
  }
  ledger.open = Math.max(0, ledger.authorized - ledger.voided - ledger.refunded);
  return ledger;
}

export async function paymentLedger(tx: EntityManager, claimed: ClaimedOrder): Promise<PaymentLedger> {
  const events = await tx.find(
    OrderEvent,
    { order: claimed.order.id, type: { $in: PAYMENT_EVENT_TYPES } },
    { orderBy: { id: 'asc' } },
  );
  return ledgerOfEvents(events);
}

/**
 * Where the payment stands, from the ledger's amounts:
 * - `NONE`: never authorised (e.g. an order held at placement, or cancelled while held);
 * - `AUTHORIZED`: authorised, nothing given back yet;
 * - `PARTIALLY_VOIDED` / `VOIDED`: part / all of the authorisation voided, nothing refunded;
 * - `PARTIALLY_REFUNDED` / `REFUNDED`: something refunded, and part / none of the payment still
 *   open. A refund outranks a void: once anything was refunded the status says so, whether or
 *   not part of the authorisation was voided as well.
 */
export const PAYMENT_STATUSES = [
  'NONE',
  'AUTHORIZED',
  'PARTIALLY_VOIDED',
  'VOIDED',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
  // Card payments only (payments/card-payment-view.ts):
  'PENDING',
  'REQUIRES_PAYMENT_METHOD',
  'REQUIRES_ACTION',
  'PROCESSING',
  'DECLINED',
  'FAILED',
  'PARTIALLY_CAPTURED',
  'CAPTURED',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export function paymentStatusOf(ledger: PaymentLedger): PaymentStatus {
  if (ledger.reference === null) return 'NONE';
  if (ledger.refunded > 0) return ledger.open > 0 ? 'PARTIALLY_REFUNDED' : 'REFUNDED';
  if (ledger.voided > 0) return ledger.open > 0 ? 'PARTIALLY_VOIDED' : 'VOIDED';
  return 'AUTHORIZED';
}

/**
 * Gives `amount` back through the payment port, capped at what is still open: a refund for
 * returned goods and for channel orders (paid on the channel before they arrive), else a void of
 * the uncaptured authorisation. Nothing to give back (never authorised, or zero) is a no-op.
 * The idempotency key is built from the change's starting version and the amount: a transaction
 * retried after a deadlock repeats the same provider call rather than a second one, and a
 * different request made after a rolled-back attempt never replays the provider's earlier answer.
 */
export async function givePaymentBack(
  tx: EntityManager,
  ctx: OperationContext,
  deps: LifecycleDeps,
  claimed: ClaimedOrder,
  amount: number,
  reason: string,
  options: { refund?: boolean; key: string },
): Promise<PaymentReversal | null> {
  const { order } = claimed;
  const card = await cardPaymentOf(tx, order.id);
  if (card) {
    // The total already moved: the captures, void and refunds follow from it and from what the
    // payment holds, not from `amount`.
    settleCardPayment(tx, order, claimed.lines, card);
    return null;
  }
  const ledger = await paymentLedger(tx, claimed);
  const give = Math.min(amount, ledger.open);
  if (!ledger.reference || give <= 0) return null;
  const refund = options.refund === true || order.source === 'marketplace';
  const request = {
    orderId: order.id,
    reference: ledger.reference,
    amount: give,
    currency: order.currency,
    idempotencyKey: `order-${order.id}-v${claimed.version}-${options.key}-${give}`,
    reason,
  };
  const result = refund ? await deps.payments.refund(request) : await deps.payments.void(request);
  recordOrderEvent(tx, order, ctx.actor, refund ? 'payment_refunded' : 'payment_voided', reason, {
    provider: result.provider,
    reference: result.reference,
    authorization: ledger.reference,
    amount: result.amount,
    currency: result.currency,
    ...(give < amount ? { requested: amount, cappedAt: ledger.open } : {}),
  });
  return result;
}

/** Authorises `amount` more after an edit raised the total of an already authorised order. */
export async function authorizeMore(
  tx: EntityManager,
  ctx: OperationContext,
  deps: LifecycleDeps,
  claimed: ClaimedOrder,
  amount: number,
  reason: string,
): Promise<void> {
  const { order } = claimed;
  const card = await cardPaymentOf(tx, order.id);
  if (card) return checkCardCovers(order, card);
  const payment = await deps.payments.authorize({
    orderId: order.id,
    amount,
    currency: order.currency,
    idempotencyKey: `order-${order.id}-v${claimed.version}-authorize-${amount}`,
  });
  recordOrderEvent(tx, order, ctx.actor, 'payment_authorized', reason, {
    provider: payment.provider,
    reference: payment.reference,
    amount: payment.amount,
    currency: payment.currency,
  });
}

/**
 * An edit moved the total from `totalBefore`: an authorised payment follows it — the difference
 * voided, or authorised on top. Paid by card, the authorisation cannot grow (the edit is refused
 * above it, even before the authorisation arrived) and a lower total is settled from the
 * payment's position (a capture later takes only what is due).
 */
export async function followEditedTotal(
  tx: EntityManager,
  ctx: OperationContext,
  deps: LifecycleDeps,
  claimed: ClaimedOrder,
  totalBefore: number,
  reason: string,
): Promise<void> {
  const delta = claimed.order.totalAmount - totalBefore;
  if (delta === 0) return;
  const card = await cardPaymentOf(tx, claimed.order.id);
  if (card) {
    checkCardCovers(claimed.order, card);
    settleCardPayment(tx, claimed.order, claimed.lines, card);
    return;
  }
  const ledger = await paymentLedger(tx, claimed);
  if (!ledger.reference) return;
  if (delta < 0) await givePaymentBack(tx, ctx, deps, claimed, -delta, reason, { key: 'edit' });
  else await authorizeMore(tx, ctx, deps, claimed, delta, reason);
}

/**
 * The authorisation a held order's release carries it on with (to PAYMENT_AUTHORIZED, then
 * allocation), as the timeline entry's reason and data; null when there is none yet. `manual`:
 * the authorisation from before the hold when it covers the total, else what it lacks is
 * authorised now. Card: the authorisation the gateway reported, or null while the customer has
 * not completed it (the order then waits in CONFIRMED; the payments job or a webhook moves it on).
 */
export async function authorizationForRelease(
  tx: EntityManager,
  ctx: OperationContext,
  deps: LifecycleDeps,
  claimed: ClaimedOrder,
): Promise<{ reason: string; data: Record<string, unknown> } | null> {
  const { order } = claimed;
  const card = await cardPaymentOf(tx, order.id);
  if (card) {
    const p = card.payment;
    if (cardAuthorized(order, card))
      return {
        reason: `${p.provider} authorisation ${p.intentId} from before the hold covers ${order.totalAmount} ${order.currency}`,
        data: { provider: p.provider, reference: p.intentId, reusedAuthorization: p.intentId },
      };
    recordOrderEvent(
      tx,
      order,
      ctx.actor,
      'payment_pending',
      `waiting for the ${p.provider} payment (${p.intentStatus ?? 'not created yet'}) before allocating stock`,
      { provider: p.provider, reference: p.intentId, status: p.intentStatus },
    );
    return null;
  }
  const ledger = await paymentLedger(tx, claimed);
  const missing = order.totalAmount - ledger.open;
  if (missing <= 0)
    return {
      reason: `authorisation ${ledger.reference} from before the hold covers ${order.totalAmount} ${order.currency}`,
      data: { reusedAuthorization: ledger.reference },
    };
  const payment = await deps.payments.authorize({
    orderId: order.id,
    amount: missing,
    currency: order.currency,
    idempotencyKey: `order-${order.id}-v${claimed.version}-authorize-${missing}`,
  });
  return {
    reason: `${payment.provider} authorised ${payment.amount} ${payment.currency}`,
    data: { provider: payment.provider, reference: payment.reference, amount: payment.amount },
  };
}

/**
 * A shipment left. Paid by card: its share of the total is captured (the rest with the last
 * shipment). `manual` and channel payments capture nothing: the money was taken elsewhere.
 */
export async function captureShipped(
  tx: EntityManager,
  order: Order,
  lines: OrderLine[],
  shipment: Shipment,
  shipped: { orderLineId: string; quantity: number }[],
): Promise<void> {
  const card = await cardPaymentOf(tx, order.id);
  if (!card) return;
  const goodsValue = shipped.reduce(
    (sum, s) => sum + (lines.find((l) => l.id === s.orderLineId)?.unitPriceAmount ?? 0) * s.quantity,
    0,
  );
  settleCardPayment(tx, order, lines, card, { shipmentId: shipment.id, goodsValue });
}

/**
 * Refunds a received return (its `refundAmount`, capped at what the payment still holds) and
 * settles it: `manual`, at once (received → refunded, with the provider's reference). Paid by
 * card, a refund step is stored and the return stays `received` until the payments job has the
 * gateway's answer (payment-runner.ts moves it on); with nothing to refund it is settled now.
 */
export async function refundReturn(
  tx: EntityManager,
  ctx: OperationContext,
  deps: LifecycleDeps,
  claimed: ClaimedOrder,
  ret: ReturnRequest,
): Promise<void> {
  const { order } = claimed;
  const card = await cardPaymentOf(tx, order.id);
  if (card) {
    const step = refundReturnByCard(tx, order, card, ret.id, ret.refundAmount);
    if (step) {
      recordOrderEvent(
        tx,
        order,
        ctx.actor,
        'return_refund_requested',
        `${card.payment.provider} refund of ${step.amount} ${order.currency} requested`,
        { returnId: ret.id, amount: step.amount, currency: order.currency, key: step.key },
      );
      return;
    }
    settleReturnRefund(tx, ctx, order, ret, null);
    return;
  }
  const refund = await givePaymentBack(tx, ctx, deps, claimed, ret.refundAmount, `return ${ret.id}`, {
    refund: true,
    key: `return-${ret.id}`,
  });
  settleReturnRefund(tx, ctx, order, ret, refund);
}

function settleReturnRefund(
  tx: EntityManager,
  ctx: OperationContext,
  order: Order,
  ret: ReturnRequest,
  refund: PaymentReversal | null,
): void {
  transitionReturn(ret, 'refunded');
  ret.refundedAmount = refund?.amount ?? 0;
  ret.refundReference = refund?.reference ?? null;
  ret.refundedAt = new Date();
  recordOrderEvent(
    tx,
    order,
    ctx.actor,
    'return_refunded',
    refund ? `${refund.provider} refunded ${refund.amount} ${refund.currency}` : 'no payment on record to refund',
    {
      returnId: ret.id,
      amount: ret.refundedAmount,
      currency: ret.currency,
      reference: ret.refundReference,
    },
  );
}
