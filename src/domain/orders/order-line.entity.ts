import { defineEntity, p } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Variant } from '../catalog/variant.entity.js';
import { Order } from './order.entity.js';

/** One line of an order: SKU, title and price are copied at placement and never change after. */
export const OrderLineSchema = defineEntity({
  name: 'OrderLine',
  tableName: 'order_line',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    order: () => p.manyToOne(Order),
    position: p.integer(),
    variant: () => p.manyToOne(Variant),
    sku: p.string().length(100),
    title: p.string().length(300),
    quantity: p.integer(),
    unitPriceAmount: p.bigint('number'),
    lineTotalAmount: p.bigint('number'),
    quantityAllocated: p.integer().default(0),
    quantityShipped: p.integer().default(0),
    quantityCancelled: p.integer().default(0),
    /** The platform's id of the line (channel orders; what a fulfilment push names). */
    externalLineId: p.string().length(255).nullable(),
  },
});
export class OrderLine extends OrderLineSchema.class {}
OrderLineSchema.setClass(OrderLine);
