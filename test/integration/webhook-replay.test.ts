import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import type { Order } from '../../src/domain/orders/order.entity.js';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import { claimDelivery } from '../../src/domain/webhooks/delivery-claims.js';
import { pruneWebhookDeliveries } from '../../src/domain/webhooks/delivery-maintenance.js';
import { recordDelivery } from '../../src/domain/webhooks/record-delivery.js';
import type { QueuePayloads } from '../../src/jobs/queues.js';
import { enqueueWebhookDelivery } from '../../src/jobs/webhook-queue.js';
import { WebhookSweeper } from '../../src/jobs/webhook-sweeper.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { orderDeps } from '../support/commerce.js';
import { contextFor, quietLogger } from '../support/context.js';
import { sql } from '../support/database.js';
import { codesOf, gql, startTestHub, type TestHub } from '../support/hub.js';
import { seedCatalog } from '../support/order-fixtures.js';
import { webhooksQueue } from '../support/webhook-inbox.js';

/**
 * Processing by the hub's own worker (role all): deliveries are stored as the inbox stores them
 * and enqueued on the hub's queue. Topics handled by existing code are checked end to end;
 * order topics wait for the ingestion work (their mapper is still a placeholder), which makes
 * them the failing deliveries that replay is tested with.
 */
let t: TestHub;
let orm: Orm;
let queue: Queue<QueuePayloads['webhooks'], unknown, string>;
let seq = 0;

async function deliver(channelId: string, topic: string, payload: unknown): Promise<string> {
  const stored = await recordDelivery(orm.em.fork(), {
    channelId,
    deliveryId: `ev-${++seq}-${Math.random().toString(36).slice(2)}`,
    topic,
    triggeredAt: new Date(),
    body: JSON.stringify(payload),
  });
  if (stored.duplicate) throw new Error('unexpected duplicate');
  await enqueueWebhookDelivery(queue, stored.id);
  return stored.id;
}

interface Row {
  status: string;
  attempts: number;
  outcome: string | null;
  last_error: string | null;
  body: string;
}

