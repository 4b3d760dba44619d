import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DelayedError, type Job } from 'bullmq';
import { randomBytes, randomUUID } from 'node:crypto';
import { AmazonSimulator } from '../../src/connectors/amazon/simulator/amazon-simulator.js';
import type { SimSqsQueue } from '../../src/connectors/amazon/simulator/sim-sqs-queue.js';
import { SqsSimulator } from '../../src/connectors/amazon/simulator/sqs-simulator.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { platformConnectorSource } from '../../src/jobs/channel-connectors.js';
import type { QueuePayloads } from '../../src/jobs/queues.js';
import { webhookProcessor } from '../../src/jobs/webhook.worker.js';
import { AmazonNotificationPollers } from '../../src/platform/amazon-notifications.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import {
  connectAmazonChannel,
  hubOrders,
  orderChangeBody,
  stockedAmazonOrder,
  warehouse,
} from '../support/amazon-notifications.js';
import { quietLogger } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { stockOf } from '../support/order-lifecycle.js';

/*
 * Amazon ORDER_CHANGE through SQS on PostgreSQL: the pollers (real @aws-sdk/client-sqs against
 * the SQS stand-in) store each notification once in the inbox and delete it only then; the
 * webhooks processor re-reads each notified order from the SP-API simulator and ingests it, so
 * duplicates and out-of-order notifications change the order once, to its newest state.
 */

const CHANNEL = 'amazon-jp';
const KEY = randomBytes(32);

let db: TestDatabase;
let orm: Orm;
let amazon: AmazonSimulator;
let sqs: SqsSimulator;
let queue: SimSqsQueue;
let dlq: SimSqsQueue;
let pollers: AmazonNotificationPollers;
let location: string;
const enqueued: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 6 });
  location = await warehouse(orm);
  amazon = new AmazonSimulator();
  await amazon.start();
  sqs = new SqsSimulator({ accessKeyId: 'AKIATEST' });
  await sqs.start();
  dlq = sqs.createQueue('switchyard-orders-dlq');
  queue = sqs.createQueue('switchyard-orders', { maxReceiveCount: 2, deadLetterQueue: dlq });
  await connectAmazonChannel(db.url, KEY, CHANNEL, amazon, queue.url);
  pollers = new AmazonNotificationPollers({
    orm,
    encryptionKey: KEY,
    settings: {
      region: 'us-east-1',
      endpoint: sqs.url,
      accessKeyId: 'AKIATEST',
      secretAccessKey: 'test-secret',
      waitSeconds: 1,
      visibilitySeconds: 2,
      timeoutMs: 5_000,
      retryAfterSeconds: 1,
    },
    enqueue: async (id) => void enqueued.push(id),
    logger: quietLogger,
  });
  await pollers.start();
}, 60_000);

afterAll(async () => {
  await pollers?.stop();
  expect(await checkInvariants(orm.em.fork())).toEqual([]);
  await sqs?.stop();
  await amazon?.stop();
  await orm?.close(true);
  await db?.drop();
});

const processDelivery = webhookProcessor({
  get orm() {
    return orm;
  },
  logger: quietLogger,
  leaseSeconds: 60,
  batchSize: 50,
  ingest: { policy: { holdTotalAbove: null } },
  connectors: platformConnectorSource(KEY),
});
const job = (deliveryId: string) =>
  ({ data: { deliveryId }, attemptsMade: 0, opts: { attempts: 5 } }) as unknown as Job<QueuePayloads['webhooks']>;

/** Runs the webhooks jobs of these deliveries at once (as the worker's concurrency would). */
const runJobs = (ids: string[]) => Promise.all(ids.map((id) => processDelivery(job(id))));

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const deliveries = (notificationIds: string[]) =>
  sql<{ id: string; delivery_id: string; status: string; outcome: string | null; topic: string }>(
    db.url,
    `select id, delivery_id, status, outcome, topic from webhook_delivery where channel_id = $1 and delivery_id = any($2)`,
    [CHANNEL, notificationIds],
  );
const getOrderCalls = (orderId: string) =>
  amazon.calls.filter((c) => c.operation === 'getOrder' && c.path.endsWith(`/${orderId}`)).length;

