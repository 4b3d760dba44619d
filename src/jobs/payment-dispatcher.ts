import type { JobsOptions, Queue } from 'bullmq';
import type { OutboxMessage, OutboxPayloads } from '../domain/outbox/outbox-message.js';
import type { OutboxPublisher } from './outbox-relay.js';
import type { QueuePayloads } from './queues.js';

/**
 * Payment calls retry longer than the default: a gateway outage of a few minutes must not leave
 * a capture failed. The step's key is the job id, so an event delivered twice, and the sweep that
 * re-enqueues steps left pending, add one job.
 */
export const PAYMENT_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
};

export function paymentJob(step: { orderId: string; key: string }) {
  return { name: 'step', data: step, opts: { ...PAYMENT_JOB_OPTIONS, jobId: step.key } };
}

/** The payment steps a batch of committed events asks for (pure). */
export function paymentStepsOf(messages: readonly OutboxMessage[]): { orderId: string; key: string }[] {
  return messages
    .filter((m) => m.topic === 'payment.step_requested')
    .map((m) => {
      const p = m.payload as OutboxPayloads['payment.step_requested'];
      return { orderId: p.orderId, key: p.key };
    });
}

/** Turns committed `payment.step_requested` events into payments jobs (an outbox relay consumer). */
export function paymentDispatcher(queue: Queue<QueuePayloads['payments'], unknown, string>): OutboxPublisher {
  return {
    async publish(messages) {
      const steps = paymentStepsOf(messages);
      if (steps.length > 0) await queue.addBulk(steps.map(paymentJob));
    },
  };
}
