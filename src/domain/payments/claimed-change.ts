import type { EntityManager } from '@mikro-orm/core';
import type { OperationContext } from '../context.js';
import { DomainError, ErrorCode } from '../errors.js';
import { changeOrder, claimOrder, type ClaimedOrder } from '../orders/lifecycle/order-change.js';
import { cardPaymentOf, type CardPayment } from './payment-steps.js';

const ATTEMPTS = 5;

/**
 * One change of an order and its card payment by the hub itself (a job, a webhook): the order
 * claimed as every change claims it, the payment row locked. A CONFLICT (a person or another job
 * changed the order between the read and the claim) runs the change again on the new version —
 * unlike a person, a job has nobody to hand the conflict back to.
 */
export async function changeCardPayment<T>(
  ctx: OperationContext,
  orderId: string,
  work: (tx: EntityManager, claimed: ClaimedOrder, card: CardPayment | null) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await changeOrder(ctx, async (tx) => {
        const claimed = await claimOrder(tx, ctx, orderId);
        const card = await cardPaymentOf(tx, orderId);
        const result = await work(tx, claimed, card);
        await tx.flush();
        return result;
      });
    } catch (error) {
      if (!(error instanceof DomainError && error.code === ErrorCode.CONFLICT) || attempt >= ATTEMPTS) throw error;
      await new Promise((r) => setTimeout(r, 5 * attempt * Math.random()));
    }
  }
}
