import type { EntityManager } from '@mikro-orm/core';
import type { Queue } from 'bullmq';
import type { NotificationRequest } from '../domain/notifications/notification-kinds.js';
import { notificationKey } from '../domain/notifications/notification-kinds.js';
import type { OutboxMessage, OutboxPayloads } from '../domain/outbox/outbox-message.js';
import type { OutboxPublisher } from './outbox-relay.js';

/** BullMQ job ids may not contain ':'. */
export const notificationJobId = (request: NotificationRequest) =>
  `notify.${notificationKey(request).replace(/:/g, '.')}`;

/** The notifications a batch of committed events asks for (pure: tested on its own). */
export function notificationsOf(
  messages: readonly OutboxMessage[],
): { request: NotificationRequest; channelId: string }[] {
  const out: { request: NotificationRequest; channelId: string }[] = [];
  for (const m of messages) {
    if (m.topic === 'order.status_changed') {
      const p = m.payload as OutboxPayloads['order.status_changed'];
      if (p.to === 'CONFIRMED')
        out.push({ request: { kind: 'confirmed', orderId: p.orderId }, channelId: p.channelId });
      if (p.to === 'DELIVERED')
        out.push({ request: { kind: 'delivered', orderId: p.orderId }, channelId: p.channelId });
    } else if (m.topic === 'order.event_recorded') {
      const p = m.payload as OutboxPayloads['order.event_recorded'];
      if (p.type === 'shipment_shipped' && p.shipmentId)
        out.push({
          request: { kind: 'shipped', orderId: p.orderId, shipmentId: p.shipmentId },
          channelId: p.channelId,
        });
      if (p.type === 'payment_refunded' && typeof p.amount === 'number' && p.amount > 0 && p.currency)
        out.push({
          request: {
            kind: 'refunded',
            orderId: p.orderId,
            // The outbox row's id: the same event redelivered names the same refund.
            refund: { amount: p.amount, currency: p.currency, reference: String(m.id) },
          },
          channelId: p.channelId,
        });
    }
  }
  return out;
}

/**
 * Turns committed order events into notification jobs, for channels that notify their
 * customers. The job id is the notification's key, so an event delivered twice enqueues once;
 * the worker's claim on the row covers everything else (a replayed job, a retried one).
 */
export function notificationDispatcher(deps: {
  orm: { em: EntityManager };
  queue: Queue<NotificationRequest, unknown, string>;
  singleSession?: boolean;
}): OutboxPublisher {
  return {
    async publish(messages, claim) {
      const wanted = notificationsOf(messages);
      if (wanted.length === 0) return;
      const em = deps.singleSession === true && claim !== undefined ? claim : deps.orm.em.fork();
      const channelIds = [...new Set(wanted.map((w) => w.channelId))];
      const rows: { id: string }[] = await em
        .getConnection()
        .execute<{ id: string }[]>(`select id from channel where notify_customers and id = any(?::text[])`, [
          // A PostgreSQL array literal: channel ids are [A-Za-z0-9._:-], quoted all the same.
          `{${channelIds.map((id) => `"${id.replace(/["\\]/g, '')}"`).join(',')}}`,
        ]);
      const notifying = new Set(rows.map((r) => r.id));
      const jobs = wanted
        .filter((w) => notifying.has(w.channelId))
        .map(({ request }) => ({ name: request.kind, data: request, opts: { jobId: notificationJobId(request) } }));
      if (jobs.length > 0) await deps.queue.addBulk(jobs);
    },
  };
}
