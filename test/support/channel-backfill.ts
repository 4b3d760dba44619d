import { expect } from '@jest/globals';
import { Queue, QueueEvents } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { restOrderFromSpec } from '../../src/connectors/shopify/simulator/sim-orders.js';
import { ShopifySimulator } from '../../src/connectors/shopify/simulator/shopify-simulator.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { QUEUE_NAMES, type QueueName } from '../../src/jobs/queues.js';
import type { Orm } from '../../src/platform/database.js';
import { spawnHub, startChildHub, type ChildHub } from './child-hub.js';
import { createLocations, createSku, seeded, stock } from './commerce.js';
import { contextFor } from './context.js';
import { sql } from './database.js';
import { gql } from './hub.js';

/**
 * The set-up the worker-fault tests share (R4/R5 kill -9 and Redis restart, R11 SIGTERM): an
 * `api` child and `worker` children of the built hub over one database and queue prefix, a
 * Shopify simulator holding a history of orders, a channel connected to it over GraphQL, and the
 * checks that every platform order arrived exactly once.
 */

/** A progress line on stdout; `CHAOS_LOG=<file>` also appends it there as it happens (jest shows output at the end). */
export const progressLine = (line: string): void => {
  process.stdout.write(`${line}\n`);
  if (process.env.CHAOS_LOG) appendFileSync(process.env.CHAOS_LOG, `${new Date().toISOString()} ${line}\n`);
};

export interface BackfillRigOptions {
  dbUrl: string;
  orm: Orm;
  redisUrl: string;
  /** Orders a page of a pull: small pages make a backfill many jobs-worth of checkpoints. */
  pageSize: number;
  /** The job lock (stall recovery ≈ lock + stalled interval = 2 × this). */
  lockMs: number;
  /** Extra environment for every child (e.g. the periodic pull's interval). */
  env?: Record<string, string>;
}

export class BackfillRig {
  readonly adminKey = randomBytes(24).toString('hex');
  readonly encryptionKey = randomBytes(32).toString('base64');
  readonly prefix = `{backfill-${randomBytes(4).toString('hex')}}`;
  readonly sims: ShopifySimulator[] = [];
  private apiHub: (ChildHub & { base: string }) | undefined;
  /** Redis handles still open (QueueEvents of a test that failed before closing them), for close(). */
  private readonly open = new Set<() => Promise<void>>();

  constructor(readonly options: BackfillRigOptions) {}

  get api(): ChildHub & { base: string } {
    if (!this.apiHub) throw new Error('startApi() first');
    return this.apiHub;
  }

  hubEnv(extra: Record<string, string> = {}): Record<string, string> {
    const o = this.options;
    return {
      NODE_ENV: 'test',
      DATABASE_URL: o.dbUrl,
      REDIS_URL: o.redisUrl,
      QUEUE_PREFIX: this.prefix,
      SWITCHYARD_ADMIN_KEY: this.adminKey,
      SWITCHYARD_ENCRYPTION_KEY: this.encryptionKey,
      LOG_LEVEL: 'info',
      DB_POOL_MAX: '6',
      JOB_LOCK_MS: String(o.lockMs),
      CHANNEL_PULL_PAGE_SIZE: String(o.pageSize),
      CHANNEL_RECONCILE_EVERY_MS: '3600000',
      ...o.env,
      ...extra,
    };
  }

  /** SKUs in the hub's catalogue, each with `onHand` units at one warehouse. */
  async stockCatalogue(skus: readonly string[], onHand: number): Promise<void> {
    const { WH } = await createLocations(contextFor(this.options.orm.em), [{ code: 'WH' }]);
    for (const sku of skus) {
      await createSku(contextFor(this.options.orm.em), sku, 1250);
      await stock(contextFor(this.options.orm.em), sku, WH!, onHand);
    }
  }

  async startApi(): Promise<ChildHub & { base: string }> {
    this.apiHub = await startChildHub(['api'], this.hubEnv());
    return this.apiHub;
  }

  /** A `worker` child, resolved once its workers take jobs; its health port is `base`. */
  async startWorker(extra: Record<string, string> = {}): Promise<ChildHub & { base: string }> {
    const worker = await startChildHub(['worker'], this.hubEnv(extra));
    await worker.waitFor(/workers started/, 60_000);
    return worker;
  }

  /** A worker child not waited for (a restart during chaos). */
  spawnWorker(): ChildHub {
    return spawnHub(['worker'], { ...this.hubEnv(), PORT: '0' });
  }

  /** A simulator holding `count` orders of `skus`, their changes spread over the last days (a history). */
  async simulatorWithOrders(count: number, seed: number, skus: readonly string[]): Promise<ShopifySimulator> {
    const sim = new ShopifySimulator({ seed, bucketSize: 100_000, restoreRate: 100_000 });
    await sim.start();
    this.sims.push(sim);
    const random = seeded(seed);
    const start = Date.now() - 3 * 24 * 3600_000;
    for (let i = 0; i < count; i++) {
      const rest = restOrderFromSpec(sim.state, { lines: orderLines(skus, i, random), email: `buyer${i}@example.com` });
      const at = new Date(start + i * 90_000 + Math.floor(random() * 30_000)).toISOString();
      Object.assign(rest, { created_at: at, processed_at: at, updated_at: at });
      sim.createOrder(rest);
    }
    return sim;
  }

