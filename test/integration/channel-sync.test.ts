import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ChannelConnector, OrderPage } from '../../src/connectors/connector.js';
import type { ChannelOrder } from '../../src/domain/channels/channel-order.js';
import type { IngestOutcome } from '../../src/domain/channels/ingest-channel-orders.js';
import { ChannelSchedules } from '../../src/jobs/channel-schedules.js';
import { CURSOR_OVERLAP_MS, PULL_PAGE_SIZE } from '../../src/jobs/channel-sync.js';
import { channelSyncProcessor } from '../../src/jobs/channel-sync.worker.js';
import { eventChannel } from '../../src/jobs/outbox-relay.js';
import { PLATFORM_QUEUE_LIMITER } from '../../src/jobs/platform-error-policy.js';
import { closeQueueRegistry, createQueueRegistry, type QueueRegistry } from '../../src/jobs/queues.js';
import { startWorkers, type WorkerRunner } from '../../src/jobs/worker-runner.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { createRedis } from '../../src/platform/redis.js';
import { createShopifyChannel, ensureChannelListing, listSkus, waitFor } from '../support/channel-jobs.js';
import { quietLogger } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

/** A platform holding orders, paging them oldest change first as Shopify's UPDATED_AT sort does. */
class PagedConnector implements ChannelConnector {
  readonly pulls: { since: Date; cursor: string | null; pageSize: number }[] = [];
  constructor(readonly orders: ChannelOrder[]) {}
  async pullOrders(since: Date, cursor: string | null, pageSize: number): Promise<OrderPage> {
    this.pulls.push({ since, cursor, pageSize });
    const all = this.orders
      .filter((o) => o.updatedAt >= since)
      .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime());
    const from = cursor ? Number(cursor) : 0;
    const page = all.slice(from, from + pageSize);
    return { orders: page, nextCursor: from + pageSize < all.length ? String(from + pageSize) : null };
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

/** Holds back its second page until `open()`: the test acts while a pull is between pages. */
class GatedConnector extends PagedConnector {
  private opened: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => (this.opened = resolve));
  open(): void {
    this.opened();
  }
  override async pullOrders(since: Date, cursor: string | null, pageSize: number): Promise<OrderPage> {
    const page = await super.pullOrders(since, cursor, pageSize);
    if (this.pulls.length === 2) await this.gate;
    return page;
  }
}

function order(n: number, updatedAt: Date): ChannelOrder {
  return {
    externalId: `gid://shopify/Order/${9_007_199_254_740_993n + BigInt(n)}`,
    externalName: `#${1000 + n}`,
    updatedAt,
    placedAt: updatedAt,
    currency: 'USD',
    email: null,
    customerName: null,
    phone: null,
    shippingAddress: null,
    billingAddress: null,
    lines: [],
    shippingAmount: 0,
    taxAmount: 0,
    discountAmount: 0,
    totalAmount: 0,
    paidAmount: 0,
    cancelledAt: null,
    cancelReason: null,
    refunds: [],
    note: null,
  };
}

let db: TestDatabase;
let orm: Orm;
let producer: Redis;
let workerRedis: Redis;
let subscriber: Redis;
let queues: QueueRegistry;
let workers: WorkerRunner;
const prefix = `{test-${randomBytes(4).toString('hex')}}`;
const connectors = new Map<string, PagedConnector>();
/** What ingestion saw, by channel and external id (the domain operation is the ingest work's; this stands in). */
const ingested = new Map<string, number>();
const progress: { channelId: string; pulled: number; done: boolean }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 5 });
  await ensureChannelListing(db.url);
  producer = createRedis(process.env.TEST_REDIS_URL!, 'producer');
  workerRedis = createRedis(process.env.TEST_REDIS_URL!, 'worker');
  subscriber = createRedis(process.env.TEST_REDIS_URL!, 'subscriber');
  await subscriber.subscribe(eventChannel(prefix, 'channel.sync_progress'));
  subscriber.on('message', (_channel, text: string) => progress.push(JSON.parse(text).payload));
  queues = createQueueRegistry(producer, prefix);
  workers = startSyncWorker(workerRedis);
});

