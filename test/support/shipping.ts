import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CarrierProvider } from '../../src/domain/shipping/carrier.js';
import { labelJobDispatcher } from '../../src/jobs/label-dispatcher.js';
import { labelProcessor } from '../../src/jobs/label.worker.js';
import { OutboxRelay } from '../../src/jobs/outbox-relay.js';
import { PLATFORM_QUEUE_LIMITER } from '../../src/jobs/platform-error-policy.js';
import { closeQueueRegistry, createQueueRegistry, type QueueRegistry } from '../../src/jobs/queues.js';
import { startWorkers, type ProcessorMap, type WorkerRunner } from '../../src/jobs/worker-runner.js';
import type { Orm } from '../../src/platform/database.js';
import { createRedis } from '../../src/platform/redis.js';
import { createProduct } from '../../src/domain/catalog/catalog.service.js';
import type { OperationContext } from '../../src/domain/context.js';
import { quietLogger } from './context.js';

/**
 * Label purchases as the hub runs them, on real PostgreSQL and Redis: the outbox relay hands
 * committed label requests to the dispatcher, which adds `labels` jobs, which a BullMQ worker
 * runs through the carrier (`more` adds workers of other queues on the same prefix). A queue
 * prefix of its own per test file.
 */
export interface LabelPipeline {
  queues: QueueRegistry;
  workers: WorkerRunner;
  stop(): Promise<void>;
}

export async function startLabelPipeline(
  orm: Orm,
  carrier: CarrierProvider,
  more: (queues: QueueRegistry) => ProcessorMap = () => ({}),
): Promise<LabelPipeline> {
  const prefix = `{test-${randomBytes(4).toString('hex')}}`;
  const producer: Redis = createRedis(process.env.TEST_REDIS_URL!, 'producer');
  const workerRedis: Redis = createRedis(process.env.TEST_REDIS_URL!, 'worker');
  const queues = createQueueRegistry(producer, prefix);
  const workers = startWorkers(
    {
      ...more(queues),
      labels: {
        process: labelProcessor({ orm, carrier, logger: quietLogger }),
        concurrency: 4,
        limiter: PLATFORM_QUEUE_LIMITER,
      },
    },
    workerRedis,
    prefix,
    quietLogger,
    30_000,
  );
  const relay = new OutboxRelay(
    orm,
    { publish: async () => undefined },
    { logger: quietLogger, consumers: [labelJobDispatcher(queues.labels)] },
  );
  relay.start();
  return {
    queues,
    workers,
    async stop() {
      await relay.stop();
      await workers.close(10_000);
      await closeQueueRegistry(queues);
      producer.disconnect();
      workerRedis.disconnect();
    },
  };
}

/** A SKU with a weight and packed size (what a label needs). */
export async function createParcelSku(
  ctx: OperationContext,
  sku: string,
  size: { weightGrams: number | null; lengthMm?: number; widthMm?: number; heightMm?: number } = {
    weightGrams: 400,
    lengthMm: 200,
    widthMm: 150,
    heightMm: 100,
  },
): Promise<void> {
  await createProduct(ctx, {
    title: `Product ${sku}`,
    variants: [{ sku, priceAmount: 1500, currency: 'USD', ...size }],
  });
}
