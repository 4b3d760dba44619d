import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { BackfillRig, orderLines, progressLine } from '../support/channel-backfill.js';
import { killChildHubs, type ChildHub } from '../support/child-hub.js';
import { seeded } from '../support/commerce.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { countOf, inboxSettled } from '../support/shopify-e2e.js';

/**
 * RELIABILITY R11: SIGTERM a loaded channel worker. A backfill of [300] orders from the Shopify
 * simulator (`channel-sync` in pages of 20) runs while [100] new orders arrive as signed
 * webhooks (`webhooks` jobs); the only worker gets SIGTERM mid-way. Its readiness turns false
 * first, the jobs in hand finish (a pull stops at its page and hands the rest back), it exits 0
 * within 25 s, and no job stalls; the next worker finishes the work and every order is there
 * exactly once. Sizes: R11_ORDERS, R11_WEBHOOK_ORDERS.
 */
const ORDERS = Number(process.env.R11_ORDERS ?? 300);
const WEBHOOK_ORDERS = Number(process.env.R11_WEBHOOK_ORDERS ?? 100);
/** Orders a pull page: small, so the backfill is still running (many pages) when the SIGTERM comes. */
const PAGE_SIZE = 4;
const LOCK_MS = 2_000;
/** R11's budget for the jobs in hand; an orchestrator sends SIGKILL at 30 s. */
const SHUTDOWN_BUDGET_MS = 25_000;
const SIGKILL_AFTER_MS = 30_000;
/** Budgets grow with the size (a loaded 2-core machine ingests as few as 10 orders/s). */
const BACKFILL_MS = Math.max(60_000, (ORDERS + WEBHOOK_ORDERS) * 100);
const TEST_MS = BACKFILL_MS + 60_000;
const SKUS = Array.from({ length: 20 }, (_, i) => `R11-${String(i).padStart(2, '0')}`);

let db: TestDatabase;
let orm: Orm;
let rig: BackfillRig;

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 4 });
  rig = new BackfillRig({
    dbUrl: db.url,
    orm,
    redisUrl: process.env.TEST_REDIS_URL!,
    pageSize: PAGE_SIZE,
    lockMs: LOCK_MS,
    // No periodic pull during the test: the interrupted pull itself must carry the backfill on.
    env: { CHANNEL_PULL_EVERY_MS: '3600000' },
  });
  await rig.stockCatalogue(SKUS, 100_000);
  await rig.startApi();
}, 60_000);

afterAll(async () => {
  await killChildHubs();
  await rig?.close();
  await orm?.close(true);
  await db?.drop();
}, 30_000);

/**
 * Polls the worker's /readyz from SIGTERM until it exits: what it answered, in order, as
 * `200`, `503 accepting=false` (shutting down), `503` (another check failed) or `closed`.
 */
async function watchReadiness(worker: ChildHub & { base: string }): Promise<string[]> {
  const seen: string[] = [];
  let exited = false;
  void worker.exited.then(() => (exited = true));
  while (!exited) {
    const answer = await fetch(`${worker.base}/readyz`, { signal: AbortSignal.timeout(1_000) }).then(
      async (r) => {
        if (r.status === 200) return '200';
        const body = (await r.json()) as { checks?: { accepting?: boolean } };
        return body.checks?.accepting === false ? '503 accepting=false' : String(r.status);
      },
      () => 'closed',
    );
    if (seen.at(-1) !== answer) seen.push(answer);
    await new Promise((r) => setTimeout(r, 50));
  }
  return seen;
}

/** How many of these platform orders the channel holds. */
async function ordersOf(channelId: string, externalIds: string[]): Promise<number> {
  return countOf(db.url, 'select count(*) as n from "order" where channel_id = $1 and external_id = any($2)', [
    channelId,
    externalIds,
  ]);
}

