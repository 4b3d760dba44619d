import { canMove, type TransitionTable } from '../state-machine.js';

/**
 * The order lifecycle as data: each status with the statuses it may move to. Guards that depend
 * on the order (e.g. "all lines shipped") live with the operations; this table is what every
 * transition is checked against.
 */
export const ORDER_STATUSES = [
  'PENDING',
  'CONFIRMED',
  'ON_HOLD',
  'PAYMENT_AUTHORIZED',
  'ALLOCATED',
  'BACKORDERED',
  'PARTIALLY_SHIPPED',
  'SHIPPED',
  'DELIVERED',
  'COMPLETED',
  'CANCELLED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ORDER_TRANSITIONS: TransitionTable<OrderStatus> = {
  PENDING: ['CONFIRMED', 'ON_HOLD', 'CANCELLED'],
  CONFIRMED: ['PAYMENT_AUTHORIZED', 'ON_HOLD', 'CANCELLED'],
  // Released: carried on as placement would (→ CONFIRMED → PAYMENT_AUTHORIZED) when held before its
  // stock was sourced, else back to the status it was held from (order-hold.ts).
  ON_HOLD: ['CONFIRMED', 'PAYMENT_AUTHORIZED', 'ALLOCATED', 'BACKORDERED', 'PARTIALLY_SHIPPED', 'CANCELLED'],
  PAYMENT_AUTHORIZED: ['ALLOCATED', 'BACKORDERED', 'ON_HOLD', 'CANCELLED'],
  // Every status before the order has fully shipped may be held: a merchant can stop what has not left.
  ALLOCATED: ['PARTIALLY_SHIPPED', 'SHIPPED', 'BACKORDERED', 'ON_HOLD', 'CANCELLED'],
  BACKORDERED: ['ALLOCATED', 'PARTIALLY_SHIPPED', 'ON_HOLD', 'CANCELLED'],
  PARTIALLY_SHIPPED: ['SHIPPED', 'ON_HOLD', 'CANCELLED'],
  SHIPPED: ['DELIVERED', 'COMPLETED'],
  DELIVERED: ['COMPLETED'],
  COMPLETED: [],
  CANCELLED: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return canMove(ORDER_TRANSITIONS, from, to);
}
