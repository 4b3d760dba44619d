import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { findRedisServer, freePort, redisReady, spawnRedisServer } from '../../src/platform/local-redis.js';
import { BackfillRig, progressLine } from '../support/channel-backfill.js';
import { killChildHubs, type ChildHub } from '../support/child-hub.js';
import { seeded } from '../support/commerce.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

/**
 * RELIABILITY R4/R5: a backfill of [2,000] orders from the Shopify simulator through
 * `channel-sync` jobs in small pages, while (1) a random worker is `kill -9`ed 10 times and
 * restarted, and (2) redis-server itself is SIGKILLed and restarted on its port (AOF everysec).
 * Every order arrives once; nothing is reserved twice; no job is left failed without a reason.
 * Full sizes: CHAOS_ORDERS=10000 CHAOS_KILLS=20.
 */
const ORDERS = Number(process.env.CHAOS_ORDERS ?? 2_000);
const KILLS = Number(process.env.CHAOS_KILLS ?? 10);
/**
 * Orders a pull page. Small, so the backfill is many jobs' worth of pages and spans the kills
 * (each waits 1.5–4 s): with Shopify serving 20 orders a page since the pull asks fewer nested
 * lines, pages of 20 finished 2,000 orders before the tenth kill.
 */
const PAGE_SIZE = 4;
/** Budgets grow with the size (a loaded 2-core machine ingests as few as 5 orders/s under chaos). */
const BACKFILL_MS = Math.max(150_000, ORDERS * 300);
const TEST_MS = BACKFILL_MS + 80_000;
const LOCK_MS = 2_000;
const SKUS = Array.from({ length: 20 }, (_, i) => `CHAOS-${String(i).padStart(2, '0')}`);

/** A redis-server of this test's own, on a fixed port, that the test can SIGKILL and start again. */
class KillableRedis {
  private child: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), 'switchyard-chaos-redis-'));
  constructor(readonly port: number) {}
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    const binary = findRedisServer();
    if (!binary) throw new Error('redis-server not found');
    // The hub's own settings (local-redis.ts): AOF everysec, noeviction.
    this.child = spawnRedisServer(binary, this.port, this.dir);
    await redisReady(this.child, this.port);
  }
  async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
    this.child = undefined;
  }
}

let db: TestDatabase;
let orm: Orm;
let redis: KillableRedis;
let rig: BackfillRig;
let api: ChildHub & { base: string };

beforeAll(async () => {
  redis = new KillableRedis(await freePort());
  await redis.start();
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 4 });
  rig = new BackfillRig({
    dbUrl: db.url,
    orm,
    redisUrl: redis.url,
    pageSize: PAGE_SIZE,
    lockMs: LOCK_MS,
    // The periodic pull is the safety net that re-creates a pull lost with Redis.
    env: { CHANNEL_PULL_EVERY_MS: '4000', REDIS_CONNECT_TIMEOUT_MS: '60000' },
  });
  await rig.stockCatalogue(SKUS, 100_000);
  api = await rig.startApi();
}, 120_000);

afterAll(async () => {
  await killChildHubs();
  await rig?.close();
  await orm?.close(true);
  await db?.drop();
  await redis?.kill('SIGTERM');
  if (redis) rmSync(redis.dir, { recursive: true, force: true });
}, 60_000);

