import { defineEntity, p } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { ReturnRequest } from './return-request.entity.js';

/** Units of one order line coming back; `restock` and `receivedQuantity` are set at receipt. */
export const ReturnLineSchema = defineEntity({
  name: 'ReturnLine',
  tableName: 'return_line',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    returnRequest: () => p.manyToOne(ReturnRequest).fieldName('return_id'),
    orderLineId: p.uuid(),
    quantity: p.integer(),
    reason: p.string().length(500).nullable(),
    restock: p.boolean().nullable(),
    receivedQuantity: p.integer().nullable(),
  },
});
export class ReturnLine extends ReturnLineSchema.class {}
ReturnLineSchema.setClass(ReturnLine);
