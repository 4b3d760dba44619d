import { defineEntity, p } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Shipment } from './shipment.entity.js';

/** Units of one order line in one shipment; `(shipment, orderLineId)` is unique. */
export const ShipmentLineSchema = defineEntity({
  name: 'ShipmentLine',
  tableName: 'shipment_line',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    shipment: () => p.manyToOne(Shipment),
    orderLineId: p.uuid(),
    quantity: p.integer(),
  },
});
export class ShipmentLine extends ShipmentLineSchema.class {}
ShipmentLineSchema.setClass(ShipmentLine);
