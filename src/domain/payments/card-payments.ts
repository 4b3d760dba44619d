import type { EntityManager } from '@mikro-orm/core';
import { DomainError, ErrorCode } from '../errors.js';
import type { OrderLine } from '../orders/order-line.entity.js';
import type { Order } from '../orders/order.entity.js';
import { expirySteps, returnRefundAmount, settlementSteps, type OrderFigures } from './payment-plan.js';
import { requestPaymentStep, requestPlannedSteps, stepFacts, type CardPayment } from './payment-steps.js';
import type { PaymentStep } from './payment-step.entity.js';
import { Payment } from './payment.entity.js';

/**
 * What the order lifecycle asks of a card payment, in the order's transaction: every function
 * decides and stores payment steps (payment-steps.ts), never calls the gateway — the payments
 * job does, after commit. The rules themselves are in payment-plan.ts.
 */

const openUnitsOf = (lines: readonly OrderLine[]) =>
  lines.reduce((n, l) => n + (l.quantity - l.quantityCancelled - l.quantityShipped), 0);

export function orderFigures(order: Order, lines: readonly OrderLine[], card: CardPayment): OrderFigures {
  return {
    authorized: card.payment.amount,
    total: order.totalAmount,
    subtotal: order.subtotalAmount,
    openUnits: openUnitsOf(lines),
  };
}

/**
 * Opens the card payment of an order being placed: the payment row (nothing authorised yet) and
 * its authorise step, for the order's total. `paymentMethod` null: the intent waits for the
 * storefront to confirm it with the client secret.
 */
export function openCardPayment(
  tx: EntityManager,
  order: Order,
  provider: string,
  paymentMethod: string | null,
): CardPayment {
  const payment = tx.create(Payment, {
    order,
    provider,
    intentId: null,
    currency: order.currency,
    amount: order.totalAmount,
    authorizedAmount: 0,
    capturedAmount: 0,
    voidedAmount: 0,
    refundedAmount: 0,
    intentStatus: null,
    nextAction: null,
    captureBefore: null,
    cancellationReason: null,
    errorCode: null,
    declineCode: null,
    lastError: null,
  });
  const card: CardPayment = { payment, steps: [] };
  requestPaymentStep(
    tx,
    order,
    card,
    { kind: 'authorize', amount: order.totalAmount, reason: 'placed' },
    { paymentMethod },
  );
  return card;
}

/**
 * After a change of the order's lines or total — a shipment left (`shipped`: its id and goods
 * value), units were cancelled, an edit lowered the total — stores the captures, void and
 * refunds that bring the payment in line with the order.
 */
export function settleCardPayment(
  tx: EntityManager,
  order: Order,
  lines: readonly OrderLine[],
  card: CardPayment,
  shipped: { shipmentId: string; goodsValue: number } | null = null,
): PaymentStep[] {
  const planned = settlementSteps(orderFigures(order, lines, card), card.steps.map(stepFacts), shipped);
  return requestPlannedSteps(tx, order, card, planned, { shipmentId: shipped?.shipmentId ?? null });
}

/** Refunds a received return: its worth, capped at what was captured and not yet refunded. */
export function refundReturnByCard(
  tx: EntityManager,
  order: Order,
  card: CardPayment,
  returnId: string,
  worth: number,
): PaymentStep | null {
  const amount = returnRefundAmount(worth, card.steps.map(stepFacts));
  if (amount <= 0) return null;
  return requestPaymentStep(tx, order, card, { kind: 'refund', amount, reason: `return ${returnId}` }, { returnId });
}

/** The steps an authorisation about to lapse calls for (authorisation-expiry.ts). */
export function settleExpiringAuthorization(
  tx: EntityManager,
  order: Order,
  lines: readonly OrderLine[],
  card: CardPayment,
): PaymentStep[] {
  const figures = {
    ...orderFigures(order, lines, card),
    allocatedGoods: lines.reduce((n, l) => n + l.unitPriceAmount * l.quantityAllocated, 0),
    unallocatedUnits: lines.reduce((n, l) => n + (l.quantity - l.quantityCancelled - l.quantityAllocated), 0),
  };
  return requestPlannedSteps(tx, order, card, expirySteps(figures, card.steps.map(stepFacts)));
}

/**
 * A card authorisation cannot grow: an edit may raise the total only up to what the intent
 * asked for at placement (an earlier edit may have lowered it). Refused before anything is
 * written, so the edit rolls back whole.
 */
export function checkCardCovers(order: Order, card: CardPayment): void {
  if (order.totalAmount <= card.payment.amount) return;
  throw new DomainError(
    ErrorCode.BAD_USER_INPUT,
    `Order ${order.number} is paid by card (${card.payment.provider}) for ${card.payment.amount} ${order.currency}: ` +
      `an edit may not raise its total above that (it would be ${order.totalAmount}); cancel it and place a new order instead`,
    { field: 'lines', authorized: card.payment.amount, total: order.totalAmount, provider: card.payment.provider },
  );
}

/** Whether the card authorisation is in place, covering the order's total (a held order's release asks). */
export function cardAuthorized(order: Order, card: CardPayment): boolean {
  const p = card.payment;
  return p.intentStatus === 'requires_capture' && p.authorizedAmount - p.capturedAmount >= order.totalAmount;
}
