import type { EntityManager } from '@mikro-orm/core';
import { OutboxEvent } from './outbox-event.entity.js';

/** Topics of events that leave the hub; payloads are flat JSON (dates as ISO strings). */
export type OutboxTopic =
  | 'order.status_changed'
  | 'order.event_recorded'
  | 'stock.level_changed'
  | 'stock.low'
  | 'channel.changed'
  | 'channel.listing_mapped'
  | 'payment.step_requested';

/**
 * Records an event in the caller's transaction: it is published only if that transaction
 * commits (the relay reads unpublished rows), so subscribers never see a rolled-back change.
 */
export function recordOutboxEvent(
  em: EntityManager,
  topic: OutboxTopic,
  aggregateId: string,
  payload: Record<string, unknown>,
): void {
  em.create(OutboxEvent, { topic, aggregateId, payload, publishedAt: null });
}
