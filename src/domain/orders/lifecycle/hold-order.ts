import type { OperationContext } from '../../context.js';
import { transitionOrder } from '../order-transitions.js';
import type { Order } from '../order.entity.js';
import { changeOrder, claimOrder } from './order-change.js';
import { optionalVersion, requiredText } from './lifecycle-input.js';

export interface HoldOrderInput {
  reason: string;
  expectedVersion?: number | null;
}

/**
 * Puts an order ON_HOLD for review (fraud, a customer call), from PENDING, CONFIRMED or
 * PAYMENT_AUTHORIZED. Once stock is allocated the table has no hold edge: cancel instead.
 */
export async function holdOrder(ctx: OperationContext, orderId: string, input: HoldOrderInput): Promise<Order> {
  const reason = requiredText('reason', input.reason);
  const expectedVersion = optionalVersion(input.expectedVersion);
  return changeOrder(ctx, async (tx) => {
    const { order } = await claimOrder(tx, ctx, orderId, expectedVersion);
    transitionOrder(tx, order, 'ON_HOLD', ctx.actor, reason);
    order.holdReason = reason;
    await tx.flush();
    return order;
  });
}
