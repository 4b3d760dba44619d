import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { PlatformError, type StockTarget } from '../../src/connectors/connector.js';
import { EbayConnector } from '../../src/connectors/ebay/ebay.connector.js';
import { EBAY_DAILY_QUOTAS, type EbayApi } from '../../src/connectors/ebay/ebay-quota.js';
import { EbaySimulator } from '../../src/connectors/ebay/simulator/ebay-simulator.js';
import { ebayAppKey, RedisEbayQuota } from '../../src/jobs/ebay-daily-quota.js';
import { createRedis, waitForRedis } from '../../src/platform/redis.js';
import { gql, startTestHub, type TestHub } from '../support/hub.js';

/**
 * eBay's daily call quotas, counted in real Redis per app and API before each call: many
 * connectors (as many concurrent jobs would hold) calling at once never make the simulator refuse
 * a call for its quota, the calls past the quota are not sent and come back RATE_LIMITED until
 * the reset, and the channel's health shows what is left.
 */
const CLIENT = { clientId: 'quota-client', clientSecret: 'sim-secret', refreshToken: 'v^1.1#refresh-ok' };
const credentials = {
  ...CLIENT,
  verificationToken: 'switchyard-verification-token_0123456789',
  marketplaceId: 'EBAY_US',
};
const LIMITS: Record<EbayApi, number> = { identity: 1_000, fulfillment: 30, inventory: 12, notification: 10 };

let sim: EbaySimulator;
let redis: Redis;
let endpoint: string;
const prefix = `{test-${randomBytes(4).toString('hex')}}`;

beforeAll(async () => {
  sim = new EbaySimulator({ ...CLIENT, refreshTokens: [CLIENT.refreshToken] });
  // The simulated app has the same small quotas the hub counts against.
  Object.assign(sim.state.quotas, LIMITS);
  endpoint = await sim.start();
  for (const sku of ['Q-A', 'Q-B']) sim.state.inventory.set(sku, { sku, quantity: 5, offerIds: [] });
  redis = createRedis(process.env.TEST_REDIS_URL!, 'producer');
  await waitForRedis(redis, process.env.TEST_REDIS_URL!, 5_000);
});
afterAll(async () => {
  await redis.quit();
  await sim.stop();
});

const quotaFor = () => new RedisEbayQuota(redis, prefix, ebayAppKey(endpoint, CLIENT.clientId), LIMITS);
/** A connector as one job builds it: its own token cache, the app's shared counters. */
const connector = () =>
  new EbayConnector({ credentials, endpoint, timeoutMs: 5_000, retryDelayMs: 1, quota: quotaFor() });

const stockTarget = (sku: string, quantity: number): StockTarget => ({
  sku,
  externalInventoryItemId: sku,
  externalLocationId: 'shipToLocationAvailability',
  quantity,
  expectedQuantity: null,
});

async function settle<T>(work: (() => Promise<T>)[]) {
  const results = await Promise.allSettled(work.map((w) => w()));
  const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  return { done: results.filter((r) => r.status === 'fulfilled').length, refused };
}

describe("eBay's daily quotas, counted in Redis", () => {
  it('80 concurrent pulls and 40 concurrent stock pushes from 8 connectors: exactly the quota is sent, never more', async () => {
    const connectors = Array.from({ length: 8 }, connector);
    const since = new Date(Date.now() - 3_600_000);
    const { done: pulled, refused: pullRefusals } = await settle(
      Array.from({ length: 80 }, (_, i) => () => connectors[i % 8]!.pullOrders(since, null, 50)),
    );
    const { done: pushed, refused: pushRefusals } = await settle(
      Array.from(
        { length: 40 },
        (_, i) => () => connectors[i % 8]!.pushStock([stockTarget(i % 2 ? 'Q-A' : 'Q-B', i)], `k${i}`),
      ),
    );
    expect(pulled).toBe(LIMITS.fulfillment);
    expect(pushed).toBe(LIMITS.inventory);
    expect(sim.state.callsToday('fulfillment')).toBe(LIMITS.fulfillment);
    expect(sim.state.callsToday('inventory')).toBe(LIMITS.inventory);
    // The simulator never had to refuse a call for its quota: the calls past it were not made.
    expect(sim.state.quotaRefusals).toBe(0);
    expect(sim.state.log.filter((c) => c.status === 429)).toEqual([]);
    for (const error of [...pullRefusals, ...pushRefusals]) {
      expect(error).toBeInstanceOf(PlatformError);
      expect(error).toMatchObject({ kind: 'RATE_LIMITED' });
      // They wait for the reset (the next 00:00 UTC), not a second.
      const untilReset =
        Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1) - Date.now();
      expect((error as PlatformError).retryAfterMs).toBeGreaterThan(untilReset - 60_000);
      expect((error as PlatformError).retryAfterMs).toBeLessThanOrEqual(untilReset + 1_000);
    }
    expect(pullRefusals).toHaveLength(80 - LIMITS.fulfillment);
    expect(pushRefusals).toHaveLength(40 - LIMITS.inventory);
  });

  it('reports what is left per API, with the reset time', async () => {
    const usage = await quotaFor().usage();
    expect(usage.find((u) => u.api === 'fulfillment')).toMatchObject({ limit: 30, used: 30, remaining: 0 });
    expect(usage.find((u) => u.api === 'inventory')).toMatchObject({ limit: 12, used: 12, remaining: 0 });
    const identity = usage.find((u) => u.api === 'identity')!;
    expect(identity.used).toBe(sim.state.callsToday('identity'));
    expect(identity.resetsAt.toISOString()).toMatch(/T00:00:00\.000Z$/);
  });
});

