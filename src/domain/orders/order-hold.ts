import type { EntityManager } from '@mikro-orm/core';
import type { Principal } from '../auth/principal.js';
import type { OrderStatus } from './order-status.js';
import { transitionOrder } from './order-transitions.js';
import type { Order } from './order.entity.js';

/**
 * Statuses a held order returns to when the hold ends: stock is already sourced, so releasing
 * gives the order back its place in fulfilment. Held from an earlier status (or by the hold
 * rules at placement), releasing carries the order on as placement would: authorise, allocate.
 */
export const RESUMED_AFTER_HOLD: readonly OrderStatus[] = ['ALLOCATED', 'BACKORDERED', 'PARTIALLY_SHIPPED'];

/**
 * Puts an order ON_HOLD through the lifecycle table (ILLEGAL_TRANSITION from a status with no
 * hold edge) and remembers where from, for `releaseOrderHold`. `data` goes on the timeline entry. Reservations, shipments being
 * prepared and payment are left as they are.
 */
export function putOnHold(
  tx: EntityManager,
  order: Order,
  actor: Principal,
  reason: string,
  data: Record<string, unknown> | null = null,
): void {
  const from = order.status;
  transitionOrder(tx, order, 'ON_HOLD', actor, reason, data);
  order.holdReason = reason;
  order.heldFromStatus = from;
}

/** Whether a held order kept its stock and resumes fulfilment on release (see RESUMED_AFTER_HOLD). */
export function resumesFulfilment(order: Pick<Order, 'status' | 'heldFromStatus'>): boolean {
  return (
    order.status === 'ON_HOLD' && order.heldFromStatus != null && RESUMED_AFTER_HOLD.includes(order.heldFromStatus)
  );
}

/**
 * Whether stock arriving for its open lines goes to this order: a BACKORDERED order, or one held
 * while BACKORDERED. A hold keeps the order's place in line (the stock is reserved for it, oldest
 * order first as always); it only stops it from shipping.
 */
export function waitsForStock(order: Pick<Order, 'status' | 'heldFromStatus'>): boolean {
  return order.status === 'BACKORDERED' || (order.status === 'ON_HOLD' && order.heldFromStatus === 'BACKORDERED');
}
