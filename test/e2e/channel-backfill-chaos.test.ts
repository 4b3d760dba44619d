import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { QueueEvents, Queue } from 'bullmq';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restOrderFromSpec } from '../../src/connectors/shopify/simulator/sim-orders.js';
import { ShopifySimulator } from '../../src/connectors/shopify/simulator/shopify-simulator.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { QUEUE_NAMES } from '../../src/jobs/queues.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { findRedisServer, freePort } from '../../src/platform/local-redis.js';
import { killChildHubs, spawnHub, startChildHub, type ChildHub } from '../support/child-hub.js';
import { createLocations, createSku, seeded, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { gql } from '../support/hub.js';

/**
 * RELIABILITY R4/R5: a backfill of [2,000] orders from the Shopify simulator through
 * `channel-sync` jobs in small pages, while (1) a random worker is `kill -9`ed 10 times and
 * restarted, and (2) redis-server itself is SIGKILLed and restarted on its port (AOF everysec).
 * Every order arrives once; nothing is reserved twice; no job is left failed without a reason.
 * Full sizes: CHAOS_ORDERS=10000 CHAOS_KILLS=20.
 */
const ORDERS = Number(process.env.CHAOS_ORDERS ?? 2_000);
const KILLS = Number(process.env.CHAOS_KILLS ?? 10);
const PAGE_SIZE = 20;
/** Budgets grow with the size (a loaded 2-core machine ingests as few as 5 orders/s under chaos). */
const BACKFILL_MS = Math.max(150_000, ORDERS * 300);
const TEST_MS = BACKFILL_MS + 80_000;
const LOCK_MS = 2_000;
const SKUS = Array.from({ length: 20 }, (_, i) => `CHAOS-${String(i).padStart(2, '0')}`);
const write = (line: string) => {
  process.stdout.write(`${line}\n`);
  // Jest shows a file's output only at its end: CHAOS_LOG=<file> follows a long run as it goes.
  if (process.env.CHAOS_LOG) appendFileSync(process.env.CHAOS_LOG, `${new Date().toISOString()} ${line}\n`);
};

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
    // Same settings as the hub's own redis (local-redis.ts): AOF everysec, noeviction.
    const child = spawn(
      binary,
      [
        '--bind',
        '127.0.0.1',
        '--port',
        String(this.port),
        '--dir',
        this.dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--maxmemory-policy',
        'noeviction',
        '--save',
        '',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis did not start:\n${out}`)), 20_000);
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (/Ready to accept connections/i.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', () => reject(new Error(`redis exited:\n${out}`)));
    });
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
let api: ChildHub & { base: string };
const adminKey = randomBytes(24).toString('hex');
const encryptionKey = randomBytes(32).toString('base64');
const prefix = `{chaos-${randomBytes(4).toString('hex')}}`;
const sims: ShopifySimulator[] = [];

const hubEnv = (extra: Record<string, string> = {}) => ({
  NODE_ENV: 'test',
  DATABASE_URL: db.url,
  REDIS_URL: redis.url,
  QUEUE_PREFIX: prefix,
  SWITCHYARD_ADMIN_KEY: adminKey,
  SWITCHYARD_ENCRYPTION_KEY: encryptionKey,
  LOG_LEVEL: 'info',
  DB_POOL_MAX: '6',
  JOB_LOCK_MS: String(LOCK_MS),
  CHANNEL_PULL_PAGE_SIZE: String(PAGE_SIZE),
  // The periodic pull is the safety net that re-creates a pull lost with Redis.
  CHANNEL_PULL_EVERY_MS: '4000',
  CHANNEL_RECONCILE_EVERY_MS: '3600000',
  REDIS_CONNECT_TIMEOUT_MS: '60000',
  ...extra,
});

async function startWorker(): Promise<ChildHub> {
  const worker = spawnHub(['worker'], { ...hubEnv(), PORT: '0' });
  await worker.waitFor(/workers started/, 60_000);
  return worker;
}

/** A simulator holding `count` orders of our SKUs, their changes spread over the last days (a history). */
async function simulatorWithOrders(count: number, seed: number): Promise<ShopifySimulator> {
  const sim = new ShopifySimulator({ seed, bucketSize: 100_000, restoreRate: 100_000 });
  await sim.start();
  sims.push(sim);
  const random = seeded(seed);
  const start = Date.now() - 3 * 24 * 3600_000;
  for (let i = 0; i < count; i++) {
    const lines = Array.from({ length: 1 + Math.floor(random() * 2) }, (_, k) => ({
      sku: SKUS[(i + k * 7) % SKUS.length]!,
      quantity: 1 + Math.floor(random() * 3),
      price: '12.50',
    }));
    const rest = restOrderFromSpec(sim.state, { lines, email: `buyer${i}@example.com` });
    const at = new Date(start + i * 90_000 + Math.floor(random() * 30_000)).toISOString();
    Object.assign(rest, { created_at: at, processed_at: at, updated_at: at });
    sim.createOrder(rest);
  }
  return sim;
}

async function connect(name: string, sim: ShopifySimulator): Promise<string> {
  const res = await gql<{ connectChannel: { id: string } }>(
    api.base,
    'mutation($input: ConnectChannelInput!) { connectChannel(input: $input) { id } }',
    {
      key: adminKey,
      variables: {
        input: {
          kind: 'SHOPIFY',
          name,
          endpoint: sim.url,
          credentials: { shopDomain: sim.shopDomain, accessToken: sim.accessToken, webhookSecret: sim.webhookSecret },
        },
      },
    },
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.connectChannel.id;
}

async function requestSync(channelId: string): Promise<void> {
  const res = await gql(api.base, 'mutation($id: ID!) { syncChannel(id: $id) { __typename } }', {
    key: adminKey,
    variables: { id: channelId },
  });
  expect(res.body.errors).toBeUndefined();
}

const orderCount = async (channelId: string) =>
  Number(
    (await sql<{ n: string }>(db.url, 'select count(*) as n from "order" where channel_id = $1', [channelId]))[0]!.n,
  );

/** Counts `stalled` events (jobs taken back from a dead worker and rerun) on every queue. */
async function stalledCounter(): Promise<{ counts: Record<string, number>; close: () => Promise<void> }> {
  const counts: Record<string, number> = {};
  const all = QUEUE_NAMES.map((name) => {
    const events = new QueueEvents(name, { connection: { url: redis.url }, prefix });
    events.on('stalled', () => (counts[name] = (counts[name] ?? 0) + 1));
    events.on('error', () => undefined);
    return events;
  });
  await Promise.all(all.map((e) => e.waitUntilReady()));
  return { counts, close: async () => void (await Promise.all(all.map((e) => e.close()))) };
}

/** Waits until the channel holds `expected` orders and no pull of it is running or waiting. */
async function waitForBackfill(channelId: string, expected: number, timeoutMs: number): Promise<void> {
  const queue = new Queue('channel-sync', { connection: { url: redis.url }, prefix });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const n = await orderCount(channelId).catch(() => -1);
      const busy = await queue.getJobCounts('active', 'wait').catch(() => ({ active: 1, wait: 1 }));
      if (n >= expected && busy.active === 0) return;
      if (Date.now() > deadline)
        throw new Error(`backfill of ${channelId} not done: ${n}/${expected} orders, jobs ${JSON.stringify(busy)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await queue.close();
  }
}

/** Every order of the simulator once, nothing else; nothing reserved twice; invariants clean. */
async function assertExactlyOnce(channelId: string, sim: ShopifySimulator): Promise<void> {
  const rows = await sql<{ external_id: string; n: string }>(
    db.url,
    'select external_id, count(*) as n from "order" where channel_id = $1 group by external_id',
    [channelId],
  );
  const held = new Set(rows.map((r) => r.external_id));
  const expected = [...sim.state.orders.keys()];
  const lost = expected.filter((id) => !held.has(id));
  const extra = rows.filter((r) => !sim.state.orders.has(r.external_id));
  const duplicated = rows.filter((r) => Number(r.n) > 1);
  const overReserved = await sql<{ id: string }>(
    db.url,
    `select l.id from order_line l join "order" o on o.id = l.order_id
       left join (select order_line_id, sum(quantity) as q from reservation where status in ('active', 'consumed')
                  group by order_line_id) r on r.order_line_id = l.id
      where o.channel_id = $1 and coalesce(r.q, 0) > l.quantity`,
    [channelId],
  );
  const reservedLines = await sql<{ n: string }>(
    db.url,
    `select count(distinct r.order_line_id) as n from reservation r join order_line l on l.id = r.order_line_id
       join "order" o on o.id = l.order_id where o.channel_id = $1`,
    [channelId],
  );
  write(
    `  ${channelId}: ${rows.length} orders for ${expected.length} on the platform; lost ${lost.length}, extra ${extra.length}, duplicated ${duplicated.length}, lines reserved ${reservedLines[0]!.n}, over-reserved ${overReserved.length}`,
  );
  expect(lost).toEqual([]);
  expect(extra).toEqual([]);
  expect(duplicated).toEqual([]);
  expect(overReserved).toEqual([]);
  expect(await checkInvariants(orm.em.fork())).toEqual([]);
}

/** Failed jobs of every queue: each must say why (none expected of the backfill). */
async function failedJobs(): Promise<{ queue: string; id: string | undefined; reason: string }[]> {
  const out: { queue: string; id: string | undefined; reason: string }[] = [];
  for (const name of QUEUE_NAMES) {
    const queue = new Queue(name, { connection: { url: redis.url }, prefix });
    for (const job of await queue.getFailed(0, -1)) out.push({ queue: name, id: job.id, reason: job.failedReason });
    await queue.close();
  }
  return out;
}

beforeAll(async () => {
  redis = new KillableRedis(await freePort());
  await redis.start();
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 4 });
  const { WH } = await createLocations(contextFor(orm.em), [{ code: 'WH' }]);
  for (const sku of SKUS) {
    await createSku(contextFor(orm.em), sku, 1250);
    await stock(contextFor(orm.em), sku, WH!, 100_000);
  }
  api = await startChildHub(['api'], hubEnv());
}, 120_000);

