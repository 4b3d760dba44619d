import type { OperationContext } from '../../context.js';
import { transitionOrder } from '../order-transitions.js';
import type { Order } from '../order.entity.js';
import { changeOrder, claimOrder } from './order-change.js';
import { optionalText, optionalVersion } from './lifecycle-input.js';

/** SHIPPED or DELIVERED → COMPLETED: nothing more is expected to happen to the order. */
export async function completeOrder(
  ctx: OperationContext,
  orderId: string,
  input: { reason?: string | null; expectedVersion?: number | null } = {},
): Promise<Order> {
  const reason = optionalText('reason', input.reason) ?? 'completed';
  const expectedVersion = optionalVersion(input.expectedVersion);
  return changeOrder(ctx, async (tx) => {
    const { order } = await claimOrder(tx, ctx, orderId, expectedVersion);
    transitionOrder(tx, order, 'COMPLETED', ctx.actor, reason);
    await tx.flush();
    return order;
  });
}
