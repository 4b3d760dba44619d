import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { notificationContent } from '../domain/notifications/notification-content.js';
import type { NotificationKind, NotificationRequest } from '../domain/notifications/notification-kinds.js';
import {
  claimNotification,
  markNotificationSent,
  markNotificationSkipped,
  recordNotificationError,
} from '../domain/notifications/notification-store.js';
import type { Orm } from '../platform/database.js';
import type { Mailer } from './notifications/mailer.js';
import type { RenderedMessage } from './notifications/notification-templates.js';
import type { NotificationView } from '../domain/notifications/notification-content.js';

export interface NotificationWorkerDeps {
  orm: Orm;
  mailer: Mailer;
  render: (kind: NotificationKind, view: NotificationView) => RenderedMessage;
  /** The From header ("Shop <orders@shop.example>"). */
  from: string;
  storeName: string;
  logger: Logger;
}

/** `<notify.confirmed.<order>@<the From address's domain>>`: the same for every attempt. */
export function notificationMessageId(key: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'switchyard.invalid';
  return `<notify.${key.replace(/[^A-Za-z0-9.-]/g, '.')}@${domain}>`;
}

/**
 * Sends one notification once: its row is claimed first (a key already sent or skipped is a
 * no-op, so duplicate events, duplicate jobs and retries never send twice), the message is
 * rendered from the database as it is now, then marked sent. A failure records the error on
 * the row and throws, so BullMQ retries; after the last attempt the job stays failed and
 * retryable, the row pending with its error. Sent and then not marked (the database away at that
 * moment) is the one case a retry sends again: with the same Message-ID, so mail clients show one.
 */
export const notificationProcessor =
  (deps: NotificationWorkerDeps) =>
  async (job: Job<NotificationRequest>): Promise<string> => {
    const em = deps.orm.em.fork();
    const claim = await claimNotification(em, job.data);
    if (!claim.claimed) return `already ${claim.status}`;
    const content = await notificationContent(em, job.data, deps.storeName);
    if (!content.send) {
      await markNotificationSkipped(em, claim.key, content.reason);
      return `skipped: ${content.reason}`;
    }
    try {
      const message = deps.render(job.data.kind, content.view);
      const messageId = notificationMessageId(claim.key, deps.from);
      await deps.mailer.send({
        from: deps.from,
        to: content.recipient,
        ...message,
        messageId,
        headers: { 'X-Switchyard-Notification': claim.key },
      });
      await markNotificationSent(em, claim.key, content.recipient, messageId);
      return `sent ${claim.key}`;
    } catch (error) {
      const reason = (error as Error).message;
      await recordNotificationError(em, claim.key, reason).catch((err: Error) =>
        deps.logger.warn({ err: err.message, key: claim.key }, 'could not record the notification error'),
      );
      throw error;
    }
  };
