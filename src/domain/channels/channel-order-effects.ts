import type { EntityManager } from '@mikro-orm/core';
import type { OperationContext } from '../context.js';
import { OrderEvent } from '../orders/order-event.entity.js';
import type { OrderLine } from '../orders/order-line.entity.js';
import { recordOrderEvent } from '../orders/order-transitions.js';
import type { Order } from '../orders/order.entity.js';
import { CANCELLABLE_STATUSES, cancelClaimedOrder } from '../orders/lifecycle/cancel-order.js';
import { paymentLedger } from '../orders/lifecycle/order-payment.js';
import { CHANNEL_PAYMENT_PROVIDER, channelPaymentProvider } from '../payments/channel-payment-provider.js';
import type { ChannelOrder } from './channel-order.js';

/*
 * What a channel order version brings besides its contents: money the channel took, refunds it
 * made, a cancellation. Each is recorded once, in the transaction of the version that brought it.
 */

/** Timeline entry of money the channel captured (the ledger counts it as the authorisation). */
export function recordChannelPayment(tx: EntityManager, ctx: OperationContext, order: Order, co: ChannelOrder): void {
  recordOrderEvent(
    tx,
    order,
    ctx.actor,
    'payment_authorized',
    `captured by channel ${order.channel.id}: ${co.paidAmount} ${co.currency}`,
    paymentData(order, co),
  );
}

/** The data of the channel's capture, as `PaymentLedger` reads an authorisation. */
export function paymentData(
  order: { channel: { id: string } },
  co: Pick<ChannelOrder, 'externalId' | 'paidAmount' | 'currency'>,
): Record<string, unknown> {
  return {
    provider: CHANNEL_PAYMENT_PROVIDER,
    reference: `${order.channel.id}:${co.externalId}`,
    amount: co.paidAmount,
    currency: co.currency,
    captured: true,
  };
}

/**
 * Records each platform refund not recorded yet (by its externalRefundId) as `payment_refunded`,
 * capped at what is still open on the ledger (a cancellation may have given it back already).
 * Returns how many were new.
 */
export async function recordChannelRefunds(
  tx: EntityManager,
  ctx: OperationContext,
  order: Order,
  lines: OrderLine[],
  co: Pick<ChannelOrder, 'refunds'>,
): Promise<number> {
  if (co.refunds.length === 0) return 0;
  const known = await tx.find(OrderEvent, { order: order.id, type: 'payment_refunded' });
  const seen = new Set(known.map((e) => e.data?.externalRefundId).filter((id) => typeof id === 'string'));
  const fresh = co.refunds.filter((r) => !seen.has(r.externalRefundId));
  if (fresh.length === 0) return 0;
  await tx.flush();
  const ledger = await paymentLedger(tx, { order, lines, version: order.version });
  let open = ledger.open;
  for (const refund of fresh) {
    const amount = Math.min(refund.amount, open);
    open -= amount;
    recordOrderEvent(
      tx,
      order,
      ctx.actor,
      'payment_refunded',
      `refunded on channel ${order.channel.id}${refund.note ? `: ${refund.note.slice(0, 200)}` : ''}`,
      {
        provider: CHANNEL_PAYMENT_PROVIDER,
        reference: refund.externalRefundId,
        externalRefundId: refund.externalRefundId,
        authorization: ledger.reference,
        amount,
        currency: order.currency,
        refundedAt: refund.createdAt.toISOString(),
        ...(amount < refund.amount ? { requested: refund.amount, cappedAt: amount } : {}),
      },
    );
  }
  return fresh.length;
}

/**
 * Cancels the order through the lifecycle (stock released, payment given back on the channel's
 * ledger) when the platform cancelled it. Already cancelled: nothing. Past cancelling (shipped):
 * recorded on the timeline, once per version, for a person to sort out.
 */
export async function applyChannelCancellation(
  tx: EntityManager,
  ctx: OperationContext,
  order: Order,
  lines: OrderLine[],
  co: ChannelOrder,
): Promise<boolean> {
  if (!co.cancelledAt || order.status === 'CANCELLED') return false;
  const reason = `cancelled on channel ${order.channel.id}${co.cancelReason ? ` (${co.cancelReason})` : ''}`;
  if (!CANCELLABLE_STATUSES.includes(order.status)) {
    recordOrderEvent(tx, order, ctx.actor, 'channel_cancel_refused', `${reason}, but the order is ${order.status}`, {
      cancelledAt: co.cancelledAt.toISOString(),
    });
    return false;
  }
  await tx.flush();
  await cancelClaimedOrder(
    tx,
    ctx,
    { payments: channelPaymentProvider(order.channel.id) },
    { order, lines, version: order.version },
    { reason },
  );
  return true;
}