function startSyncWorker(connection: Redis): WorkerRunner {
  return startWorkers(
    {
      'channel-sync': {
        process: channelSyncProcessor({
          orm,
          connectors: async (_em, channelId) => ({ connector: connectors.get(channelId)!, stockBatchLimit: 250 }),
          ingest: { policy: { holdTotalAbove: null } },
          ingestOrders: async (_ctx, _deps, channelId, orders): Promise<IngestOutcome[]> =>
            orders.map((o) => {
              const key = `${channelId}/${o.externalId}`;
              const seen = ingested.get(key) ?? 0;
              ingested.set(key, seen + 1);
              return { externalId: o.externalId, orderId: key, result: seen === 0 ? 'created' : 'unchanged' };
            }),
          redis: producer,
          prefix,
          queues,
          logger: quietLogger,
        }),
        concurrency: 1,
        limiter: PLATFORM_QUEUE_LIMITER,
      },
    },
    connection,
    prefix,
    quietLogger,
    30_000,
  );
}

afterAll(async () => {
  await workers.close(10_000);
  await closeQueueRegistry(queues);
  producer.disconnect();
  workerRedis.disconnect();
  subscriber.disconnect();
  await orm.close(true);
  await db.drop();
});

async function runSync(jobId: string, data: { channelId: string; mode: 'pull' | 'reconcile'; since?: string }) {
  await queues['channel-sync'].add('sync', data, { jobId });
  await waitFor(async () => (await queues['channel-sync'].getJob(jobId))?.finishedOn !== undefined, 20_000, jobId);
  const job = (await queues['channel-sync'].getJob(jobId))!;
  expect(job.failedReason).toBeFalsy();
  return job;
}

