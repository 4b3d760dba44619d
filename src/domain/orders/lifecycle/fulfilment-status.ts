import type { EntityManager } from '@mikro-orm/core';
import type { Principal } from '../../auth/principal.js';
import type { OrderLine } from '../order-line.entity.js';
import { canTransition, type OrderStatus } from '../order-status.js';
import { transitionOrder } from '../order-transitions.js';
import type { Order } from '../order.entity.js';
import { openUnits } from './order-change.js';

/** Statuses in which the lines' quantities alone decide the status. */
export const FULFILMENT_STATUSES: readonly OrderStatus[] = ['ALLOCATED', 'BACKORDERED', 'PARTIALLY_SHIPPED', 'SHIPPED'];

/** The status an order in fulfilment should have, from its lines' quantities. */
export function fulfilmentStatusOf(lines: OrderLine[]): OrderStatus {
  const open = lines.reduce((n, l) => n + openUnits(l), 0);
  const shipped = lines.reduce((n, l) => n + l.quantityShipped, 0);
  const unallocated = lines.reduce((n, l) => n + (l.quantity - l.quantityCancelled - l.quantityAllocated), 0);
  if (open === 0) return shipped > 0 ? 'SHIPPED' : 'CANCELLED';
  if (shipped > 0) return 'PARTIALLY_SHIPPED';
  return unallocated > 0 ? 'BACKORDERED' : 'ALLOCATED';
}

/**
 * Moves an order in fulfilment to the status its lines call for, through the lifecycle table
 * (so the move is on the timeline and in the outbox). BACKORDERED → SHIPPED is not an edge of the
 * table; it goes through PARTIALLY_SHIPPED, as it happens in the warehouse.
 */
export function settleFulfilmentStatus(
  tx: EntityManager,
  order: Order,
  lines: OrderLine[],
  actor: Principal,
  reason: string,
): void {
  if (!FULFILMENT_STATUSES.includes(order.status)) return;
  const target = fulfilmentStatusOf(lines);
  if (target === order.status) return;
  if (
    target === 'SHIPPED' &&
    !canTransition(order.status, 'SHIPPED') &&
    canTransition(order.status, 'PARTIALLY_SHIPPED')
  ) {
    transitionOrder(tx, order, 'PARTIALLY_SHIPPED', actor, reason);
  }
  transitionOrder(tx, order, target, actor, reason);
}
