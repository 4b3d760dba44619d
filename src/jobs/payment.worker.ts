import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { SYSTEM_PRINCIPAL } from '../domain/auth/principal.js';
import type { OperationContext } from '../domain/context.js';
import type { PaymentGateway } from '../domain/payments/payment-gateway.js';
import { runPaymentSteps } from '../domain/payments/payment-runner.js';
import type { Orm } from '../platform/database.js';
import type { QueuePayloads } from './queues.js';
import type { JobRuntime } from './worker-runner.js';

export interface PaymentWorkerDeps {
  orm: Orm;
  gateway: PaymentGateway;
  /** The lease one job holds on an order's payment while it makes the calls. */
  leaseMs: number;
  /** How long a job waits before trying again when another job holds the payment. */
  busyDelayMs?: number;
  logger: Logger;
}

/**
 * Runs the payment steps of one order (payment-runner.ts), the asked-for step among them: thin
 * on purpose. Another job holding the payment → this one is delayed and tried again, without
 * spending an attempt. A transient gateway error throws: BullMQ retries with backoff, the step
 * keeps its key. A step the gateway refuses for good fails the job without retries
 * (UnrecoverableError): it stays visible and retryable, and the order's timeline says why.
 */
export const paymentProcessor =
  (deps: PaymentWorkerDeps) =>
  async (job: Job<QueuePayloads['payments']>, runtime: JobRuntime): Promise<string> => {
    const ctx: OperationContext = {
      actor: SYSTEM_PRINCIPAL,
      requestId: `payment-${job.data.key}`,
      em: deps.orm.em.fork(),
      logger: deps.logger.child({ orderId: job.data.orderId, paymentStep: job.data.key }),
    };
    const result = await runPaymentSteps(
      ctx,
      { gateway: deps.gateway, leaseMs: deps.leaseMs },
      job.data.orderId,
      job.data.key,
    );
    if (result.kind === 'busy') {
      await job.moveToDelayed(Date.now() + (deps.busyDelayMs ?? 500), runtime.token);
      throw new DelayedError();
    }
    if (result.failure !== null) throw new UnrecoverableError(`${job.data.key}: ${result.failure}`);
    return result.outcomes.length > 0 ? result.outcomes.join('; ') : `${job.data.key}: already ${result.status}`;
  };