afterAll(async () => {
  await killChildHubs();
  for (const sim of sims) await sim.stop();
  await orm?.close(true);
  await db?.drop();
  await redis?.kill('SIGTERM');
  if (redis) rmSync(redis.dir, { recursive: true, force: true });
}, 60_000);

describe('a backfill under chaos (R4, R5)', () => {
  it(
    `kill -9 of a worker ${KILLS} times during a backfill of ${ORDERS} orders: 0 lost, 0 duplicated`,
    async () => {
      const sim = await simulatorWithOrders(ORDERS, 4);
      const channelId = await connect('Chaos Kill', sim);
      const stalled = await stalledCounter();
      const workers: ChildHub[] = [await startWorker(), await startWorker()];
      const started = Date.now();
      await requestSync(channelId);
      write(`  R4: ${ORDERS} orders on the simulator, 2 workers up, sync requested`);
      const random = seeded(44);
      let kills = 0;
      const killLog: string[] = [];
      // Kill only while the backfill is still running, so every kill lands on live work. The
      // replacement starts at once (not awaited); the next victim is a worker that is up.
      const ready = new Set<ChildHub>(workers);
      const restart = (index: number) => {
        const worker = spawnHub(['worker'], { ...hubEnv(), PORT: '0' });
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
      while (kills < KILLS && (await orderCount(channelId)) < ORDERS) {
        await new Promise((r) => setTimeout(r, 1_500 + Math.floor(random() * 2_500)));
        const target = lastKillAt + Math.floor(step * (0.25 + random() / 2));
        while ((await orderCount(channelId)) < Math.min(target, ORDERS - 1))
          await new Promise((r) => setTimeout(r, 100));
        while (ready.size === 0) await new Promise((r) => setTimeout(r, 100));
        const candidates = workers.map((w, i) => [w, i] as const).filter(([w]) => ready.has(w));
        const [victim, index] = candidates[Math.floor(random() * candidates.length)]!;
        ready.delete(victim);
        victim.kill('SIGKILL');
        await victim.exited;
        kills++;
        lastKillAt = await orderCount(channelId);
        killLog.push(`${((Date.now() - started) / 1000).toFixed(1)}s:w${index}@${lastKillAt}`);
        write(`  kill ${kills}: ${killLog.at(-1)}`);
        restart(index);
      }
      await waitForBackfill(channelId, ORDERS, BACKFILL_MS);
      const seconds = (Date.now() - started) / 1000;
      await new Promise((r) => setTimeout(r, 500));
      const failed = await failedJobs();
      write(
        `R4 kill -9: ${kills} kills (${killLog.join(' ')}), ${ORDERS} orders in ${seconds.toFixed(1)} s, stalled and rerun ${JSON.stringify(stalled.counts)}, failed jobs ${failed.length}`,
      );
      for (const f of failed) write(`  failed ${f.queue}/${f.id}: ${f.reason}`);
      await stalled.close();
      expect(kills).toBe(KILLS);
      await assertExactlyOnce(channelId, sim);
      expect(failed.filter((f) => f.queue === 'channel-sync')).toEqual([]);
      expect(failed.every((f) => f.reason.length > 0)).toBe(true);
      await killChildHubs([api]);
    },
    TEST_MS,
  );

  it(
    `Redis SIGKILLed and restarted mid-backfill of ${ORDERS} orders: everything completes once it is back`,
    async () => {
      const sim = await simulatorWithOrders(ORDERS, 5);
      const channelId = await connect('Chaos Redis', sim);
      const workers = await Promise.all([startWorker(), startWorker()]);
      const started = Date.now();
      await requestSync(channelId);
      // Mid-backfill: a fifth of the orders in.
      for (let n = 0; n < ORDERS / 5; n = await orderCount(channelId)) await new Promise((r) => setTimeout(r, 100));
      const atKill = await orderCount(channelId);
      await redis.kill('SIGKILL');
      write(`  R5: redis-server SIGKILLed at ${atKill}/${ORDERS} orders`);
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
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
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
      write(`  R5: redis-server back after ${(downMs / 1000).toFixed(1)} s at ${await orderCount(channelId)} orders`);
      await waitForBackfill(channelId, ORDERS, BACKFILL_MS);
      const afterBack = (Date.now() - back) / 1000;
      const inbox = await sql<{ status: string; n: string }>(
        db.url,
        'select status, count(*) as n from webhook_delivery where channel_id = $1 group by status',
        [channelId],
      );
      const failed = await failedJobs();
      write(
        `R5 Redis restart: killed at ${atKill}/${ORDERS} orders, down ${(downMs / 1000).toFixed(1)} s; webhook meanwhile ${res.status} in ${webhookMs} ms, GraphQL ${gqlRes.status} in ${gqlMs} ms; complete ${afterBack.toFixed(1)} s after Redis was back (${((Date.now() - started) / 1000).toFixed(1)} s in all); inbox ${JSON.stringify(inbox)}; failed jobs ${failed.length}`,
      );
      for (const f of failed) write(`  failed ${f.queue}/${f.id}: ${f.reason}`);
      await assertExactlyOnce(channelId, sim);
      expect(failed.every((f) => f.reason.length > 0)).toBe(true);
      // The workers put the channel schedulers back once Redis returned (hub.ts, on reconnect; one
      // is enough, they live in Redis).
      const restored = workers.map((w) => w.output().split('channel sync schedules in place').length - 1);
      write(`  R5: schedulers set up per worker (start + reconnects): ${restored.join(', ')}`);
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
