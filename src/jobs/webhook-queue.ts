import type { Queue } from 'bullmq';
import type { QueuePayloads } from './queues.js';

type WebhookQueue = Queue<QueuePayloads['webhooks'], unknown, string>;

/**
 * Enqueues one stored delivery under its row id, so enqueueing twice (the route, then the
 * sweeper after a Redis hiccup) makes one job. With `revive` (sweeper, replay), a job that
 * already ran under that id (completed, or failed for good) is run again: BullMQ would
 * otherwise ignore the add. The claim in the worker makes any extra run a no-op.
 */
export async function enqueueWebhookDelivery(queue: WebhookQueue, deliveryId: string, revive = false): Promise<void> {
  const job = await queue.add('delivery', { deliveryId }, { jobId: deliveryId });
  if (!revive) return;
  const state = await job.getState();
  if (state === 'completed' || state === 'failed') await job.retry(state, { resetAttemptsMade: true });
}
