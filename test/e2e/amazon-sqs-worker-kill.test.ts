import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { AmazonSimulator } from '../../src/connectors/amazon/simulator/amazon-simulator.js';
import type { SimSqsQueue } from '../../src/connectors/amazon/simulator/sim-sqs-queue.js';
import { SqsSimulator } from '../../src/connectors/amazon/simulator/sqs-simulator.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import {
  connectAmazonChannel,
  hubOrders,
  orderChangeBody,
  stockedAmazonOrder,
  warehouse,
} from '../support/amazon-notifications.js';
import { killChildHubs, startChildHub, type ChildHub } from '../support/child-hub.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

/**
 * A worker killed between receiving an ORDER_CHANGE from SQS and deleting it loses nothing: the
 * built hub runs as `worker` children against the SQS stand-in and the SP-API simulator; each is
 * SIGKILLed while it holds a message it has not deleted (once after storing it, with the delete
 * held unanswered; once as soon as the receive handed it out). After the visibility timeout the
 * message comes back to the next worker, is found stored (or stored now), deleted, and the order
 * is ingested exactly once.
 */

const CHANNEL = 'amazon-kill';
const VISIBILITY_SECONDS = 3;
const encryptionKey = randomBytes(32);

let db: TestDatabase;
let orm: Orm;
let amazon: AmazonSimulator;
let sqs: SqsSimulator;
let queue: SimSqsQueue;
let location: string;
const prefix = `{sqs-kill-${randomBytes(4).toString('hex')}}`;

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 4 });
  location = await warehouse(orm);
  amazon = new AmazonSimulator();
  await amazon.start();
  sqs = new SqsSimulator({ accessKeyId: 'AKIAKILLTEST' });
  await sqs.start();
  queue = sqs.createQueue('switchyard-orders', { visibilityTimeoutSeconds: VISIBILITY_SECONDS });
  await connectAmazonChannel(db.url, encryptionKey, CHANNEL, amazon, queue.url);
}, 60_000);

afterAll(async () => {
  await killChildHubs();
  await sqs?.stop();
  await amazon?.stop();
  await orm?.close(true);
  await db?.drop();
}, 30_000);

