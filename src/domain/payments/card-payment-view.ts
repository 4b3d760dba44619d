import type { OperationContext } from '../context.js';
import type { PaymentStatus } from '../orders/lifecycle/order-payment.js';
import { Payment } from './payment.entity.js';

/**
 * A card payment as the API shows it (`Order.payment`): the amounts the gateway reported and a
 * status read from them and the intent's own, plus what a storefront needs while the customer
 * still has something to do (`needsCustomer`: the client secret is then read from the gateway).
 */
export interface CardPaymentView {
  provider: string;
  intentId: string | null;
  status: PaymentStatus;
  authorized: number;
  captured: number;
  voided: number;
  refunded: number;
  /** What may still be collected or given back: authorised − released − refunded. */
  open: number;
  nextAction: string | null;
  captureBefore: Date | null;
  /** The last decline or failure, as the gateway worded it. */
  failureReason: string | null;
  /** The customer must confirm or authenticate the payment (its client secret is then worth reading). */
  needsCustomer: boolean;
}

/**
 * - PENDING: the intent is not created yet (the payments job is on it); FAILED: it could not be;
 * - REQUIRES_PAYMENT_METHOD: waiting for the storefront (no method given); DECLINED: the last
 *   attempt was declined, another method may be confirmed;
 * - REQUIRES_ACTION (3-D Secure and the like), PROCESSING;
 * - then as the amounts say: AUTHORIZED, PARTIALLY_CAPTURED (more may be captured), CAPTURED,
 *   VOIDED, and a refund outranking both: PARTIALLY_REFUNDED / REFUNDED.
 */
export function cardPaymentStatusOf(
  p: Pick<
    Payment,
    'intentStatus' | 'lastError' | 'authorizedAmount' | 'capturedAmount' | 'voidedAmount' | 'refundedAmount'
  >,
): PaymentStatus {
  switch (p.intentStatus ?? null) {
    case null:
      return p.lastError ? 'FAILED' : 'PENDING';
    case 'requires_payment_method':
      return p.lastError ? 'DECLINED' : 'REQUIRES_PAYMENT_METHOD';
    case 'requires_action':
    case 'requires_confirmation':
      return 'REQUIRES_ACTION';
    case 'processing':
      return 'PROCESSING';
    default: {
      const open = p.authorizedAmount - p.voidedAmount - p.refundedAmount;
      if (p.refundedAmount > 0) return open > 0 ? 'PARTIALLY_REFUNDED' : 'REFUNDED';
      if (p.capturedAmount > 0) return p.intentStatus === 'requires_capture' ? 'PARTIALLY_CAPTURED' : 'CAPTURED';
      if (p.intentStatus === 'canceled') return 'VOIDED';
      return 'AUTHORIZED';
    }
  }
}

export function cardPaymentView(p: Payment): CardPaymentView {
  const status = cardPaymentStatusOf(p);
  return {
    provider: p.provider,
    intentId: p.intentId ?? null,
    status,
    authorized: p.authorizedAmount,
    captured: p.capturedAmount,
    voided: p.voidedAmount,
    refunded: p.refundedAmount,
    open: Math.max(0, p.authorizedAmount - p.voidedAmount - p.refundedAmount),
    nextAction: p.nextAction ?? null,
    captureBefore: p.captureBefore ?? null,
    failureReason: p.lastError ?? null,
    needsCustomer:
      p.intentId != null &&
      (status === 'REQUIRES_PAYMENT_METHOD' || status === 'DECLINED' || status === 'REQUIRES_ACTION'),
  };
}

/** The card payments of many orders (those that have one), in one query. */
export async function cardPaymentsOfOrders(
  ctx: OperationContext,
  orderIds: readonly string[],
): Promise<Map<string, CardPaymentView>> {
  const rows = await ctx.em.find(Payment, { order: { $in: [...orderIds] } });
  return new Map(rows.map((p) => [p.order.id, cardPaymentView(p)]));
}