describe('a backfill under chaos (R4, R5)', () => {
  it(
    `kill -9 of a worker ${KILLS} times during a backfill of ${ORDERS} orders: 0 lost, 0 duplicated`,
    async () => {
      const sim = await rig.simulatorWithOrders(ORDERS, 4, SKUS);
      const channelId = await rig.connect('Chaos Kill', sim);
      const stalled = await rig.stalledCounter();
      const workers: ChildHub[] = [await rig.startWorker(), await rig.startWorker()];
      const started = Date.now();
      await rig.requestSync(channelId);
      progressLine(`  R4: ${ORDERS} orders on the simulator, 2 workers up, sync requested`);
      const random = seeded(44);
      let kills = 0;
      const killLog: string[] = [];
      // Kill only while the backfill is still running, so every kill lands on live work. The
      // replacement starts at once (not awaited); the next victim is a worker that is up.
      const ready = new Set<ChildHub>(workers);
      const restart = (index: number) => {
        const worker = rig.spawnWorker();
        workers[index] = worker;
        void worker.waitFor(/workers started/, 120_000).then(
          () => ready.add(worker),
          () => undefined,
        );
      };
      // Spread over the backfill: each kill after a seeded wait of 1.5–4 s AND some progress since
      // the last one (else the kills outpace stall recovery and the backfill only starts after them).
      const step = Math.floor(ORDERS / (KILLS + 1));
      let lastKillAt = 0;
      while (kills < KILLS && (await rig.orderCount(channelId)) < ORDERS) {
        await new Promise((r) => setTimeout(r, 1_500 + Math.floor(random() * 2_500)));
        const target = lastKillAt + Math.floor(step * (0.25 + random() / 2));
        while ((await rig.orderCount(channelId)) < Math.min(target, ORDERS - 1))
          await new Promise((r) => setTimeout(r, 100));
        while (ready.size === 0) await new Promise((r) => setTimeout(r, 100));
        const candidates = workers.map((w, i) => [w, i] as const).filter(([w]) => ready.has(w));
        const [victim, index] = candidates[Math.floor(random() * candidates.length)]!;
        ready.delete(victim);
        victim.kill('SIGKILL');
        await victim.exited;
        kills++;
        lastKillAt = await rig.orderCount(channelId);
        killLog.push(`${((Date.now() - started) / 1000).toFixed(1)}s:w${index}@${lastKillAt}`);
        progressLine(`  kill ${kills}: ${killLog.at(-1)}`);
        restart(index);
      }
      await rig.waitForBackfill(channelId, ORDERS, BACKFILL_MS);
      const seconds = (Date.now() - started) / 1000;
      await new Promise((r) => setTimeout(r, 500));
      const failed = await rig.failedJobs();
      progressLine(
        `R4 kill -9: ${kills} kills (${killLog.join(' ')}), ${ORDERS} orders in ${seconds.toFixed(1)} s, stalled and rerun ${JSON.stringify(stalled.counts)}, failed jobs ${failed.length}`,
      );
      for (const f of failed) progressLine(`  failed ${f.queue}/${f.id}: ${f.reason}`);
      await stalled.close();
      expect(kills).toBe(KILLS);
      await rig.assertExactlyOnce(channelId, sim);
      expect(failed.filter((f) => f.queue === 'channel-sync')).toEqual([]);
      expect(failed.every((f) => f.reason.length > 0)).toBe(true);
      await killChildHubs([api]);
    },
    TEST_MS,
  );

  it(
    `Redis SIGKILLed and restarted mid-backfill of ${ORDERS} orders: everything completes once it is back`,
    async () => {
      const sim = await rig.simulatorWithOrders(ORDERS, 5, SKUS);
      const channelId = await rig.connect('Chaos Redis', sim);
      const workers = await Promise.all([rig.startWorker(), rig.startWorker()]);
      const started = Date.now();
      await rig.requestSync(channelId);
      // Mid-backfill: a fifth of the orders in.
      for (let n = 0; n < ORDERS / 5; n = await rig.orderCount(channelId)) await new Promise((r) => setTimeout(r, 100));
      const atKill = await rig.orderCount(channelId);
      await redis.kill('SIGKILL');
      progressLine(`  R5: redis-server SIGKILLed at ${atKill}/${ORDERS} orders`);
      const killedAt = Date.now();

      // The API meanwhile: a webhook is stored in the PostgreSQL inbox (200) or refused fast (503).
      const order = sim.state.orders.get([...sim.state.orders.keys()][0]!)!;
      const body = Buffer.from(JSON.stringify(order));
      const t0 = Date.now();
      const res = await fetch(`${api.base}/webhooks/${channelId}`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-shopify-hmac-sha256': createHmac('sha256', sim.webhookSecret).update(body).digest('base64'),
          'x-shopify-topic': 'orders/updated',
          'x-shopify-shop-domain': sim.shopDomain,
          'x-shopify-api-version': '2026-04',
          'x-shopify-webhook-id': `chaos-${randomBytes(4).toString('hex')}`,
          'x-shopify-event-id': `chaos-${randomBytes(4).toString('hex')}`,
          'x-shopify-triggered-at': new Date().toISOString(),
        },
        signal: AbortSignal.timeout(10_000),
      });
      const webhookMs = Date.now() - t0;
      const t1 = Date.now();
      const gqlRes = await fetch(`${api.base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${rig.adminKey}` },
        body: JSON.stringify({ query: `{ channel(id: "${channelId}") { id } }` }),
        signal: AbortSignal.timeout(10_000),
      });
      const gqlMs = Date.now() - t1;
      expect([200, 503]).toContain(res.status);
      expect(webhookMs).toBeLessThan(3_000);
      expect(gqlMs).toBeLessThan(3_000);

      await new Promise((r) => setTimeout(r, Math.max(0, 5_000 - (Date.now() - killedAt))));
      const downMs = Date.now() - killedAt;
      await redis.start();
      const back = Date.now();
      progressLine(
        `  R5: redis-server back after ${(downMs / 1000).toFixed(1)} s at ${await rig.orderCount(channelId)} orders`,
      );
      await rig.waitForBackfill(channelId, ORDERS, BACKFILL_MS);
      const afterBack = (Date.now() - back) / 1000;
      const inbox = await sql<{ status: string; n: string }>(
        db.url,
        'select status, count(*) as n from webhook_delivery where channel_id = $1 group by status',
        [channelId],
      );
      const failed = await rig.failedJobs();
      progressLine(
        `R5 Redis restart: killed at ${atKill}/${ORDERS} orders, down ${(downMs / 1000).toFixed(1)} s; webhook meanwhile ${res.status} in ${webhookMs} ms, GraphQL ${gqlRes.status} in ${gqlMs} ms; complete ${afterBack.toFixed(1)} s after Redis was back (${((Date.now() - started) / 1000).toFixed(1)} s in all); inbox ${JSON.stringify(inbox)}; failed jobs ${failed.length}`,
      );
      for (const f of failed) progressLine(`  failed ${f.queue}/${f.id}: ${f.reason}`);
      await rig.assertExactlyOnce(channelId, sim);
      expect(failed.every((f) => f.reason.length > 0)).toBe(true);
      // The workers put the channel schedulers back once Redis returned (hub.ts, on reconnect; one
      // is enough, they live in Redis).
      const restored = workers.map((w) => w.output().split('channel sync schedules in place').length - 1);
      progressLine(`  R5: schedulers set up per worker (start + reconnects): ${restored.join(', ')}`);
      expect(restored.some((n) => n >= 2)).toBe(true);
      if (res.status === 200) {
        // Stored while Redis was away: the sweeper hands it to a worker once Redis is back.
        const deadline = Date.now() + 30_000;
        let pending = 1;
        while (pending > 0 && Date.now() < deadline) {
          pending = Number(
            (
              await sql<{ n: string }>(
                db.url,
                "select count(*) as n from webhook_delivery where channel_id = $1 and status in ('pending', 'processing')",
                [channelId],
              )
            )[0]!.n,
          );
          if (pending > 0) await new Promise((r) => setTimeout(r, 250));
        }
        expect(pending).toBe(0);
      }
      await killChildHubs([api]);
    },
    TEST_MS,
  );
});
