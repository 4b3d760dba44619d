import { defineEntity, p } from '@mikro-orm/core';

/**
 * A domain event written in the same transaction as the change that caused it; the relay
 * publishes it after commit, so nothing leaves the hub for a change that rolled back.
 */
export const OutboxEventSchema = defineEntity({
  name: 'OutboxEvent',
  tableName: 'outbox_event',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    topic: p.string().length(64),
    aggregateId: p.string().length(64),
    payload: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().onCreate(() => new Date()),
    publishedAt: p.datetime().nullable(),
  },
});
export class OutboxEvent extends OutboxEventSchema.class {}
OutboxEventSchema.setClass(OutboxEvent);
