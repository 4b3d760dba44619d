import type { TransitionTable } from '../state-machine.js';

/**
 * A shipment's lifecycle as data. `created` holds units of the order's reservations at one
 * location; `shipped` consumed them; `cancelled` gave its claim back (the order was cancelled or
 * edited while the parcel was still being prepared).
 */
export const SHIPMENT_STATUSES = ['created', 'shipped', 'delivered', 'cancelled'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

export const SHIPMENT_TRANSITIONS: TransitionTable<ShipmentStatus> = {
  created: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
};
