import { defineEntity, p } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export const RESERVATION_STATUSES = ['active', 'released', 'consumed'] as const;

/** Units of one order line held at one location: made at allocation, released or consumed later. */
export const ReservationSchema = defineEntity({
  name: 'Reservation',
  tableName: 'reservation',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    orderLineId: p.uuid(),
    variantId: p.uuid(),
    locationId: p.uuid(),
    quantity: p.integer(),
    status: p.enum([...RESERVATION_STATUSES]),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Reservation extends ReservationSchema.class {}
ReservationSchema.setClass(Reservation);