describe('a hub whose eBay app spent its Sell Fulfillment quota today', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('all', { SWITCHYARD_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    // The day's count at the quota before the channel exists, as if its jobs had spent it.
    const day = new Date().toISOString().slice(0, 10);
    const app = ebayAppKey(endpoint, CLIENT.clientId);
    await redis.set(`${t.queuePrefix}:ebay-quota:${app}:fulfillment:${day}`, String(EBAY_DAILY_QUOTAS.fulfillment));
    const connect = await gql(
      t.base,
      'mutation($input: ConnectChannelInput!) { connectChannel(input: $input) { id } }',
      {
        key: t.adminKey,
        variables: {
          input: {
            kind: 'EBAY',
            name: 'eBay Quota',
            endpoint,
            credentials: { ...CLIENT, verificationToken: credentials.verificationToken },
          },
        },
      },
    );
    expect(connect.body.errors).toBeUndefined();
  });
  afterAll(() => t.stop());

  it("its pulls call nothing: the job waits RATE_LIMITED behind the channel's gate until the reset", async () => {
    const fulfillmentCalls = () => sim.state.log.filter((c) => c.api === 'fulfillment').length;
    const before = fulfillmentCalls();
    const sync = await gql(t.base, 'mutation { syncChannel(id: "ebay-quota") { jobId } }', { key: t.adminKey });
    expect(sync.body.errors).toBeUndefined();
    const gateKey = `${t.queuePrefix}:platform-wait:ebay-quota`;
    const deadline = Date.now() + 15_000;
    while ((await redis.pttl(gateKey)) <= 0) {
      if (Date.now() > deadline) throw new Error('the channel was never held back');
      await new Promise((r) => setTimeout(r, 100));
    }
    const untilReset =
      Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1) - Date.now();
    expect(await redis.pttl(gateKey)).toBeGreaterThan(untilReset - 60_000);
    expect(fulfillmentCalls()).toBe(before);
    expect(sim.state.quotaRefusals).toBe(0);
  });

  it("shows the daily quotas per API on the channel's health, as the hub counted them", async () => {
    const res = await gql<{
      channels: {
        id: string;
        health: {
          apiQuotas: { api: string; limit: number; used: number; remaining: number; resetsAt: string }[] | null;
        };
      }[];
    }>(t.base, '{ channels { id health { apiQuotas { api limit used remaining resetsAt } } } }', { key: t.adminKey });
    expect(res.body.errors).toBeUndefined();
    const byId = Object.fromEntries(res.body.data!.channels.map((c) => [c.id, c.health.apiQuotas]));
    expect(byId.direct).toBeNull();
    expect(byId['ebay-quota']).toEqual([
      expect.objectContaining({ api: 'IDENTITY', limit: EBAY_DAILY_QUOTAS.identity }),
      expect.objectContaining({
        api: 'FULFILLMENT',
        limit: EBAY_DAILY_QUOTAS.fulfillment,
        used: EBAY_DAILY_QUOTAS.fulfillment,
        remaining: 0,
      }),
      expect.objectContaining({ api: 'INVENTORY', limit: EBAY_DAILY_QUOTAS.inventory }),
      expect.objectContaining({ api: 'NOTIFICATION', limit: 10_000, used: 0, remaining: 10_000 }),
    ]);
    expect(byId['ebay-quota']![1]!.resetsAt).toMatch(/T00:00:00\.000Z$/);
  });
});
