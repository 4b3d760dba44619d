import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { PlatformError, type ChannelConnector, type OrderPage } from '../../src/connectors/connector.js';
import type { IngestOutcome } from '../../src/domain/channels/ingest-channel-orders.js';
import { channelSyncProcessor } from '../../src/jobs/channel-sync.worker.js';
import { PLATFORM_QUEUE_LIMITER } from '../../src/jobs/platform-error-policy.js';
import { closeQueueRegistry, createQueueRegistry, type QueueRegistry } from '../../src/jobs/queues.js';
import { startWorkers, type WorkerRunner } from '../../src/jobs/worker-runner.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { createRedis } from '../../src/platform/redis.js';
import { createShopifyChannel, ensureChannelListing, waitFor } from '../support/channel-jobs.js';
import { quietLogger } from '../support/context.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/*
 * One platform's Retry-After holds that channel only: Amazon asking for minutes of rest must not
 * stop the Shopify and eBay jobs sharing the queue. The throttled channel's job waits (delayed, no
 * attempt spent) and calls nothing before its time; the other channel's job runs at once.
 */
class CountingConnector implements ChannelConnector {
  calls: number[] = [];
  constructor(private readonly throttleFirstMs: number | null) {}
  async pullOrders(): Promise<OrderPage> {
    this.calls.push(Date.now());
    if (this.throttleFirstMs !== null && this.calls.length === 1)
      throw new PlatformError('RATE_LIMITED', 'throttled', this.throttleFirstMs);
    return { orders: [], nextCursor: null };
  }
  async pushStock(): Promise<never> {
    throw new Error('not used');
  }
  async pushFulfilment(): Promise<never> {
    throw new Error('not used');
  }
  async pushCancellation(): Promise<never> {
    throw new Error('not used');
  }
}

const WAIT_MS = 3_000;
let db: TestDatabase;
let orm: Orm;
let producer: Redis;
let workerRedis: Redis;
let queues: QueueRegistry;
let workers: WorkerRunner;
const prefix = `{test-${randomBytes(4).toString('hex')}}`;
const connectors = new Map<string, CountingConnector>([
  ['slow-platform', new CountingConnector(WAIT_MS)],
  ['other-platform', new CountingConnector(null)],
]);

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 4 });
  await ensureChannelListing(db.url);
  for (const id of connectors.keys()) await createShopifyChannel(db.url, id);
  producer = createRedis(process.env.TEST_REDIS_URL!, 'producer');
  workerRedis = createRedis(process.env.TEST_REDIS_URL!, 'worker');
  queues = createQueueRegistry(producer, prefix);
  workers = startWorkers(
    {
      'channel-sync': {
        process: channelSyncProcessor({
          orm,
          connectors: async (_em, channelId) => ({ connector: connectors.get(channelId)!, stockBatchLimit: 250 }),
          ingest: { policy: { holdTotalAbove: null } },
          ingestOrders: async (): Promise<IngestOutcome[]> => [],
          redis: producer,
          prefix,
          queues,
          logger: quietLogger,
        }),
        concurrency: 1,
        limiter: PLATFORM_QUEUE_LIMITER,
      },
    },
    workerRedis,
    prefix,
    quietLogger,
    30_000,
  );
});

afterAll(async () => {
  await workers.close(10_000);
  await closeQueueRegistry(queues);
  producer.disconnect();
  workerRedis.disconnect();
  await orm.close(true);
  await db.drop();
});

describe("a platform's Retry-After", () => {
  it('holds its own channel until the wait is over and lets the other channel run meanwhile', async () => {
    const queue = queues['channel-sync'];
    await queue.add('sync', { channelId: 'slow-platform', mode: 'reconcile' }, { jobId: 'slow' });
    await waitFor(async () => connectors.get('slow-platform')!.calls.length === 1, 10_000, 'the throttled call');
    await queue.add('sync', { channelId: 'other-platform', mode: 'reconcile' }, { jobId: 'other' });
    await waitFor(async () => (await queue.getJob('other'))?.finishedOn !== undefined, 10_000, 'the other channel');
    const other = (await queue.getJob('other'))!;
    expect(other.failedReason).toBeFalsy();
    // It ran while the throttled channel was still waiting.
    expect(await (await queue.getJob('slow'))!.getState()).toBe('delayed');
    expect(connectors.get('slow-platform')!.calls).toHaveLength(1);

    await waitFor(async () => (await queue.getJob('slow'))?.finishedOn !== undefined, 15_000, 'the throttled channel');
    const slow = (await queue.getJob('slow'))!;
    expect(slow.failedReason).toBeFalsy();
    expect(slow.attemptsMade).toBeLessThanOrEqual(1);
    const [first, second] = connectors.get('slow-platform')!.calls;
    expect(connectors.get('slow-platform')!.calls).toHaveLength(2);
    // No call before the Retry-After.
    expect(second! - first!).toBeGreaterThanOrEqual(WAIT_MS - 5);
  });
});
