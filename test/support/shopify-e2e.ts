import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import {
  ShopifySimulator,
  type ShopifySimulatorOptions,
} from '../../src/connectors/shopify/simulator/shopify-simulator.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { createLocations, createSku, stock } from './commerce.js';
import { contextFor } from './context.js';
import { sql } from './database.js';
import { gql, startTestHub, type TestHub } from './hub.js';

/**
 * The real pieces for end-to-end channel tests: a hub (role all: API, inbox and workers) on its
 * own database and queue prefix, a Shopify simulator, and a channel connected over GraphQL whose
 * endpoint is the simulator and whose webhook secret is the simulator's.
 */
export interface ShopifyE2E {
  t: TestHub;
  orm: Orm;
  sim: ShopifySimulator;
  stop(): Promise<void>;
}

export async function startShopifyE2E(
  simOptions: ShopifySimulatorOptions = {},
  env: Record<string, string> = {},
): Promise<ShopifyE2E> {
  const t = await startTestHub('all', { SWITCHYARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'), ...env });
  const orm = await createOrm({ kind: 'postgres', url: t.db.url, poolMax: 4 });
  const sim = new ShopifySimulator(simOptions);
  await sim.start();
  return {
    t,
    orm,
    sim,
    async stop() {
      await sim.stop();
      await orm.close(true);
      await t.stop();
    },
  };
}

const CONNECT = 'mutation($input: ConnectChannelInput!) { connectChannel(input: $input) { id enabled } }';

/** connectChannel over GraphQL, pointed at the simulator, with its webhook secret. */
export async function connectSimChannel(
  e: ShopifyE2E,
  id: string,
  overrides: { webhookSecret?: string; enabled?: boolean } = {},
): Promise<string> {
  const res = await gql<{ connectChannel: { id: string } }>(e.t.base, CONNECT, {
    key: e.t.adminKey,
    variables: {
      input: {
        kind: 'SHOPIFY',
        id,
        name: `Store ${id}`,
        endpoint: e.sim.url,
        enabled: overrides.enabled ?? true,
        credentials: {
          shopDomain: e.sim.shopDomain,
          accessToken: e.sim.accessToken,
          webhookSecret: overrides.webhookSecret ?? e.sim.webhookSecret,
        },
      },
    },
  });
  if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data!.connectChannel.id;
}

/** SKUs in the hub's catalogue at two locations, `perLocation[i]` units each at location i. */
export async function stockSkus(e: ShopifyE2E, skus: readonly string[], perLocation: [number, number]): Promise<void> {
  const ctx = contextFor(e.orm.em);
  const loc = await createLocations(ctx, [
    { code: 'E2E-A', priority: 10 },
    { code: 'E2E-B', priority: 20 },
  ]);
  for (const sku of skus) {
    await createSku(ctx, sku, 1000, 'USD');
    await stock(ctx, sku, loc['E2E-A']!, perLocation[0]);
    await stock(ctx, sku, loc['E2E-B']!, perLocation[1]);
  }
}

/** Waits until no delivery of the inbox is pending or in hand (or throws after timeoutMs). */
export async function inboxSettled(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await sql<{ n: string }>(
      url,
      `select count(*) as n from webhook_delivery where status in ('pending', 'processing')`,
    );
    if (Number(row!.n) === 0) return;
    if (Date.now() > deadline) throw new Error(`${row!.n} deliveries still waiting after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function countOf(url: string, query: string, params: unknown[] = []): Promise<number> {
  const [row] = await sql<{ n: string }>(url, query, params);
  return Number(row!.n);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Waits until the `channel-sync` jobs a connect scheduled (its first pull and reconcile run at
 * once) have finished, so a test's own webhooks are the only way its orders arrive.
 */
export async function firstSyncsDone(e: ShopifyE2E, jobs = 2, timeoutMs = 30_000): Promise<void> {
  const queue = new Queue('channel-sync', { connection: { url: process.env.TEST_REDIS_URL }, prefix: e.t.queuePrefix });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const c = await queue.getJobCounts('completed', 'failed', 'active', 'waiting');
      if ((c.completed ?? 0) + (c.failed ?? 0) >= jobs && !c.active && !c.waiting) return;
      if (Date.now() > deadline) throw new Error(`scheduled sync jobs did not finish: ${JSON.stringify(c)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await queue.close();
  }
}
