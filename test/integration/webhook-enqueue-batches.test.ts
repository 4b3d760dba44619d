import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Queue } from 'bullmq';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookEnqueueBatcher } from '../../src/jobs/webhook-enqueue-batcher.js';
import { enqueueWebhookDelivery } from '../../src/jobs/webhook-queue.js';
import { WebhookSweeper } from '../../src/jobs/webhook-sweeper.js';
import type { QueuePayloads } from '../../src/jobs/queues.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { startLocalRedis, type LocalRedis } from '../../src/platform/local-redis.js';
import { createRedis, waitForRedis } from '../../src/platform/redis.js';
import { quietLogger } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import {
  newQueuePrefix,
  post,
  secretsFrom,
  serveInbox,
  signedDelivery,
  webhooksQueue,
} from '../support/webhook-inbox.js';

/**
 * The inbox hands stored deliveries to the queue in micro-batches (webhook-enqueue-batcher.ts):
 * every stored id still becomes exactly one job under its row id, and when Redis is away the
 * rows wait `pending` for the sweeper, as with one add per delivery.
 */
const SECRET = 'shop-b-secret';
const ORDER = (n: number) => ({ id: 5_000_000 + n, email: 'batch@example.com' });

let db: TestDatabase;
let orm: Orm;
let queue: Queue<QueuePayloads['webhooks'], unknown, string>;

const pendingIds = async (ids: string[]) =>
  (
    await sql<{ id: string }>(db.url, `select id from webhook_delivery where id = any($1) and status = 'pending'`, [
      ids,
    ])
  ).length;

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 10 });
  await sql(db.url, `insert into channel (id, kind, name) values ('shop-b', 'shopify', 'Shop B')`);
  queue = webhooksQueue(newQueuePrefix());
});
afterAll(async () => {
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await orm.close(true);
  await db.drop();
});

describe('enqueueing stored deliveries in micro-batches', () => {
  it('enqueues every stored id under its row id: 300 deliveries from 30 senders, 300 jobs, far fewer Redis calls', async () => {
    const batcher = new WebhookEnqueueBatcher(queue, { maxBatch: 50, maxWaitMs: 5 });
    const addBulk = jest.spyOn(queue, 'addBulk');
    const inbox = await serveInbox(orm, {
      secretFor: secretsFrom({ 'shop-b': SECRET }),
      enqueue: (id) => batcher.enqueue(id),
    });
    try {
      const ids: string[] = [];
      await Promise.all(
        Array.from({ length: 30 }, async (_, sender) => {
          for (let i = 0; i < 10; i++) {
            const res = await post(inbox.base, 'shop-b', signedDelivery(SECRET, ORDER(sender * 10 + i)));
            expect(res.body.status).toBe('accepted');
            ids.push(String(res.body.id));
          }
        }),
      );
      await batcher.drain();
      const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
      expect(jobs.map((j) => j?.data)).toEqual(ids.map((deliveryId) => ({ deliveryId })));
      expect(await queue.count()).toBe(300);
      process.stdout.write(`webhook enqueue batches: 300 deliveries → ${addBulk.mock.calls.length} addBulk calls\n`);
      expect(addBulk.mock.calls.length).toBeLessThan(300);
    } finally {
      addBulk.mockRestore();
      await inbox.close();
    }
  });

  it('makes one job of an id enqueued twice (a batch resent, or the sweeper meanwhile)', async () => {
    const batcher = new WebhookEnqueueBatcher(queue, { maxBatch: 2, maxWaitMs: 1 });
    const before = await queue.count();
    await Promise.all([batcher.enqueue('twice-1'), batcher.enqueue('twice-1')]);
    await batcher.enqueue('twice-1');
    await enqueueWebhookDelivery(queue, 'twice-1', true);
    expect(await queue.count()).toBe(before + 1);
    expect((await queue.getJob('twice-1'))?.data).toEqual({ deliveryId: 'twice-1' });
  });
});

describe('when Redis is away', () => {
  let dir: string;
  let gone: LocalRedis;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-redis-gone-'));
    gone = await startLocalRedis(dir, quietLogger);
  });
  afterAll(async () => {
    await gone.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 200 to every delivery, keeps each row pending, and the sweeper enqueues every one of them', async () => {
    // The hub's producer connection (fails fast, no offline queue), to a Redis that then stops.
    const producer = createRedis(gone.url, 'producer');
    await waitForRedis(producer, gone.url, 5_000);
    const goneQueue = new Queue<QueuePayloads['webhooks'], unknown, string>('webhooks', {
      connection: producer,
      prefix: newQueuePrefix(),
    });
    // As in hub.ts: connection errors are expected here, not printed.
    goneQueue.on('error', () => undefined);
    await goneQueue.waitUntilReady();
    await gone.stop();
    const batcher = new WebhookEnqueueBatcher(goneQueue, { maxBatch: 8, maxWaitMs: 5 });
    const failures: string[] = [];
    const inbox = await serveInbox(orm, {
      secretFor: secretsFrom({ 'shop-b': SECRET }),
      enqueue: (id) => batcher.enqueue(id).catch((err: Error) => void failures.push(`${id}: ${err.message}`)),
    });
    try {
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => post(inbox.base, 'shop-b', signedDelivery(SECRET, ORDER(1000 + i)))),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
      const ids = answers.map((a) => String(a.body.id));
      await batcher.drain();
      expect(failures).toHaveLength(40);
      expect(await pendingIds(ids)).toBe(40);
      const sweeper = new WebhookSweeper(orm, {
        enqueue: (deliveryId) => enqueueWebhookDelivery(queue, deliveryId, true),
        logger: quietLogger,
        olderThanSeconds: 0,
        limit: 1_000,
      });
      await sweeper.sweep();
      await sweeper.stop();
      const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
      expect(jobs.map((j) => j?.data)).toEqual(ids.map((deliveryId) => ({ deliveryId })));
    } finally {
      await inbox.close();
      await goneQueue.close().catch(() => undefined);
      producer.disconnect();
    }
  });
});
