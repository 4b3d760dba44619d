import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Order, SearchOrdersResponse } from '@sp-api-sdk/orders-api-2026-01-01';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AmazonConnector } from '../../src/connectors/amazon/amazon.connector.js';
import { AmazonSimulator } from '../../src/connectors/amazon/simulator/amazon-simulator.js';
import type { IngestOutcome } from '../../src/domain/channels/ingest-channel-orders.js';
import { LATENCY_MARGIN_MS, takeCall } from '../../src/jobs/call-budget.js';
import { channelSyncProcessor } from '../../src/jobs/channel-sync.worker.js';
import { PLATFORM_QUEUE_LIMITER } from '../../src/jobs/platform-error-policy.js';
import { closeQueueRegistry, createQueueRegistry, type QueueRegistry } from '../../src/jobs/queues.js';
import { startWorkers, type WorkerRunner } from '../../src/jobs/worker-runner.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { createRedis } from '../../src/platform/redis.js';
import { ensureChannelListing, waitFor } from '../support/channel-jobs.js';
import { quietLogger } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { amazonFixture } from '../support/fixtures.js';

/*
 * Amazon's searchOrders allows about 20 calls an hour per seller (burst 20). The pull plans its
 * pages within that budget, kept in Redis: a backfill longer than the burst pauses (the job is
 * delayed, no attempt spent) and goes on from its page when a call is due, so the simulator
 * never has to refuse one. The simulator refills in seconds here instead of minutes.
 */
const EXAMPLE = amazonFixture<{ response: SearchOrdersResponse }>('searchOrders-2026-01-01.sandbox-200.json');
const CHANNEL = 'amazon-budget';
const US = 'ATVPDKIKX0DER';
const ORDERS = 3_000;
const PLAN = { rate: 4, burst: 20 };

let db: TestDatabase;
let orm: Orm;
let producer: Redis;
let workerRedis: Redis;
let queues: QueueRegistry;
let workers: WorkerRunner;
let sim: AmazonSimulator;
const prefix = `{test-${randomBytes(4).toString('hex')}}`;
const ingested = new Map<string, number>();

function orderAt(n: number, updated: Date): Order {
  const order = structuredClone(EXAMPLE.response.orders[0]!);
  order.orderId = `114-${String(n).padStart(7, '0')}-0000000`;
  order.salesChannel = { ...order.salesChannel, marketplaceId: US };
  order.createdTime = updated.toISOString();
  order.lastUpdatedTime = updated.toISOString();
  return order;
}

