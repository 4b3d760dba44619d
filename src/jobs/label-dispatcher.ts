import type { OutboxMessage, OutboxPayloads } from '../domain/outbox/outbox-message.js';
import { LABEL_REQUESTED, LABEL_VOID_REQUESTED } from '../domain/shipping/buy-shipping-label.js';
import type { OutboxPublisher } from './outbox-relay.js';
import type { QueueRegistry } from './queues.js';

/** The label jobs a batch of committed events asks for (pure: tested on its own). */
export interface LabelJob {
  name: 'buy' | 'void';
  data: { shipmentId: string; action: 'buy' | 'void' };
  opts: { jobId: string };
}

export function labelJobsOf(messages: readonly OutboxMessage[]): LabelJob[] {
  const jobs: LabelJob[] = [];
  for (const m of messages) {
    if (m.topic !== 'order.event_recorded') continue;
    const p = m.payload as OutboxPayloads['order.event_recorded'];
    const action: 'buy' | 'void' | null =
      p.type === LABEL_REQUESTED ? 'buy' : p.type === LABEL_VOID_REQUESTED ? 'void' : null;
    if (!action || !p.shipmentId) continue;
    // One job per request (the outbox row's id): the same event delivered twice enqueues once.
    jobs.push({
      name: action,
      data: { shipmentId: p.shipmentId, action },
      opts: { jobId: `label.${action}.${p.shipmentId}.${m.id}` },
    });
  }
  return jobs;
}

/**
 * Label purchases and voids leave the hub only once their request is committed: the relay hands
 * this consumer the committed `label_requested` / `label_void_requested` events, and it adds
 * their jobs. A failure leaves the batch to be claimed again; the job ids make that harmless.
 */
export function labelJobDispatcher(queue: QueueRegistry['labels']): OutboxPublisher {
  return {
    async publish(messages) {
      const jobs = labelJobsOf(messages);
      if (jobs.length > 0) await queue.addBulk(jobs);
    },
  };
}
