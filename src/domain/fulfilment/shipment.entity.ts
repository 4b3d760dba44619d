import { defineEntity, p } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Order } from '../orders/order.entity.js';
import { SHIPMENT_STATUSES } from './shipment-status.js';

/**
 * A parcel leaving one location for one order. Its lines claim units of the order's active
 * reservations at that location; shipping it consumes them.
 */
export const ShipmentSchema = defineEntity({
  name: 'Shipment',
  tableName: 'shipment',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    // A relation (not a bare id) so the unit of work orders inserts correctly.
    order: () => p.manyToOne(Order),
    locationId: p.uuid(),
    status: p.enum([...SHIPMENT_STATUSES]),
    carrier: p.string().length(64).nullable(),
    service: p.string().length(64).nullable(),
    trackingNumber: p.string().length(100).nullable(),
    trackingUrl: p.string().length(500).nullable(),
    shippedAt: p.datetime().nullable(),
    deliveredAt: p.datetime().nullable(),
    cancelledAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Shipment extends ShipmentSchema.class {}
ShipmentSchema.setClass(Shipment);