  async connect(name: string, sim: ShopifySimulator): Promise<string> {
    const res = await gql<{ connectChannel: { id: string } }>(
      this.api.base,
      'mutation($input: ConnectChannelInput!) { connectChannel(input: $input) { id } }',
      {
        key: this.adminKey,
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

  async requestSync(channelId: string): Promise<void> {
    const res = await gql(this.api.base, 'mutation($id: ID!) { syncChannel(id: $id) { __typename } }', {
      key: this.adminKey,
      variables: { id: channelId },
    });
    expect(res.body.errors).toBeUndefined();
  }

  async orderCount(channelId: string): Promise<number> {
    const [row] = await sql<{ n: string }>(
      this.options.dbUrl,
      'select count(*) as n from "order" where channel_id = $1',
      [channelId],
    );
    return Number(row!.n);
  }

  queue(name: QueueName): Queue {
    return new Queue(name, { connection: { url: this.options.redisUrl }, prefix: this.prefix });
  }

  /** Jobs of one state per queue (e.g. `active`), read with short-lived queue handles. */
  async jobCounts(state: 'active' | 'wait' | 'delayed'): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const name of QUEUE_NAMES) {
      const queue = this.queue(name);
      try {
        out[name] = (await queue.getJobCounts(state))[state] ?? 0;
      } finally {
        await queue.close();
      }
    }
    return out;
  }

  /** Counts `stalled` events (jobs taken back from a worker that no longer held them, then rerun) on every queue. */
  async stalledCounter(): Promise<{ counts: Record<string, number>; total(): number; close(): Promise<void> }> {
    const counts: Record<string, number> = {};
    const all = QUEUE_NAMES.map((name) => {
      const events = new QueueEvents(name, { connection: { url: this.options.redisUrl }, prefix: this.prefix });
      events.on('stalled', () => (counts[name] = (counts[name] ?? 0) + 1));
      events.on('error', () => undefined);
      return events;
    });
    const close = async () => {
      this.open.delete(close);
      await Promise.all(all.map((e) => e.close()));
    };
    this.open.add(close);
    await Promise.all(all.map((e) => e.waitUntilReady()));
    return { counts, total: () => Object.values(counts).reduce((a, b) => a + b, 0), close };
  }

  /** Waits until the channel holds `expected` orders and no pull of it is running or waiting. */
  async waitForBackfill(channelId: string, expected: number, timeoutMs: number): Promise<void> {
    const queue = this.queue('channel-sync');
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        const n = await this.orderCount(channelId).catch(() => -1);
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
  async assertExactlyOnce(channelId: string, sim: ShopifySimulator): Promise<void> {
    const url = this.options.dbUrl;
    const rows = await sql<{ external_id: string; n: string }>(
      url,
      'select external_id, count(*) as n from "order" where channel_id = $1 group by external_id',
      [channelId],
    );
    const held = new Set(rows.map((r) => r.external_id));
    const expected = [...sim.state.orders.keys()];
    const lost = expected.filter((id) => !held.has(id));
    const extra = rows.filter((r) => !sim.state.orders.has(r.external_id));
    const duplicated = rows.filter((r) => Number(r.n) > 1);
    const overReserved = await sql<{ id: string }>(
      url,
      `select l.id from order_line l join "order" o on o.id = l.order_id
         left join (select order_line_id, sum(quantity) as q from reservation where status in ('active', 'consumed')
                    group by order_line_id) r on r.order_line_id = l.id
        where o.channel_id = $1 and coalesce(r.q, 0) > l.quantity`,
      [channelId],
    );
    const reservedLines = await sql<{ n: string }>(
      url,
      `select count(distinct r.order_line_id) as n from reservation r join order_line l on l.id = r.order_line_id
         join "order" o on o.id = l.order_id where o.channel_id = $1`,
      [channelId],
    );
    progressLine(
      `  ${channelId}: ${rows.length} orders for ${expected.length} on the platform; lost ${lost.length}, extra ${extra.length}, duplicated ${duplicated.length}, lines reserved ${reservedLines[0]!.n}, over-reserved ${overReserved.length}`,
    );
    expect(lost).toEqual([]);
    expect(extra).toEqual([]);
    expect(duplicated).toEqual([]);
    expect(overReserved).toEqual([]);
    expect(await checkInvariants(this.options.orm.em.fork())).toEqual([]);
  }

  /** Failed jobs of every queue: each must say why. */
  async failedJobs(): Promise<{ queue: string; id: string | undefined; reason: string }[]> {
    const out: { queue: string; id: string | undefined; reason: string }[] = [];
    for (const name of QUEUE_NAMES) {
      const queue = this.queue(name);
      for (const job of await queue.getFailed(0, -1)) out.push({ queue: name, id: job.id, reason: job.failedReason });
      await queue.close();
    }
    return out;
  }

  /** For afterAll: the simulators, and any Redis handle a failed test left open (else jest never exits). */
  async close(): Promise<void> {
    for (const close of [...this.open]) await close();
    for (const sim of this.sims) await sim.stop();
  }
}

/** One or two lines of the SKUs, seeded: order `i`'s lines. */
export function orderLines(
  skus: readonly string[],
  i: number,
  random: () => number,
): { sku: string; quantity: number; price: string }[] {
  return Array.from({ length: 1 + Math.floor(random() * 2) }, (_, k) => ({
    sku: skus[(i + k * 7) % skus.length]!,
    quantity: 1 + Math.floor(random() * 3),
    price: '12.50',
  }));
}