describe('Amazon ORDER_CHANGE through SQS', () => {
  it('polls the queue the channel names', () => {
    expect(pollers.queueUrls).toEqual([queue.url]);
  });

  it('a notification delivered three times is stored once, every copy deleted, and creates the order once', async () => {
    const order = await stockedAmazonOrder(orm, location, '249');
    amazon.addOrders([order]);
    const notificationId = randomUUID();
    const body = orderChangeBody(notificationId, amazon.sellerId, order.orderId);
    const first = queue.send(body);
    queue.send(body);
    queue.duplicate(first.messageId);
    await until('the queue is empty', () => queue.snapshot().length === 0);

    const rows = await deliveries([notificationId]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ topic: 'ORDER_CHANGE', status: 'pending' });
    expect(enqueued.filter((id) => id === rows[0]!.id)).toHaveLength(1);
    expect(dlq.snapshot()).toHaveLength(0);

    await runJobs([rows[0]!.id, rows[0]!.id]);
    const held = (await hubOrders(db.url, CHANNEL)).get(order.orderId);
    expect(held).toMatchObject({ status: 'ALLOCATED', rows: 1 });
    expect(getOrderCalls(order.orderId)).toBe(1);
    expect((await deliveries([notificationId]))[0]).toMatchObject({ status: 'processed' });
    expect((await deliveries([notificationId]))[0]!.outcome).toContain('created order');
  });

  it('out of order: the newer notification first, the older after, at once, then a stale one late: the order ends at its newest state, once', async () => {
    const order = await stockedAmazonOrder(orm, location, '250');
    amazon.addOrders([order]);
    const skus = order.orderItems.map((i) => i.product.sellerSku!);
    const older = randomUUID();
    const newer = randomUUID();
    const olderBody = orderChangeBody(older, amazon.sellerId, order.orderId, 'Unshipped');
    // Amazon cancels the order after the first notification was published.
    amazon.orders.setStatus(order.orderId, 'CANCELLED');
    const newest = amazon.orders.get(order.orderId)!.lastUpdatedTime;
    queue.send(orderChangeBody(newer, amazon.sellerId, order.orderId, 'Canceled'));
    queue.send(olderBody);
    await until('both are stored', async () => (await deliveries([older, newer])).length === 2);
    await until('the queue is empty', () => queue.snapshot().length === 0);

    const rows = await deliveries([older, newer]);
    await runJobs(rows.map((r) => r.id));
    let held = (await hubOrders(db.url, CHANNEL)).get(order.orderId);
    expect(held).toMatchObject({ status: 'CANCELLED', rows: 1, version: new Date(newest).toISOString() });
    for (const sku of skus) expect((await stockOf(db.url, sku, location)).reserved).toBe(0);
    const after = await deliveries([older, newer]);
    // One re-read applied the newest state; the other changed nothing.
    expect(after.map((r) => r.status).sort()).toEqual(['ignored', 'processed']);

    // The stale Unshipped notification redelivered late (a new SQS message) changes nothing.
    const stale = randomUUID();
    queue.send(orderChangeBody(stale, amazon.sellerId, order.orderId, 'Unshipped'));
    await until('the late one is stored', async () => (await deliveries([stale])).length === 1);
    await runJobs([(await deliveries([stale]))[0]!.id]);
    held = (await hubOrders(db.url, CHANNEL)).get(order.orderId);
    expect(held).toMatchObject({ status: 'CANCELLED', rows: 1 });
    expect((await deliveries([stale]))[0]).toMatchObject({ status: 'ignored' });
    for (const sku of skus) expect((await stockOf(db.url, sku, location)).reserved).toBe(0);
  });

  it('20 notifications about 5 orders, shuffled with duplicates, processed concurrently: each order once, at its newest state', async () => {
    const orders = [];
    for (let i = 0; i < 5; i++) orders.push(await stockedAmazonOrder(orm, location, '251'));
    amazon.addOrders(orders);
    const ids: string[] = [];
    for (const [i, order] of orders.entries()) {
      for (let k = 0; k < 3; k++) {
        const id = randomUUID();
        ids.push(id);
        queue.send(orderChangeBody(id, amazon.sellerId, order.orderId));
        if (k === 0 && i % 2 === 0) queue.send(orderChangeBody(id, amazon.sellerId, order.orderId));
      }
      // Orders 0 and 3 are cancelled on Amazon meanwhile.
      if (i === 0 || i === 3) amazon.orders.setStatus(order.orderId, 'CANCELLED');
    }
    await until('all are stored', async () => (await deliveries(ids)).length === ids.length);
    await until('the queue is empty', () => queue.snapshot().length === 0);
    const rows = await deliveries(ids);
    await runJobs(rows.map((r) => r.id));
    const held = await hubOrders(db.url, CHANNEL);
    for (const [i, order] of orders.entries()) {
      expect(held.get(order.orderId)).toMatchObject({
        rows: 1,
        status: i === 0 || i === 3 ? 'CANCELLED' : 'ALLOCATED',
        version: new Date(amazon.orders.get(order.orderId)!.lastUpdatedTime).toISOString(),
      });
    }
    const statuses = (await deliveries(ids)).map((r) => r.status);
    expect(statuses.filter((s) => s === 'processed')).toHaveLength(5);
    expect(statuses.filter((s) => s !== 'processed' && s !== 'ignored')).toEqual([]);
  });

  it("Amazon's 429 on the re-read is a wait, not a failed attempt: the delivery goes back to pending and its job is delayed", async () => {
    const order = await stockedAmazonOrder(orm, location, '253');
    amazon.addOrders([order]);
    const id = randomUUID();
    queue.send(orderChangeBody(id, amazon.sellerId, order.orderId));
    await until('it is stored', async () => (await deliveries([id])).length === 1);
    const [row] = await deliveries([id]);
    amazon.failNext('getOrder', 429);
    const delayedTo: number[] = [];
    const throttled = {
      ...job(row!.id),
      attemptsMade: 4,
      moveToDelayed: async (at: number) => void delayedTo.push(at),
    } as unknown as Job<QueuePayloads['webhooks']>;
    const before = Date.now();
    // The worker runner's delay, as startWorkers builds it: moveToDelayed, then DelayedError.
    const delay = async (ms: number): Promise<never> => {
      await throttled.moveToDelayed(Date.now() + Math.max(1, Math.ceil(ms)), 'lock-token');
      throw new DelayedError();
    };
    await expect(processDelivery(throttled, { delay })).rejects.toBeInstanceOf(DelayedError);
    // getOrder's rate is 0.5/s (x-amzn-RateLimit-Limit): one token in 2 s, jittered up to twice that.
    expect(delayedTo).toHaveLength(1);
    expect(delayedTo[0]! - before).toBeGreaterThanOrEqual(2_000);
    expect(delayedTo[0]! - before).toBeLessThan(4_500);
    expect((await deliveries([id]))[0]).toMatchObject({ status: 'pending' });
    await processDelivery(job(row!.id));
    expect((await deliveries([id]))[0]).toMatchObject({ status: 'processed' });
    expect((await hubOrders(db.url, CHANNEL)).get(order.orderId)).toMatchObject({ rows: 1, status: 'ALLOCATED' });
  });

  it('an unknown seller and an unreadable body are not lost: left on the queue, they end in its dead-letter queue; another type is deleted', async () => {
    const before = (await sql<{ n: string }>(db.url, 'select count(*) as n from webhook_delivery'))[0]!.n;
    const unknown = orderChangeBody(randomUUID(), 'A-NOT-CONNECTED', '249-0000000-0000000');
    queue.send(unknown);
    queue.send('{"not": "a notification"');
    const feed = queue.send(
      JSON.stringify({
        NotificationVersion: '1.0',
        NotificationType: 'FEED_PROCESSING_FINISHED',
        PayloadVersion: '2020-09-04',
        EventTime: '2026-12-07T10:00:00.000Z',
        Payload: {},
        NotificationMetadata: { NotificationId: randomUUID() },
      }),
    );
    await until('the feed notice is deleted', () => queue.deleted.includes(feed.messageId));
    await until('two reach the DLQ', () => dlq.snapshot().length === 2, 30_000);
    expect(dlq.snapshot().map((m) => m.body)).toEqual(expect.arrayContaining([unknown, '{"not": "a notification"']));
    expect(queue.snapshot()).toHaveLength(0);
    expect((await sql<{ n: string }>(db.url, 'select count(*) as n from webhook_delivery'))[0]!.n).toBe(before);
  }, 60_000);

  it("a disabled channel's queue is not polled; enabled again, what waited there is stored", async () => {
    await sql(db.url, `update channel set enabled = false where id = $1`, [CHANNEL]);
    await pollers.refresh();
    expect(pollers.queueUrls).toEqual([]);
    await sql(db.url, `update channel set enabled = true where id = $1`, [CHANNEL]);
    const order = await stockedAmazonOrder(orm, location, '252');
    amazon.addOrders([order]);
    const id = randomUUID();
    const message = queue.send(orderChangeBody(id, amazon.sellerId, order.orderId));
    await new Promise((r) => setTimeout(r, 300));
    expect(queue.snapshot().map((m) => m.messageId)).toEqual([message.messageId]);
    await pollers.refresh();
    await until(
      'it is stored and deleted',
      async () => (await deliveries([id])).length === 1 && queue.snapshot().length === 0,
    );
  });

  it('stop() ends the long poll promptly and leaves later messages untouched on the queue', async () => {
    const started = Date.now();
    await pollers.stop();
    expect(Date.now() - started).toBeLessThan(3_000);
    // The aborted long poll's connection closes a moment later on the queue's side (a message
    // handed to it in that moment would only come back after its visibility timeout).
    await new Promise((r) => setTimeout(r, 200));
    const message = queue.send(orderChangeBody(randomUUID(), amazon.sellerId, '249-1111111-1111111'));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(queue.snapshot()).toEqual([expect.objectContaining({ messageId: message.messageId, receiveCount: 0 })]);
  });
});
