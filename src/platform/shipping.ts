import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { EasyPostCarrier } from '../connectors/carriers/easypost/easypost.carrier.js';
import { easyPostWebhook } from '../connectors/carriers/easypost/easypost-webhook.js';
import type { ProviderWebhook } from '../connectors/provider-webhook.js';
import type { CarrierProvider } from '../domain/shipping/carrier.js';
import { labelsAwaitingJobs } from '../domain/shipping/label-jobs.js';
import { labelJobDispatcher } from '../jobs/label-dispatcher.js';
import { labelProcessor } from '../jobs/label.worker.js';
import type { OutboxPublisher } from '../jobs/outbox-relay.js';
import { PLATFORM_QUEUE_LIMITER } from '../jobs/platform-error-policy.js';
import type { QueueRegistry } from '../jobs/queues.js';
import type { ProcessorMap } from '../jobs/worker-runner.js';
import type { Orm } from './database.js';

/** A label untouched this long while pending or voiding may have lost its job with Redis. */
const SWEEP_AFTER_MS = 2 * 60_000;
const SWEEP_EVERY_MS = 5 * 60_000;
const SWEEP_LIMIT = 500;

/** The carrier integration labels are bought through; null without EASYPOST_API_KEY. */
export function shippingCarrier(config: Config): CarrierProvider | null {
  const easypost = config.shipping.easypost;
  return easypost
    ? new EasyPostCarrier({ apiKey: easypost.apiKey, baseUrl: easypost.baseUrl, timeoutMs: easypost.timeoutMs })
    : null;
}

/** EasyPost's tracking webhook for the inbox (404 on its route until its secret is configured). */
export function easyPostProviderWebhook(config: Config): ProviderWebhook {
  return easyPostWebhook(() => config.shipping.easypostWebhookSecret ?? undefined);
}

/**
 * Shipping's wiring on worker roles (docs/SHIPPING.md), off without a carrier: the outbox
 * consumer that turns committed label requests into `labels` jobs, the worker that buys and
 * voids through the carrier, and the sweeper that re-enqueues jobs lost with Redis.
 */
export function shippingWorkers(deps: {
  orm: Orm;
  queues: QueueRegistry;
  carrier: CarrierProvider;
  logger: Logger;
  now?: () => number;
}): { processors: ProcessorMap; consumer: OutboxPublisher; schedule: () => Promise<void> } {
  const { orm, queues, carrier, logger } = deps;
  const now = deps.now ?? Date.now;
  return {
    consumer: labelJobDispatcher(queues.labels),
    processors: {
      labels: {
        process: labelProcessor({ orm, carrier, logger }),
        concurrency: 4,
        // Only the switch the carrier's Retry-After throws (platform-error-policy.ts).
        limiter: PLATFORM_QUEUE_LIMITER,
      },
      'label-sweep': {
        process: async () => {
          const waiting = await labelsAwaitingJobs(orm.em.fork(), SWEEP_AFTER_MS, SWEEP_LIMIT);
          const slice = Math.floor(now() / SWEEP_EVERY_MS);
          await queues.labels.addBulk(
            waiting.map((w) => ({
              name: w.action,
              data: w,
              opts: { jobId: `label.${w.action}.${w.shipmentId}.sweep-${slice}` },
            })),
          );
          return `${waiting.length} labels re-enqueued`;
        },
        concurrency: 1,
      },
    },
    schedule: async () => {
      await queues['label-sweep'].upsertJobScheduler(
        'label-sweep',
        { every: SWEEP_EVERY_MS },
        { name: 'sweep', data: {} },
      );
    },
  };
}
