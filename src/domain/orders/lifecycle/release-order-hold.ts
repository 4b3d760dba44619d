import type { OperationContext } from '../../context.js';
import { transitionOrder } from '../order-transitions.js';
import type { Order } from '../order.entity.js';
import { authorizeAndAllocate } from '../authorize-and-allocate.js';
import { settleFulfilmentStatus } from './fulfilment-status.js';
import { changeOrder, claimOrder, requireStatus } from './order-change.js';
import { resumesFulfilment } from '../order-hold.js';
import { optionalText, optionalVersion } from './lifecycle-input.js';
import { authorizationForRelease, type LifecycleDeps } from './order-payment.js';

export interface ReleaseOrderHoldInput {
  reason?: string | null;
  expectedVersion?: number | null;
}

/**
 * Ends a hold. An order held with its stock sourced (from ALLOCATED, BACKORDERED or
 * PARTIALLY_SHIPPED) returns to that status with its reservations and payment as they were, then
 * follows its lines if they moved while it was held (units cancelled, a backorder served: e.g.
 * BACKORDERED → ALLOCATED). An order held before that (by the hold rules at placement, or from
 * PENDING, CONFIRMED or PAYMENT_AUTHORIZED) is carried on as placement would have: ON_HOLD →
 * CONFIRMED → PAYMENT_AUTHORIZED → stock allocation (ALLOCATED or BACKORDERED, by the channel's
 * backorder policy). An authorisation taken before the hold is reused; only what it does not
 * cover is authorised. Under the `reject` policy a shortfall refuses the release
 * (INSUFFICIENT_STOCK) and the order stays on hold. Paid by card, an order whose authorisation
 * has not arrived (or was declined) is released to CONFIRMED and waits for it there.
 */
export async function releaseOrderHold(
  ctx: OperationContext,
  deps: LifecycleDeps,
  orderId: string,
  input: ReleaseOrderHoldInput = {},
): Promise<Order> {
  const reason = optionalText('reason', input.reason) ?? 'hold released';
  const expectedVersion = optionalVersion(input.expectedVersion);
  return changeOrder(ctx, async (tx) => {
    const claimed = await claimOrder(tx, ctx, orderId, expectedVersion);
    const { order, lines } = claimed;
    requireStatus(order, ['ON_HOLD'], 'releaseOrderHold');
    const held = order.holdReason ? { holdReason: order.holdReason } : null;
    const resumeAt = resumesFulfilment(order) ? order.heldFromStatus : null;
    order.holdReason = null;
    order.heldFromStatus = null;
    if (resumeAt) {
      transitionOrder(tx, order, resumeAt, ctx.actor, reason, held);
      settleFulfilmentStatus(tx, order, lines, ctx.actor, `${reason}: lines changed while held`);
      await tx.flush();
      return order;
    }
    transitionOrder(tx, order, 'CONFIRMED', ctx.actor, reason, held);

    const authorization = await authorizationForRelease(tx, ctx, deps, claimed);
    if (authorization) await authorizeAndAllocate(tx, ctx, order, lines, authorization);
    await tx.flush();
    return order;
  });
}
