import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { channelJobDispatcher } from '../../src/jobs/channel-job-dispatcher.js';
import { OutboxRelay } from '../../src/jobs/outbox-relay.js';
import { closeQueueRegistry, createQueueRegistry, type QueueRegistry } from '../../src/jobs/queues.js';
import { startWorkers, type ProcessorMap } from '../../src/jobs/worker-runner.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { createRedis } from '../../src/platform/redis.js';
import { quietLogger } from './context.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/**
 * What the outbound channel jobs run on in a test, as the hub's worker role runs them: a fresh
 * database, the queues under a prefix of their own on the test Redis, the given processors, and
 * the outbox relay feeding the channel job dispatcher.
 */
export interface ChannelPushRig {
  db: TestDatabase;
  orm: Orm;
  producer: Redis;
  queues: QueueRegistry;
  prefix: string;
  /** Stops the relay, then the workers, and drops the database. */
  close(): Promise<void>;
}

export async function startChannelPushRig(options: {
  processors: (rig: { orm: Orm; producer: Redis; prefix: string }) => ProcessorMap;
  stockPushIntervalMs: number;
  poolMax?: number;
}): Promise<ChannelPushRig> {
  const prefix = `{test-${randomBytes(4).toString('hex')}}`;
  const db = await createTestDatabase();
  const orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: options.poolMax ?? 10 });
  const producer = createRedis(process.env.TEST_REDIS_URL!, 'producer');
  const workerRedis = createRedis(process.env.TEST_REDIS_URL!, 'worker');
  const queues = createQueueRegistry(producer, prefix);
  const workers = startWorkers(options.processors({ orm, producer, prefix }), workerRedis, prefix, quietLogger, 30_000);
  const relay = new OutboxRelay(
    orm,
    { publish: async () => undefined },
    {
      logger: quietLogger,
      consumers: [
        channelJobDispatcher({ orm, queues, stockPushIntervalMs: options.stockPushIntervalMs, logger: quietLogger }),
      ],
    },
  );
  relay.start();
  return {
    db,
    orm,
    producer,
    queues,
    prefix,
    async close() {
      await relay.stop();
      await workers.close(10_000);
      await closeQueueRegistry(queues);
      producer.disconnect();
      workerRedis.disconnect();
      await orm.close(true);
      await db.drop();
    },
  };
}