async function startWorker(): Promise<ChildHub & { base: string }> {
  const worker = await startChildHub(['worker'], {
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_URL: process.env.TEST_REDIS_URL!,
    QUEUE_PREFIX: prefix,
    SWITCHYARD_ENCRYPTION_KEY: encryptionKey.toString('base64'),
    LOG_LEVEL: 'info',
    DB_POOL_MAX: '4',
    JOB_LOCK_MS: '2000',
    CHANNEL_PULL_EVERY_MS: '3600000',
    CHANNEL_RECONCILE_EVERY_MS: '3600000',
    AMAZON_SQS_ENDPOINT: sqs.url,
    AMAZON_SQS_ACCESS_KEY_ID: 'AKIAKILLTEST',
    AMAZON_SQS_SECRET_ACCESS_KEY: 'kill-test-secret',
    AMAZON_SQS_WAIT_SECONDS: '1',
    AMAZON_SQS_VISIBILITY_TIMEOUT_SECONDS: String(VISIBILITY_SECONDS),
  });
  await worker.waitFor(/polling an Amazon notification queue/, 60_000);
  return worker;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const rowsOf = (notificationId: string) =>
  sql<{ status: string }>(db.url, 'select status from webhook_delivery where channel_id = $1 and delivery_id = $2', [
    CHANNEL,
    notificationId,
  ]);
const handedOut = (messageId: string) =>
  sqs.calls.filter((c) => c.operation === 'ReceiveMessage' && c.received?.includes(messageId)).length;

describe('a worker killed between SQS receive and delete (SIGKILL)', () => {
  it('loses nothing: each message comes back after its visibility timeout, is stored once and deleted, each order ingested once', async () => {
    const [first, second] = [
      await stockedAmazonOrder(orm, location, '503'),
      await stockedAmazonOrder(orm, location, '504'),
    ];
    amazon.addOrders([first!, second!]);

    // 1. Killed after storing, while its delete is held unanswered (not applied).
    sqs.holdDeletes();
    const stored = randomUUID();
    const worker1 = await startWorker();
    const m1 = queue.send(orderChangeBody(stored, amazon.sellerId, first!.orderId));
    const deletes = () => sqs.calls.filter((c) => c.operation === 'DeleteMessage').length;
    const before = deletes();
    await until('worker 1 tries to delete', () => deletes() > before);
    worker1.kill('SIGKILL');
    expect(await worker1.exited).toBe('SIGKILL');
    expect(await rowsOf(stored)).toHaveLength(1);
    expect(queue.snapshot().map((m) => m.messageId)).toEqual([m1.messageId]);

    // 2. Killed the moment a receive hands the message out (before or while storing it).
    const received = randomUUID();
    const m2 = queue.send(orderChangeBody(received, amazon.sellerId, second!.orderId));
    const worker2 = await startWorker();
    await until('worker 2 receives the second message', () => handedOut(m2.messageId) > 0);
    worker2.kill('SIGKILL');
    expect(await worker2.exited).toBe('SIGKILL');
    // Either way is a kill before the delete: not stored yet, or stored and not deleted.
    const storedAtKill = (await rowsOf(received)).length;
    expect(storedAtKill).toBeLessThanOrEqual(1);
    expect(
      queue
        .snapshot()
        .map((m) => m.messageId)
        .sort(),
    ).toEqual([m1.messageId, m2.messageId].sort());
    sqs.releaseDeletes();

    // 3. The next worker gets both back after their visibility timeout and finishes them.
    const worker3 = await startWorker();
    await until('the queue is empty', () => queue.snapshot().length === 0, 60_000);
    await until('both deliveries are processed', async () => {
      const rows = [...(await rowsOf(stored)), ...(await rowsOf(received))];
      return rows.length === 2 && rows.every((r) => r.status === 'processed' || r.status === 'ignored');
    });
    expect(await rowsOf(stored)).toHaveLength(1);
    expect(await rowsOf(received)).toHaveLength(1);
    expect(queue.deleted.sort()).toEqual([m1.messageId, m2.messageId].sort());
    expect(handedOut(m1.messageId)).toBeGreaterThanOrEqual(2);
    expect(handedOut(m2.messageId)).toBeGreaterThanOrEqual(2);
    const held = await hubOrders(db.url, CHANNEL);
    expect(held.get(first!.orderId)).toMatchObject({ rows: 1, status: 'ALLOCATED' });
    expect(held.get(second!.orderId)).toMatchObject({ rows: 1, status: 'ALLOCATED' });
    process.stdout.write(
      `SQS kill test: 2 SIGKILLs between receive and delete; messages handed out ${handedOut(m1.messageId)} and ${handedOut(m2.messageId)} times; the second was ${storedAtKill ? 'stored' : 'not yet stored'} when killed; 1 inbox row and 1 order each; 0 lost\n`,
    );

    worker3.kill('SIGTERM');
    expect(await worker3.exited).toBe(0);
    expect(await checkInvariants(orm.em.fork())).toEqual([]);
  }, 180_000);
});

describe('a worker stopped with SIGTERM while notifications arrive', () => {
  it('finishes the messages in hand, exits 0, and the next worker takes the rest: every notification stored once, every message deleted', async () => {
    const orders = [];
    for (let i = 0; i < 4; i++) orders.push(await stockedAmazonOrder(orm, location, '505'));
    amazon.addOrders(orders);
    const ids: string[] = [];
    const worker = await startWorker();
    for (let k = 0; k < 10; k++)
      for (const order of orders) {
        const id = randomUUID();
        ids.push(id);
        queue.send(orderChangeBody(id, amazon.sellerId, order.orderId));
      }
    const stored = async () =>
      Number(
        (
          await sql<{ n: string }>(
            db.url,
            'select count(*) as n from webhook_delivery where channel_id = $1 and delivery_id = any($2)',
            [CHANNEL, ids],
          )
        )[0]!.n,
      );
    await until('a few are stored', async () => (await stored()) >= 5);
    const signalled = Date.now();
    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    const stopMs = Date.now() - signalled;
    expect(stopMs).toBeLessThan(25_000);
    expect(worker.output()).not.toContain('SQS notification handling failed');
    const atStop = await stored();

    const next = await startWorker();
    await until('the queue is empty', () => queue.snapshot().length === 0, 60_000);
    await until('all are stored', async () => (await stored()) === ids.length);
    const unsettled = async () => {
      const rows = await sql<{ status: string; last_error: string | null }>(
        db.url,
        'select status, last_error from webhook_delivery where channel_id = $1 and delivery_id = any($2)',
        [CHANNEL, ids],
      );
      return rows.filter((r) => r.status !== 'processed' && r.status !== 'ignored');
    };
    await until('all are settled', async () => (await unsettled()).length === 0).catch(async (error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(await unsettled())}\n${next.output().slice(-3000)}`);
    });
    const held = await hubOrders(db.url, CHANNEL);
    for (const order of orders) expect(held.get(order.orderId)).toMatchObject({ rows: 1, status: 'ALLOCATED' });
    process.stdout.write(
      `SQS SIGTERM test: stopped in ${stopMs} ms with ${atStop} of ${ids.length} stored; the next worker stored the rest; 1 row per notification, 1 order each\n`,
    );
    next.kill('SIGTERM');
    expect(await next.exited).toBe(0);
    expect(await checkInvariants(orm.em.fork())).toEqual([]);
  }, 180_000);
});
