import type { OperationContext } from '../../context.js';
import type { Order } from '../order.entity.js';
import { changeOrder, claimOrder } from './order-change.js';
import { putOnHold } from '../order-hold.js';
import { optionalVersion, requiredText } from './lifecycle-input.js';

export interface HoldOrderInput {
  reason: string;
  expectedVersion?: number | null;
}

/**
 * Stops an order for review (fraud, a customer call, an address to check) from any status
 * before it has fully shipped: PENDING, CONFIRMED, PAYMENT_AUTHORIZED, ALLOCATED, BACKORDERED
 * or PARTIALLY_SHIPPED (the table's edges into ON_HOLD). Reservations and payment stay as they
 * are; nothing ships while it is held. `releaseOrderHold` takes it back.
 */
export async function holdOrder(ctx: OperationContext, orderId: string, input: HoldOrderInput): Promise<Order> {
  const reason = requiredText('reason', input.reason);
  const expectedVersion = optionalVersion(input.expectedVersion);
  return changeOrder(ctx, async (tx) => {
    const { order } = await claimOrder(tx, ctx, orderId, expectedVersion);
    putOnHold(tx, order, ctx.actor, reason);
    await tx.flush();
    return order;
  });
}
