import { defineEntity, p } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Order } from '../orders/order.entity.js';
import { RETURN_STATUSES } from './return-status.js';

/**
 * A return merchandise authorisation for shipped units of one order. `refundAmount` is what the
 * returned units are worth (unit price × quantity, minor units): expected at request, settled at
 * receipt; `refundedAmount` is what the payment port actually refunded.
 */
export const ReturnRequestSchema = defineEntity({
  name: 'ReturnRequest',
  tableName: 'return_request',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    order: () => p.manyToOne(Order),
    status: p.enum([...RETURN_STATUSES]),
    reason: p.string().length(500).nullable(),
    decisionNote: p.string().length(500).nullable(),
    refundAmount: p.bigint('number'),
    refundedAmount: p.bigint('number').nullable(),
    currency: p.string().length(3),
    refundReference: p.string().length(128).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    decidedAt: p.datetime().nullable(),
    receivedAt: p.datetime().nullable(),
    refundedAt: p.datetime().nullable(),
  },
});
export class ReturnRequest extends ReturnRequestSchema.class {}
ReturnRequestSchema.setClass(ReturnRequest);
