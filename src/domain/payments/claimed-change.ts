import { LockMode, type EntityManager } from '@mikro-orm/core';
import type { OperationContext } from '../context.js';
import { DomainError, ErrorCode, notFound } from '../errors.js';
import { changeOrder, type ClaimedOrder } from '../orders/lifecycle/order-change.js';
import { OrderLine } from '../orders/order-line.entity.js';
import { Order } from '../orders/order.entity.js';
import { cardPaymentOf, type CardPayment } from './payment-steps.js';

const ATTEMPTS = 5;

/**
 * One change of an order and its card payment by the hub itself (a job, a webhook). The order row
 * is locked and read after the lock, like `claimOrder`, so the change serialises with every other
 * change of the order and sees what they committed; unlike `claimOrder` it does not move the
 * order's version by itself: an answer that changes only the payment (a capture recorded, a
 * duplicate event) must not turn a person's concurrent change of the order into a CONFLICT. What
 * the change does to the order (a status, allocation, a return settled) moves the version as any
 * change does. A CONFLICT from a writer that did not lock is run again.
 */
export async function changeCardPayment<T>(
  ctx: OperationContext,
  orderId: string,
  work: (tx: EntityManager, claimed: ClaimedOrder, card: CardPayment | null) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await changeOrder(ctx, async (tx) => {
        const order = await tx.findOne(Order, { id: orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
        if (!order) throw notFound('Order', orderId);
        const lines = await tx.find(OrderLine, { order: order.id }, { orderBy: { position: 'asc' }, refresh: true });
        const card = await cardPaymentOf(tx, orderId);
        const result = await work(tx, { order, lines, version: order.version }, card);
        await tx.flush();
        return result;
      });
    } catch (error) {
      if (!(error instanceof DomainError && error.code === ErrorCode.CONFLICT) || attempt >= ATTEMPTS) throw error;
      await new Promise((r) => setTimeout(r, 5 * attempt * Math.random()));
    }
  }
}