const connectorForSim = () =>
  new AmazonConnector({
    credentials: {
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
      refreshToken: sim.refreshToken,
      sellerId: sim.sellerId,
      region: 'na',
      marketplaceIds: [US],
    },
    endpoint: sim.url,
    timeoutMs: 5_000,
  });

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 4 });
  await ensureChannelListing(db.url);
  await sql(
    db.url,
    `insert into channel (id, kind, name, enabled, stock_buffer, backorder_policy) values ($1, 'amazon', $1, true, 0, 'backorder')`,
    [CHANNEL],
  );
  sim = new AmazonSimulator({ usagePlans: { searchOrders: PLAN } });
  await sim.start();
  const base = Date.now() - 6 * 3600_000;
  sim.addOrders(Array.from({ length: ORDERS }, (_, i) => orderAt(i, new Date(base + i * 1_000))));
  producer = createRedis(process.env.TEST_REDIS_URL!, 'producer');
  workerRedis = createRedis(process.env.TEST_REDIS_URL!, 'worker');
  // The test draws on the budget itself: wait until this connection takes commands.
  if (producer.status !== 'ready') await new Promise((resolve) => producer.once('ready', resolve));
  queues = createQueueRegistry(producer, prefix);
  workers = startWorkers(
    {
      'channel-sync': {
        process: channelSyncProcessor({
          orm,
          // A fresh connector per job, as the hub builds one: the budget lives in Redis, not in it.
          connectors: async () => ({ connector: connectorForSim(), stockBatchLimit: 25_000 }),
          ingest: { policy: { holdTotalAbove: null } },
          ingestOrders: async (_ctx, _deps, channelId, orders): Promise<IngestOutcome[]> =>
            orders.map((o) => {
              const seen = ingested.get(o.externalId) ?? 0;
              ingested.set(o.externalId, seen + 1);
              return { externalId: o.externalId, orderId: o.externalId, result: seen === 0 ? 'created' : 'unchanged' };
            }),
          redis: producer,
          prefix,
          queues,
          logger: quietLogger,
          pageSize: 100,
        }),
        concurrency: 2,
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
  await sim.stop();
  await orm.close(true);
  await db.drop();
});

describe('pulling Amazon orders within the searchOrders budget', () => {
  it('backfills 3,000 orders in 30 pages on a spent budget with no call refused: it pauses and goes on from its page', async () => {
    // Another pull for this seller spent the burst just now, on both sides: every page must wait its turn.
    const budget = connectorForSim().pullBudget;
    for (let i = 0; i < PLAN.burst; i++) {
      expect(sim.bucket('searchOrders').take()).toBe(true);
      await takeCall(producer, prefix, { ...budget, announcedRatePerSecond: PLAN.rate });
    }
    const jobId = 'amazon-backfill';
    await queues['channel-sync'].add('sync', { channelId: CHANNEL, mode: 'pull' }, { jobId });
    await waitFor(async () => (await queues['channel-sync'].getJob(jobId))?.finishedOn !== undefined, 60_000, jobId);
    const job = (await queues['channel-sync'].getJob(jobId))!;
    expect(job.failedReason).toBeFalsy();
    expect(job.returnvalue).toMatchObject({ channelId: CHANNEL, done: true });

    const searches = sim.calls.filter((c) => c.operation === 'searchOrders');
    expect(searches.map((c) => c.status).filter((s) => s !== 200)).toEqual([]);
    expect(searches).toHaveLength(ORDERS / 100);
    // Every order once: no page was read twice across the pauses.
    expect(ingested.size).toBe(ORDERS);
    expect([...ingested.values()].every((n) => n === 1)).toBe(true);
    // The calls conform to the bucket: in any run of them, no more than the burst plus what
    // refilled in between.
    for (let i = 0; i < searches.length; i++)
      for (let j = i; j < searches.length; j++)
        expect(j - i + 1).toBeLessThanOrEqual(
          PLAN.burst + (PLAN.rate * (searches[j]!.at - searches[i]!.at)) / 1000 + 1e-9,
        );
    // It did pause, and kept where to go on from.
    expect(job.data.resume).toEqual({ since: expect.any(String), cursor: expect.any(String) });
    const [row] = await sql<{ sync_cursor: Date | null }>(db.url, 'select sync_cursor from channel where id = $1', [
      CHANNEL,
    ]);
    expect(row!.sync_cursor).not.toBeNull();
  });

  it('draws one bucket for every worker: 40 concurrent takes from a full bucket of 20 give exactly 19 calls', async () => {
    const budget = { key: `race-${randomBytes(3).toString('hex')}`, ratePerSecond: 0.0056, burst: 20 };
    const waits = await Promise.all(Array.from({ length: 40 }, () => takeCall(producer, prefix, budget)));
    // 19, not 20: the last token waits for LATENCY_MARGIN_MS more of refill (call-budget.ts).
    expect(waits.filter((w) => w === 0)).toHaveLength(19);
    // The rest are told how long: the 20th token is due once the margin has refilled.
    for (const w of waits.filter((w) => w > 0)) expect(w).toBeLessThanOrEqual(LATENCY_MARGIN_MS + 1);
    // Taken too, it leaves the bucket empty: the next call is a whole refill (1 / 0.0056 s ≈ 179 s) away.
    await new Promise((resolve) => setTimeout(resolve, LATENCY_MARGIN_MS + 50));
    expect(await takeCall(producer, prefix, budget)).toBe(0);
    expect(await takeCall(producer, prefix, budget)).toBeGreaterThan(170_000);
  });
});
