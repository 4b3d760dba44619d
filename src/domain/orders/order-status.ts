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
  ON_HOLD: ['CONFIRMED', 'PAYMENT_AUTHORIZED', 'CANCELLED'],
  PAYMENT_AUTHORIZED: ['ALLOCATED', 'BACKORDERED', 'ON_HOLD', 'CANCELLED'],
  ALLOCATED: ['PARTIALLY_SHIPPED', 'SHIPPED', 'BACKORDERED', 'CANCELLED'],
  BACKORDERED: ['ALLOCATED', 'PARTIALLY_SHIPPED', 'CANCELLED'],
  PARTIALLY_SHIPPED: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED', 'COMPLETED'],
  DELIVERED: ['COMPLETED'],
  COMPLETED: [],
  CANCELLED: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return canMove(ORDER_TRANSITIONS, from, to);
}
