import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { ordersDelayedSince } from '../domain/notifications/delayed-orders.js';
import { notificationDispatcher, notificationJobId } from '../jobs/notification-dispatcher.js';
import { notificationProcessor } from '../jobs/notification.worker.js';
import { smtpMailer } from '../jobs/notifications/mailer.js';
import { loadTemplates } from '../jobs/notifications/notification-templates.js';
import type { OutboxPublisher } from '../jobs/outbox-relay.js';
import type { QueueRegistry } from '../jobs/queues.js';
import type { ProcessorMap } from '../jobs/worker-runner.js';
import type { Orm } from './database.js';

/** Orders checked per scan for a `delayed` notification. */
const DELAY_SCAN_LIMIT = 500;
const DELAY_SCAN_EVERY_MS = 15 * 60_000;

/**
 * Customer notifications' wiring on worker roles (off without SMTP_URL): the outbox consumer
 * that enqueues them, the worker that sends them, and the scheduled scan for delayed orders.
 * The templates are read and parsed here, at start: a broken one stops the process.
 */
export function customerNotifications(deps: {
  orm: Orm;
  queues: QueueRegistry;
  config: Extract<Config['notifications'], { enabled: true }>;
  singleSession: boolean;
  logger: Logger;
  now?: () => number;
}): { processors: ProcessorMap; consumer: OutboxPublisher; schedule: () => Promise<void>; close: () => void } {
  const { orm, queues, config, logger } = deps;
  const now = deps.now ?? Date.now;
  const mailer = smtpMailer(config.smtpUrl);
  const render = loadTemplates(config.templatesDir);
  return {
    consumer: notificationDispatcher({ orm, queue: queues.notifications, singleSession: deps.singleSession }),
    processors: {
      notifications: {
        process: notificationProcessor({ orm, mailer, render, from: config.from, storeName: config.storeName, logger }),
        concurrency: 4,
      },
      'notification-delays': {
        process: async () => {
          const ids = await ordersDelayedSince(
            orm.em.fork(),
            new Date(now() - config.delayedAfterMs),
            DELAY_SCAN_LIMIT,
          );
          await queues.notifications.addBulk(
            ids.map((orderId) => {
              const request = { kind: 'delayed' as const, orderId };
              return { name: 'delayed', data: request, opts: { jobId: notificationJobId(request) } };
            }),
          );
          return `${ids.length} delayed orders`;
        },
        concurrency: 1,
      },
    },
    schedule: async () => {
      await queues['notification-delays'].upsertJobScheduler(
        'notification-delays',
        { every: DELAY_SCAN_EVERY_MS },
        { name: 'scan', data: {} },
      );
    },
    close: () => mailer.close(),
  };
}
