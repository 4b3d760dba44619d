import { defineEntity, p } from '@mikro-orm/core';
import { Order } from './order.entity.js';

/** The order's timeline: every transition and notable decision, with who made it and why. */
export const OrderEventSchema = defineEntity({
  name: 'OrderEvent',
  tableName: 'order_event',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    // A relation (not a bare id) so the unit of work inserts the order before its events.
    order: () => p.manyToOne(Order),
    type: p.string().length(32),
    fromStatus: p.string().length(24).nullable(),
    toStatus: p.string().length(24).nullable(),
    actorKind: p.string().length(16),
    actorId: p.string().length(64),
    reason: p.string().length(1000).nullable(),
    data: p.json<Record<string, unknown>>().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class OrderEvent extends OrderEventSchema.class {}
OrderEventSchema.setClass(OrderEvent);
