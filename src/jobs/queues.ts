import { Queue, type ConnectionOptions, type DefaultJobOptions } from 'bullmq';
import type { NotificationRequest } from '../domain/notifications/notification-kinds.js';

/**
 * One queue per concern, each with its typed payload. Payloads carry ids, never entities or
 * secrets: the worker reloads what it needs from PostgreSQL, so a payload is always safe to log
 * and every job can be rebuilt from the database.
 */
export interface QueuePayloads {
  /** Diagnostic pings: proves API → queue → worker → database end to end. */
  diagnostics: { pingId: string };
  /** One stored webhook delivery to process (job id = the delivery row's id). */
  webhooks: { deliveryId: string };
  /** The scheduled pruning of old processed webhook deliveries. */
  'webhook-prune': Record<string, never>;
  /** Pull a channel's orders since its cursor (`pull`), or a whole window again (`reconcile`). */
  'channel-sync': {
    channelId: string;
    mode: 'pull' | 'reconcile';
    since?: string;
    /**
     * Where a pull paused because the platform's call budget was spent (Amazon): the window's
     * start and the page token to go on from, so the resumed job reads no page twice.
     */
    resume?: { since: string; cursor: string | null };
  };
  /** Push the channel's dirty SKUs (channel_stock_dirty) at the platform's batch limit. */
  'stock-push': { channelId: string };
  /** Push a shipped shipment's tracking to the order's channel. */
  'fulfilment-push': { shipmentId: string };
  /** Cancel on the platform an order the hub cancelled. */
  'cancellation-push': { orderId: string };
  /** Email one customer notification (job id = the notification's key). */
  notifications: NotificationRequest;
  /** The scheduled scan for orders backordered too long (each gets one `delayed` notification). */
  'notification-delays': Record<string, never>;
  /** Buy or void a shipment's live label with the carrier (from its committed label_* timeline event). */
  labels: { shipmentId: string; action: 'buy' | 'void' };
  /** The scheduled re-enqueue of label jobs lost with Redis (labels pending or voiding for a while). */
  'label-sweep': Record<string, never>;
  /** Run an order's pending payment steps, this one among them (job id = the step's idempotency key). */
  payments: { orderId: string; key: string };
  /** The scheduled payment scan: authorisations about to lapse, and steps whose job was lost. */
  'payment-maintenance': Record<string, never>;
}
export type QueueName = keyof QueuePayloads;
export const QUEUE_NAMES: QueueName[] = [
  'diagnostics',
  'webhooks',
  'webhook-prune',
  'channel-sync',
  'stock-push',
  'fulfilment-push',
  'cancellation-push',
  'notifications',
  'notification-delays',
  'labels',
  'label-sweep',
  'payments',
  'payment-maintenance',
];

/**
 * Retries with exponential backoff and jitter; failed jobs are kept (never silently dropped)
 * so they stay visible and retryable; completed ones are trimmed.
 */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: false,
};

export type QueueRegistry = { [N in QueueName]: Queue<QueuePayloads[N], unknown, string> };

export function createQueueRegistry(connection: ConnectionOptions, prefix: string): QueueRegistry {
  const entries = QUEUE_NAMES.map((name) => [
    name,
    new Queue(name, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS }),
  ]);
  return Object.fromEntries(entries) as QueueRegistry;
}

export async function closeQueueRegistry(queues: QueueRegistry): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}