async function settled(id: string, timeoutMs = 15_000): Promise<Row> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await sql<Row & Record<string, unknown>>(t.db.url, 'select * from webhook_delivery where id = $1', [
      id,
    ]);
    if (row && ['processed', 'failed', 'ignored'].includes(row.status)) return row;
    if (Date.now() > deadline) throw new Error(`delivery ${id} still ${row?.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function createKey(role: string, channelId: string | null): Promise<string> {
  const res = await gql<{ createApiKey: { key: string } }>(
    t.base,
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }',
    { key: t.adminKey, variables: { input: { name: `${role} ${channelId}`, role, channelId } } },
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.createApiKey.key;
}

function place(channelId: string, email: string): Promise<Order> {
  return placeOrder(contextFor(orm.em), orderDeps, {
    channelId,
    externalId: channelId === 'direct' ? null : `ext-${Math.random().toString(36).slice(2)}`,
    currency: 'USD',
    customer: { email, name: `Name of ${email}` },
    shippingAddress: { line1: '9 Other Rd', city: 'Austin', countryCode: 'US' },
    lines: [{ sku: 'A1', quantity: 1 }],
  });
}

beforeAll(async () => {
  t = await startTestHub('all');
  orm = await createOrm({ kind: 'postgres', url: t.db.url, poolMax: 4 });
  await seedCatalog(contextFor(orm.em), t.db.url);
  await sql(
    t.db.url,
    `insert into channel (id, kind, name) values ('shop-c', 'shopify', 'Shop C'), ('shop-u', 'shopify', 'Shop U')`,
  );
  queue = webhooksQueue(t.queuePrefix);
});
afterAll(async () => {
  await queue.close();
  await orm.close(true);
  await t.stop();
});

describe('webhook processing by topic', () => {
  it('app/uninstalled disables the channel with the reason in its health', async () => {
    const id = await deliver('shop-u', 'app/uninstalled', { id: 1, domain: 'u.myshopify.com' });
    const row = await settled(id);
    expect(row).toMatchObject({ status: 'processed', attempts: 1, last_error: null });
    expect(row.outcome).toContain('disabled');
    const [channel] = await sql(t.db.url, `select enabled, last_error, last_error_at from channel where id = 'shop-u'`);
    expect(channel).toMatchObject({ enabled: false, last_error: 'app uninstalled' });
    expect(channel!.last_error_at).not.toBeNull();
  });

  it('customers/data_request records the request in the audit log (no personal data there)', async () => {
    const order = await place('shop-c', 'asker@example.com');
    const id = await deliver('shop-c', 'customers/data_request', {
      shop_domain: 'c.myshopify.com',
      customer: { id: 5, email: 'ASKER@example.com' },
      data_request: { id: 9 },
    });
    const row = await settled(id);
    expect(row.status).toBe('processed');
    expect(row.outcome).toContain(order.customer!.id);
    const audit = await sql(
      t.db.url,
      `select subject_id, data::text as data from audit_log where action = 'customer.export_requested'`,
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]!.subject_id).toBe(order.customer!.id);
    expect(String(audit[0]!.data)).not.toContain('asker@');
  });

  it('customers/redact erases a customer of this channel only, and the inbox keeps no copy of their email', async () => {
    const mine = await place('shop-c', 'leaver@example.com');
    const both = await place('shop-c', 'both@example.com');
    await place('direct', 'both@example.com');
    // A finished delivery naming the customer: its stored body must go too.
    const older = await recordDelivery(orm.em.fork(), {
      channelId: 'shop-c',
      deliveryId: 'old-order-delivery',
      topic: 'orders/updated',
      triggeredAt: null,
      body: JSON.stringify({ email: 'leaver@example.com' }),
    });
    if (older.duplicate) throw new Error('unexpected duplicate');
    await sql(t.db.url, `update webhook_delivery set status = 'processed' where id = $1`, [older.id]);

    const id = await deliver('shop-c', 'customers/redact', { customer: { id: 1, email: 'leaver@example.com' } });
    const row = await settled(id);
    expect(row).toMatchObject({ status: 'processed', outcome: `customer ${mine.customer!.id} erased` });
    const [customer] = await sql(t.db.url, 'select email, erased_at from customer where id = $1', [mine.customer!.id]);
    expect(customer!.email).toBeNull();
    expect(customer!.erased_at).not.toBeNull();
    const hits = await sql(t.db.url, `select id from webhook_delivery where body ilike '%leaver@example.com%'`);
    expect(hits).toEqual([]);

    // Also ordered elsewhere: not this platform's to erase; fails at once, visibly, for an operator.
    const refused = await settled(
      await deliver('shop-c', 'customers/redact', { customer: { email: 'both@example.com' } }),
    );
    expect(refused).toMatchObject({ status: 'failed', attempts: 1 });
    expect(refused.last_error).toContain('other channels');
    const [kept] = await sql(t.db.url, 'select email from customer where id = $1', [both.customer!.id]);
    expect(kept!.email).toBe('both@example.com');

    const unknown = await settled(
      await deliver('shop-c', 'customers/redact', { customer: { email: 'nobody@example.com' } }),
    );
    expect(unknown).toMatchObject({ status: 'processed', outcome: 'no such customer: nothing to erase' });
  });

  it('shop/redact erases every customer who ordered only on the channel', async () => {
    await sql(t.db.url, `insert into channel (id, kind, name) values ('shop-r', 'shopify', 'Shop R')`);
    const a = await place('shop-r', 'r1@example.com');
    const b = await place('shop-r', 'r2@example.com');
    const row = await settled(await deliver('shop-r', 'shop/redact', { shop_id: 7, shop_domain: 'r.myshopify.com' }));
    expect(row).toMatchObject({ status: 'processed', outcome: '2 customers erased' });
    const left = await sql(t.db.url, 'select id from customer where id = any($1) and email is not null', [
      [a.customer!.id, b.customer!.id],
    ]);
    expect(left).toEqual([]);
  });
});

describe('failed deliveries: visible, listed and replayable', () => {
  it('a delivery that cannot be processed ends FAILED with its error; replay runs it again', async () => {
    const id = await deliver('shop-c', 'orders/create', { not: 'an order' });
    const failed = await settled(id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.last_error).toMatch(/does not map/);

    const list = await gql<{ webhookDeliveries: { totalCount: number; edges: { node: Record<string, unknown> }[] } }>(
      t.base,
      `{ webhookDeliveries(channelId: "shop-c", status: FAILED, first: 10) {
           totalCount edges { node { id topic status attempts lastError outcome receivedAt deliveryId } } } }`,
      { key: t.adminKey },
    );
    expect(list.body.errors).toBeUndefined();
    const node = list.body.data!.webhookDeliveries.edges.find((e) => e.node.id === id)?.node;
    expect(node).toMatchObject({ topic: 'orders/create', status: 'FAILED', attempts: 1 });

    // An integration key of another channel sees nothing of shop-c.
    const other = await createKey('INTEGRATION', 'shop-a');
    const denied = await gql(t.base, '{ webhookDeliveries(channelId: "shop-c", first: 10) { totalCount } }', {
      key: other,
    });
    expect(codesOf(denied)).toEqual(['FORBIDDEN']);
    const own = await gql<{ webhookDeliveries: { totalCount: number } }>(
      t.base,
      '{ webhookDeliveries(first: 10) { totalCount } }',
      { key: other },
    );
    expect(own.body.data!.webhookDeliveries.totalCount).toBe(0);
    const scopedReplay = await gql(t.base, 'mutation($id: ID!) { replayWebhookDelivery(id: $id) { id } }', {
      key: other,
      variables: { id },
    });
    expect(codesOf(scopedReplay)).toEqual(['FORBIDDEN']);

    const replay = await gql<{ replayWebhookDelivery: { id: string; status: string } }>(
      t.base,
      'mutation($id: ID!) { replayWebhookDelivery(id: $id) { id status } }',
      { key: t.adminKey, variables: { id } },
    );
    expect(replay.body.errors).toBeUndefined();
    expect(replay.body.data!.replayWebhookDelivery.id).toBe(id);
    // Replayed through the same job id: the job that failed before runs again.
    const deadline = Date.now() + 15_000;
    let row = await settled(id);
    while (row.attempts < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      row = await settled(id);
    }
    expect(row).toMatchObject({ status: 'failed', attempts: 2 });

    const missing = await gql(
      t.base,
      'mutation { replayWebhookDelivery(id: "00000000-0000-4000-8000-000000000000") { id } }',
      {
        key: t.adminKey,
      },
    );
    expect(codesOf(missing)).toEqual(['NOT_FOUND']);
  });
});

describe('wiring in the hub', () => {
  it('serves the inbox route and schedules the pruning', async () => {
    const res = await fetch(`${t.base}/webhooks/no-such-channel`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    const schedulerQueue = new Queue('webhook-prune', {
      connection: { url: process.env.TEST_REDIS_URL },
      prefix: t.queuePrefix,
    });
    try {
      const schedulers = await schedulerQueue.getJobSchedulers();
      expect(schedulers.map((s) => [s.key, s.every])).toEqual([['webhook-prune', 3_600_000]]);
    } finally {
      await schedulerQueue.close();
    }
  });
});

describe('claims and pruning', () => {
  it('of 20 concurrent claims of one delivery exactly one wins; the rest see it busy', async () => {
    const stored = await recordDelivery(orm.em.fork(), {
      channelId: 'shop-c',
      deliveryId: 'claim-race',
      topic: 'orders/updated',
      triggeredAt: null,
      body: '{}',
    });
    if (stored.duplicate) throw new Error('unexpected duplicate');
    const results = await Promise.all(Array.from({ length: 20 }, () => claimDelivery(orm.em.fork(), stored.id, 60)));
    expect(results.filter((r) => 'claimed' in r)).toHaveLength(1);
    expect(results.filter((r) => 'busy' in r)).toHaveLength(19);
    // With the lease run out (a dead worker), it can be claimed again.
    await sql(t.db.url, `update webhook_delivery set claimed_at = now() - interval '2 minutes' where id = $1`, [
      stored.id,
    ]);
    expect('claimed' in (await claimDelivery(orm.em.fork(), stored.id, 60))).toBe(true);

    // The holder "dies" (its lease runs out): the sweeper hands the delivery to the queue again,
    // reviving the job that already ran under its id, and a worker finishes it.
    const job = await queue.add('delivery', { deliveryId: stored.id }, { jobId: stored.id });
    // It finds the delivery held and ends as a no-op.
    for (let n = 0; n < 200 && (await job.getState()) !== 'completed'; n++) await new Promise((r) => setTimeout(r, 50));
    expect(await job.getState()).toBe('completed');
    await sql(t.db.url, `update webhook_delivery set claimed_at = now() - interval '2 minutes' where id = $1`, [
      stored.id,
    ]);
    const sweeper = new WebhookSweeper(orm, {
      enqueue: (id) => enqueueWebhookDelivery(queue, id, true),
      logger: quietLogger,
      leaseSeconds: 60,
    });
    expect(await sweeper.sweep()).toBeGreaterThanOrEqual(1);
    const row = await settled(stored.id);
    expect(row).toMatchObject({ status: 'failed', attempts: 3 });
    await sweeper.stop();
  });

  it('pruning deletes processed and ignored deliveries past the retention, never failed or recent ones', async () => {
    await sql(
      t.db.url,
      `update webhook_delivery set received_at = now() - interval '40 days' where status in ('processed', 'failed')`,
    );
    const before = await sql<{ status: string; n: number }>(
      t.db.url,
      `select status, count(*)::int as n from webhook_delivery where received_at < now() - interval '30 days' group by status`,
    );
    const oldProcessed = before.find((r) => r.status === 'processed')?.n ?? 0;
    const oldFailed = before.find((r) => r.status === 'failed')?.n ?? 0;
    expect(oldProcessed).toBeGreaterThan(0);
    expect(oldFailed).toBeGreaterThan(0);
    const pruned = await pruneWebhookDeliveries(orm.em.fork(), 30, 2);
    expect(pruned).toBe(oldProcessed);
    const after = await sql(
      t.db.url,
      `select status from webhook_delivery where received_at < now() - interval '30 days'`,
    );
    expect(after.map((r) => r.status)).toEqual(after.map(() => 'failed'));
    expect(after).toHaveLength(oldFailed);
  });
});
