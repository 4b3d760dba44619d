import type { EntityManager } from '@mikro-orm/core';
import type { OperationContext } from '../../context.js';
import { ORDER_STATUSES, canTransition } from '../order-status.js';
import { recordOrderEvent, transitionOrder } from '../order-transitions.js';
import type { Order } from '../order.entity.js';
import { handFreedStock } from './freed-stock.js';
import { settleFulfilmentStatus } from './fulfilment-status.js';
import { checkLineQuantities, optionalVersion, requiredText, type LineQuantity } from './lifecycle-input.js';
import { changeOrder, claimOrder, openUnits, requireStatus, type ClaimedOrder } from './order-change.js';
import { givePaymentBack, type LifecycleDeps } from './order-payment.js';
import { OrderStock } from './order-stock.js';
import { recomputeTotals, totalsOf } from './order-totals.js';

export interface CancelOrderInput {
  reason: string;
  /** Cancel only these units; without it the whole order is cancelled. */
  lines?: LineQuantity[] | null;
  expectedVersion?: number | null;
}

/** Every status the lifecycle table lets become CANCELLED: anything before SHIPPED. */
export const CANCELLABLE_STATUSES = ORDER_STATUSES.filter((s) => canTransition(s, 'CANCELLED'));

/**
 * Cancels a whole order (→ CANCELLED) or some units of some lines (`quantityCancelled`), before
 * they ship. Held stock of the cancelled units is released (units never allocated go first; a
 * parcel still being prepared with them is cancelled), line and order totals shrink, and the
 * difference is given back through the payment port (void, or refund for channel orders).
 * Cancelling every open unit of an order with nothing shipped cancels the order; of an order
 * partly shipped, leaves it SHIPPED.
 */
export async function cancelOrder(
  ctx: OperationContext,
  deps: LifecycleDeps,
  orderId: string,
  input: CancelOrderInput,
): Promise<Order> {
  const reason = requiredText('reason', input.reason);
  const expectedVersion = optionalVersion(input.expectedVersion);
  return changeOrder(ctx, async (tx) => {
    const claimed = await claimOrder(tx, ctx, orderId, expectedVersion);
    await cancelClaimedOrder(tx, ctx, deps, claimed, { reason, lines: input.lines });
    await tx.flush();
    return claimed.order;
  });
}

/**
 * The cancellation itself, in the caller's transaction on an order it has claimed: the one code
 * path behind `cancelOrder` and a cancellation a channel reports (ingest-channel-orders.ts).
 */
export async function cancelClaimedOrder(
  tx: EntityManager,
  ctx: OperationContext,
  deps: LifecycleDeps,
  claimed: ClaimedOrder,
  input: { reason: string; lines?: LineQuantity[] | null },
): Promise<void> {
  const reason = input.reason;
  const whole = input.lines === null || input.lines === undefined;
  const { order, lines } = claimed;
  requireStatus(order, CANCELLABLE_STATUSES, whole ? 'cancelOrder' : 'cancelOrder (of some lines)');
  const targets = whole
    ? lines.filter((l) => openUnits(l) > 0).map((line) => ({ line, quantity: openUnits(line) }))
    : checkLineQuantities('lines', input.lines, lines, openUnits, 'units neither shipped nor cancelled');

  const before = totalsOf(order);
  const stock = await OrderStock.load(tx, order, lines);
  let released = 0;
  const cancelledShipments: string[] = [];
  for (const { line, quantity } of targets) {
    const dropped = stock.dropOpenUnits(line, quantity, `cancelled: ${reason}`);
    released += dropped.released;
    cancelledShipments.push(...dropped.cancelledShipments.map((s) => s.id));
    line.quantityCancelled += quantity;
  }
  const shipped = lines.reduce((n, l) => n + l.quantityShipped, 0);
  const nothingLeft = lines.every((l) => openUnits(l) === 0);
  const after = recomputeTotals(order, lines, { clampDiscount: true, zeroCharges: shipped === 0 && nothingLeft });
  const freed = await stock.apply(ctx.actor.id);

  recordOrderEvent(tx, order, ctx.actor, whole ? 'order_cancelled' : 'lines_cancelled', reason, {
    lines: targets.map(({ line, quantity }) => ({ lineId: line.id, sku: line.sku, quantity })),
    releasedUnits: released,
    cancelledShipments,
    totals: { before, after },
  });
  if (whole || (nothingLeft && shipped === 0)) {
    order.holdReason = null;
    order.heldFromStatus = null;
    transitionOrder(tx, order, 'CANCELLED', ctx.actor, reason);
  } else {
    settleFulfilmentStatus(
      tx,
      order,
      lines,
      ctx.actor,
      `after cancelling ${targets.map(({ line, quantity }) => `${quantity}× ${line.sku}`).join(', ')}`,
    );
  }
  await givePaymentBack(tx, ctx, deps, claimed, before.total - after.total, `cancelled: ${reason}`, {
    key: 'cancel',
  });
  await handFreedStock(tx, ctx, freed, `stock freed by cancelling on order ${order.number}`);
}