describe('channel-sync jobs', () => {
  it('pulls every order in pages of 250, ingests each once, reports progress and moves the cursor', async () => {
    const channelId = 'shop-pull';
    await createShopifyChannel(db.url, channelId);
    const base = Date.now() - 3 * 3600_000;
    const orders = Array.from({ length: 600 }, (_, i) => order(i, new Date(base + i * 1_000)));
    const connector = new PagedConnector(orders);
    connectors.set(channelId, connector);

    const job = await runSync('pull-1', { channelId, mode: 'pull' });
    expect(job.returnvalue).toEqual({
      channelId,
      pulled: 600,
      created: 600,
      updated: 0,
      unchanged: 0,
      held: 0,
      done: true,
    });
    expect(job.progress).toMatchObject({ pulled: 600, done: true });
    expect(connector.pulls.map((p) => p.pageSize)).toEqual([PULL_PAGE_SIZE, PULL_PAGE_SIZE, PULL_PAGE_SIZE]);
    expect(new Set([...ingested.keys()].filter((k) => k.startsWith(channelId))).size).toBe(600);
    const newest = base + 599 * 1_000;
    const [row] = await sql(db.url, 'select sync_cursor, last_sync_at from channel where id = $1', [channelId]);
    expect(new Date(row!.sync_cursor).getTime()).toBe(newest - CURSOR_OVERLAP_MS);
    expect(row!.last_sync_at).not.toBeNull();
    await waitFor(async () => progress.some((p) => p.channelId === channelId && p.done), 5_000, 'progress');
    const mine = progress.filter((p) => p.channelId === channelId);
    expect(mine.map((p) => p.pulled)).toEqual([250, 500, 600]);

    // The next pull starts at the cursor: only the overlap comes again, unchanged.
    orders.push(order(600, new Date(newest + 5_000)));
    const next = await runSync('pull-2', { channelId, mode: 'pull' });
    expect(connector.pulls.at(-1)!.since.getTime()).toBe(newest - CURSOR_OVERLAP_MS);
    expect(next.returnvalue).toMatchObject({ pulled: 62, created: 1, unchanged: 61, done: true });
  });

  it('reconciles a window whatever the cursor, and marks every listed SKU dirty for a re-push', async () => {
    const channelId = 'shop-reconcile';
    await createShopifyChannel(db.url, channelId);
    await listSkus(db.url, channelId, ['R-1', 'R-2', 'R-3']);
    await sql(db.url, `update channel set sync_cursor = now() where id = $1`, [channelId]);
    const orders = [order(1, new Date(Date.now() - 2 * 3600_000)), order(2, new Date(Date.now() - 48 * 3600_000))];
    const connector = new PagedConnector(orders);
    connectors.set(channelId, connector);

    const job = await runSync('reconcile-1', { channelId, mode: 'reconcile' });
    // The last 24 hours: the order of 2 h ago, not the one of 2 days ago; the cursor is left alone.
    expect(job.returnvalue).toMatchObject({ pulled: 1, created: 1, done: true });
    const dirty = await sql(db.url, 'select sku from channel_stock_dirty where channel_id = $1 order by sku', [
      channelId,
    ]);
    expect(dirty.map((r) => r.sku)).toEqual(['R-1', 'R-2', 'R-3']);
    const pushes = (await queues['stock-push'].getJobs(['waiting', 'delayed'])).filter(
      (j) => j.data.channelId === channelId,
    );
    expect(pushes).toHaveLength(1);
  });

  it('keeps one pull and one reconciliation scheduler per active channel, and none for a disabled one', async () => {
    const schedules = new ChannelSchedules(
      orm,
      queues['channel-sync'],
      { pullEveryMs: 300_000, reconcileEveryMs: 900_000 },
      quietLogger,
    );
    await schedules.syncAll();
    const keys = async () => (await queues['channel-sync'].getJobSchedulers(0, -1)).map((s) => s.key).sort();
    expect(await keys()).toEqual([
      'pull.shop-pull',
      'pull.shop-reconcile',
      'reconcile.shop-pull',
      'reconcile.shop-reconcile',
    ]);
    await sql(db.url, `update channel set enabled = false where id = 'shop-pull'`);
    await schedules.sync(['shop-pull']);
    expect(await keys()).toEqual(['pull.shop-reconcile', 'reconcile.shop-reconcile']);
    await sql(db.url, `update channel set disconnected_at = now() where id = 'shop-reconcile'`);
    await schedules.syncAll();
    expect(await keys()).toEqual([]);
  });
  it('a worker shutting down stops a pull after the page in hand and puts the job back; the next worker resumes at the cursor (R11)', async () => {
    const channelId = 'shop-stop';
    await createShopifyChannel(db.url, channelId);
    const base = Date.now() - 3 * 3600_000;
    const connector = new GatedConnector(Array.from({ length: 750 }, (_, i) => order(i, new Date(base + i * 1_000))));
    connectors.set(channelId, connector);
    // Only the worker about to shut down may take the job: the file's own worker is closed
    // until then (on its shared connection, which stays open).
    await workers.close(10_000);
    const leavingRedis = createRedis(process.env.TEST_REDIS_URL!, 'worker');
    const leaving = startSyncWorker(leavingRedis);
    try {
      await queues['channel-sync'].add('sync', { channelId, mode: 'pull' }, { jobId: 'stop-1' });
      await waitFor(async () => connector.pulls.length === 2, 10_000, 'the second page asked for');
      const closing = leaving.close(10_000);
      connector.open();
      await closing;
    } finally {
      leavingRedis.disconnect();
    }

    // Two pages in, handed back: not failed, no attempt spent, the cursor at the second page.
    const handedBack = (await queues['channel-sync'].getJob('stop-1'))!;
    expect(['delayed', 'waiting']).toContain(await handedBack.getState());
    expect(handedBack.attemptsMade).toBe(0);
    expect(connector.pulls).toHaveLength(2);
    const [row] = await sql(db.url, 'select sync_cursor from channel where id = $1', [channelId]);
    expect(new Date(row!.sync_cursor).getTime()).toBe(base + 499 * 1_000 - CURSOR_OVERLAP_MS);

    workers = startSyncWorker(workerRedis);
    await waitFor(
      async () => (await queues['channel-sync'].getJob('stop-1'))?.finishedOn !== undefined,
      20_000,
      'the pull resumed',
    );
    const job = (await queues['channel-sync'].getJob('stop-1'))!;
    expect(job.failedReason).toBeFalsy();
    // From the cursor: the 60 s overlap again (unchanged) and the last 250 orders.
    expect(connector.pulls[2]!.since.getTime()).toBe(base + 499 * 1_000 - CURSOR_OVERLAP_MS);
    expect(job.returnvalue).toMatchObject({ created: 250, unchanged: 61, done: true });
    expect(new Set([...ingested.keys()].filter((k) => k.startsWith(`${channelId}/`))).size).toBe(750);
  });
});
