import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { SYSTEM_PRINCIPAL } from '../domain/auth/principal.js';
import type { OperationContext } from '../domain/context.js';
import { liveLabelOf } from '../domain/shipping/buy-shipping-label.js';
import { CarrierError, type CarrierProvider } from '../domain/shipping/carrier.js';
import { recordLabelError } from '../domain/shipping/label-jobs.js';
import { purchaseLabel } from '../domain/shipping/purchase-label.js';
import { refundLabel } from '../domain/shipping/refund-label.js';
import type { Orm } from '../platform/database.js';
import { DEFAULT_RETRY_AFTER_MS } from './platform-error-policy.js';
import type { QueuePayloads } from './queues.js';
import type { JobRuntime } from './worker-runner.js';

export interface LabelWorkerDeps {
  orm: Orm;
  carrier: CarrierProvider;
  logger: Logger;
}

/**
 * Buys or voids a shipment's live label (domain `purchaseLabel` / `refundLabel`, both safe to
 * repeat: a duplicate job, a retry, a rerun after a crash re-read the carrier first). Carrier
 * errors take the platform policy's meaning: RATE_LIMITED holds the queue for the Retry-After
 * without spending an attempt; TRANSIENT is retried with the queue's backoff (the reason kept on
 * the label meanwhile); AUTH and INVALID fail at once (UnrecoverableError). When the job gives up,
 * the label says why (a purchase becomes `failed`) and the failed job stays listed and retryable.
 */
export const labelProcessor =
  (deps: LabelWorkerDeps) =>
  async (job: Job<QueuePayloads['labels']>, runtime: Pick<JobRuntime, 'worker'>): Promise<string> => {
    const { shipmentId, action } = job.data;
    const ctx: OperationContext = {
      actor: SYSTEM_PRINCIPAL,
      requestId: `label-${job.id ?? shipmentId}`,
      em: deps.orm.em.fork(),
      logger: deps.logger.child({ shipmentId, action }),
    };
    const label = await liveLabelOf(deps.orm.em.fork(), shipmentId);
    if (!label) return 'no live label';
    try {
      return action === 'buy'
        ? await purchaseLabel(ctx, deps.carrier, label.id)
        : await refundLabel(ctx, deps.carrier, label.id);
    } catch (error) {
      if (!(error instanceof CarrierError)) throw error;
      const message = `${error.kind}: ${error.message}`;
      if (error.kind === 'RATE_LIMITED') {
        await runtime.worker.rateLimit(Math.max(1, Math.ceil(error.details.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS)));
        throw Worker.RateLimitError();
      }
      const unrecoverable = error.kind !== 'TRANSIENT';
      const final = unrecoverable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await recordLabelError(ctx, label.id, message, final).catch((err: Error) =>
        ctx.logger.warn({ err: err.message }, 'could not record the label error'),
      );
      throw unrecoverable ? new UnrecoverableError(message) : error;
    }
  };