describe('graceful shutdown of a loaded channel worker (R11)', () => {
  it(
    `SIGTERM during a backfill of ${ORDERS} orders and ${WEBHOOK_ORDERS} webhooks: readiness off first, jobs finished in 25 s, 0 stalled, each order once`,
    async () => {
      const started = Date.now();
      const sim = await rig.simulatorWithOrders(ORDERS, 11, SKUS);
      const channelId = await rig.connect('R11 Store', sim);
      sim.subscribeWebhooks(`${rig.api.base}/webhooks/${channelId}`, ['orders/create']);
      const stalled = await rig.stalledCounter();
      // A delay before the listener closes, so readiness is seen false while the process is up.
      const worker = await rig.startWorker({ SHUTDOWN_DELAY_MS: '1000' });
      await rig.requestSync(channelId);

      // Mid-way: a quarter of the backfill in, then a burst of new orders as webhooks.
      while ((await rig.orderCount(channelId)) < ORDERS / 4) await new Promise((r) => setTimeout(r, 100));
      const history = [...sim.state.orders.keys()];
      const random = seeded(12);
      for (let i = 0; i < WEBHOOK_ORDERS; i++)
        sim.createOrder({ lines: orderLines(SKUS, i, random), email: `late${i}@example.com` });
      // Loaded: a pull and webhook jobs in hand at once (or as close as the machine allows).
      let active: Record<string, number> = {};
      for (const until = Date.now() + 10_000; Date.now() < until;) {
        active = await rig.jobCounts('active');
        if (active['channel-sync']! > 0 && active.webhooks! > 0) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      const atSignal = await rig.orderCount(channelId);
      const historyAtSignal = await ordersOf(channelId, history);

      const signalled = Date.now();
      worker.kill('SIGTERM');
      // As an orchestrator would: SIGKILL if it is still up at 30 s.
      const sigkill = setTimeout(() => worker.kill('SIGKILL'), SIGKILL_AFTER_MS);
      const readiness = await watchReadiness(worker);
      const exitCode = await worker.exited;
      clearTimeout(sigkill);
      const shutdownMs = Date.now() - signalled;
      const leftActive = await rig.jobCounts('active');
      const historyAtExit = await ordersOf(channelId, history);
      const log = worker.output();
      progressLine(
        `R11: SIGTERM at ${atSignal}/${ORDERS + WEBHOOK_ORDERS} orders with jobs in hand ${JSON.stringify(active)}; ` +
          `/readyz ${readiness.join(' -> ')}; exit ${exitCode} after ${shutdownMs} ms; ` +
          `${await rig.orderCount(channelId)} orders in (of the backfill ${historyAtSignal} at SIGTERM, ${historyAtExit} at exit); active after exit ${JSON.stringify(leftActive)}; ` +
          `waiting ${JSON.stringify(await rig.jobCounts('wait'))}, delayed ${JSON.stringify(await rig.jobCounts('delayed'))}`,
      );

      // The next worker finishes the work; its stalled checker would take back any job the first
      // one left active without a lock.
      await rig.startWorker();
      await rig.waitForBackfill(channelId, ORDERS + WEBHOOK_ORDERS, BACKFILL_MS);
      await inboxSettled(db.url, 30_000);
      await new Promise((r) => setTimeout(r, 2 * LOCK_MS + 500)); // one more stalled-check period
      const failed = await rig.failedJobs();
      progressLine(
        `R11: all in ${((Date.now() - started) / 1000).toFixed(1)} s; stalled ${JSON.stringify(stalled.counts)}; failed jobs ${failed.length}`,
      );
      await stalled.close();

      expect(active['channel-sync']).toBeGreaterThan(0);
      expect(atSignal).toBeLessThan(ORDERS + WEBHOOK_ORDERS);
      // Readiness first: 503 (not accepting) while the process still answers, then the listener goes.
      expect(readiness.filter((s) => s !== '200')[0]).toBe('503 accepting=false');
      expect(log.indexOf('shutting down: readiness is now false')).toBeGreaterThan(-1);
      expect(log).not.toContain('jobs still running at the shutdown deadline');
      // The pull in hand stopped at its page (a few pages at most were in flight) instead of
      // carrying the whole backfill on past the shutdown deadline.
      expect(historyAtExit - historyAtSignal).toBeLessThanOrEqual(3 * PAGE_SIZE);
      expect(exitCode).toBe(0);
      expect(shutdownMs).toBeLessThan(SHUTDOWN_BUDGET_MS);
      expect(Object.values(leftActive).every((n) => n === 0)).toBe(true);
      expect(stalled.total()).toBe(0);
      await rig.assertExactlyOnce(channelId, sim);
      expect(failed).toEqual([]);
    },
    TEST_MS,
  );
});
