import type { OperationContext } from '../../context.js';
import { transitionOrder } from '../order-transitions.js';
import type { Order } from '../order.entity.js';
import { changeOrder, claimOrder } from './order-change.js';
import { optionalText, optionalVersion } from './lifecycle-input.js';

export interface ConfirmOrderInput {
  reason?: string | null;
  expectedVersion?: number | null;
}

/** PENDING → CONFIRMED: someone (or a rule) has checked the order and it may go on. */
export async function confirmOrder(
  ctx: OperationContext,
  orderId: string,
  input: ConfirmOrderInput = {},
): Promise<Order> {
  const reason = optionalText('reason', input.reason) ?? 'confirmed';
  const expectedVersion = optionalVersion(input.expectedVersion);
  return changeOrder(ctx, async (tx) => {
    const { order } = await claimOrder(tx, ctx, orderId, expectedVersion);
    transitionOrder(tx, order, 'CONFIRMED', ctx.actor, reason);
    await tx.flush();
    return order;
  });
}
