import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue, QueueEvents } from 'bullmq';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import type { QueuePayloads } from '../../src/jobs/queues.js';
import { seeded } from '../support/commerce.js';
import { sql } from '../support/database.js';
import {
  connectSimChannel,
  countOf,
  inboxSettled,
  startShopifyE2E,
  stockSkus,
  type ShopifyE2E,
} from '../support/shopify-e2e.js';

/**
 * R10 through the real pieces: the simulator announces every order it takes to the hub's inbox,
 * but its sender silently drops 5 % of the deliveries (seeded). The hub's webhooks leave those
 * orders missing; one reconciliation pass (a `channel-sync` job in mode `reconcile`, as the
 * channel's scheduler enqueues it, run by the hub's own worker against the simulator's Admin
 * API) brings every one of them in, and nothing else changes.
 */
const ORDERS = 1_000;
const CHANNEL = 'recon';
const SKUS = Array.from({ length: 20 }, (_, i) => `RECON-${String(i).padStart(2, '0')}`);

let e: ShopifyE2E;
let queue: Queue<QueuePayloads['channel-sync'], unknown, string>;
let events: QueueEvents;

beforeAll(async () => {
  // A Shopify Plus store's bucket (20,000 points, 1,000/s): a pass over 1,000 orders costs ~25,000.
  e = await startShopifyE2E(
    {
      seed: 7,
      bucketSize: 20_000,
      restoreRate: 1_000,
      webhooks: { dropRate: 0.05, retryBaseMs: 200 },
    },
    // The channel's own schedules run once at connect (nothing to find yet), then not again
    // during the test: the one pass below is the only pull.
    { CHANNEL_PULL_EVERY_MS: '86400000', CHANNEL_RECONCILE_EVERY_MS: '86400000' },
  );
  await stockSkus(e, SKUS, [200, 100]);
  await connectSimChannel(e, CHANNEL);
  e.sim.subscribeWebhooks(`${e.t.base}/webhooks/${CHANNEL}`);
  const connection = { url: process.env.TEST_REDIS_URL };
  queue = new Queue('channel-sync', { connection, prefix: e.t.queuePrefix });
  events = new QueueEvents('channel-sync', { connection, prefix: e.t.queuePrefix });
  await events.waitUntilReady();
  // The schedules' first pull and reconcile run at once on an empty store; let them finish.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const counts = await queue.getJobCounts('completed', 'failed', 'active', 'waiting');
    if ((counts.completed ?? 0) + (counts.failed ?? 0) >= 2 && !counts.active && !counts.waiting) break;
    if (Date.now() > deadline) throw new Error(`scheduled sync jobs did not finish: ${JSON.stringify(counts)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
});
afterAll(async () => {
  await events?.close();
  await queue?.close();
  await e?.stop();
});

describe('R10: reconciliation finds the orders whose webhooks were dropped', () => {
  it('recovers 100 % of the dropped orders in one pass', async () => {
    const random = seeded(10);
    const started = Date.now();
    for (let i = 0; i < ORDERS; i++) {
      e.sim.createOrder({
        lines: Array.from({ length: 1 + Math.floor(random() * 2) }, (_, j) => ({
          sku: SKUS[(i + j * 7) % SKUS.length]!,
          quantity: 1 + Math.floor(random() * 2),
          price: '15.00',
        })),
      });
      // 50 orders at a time in flight, as a busy store's webhooks arrive.
      if (i % 50 === 49) await e.sim.webhooks.drain();
    }
    await e.sim.webhooks.drain();
    const dropped = e.sim.webhooks.dropped.length;
    const attempts = e.sim.webhooks.deliveries;
    const acked = attempts.filter((d) => d.status !== null && d.status >= 200 && d.status < 300).length;
    await inboxSettled(e.t.db.url, 120_000);
    const countOrders = () => countOf(e.t.db.url, `select count(*) as n from "order" where channel_id = $1`, [CHANNEL]);
    const afterWebhooks = await countOrders();
    const failed = await countOf(e.t.db.url, `select count(*) as n from webhook_delivery where status = 'failed'`);

    // One reconciliation pass, run by the hub's channel-sync worker.
    const t0 = Date.now();
    const job = await queue.add('reconcile', { channelId: CHANNEL, mode: 'reconcile' }, { jobId: 'reconcile-once' });
    const result = (await job.waitUntilFinished(events, 180_000)) as unknown;
    const passMs = Date.now() - t0;
    const afterPass = await countOrders();
    const simCalls = e.sim.calls.filter((c) => c.op.includes('orders'));
    const throttled = simCalls.filter((c) => c.throttled).length;

    // Every simulator order is in the hub, once, at its version.
    const held = await sql<{ external_id: string; external_updated_at: Date }>(
      e.t.db.url,
      `select external_id, external_updated_at from "order" where channel_id = $1`,
      [CHANNEL],
    );
    const missing = [...e.sim.state.orders.keys()].filter((id) => !held.some((h) => h.external_id === id));
    const recovered = e.sim.webhooks.dropped.length - missing.length;
    process.stdout.write(
      `R10: ${ORDERS} orders, ${acked} deliveries acked, ${dropped} dropped (${((dropped / ORDERS) * 100).toFixed(1)} %), ` +
        `${attempts.length} attempts, ${failed} failed; after webhooks ${afterWebhooks} orders (took ${Date.now() - started - passMs} ms); ` +
        `one reconcile pass in ${passMs} ms (${simCalls.length} order reads, ${throttled} throttled, max cost ${Math.max(...simCalls.map((c) => c.actualCost ?? 0))}; ${JSON.stringify(result)}) → ` +
        `${afterPass} orders, ${recovered}/${dropped} dropped recovered, ${missing.length} missing\n`,
    );
    expect(dropped).toBeGreaterThan(ORDERS * 0.02);
    expect(failed).toBe(0);
    expect(afterWebhooks).toBe(ORDERS - dropped);
    expect(missing).toEqual([]);
    expect(afterPass).toBe(ORDERS);
    // Pages sized to the platform: no query over Shopify's 1,000-point cap, none throttled.
    expect(throttled).toBe(0);
    expect(Math.max(...simCalls.map((c) => c.actualCost ?? 0))).toBeLessThanOrEqual(1_000);
    expect(new Set(held.map((h) => h.external_id)).size).toBe(ORDERS);
    expect(await checkInvariants(e.orm.em.fork())).toEqual([]);
  }, 400_000);
});
