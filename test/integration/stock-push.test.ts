import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PlatformError } from '../../src/connectors/connector.js';
import { adjustStock, receiveStock } from '../../src/domain/orders/stock-change.service.js';
import { availableToSell } from '../../src/domain/inventory/stock-levels.query.js';
import { channelAvailableToSell } from '../../src/domain/inventory/channel-available-to-sell.js';
import { PLATFORM_QUEUE_LIMITER } from '../../src/jobs/platform-error-policy.js';
import type { QueueRegistry } from '../../src/jobs/queues.js';
import { startChannelPushRig, type ChannelPushRig } from '../support/channel-push-rig.js';
import { stockPushProcessor } from '../../src/jobs/stock-push.worker.js';
import type { Orm } from '../../src/platform/database.js';
import {
  createShopifyChannel,
  ensureChannelListing,
  itemIdOf,
  listSkus,
  RecordingConnector,
  waitFor,
} from '../support/channel-jobs.js';
import { createLocations, createSku, seeded } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { sql, type TestDatabase } from '../support/database.js';

const BATCH = 20;
const INTERVAL_MS = 200;

let db: TestDatabase;
let orm: Orm;
let queues: QueueRegistry;
let rig: ChannelPushRig;
const connectors = new Map<string, RecordingConnector>();
let locations: Record<string, string>;

beforeAll(async () => {
  rig = await startChannelPushRig({
    stockPushIntervalMs: INTERVAL_MS,
    processors: ({ orm, producer, prefix }) => ({
      'stock-push': {
        process: stockPushProcessor({
          orm,
          connectors: async (_em, channelId) => ({ connector: connectors.get(channelId)!, stockBatchLimit: BATCH }),
          redis: producer,
          prefix,
          leaseMs: 30_000,
        }),
        concurrency: 2,
        limiter: PLATFORM_QUEUE_LIMITER,
      },
    }),
  });
  ({ db, orm, queues } = rig);
  await ensureChannelListing(db.url);
  const ctx = contextFor(orm.em);
  locations = await createLocations(ctx, [
    { code: 'L1' },
    { code: 'L2' },
    // Holds stock, but ships for another channel only: never counted for the shops below.
    { code: 'ELSEWHERE', channelIds: ['direct'] },
  ]);
});

afterAll(async () => {
  await rig.close();
});

async function setUpChannel(channelId: string, skus: string[], stockBuffer: number, connector: RecordingConnector) {
  await createShopifyChannel(db.url, channelId, stockBuffer);
  const ctx = contextFor(orm.em);
  for (const sku of skus) await createSku(ctx, sku);
  await listSkus(db.url, channelId, skus);
  connectors.set(channelId, connector);
}

async function settled(channelId: string): Promise<boolean> {
  const [{ unpublished }] = (await sql<{ unpublished: number }>(
    db.url,
    'select count(*)::int as unpublished from outbox_event where published_at is null',
  )) as [{ unpublished: number }];
  const [{ dirty }] = (await sql<{ dirty: number }>(
    db.url,
    'select count(*)::int as dirty from channel_stock_dirty where channel_id = $1',
    [channelId],
  )) as [{ dirty: number }];
  const counts = await queues['stock-push'].getJobCounts('waiting', 'delayed', 'active', 'prioritized');
  return unpublished === 0 && dirty === 0 && Object.values(counts).every((n) => n === 0);
}

/** The figure each SKU should have on the platform, by the domain's own availableToSell (one SKU at a time). */
async function expectedFigures(channelId: string, skus: string[]): Promise<Record<string, number>> {
  const ctx = contextFor(orm.em);
  const out: Record<string, number> = {};
  for (const sku of skus) out[sku] = (await availableToSell(ctx, sku, channelId)).quantity;
  return out;
}

function platformFigures(connector: RecordingConnector, skus: string[]): Record<string, number | undefined> {
  return Object.fromEntries(skus.map((sku) => [sku, connector.platform.get(itemIdOf(sku))]));
}

describe('stock push: coalesced per channel × SKU, batched, within the platform limits', () => {
  it('turns 2,000 stock changes over 50 SKUs into a bounded number of pushes ending at available-to-sell minus the buffer', async () => {
    const channelId = 'shop-coalesce';
    const skus = Array.from({ length: 50 }, (_, i) => `CO-${String(i).padStart(3, '0')}`);
    // A small bucket restoring slowly, so the run is throttled and must wait as told.
    const connector = new RecordingConnector(60, 40);
    await setUpChannel(channelId, skus, 3, connector);

    const random = seeded(10);
    const onHand = new Map<string, number>();
    const changes = Array.from({ length: 2_000 }, () => {
      const sku = skus[Math.floor(random() * skus.length)]!;
      const code = (['L1', 'L2', 'ELSEWHERE'] as const)[Math.floor(random() * 3)]!;
      const key = `${sku}@${code}`;
      const held = onHand.get(key) ?? 0;
      const delta = held > 3 && random() < 0.4 ? -Math.ceil(random() * 3) : Math.ceil(random() * 5);
      onHand.set(key, held + delta);
      return { sku, locationId: locations[code]!, delta };
    });
    // Changes of one SKU at one location must apply in the order planned (a decrease needs the
    // increase before it), so each (sku, location) runs its own changes in sequence, 8 lanes at once.
    const lanes = new Map<string, typeof changes>();
    for (const c of changes) {
      const key = `${c.sku}@${c.locationId}`;
      lanes.set(key, [...(lanes.get(key) ?? []), c]);
    }
    const laneList = [...lanes.values()];
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const ctx = contextFor(orm.em);
        while (next < laneList.length) {
          for (const c of laneList[next++]!) {
            if (c.delta > 0)
              await receiveStock(
                { ...ctx, em: orm.em.fork() },
                { sku: c.sku, locationId: c.locationId, quantity: c.delta },
              );
            else
              await adjustStock(
                { ...ctx, em: orm.em.fork() },
                { sku: c.sku, locationId: c.locationId, delta: c.delta, reason: 'count' },
              );
          }
        }
      }),
    );
    await waitFor(() => settled(channelId), 60_000, 'every change pushed');
    const elapsed = Date.now() - started;

    const expected = await expectedFigures(channelId, skus);
    expect(platformFigures(connector, skus)).toEqual(expected);
    // The batch SQL and availableToSell are one rule: the same figures.
    expect(Object.fromEntries(await channelAvailableToSell(orm.em.fork(), channelId, skus))).toEqual(expected);
    expect(Object.values(expected).some((q) => q > 0)).toBe(true);

    const ok = connector.calls.filter((c) => c.outcome === 'ok');
    const throttled = connector.calls.filter((c) => c.outcome === 'throttled');
    const slices = Math.ceil(elapsed / INTERVAL_MS) + 1;
    const bound = slices * Math.ceil(skus.length / BATCH);
    process.stdout.write(
      `stock push coalescing: 2000 changes over 50 SKUs in ${elapsed} ms -> ${ok.length} pushes ` +
        `(${ok.reduce((n, c) => n + c.targets.length, 0)} figures), ${throttled.length} throttled, bound ${bound}, ` +
        `lowest bucket ${connector.lowestBucket.toFixed(1)}, calls before Retry-After ${connector.earlyCalls}\n`,
    );
    expect(ok.length).toBeLessThanOrEqual(bound);
    expect(ok.length).toBeLessThan(2_000 / 10);
    expect(connector.calls.every((c) => c.targets.length <= BATCH)).toBe(true);
    expect(connector.earlyCalls).toBe(0);
    expect(connector.lowestBucket).toBeGreaterThanOrEqual(0);
    expect(throttled.length).toBeGreaterThan(0);
    // Every push after the first of a SKU compares against what was pushed before.
    const seen = new Set<string>();
    for (const call of ok) {
      for (const t of call.targets) {
        if (seen.has(t.sku)) expect(t.expectedQuantity).not.toBeNull();
        seen.add(t.sku);
      }
    }
  }, 180_000);

  it('makes no call before the Retry-After of a RATE_LIMITED answer, and spends no attempt on it', async () => {
    const channelId = 'shop-ratelimit';
    const skus = ['RL-1', 'RL-2'];
    const connector = new RecordingConnector();
    connector.failures = [new PlatformError('RATE_LIMITED', 'Too Many Requests', 900)];
    await setUpChannel(channelId, skus, 0, connector);
    await receiveStock(contextFor(orm.em), { sku: 'RL-1', locationId: locations.L1!, quantity: 7 });
    await waitFor(() => settled(channelId), 20_000, 'the push after the rate limit');

    expect(connector.calls.map((c) => c.outcome)).toEqual(['error', 'ok']);
    const waited = connector.calls[1]!.at - connector.calls[0]!.at;
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(connector.earlyCalls).toBe(0);
    expect(platformFigures(connector, skus)).toEqual({ 'RL-1': 7, 'RL-2': undefined });
    const done = (await queues['stock-push'].getJobs(['completed'])).filter((j) => j.data.channelId === channelId);
    expect(done.length).toBeGreaterThan(0);
    expect(done.every((j) => j.attemptsMade <= 1)).toBe(true);
  });

  it('re-reads and retries with the platform figure when the compare is stale, never overwriting blindly', async () => {
    const channelId = 'shop-cas';
    const skus = ['CAS-1', 'CAS-2'];
    const connector = new RecordingConnector();
    await setUpChannel(channelId, skus, 1, connector);
    const ctx = contextFor(orm.em);
    await receiveStock(ctx, { sku: 'CAS-1', locationId: locations.L1!, quantity: 10 });
    await receiveStock(ctx, { sku: 'CAS-2', locationId: locations.L2!, quantity: 4 });
    await waitFor(() => settled(channelId), 20_000, 'the first push');
    expect(platformFigures(connector, skus)).toEqual({ 'CAS-1': 9, 'CAS-2': 3 });

    // A merchant edits CAS-1 on the platform itself: our compare value is now stale.
    connector.platform.set(itemIdOf('CAS-1'), 42);
    const before = connector.calls.length;
    await receiveStock(ctx, { sku: 'CAS-1', locationId: locations.L2!, quantity: 5 });
    await receiveStock(ctx, { sku: 'CAS-2', locationId: locations.L2!, quantity: 1 });
    await waitFor(() => settled(channelId), 20_000, 'the stale push and its retry');

    const later = connector.calls.slice(before).filter((c) => c.outcome === 'ok');
    const cas1 = later.flatMap((c) => c.targets.filter((t) => t.sku === 'CAS-1'));
    expect(cas1.map((t) => t.expectedQuantity)).toEqual([9, 42]);
    expect(cas1.map((t) => t.quantity)).toEqual([14, 14]);
    expect(platformFigures(connector, skus)).toEqual(await expectedFigures(channelId, skus));
    expect(platformFigures(connector, skus)).toEqual({ 'CAS-1': 14, 'CAS-2': 4 });
    const [listing] = await sql(
      db.url,
      `select last_pushed_quantity from channel_listing where channel_id = $1 and sku = 'CAS-1'`,
      [channelId],
    );
    expect(listing!.last_pushed_quantity).toBe(14);
  });

  it('fails an AUTH error at once (no retries) and marks the channel health; the SKUs stay dirty', async () => {
    const channelId = 'shop-auth';
    const connector = new RecordingConnector();
    connector.failures = [new PlatformError('AUTH', 'Invalid API key or access token')];
    await setUpChannel(channelId, ['AUTH-1'], 0, connector);
    await receiveStock(contextFor(orm.em), { sku: 'AUTH-1', locationId: locations.L1!, quantity: 3 });

    let failed: Awaited<ReturnType<QueueRegistry['stock-push']['getJobs']>> = [];
    await waitFor(
      async () => {
        failed = (await queues['stock-push'].getJobs(['failed'])).filter((j) => j.data.channelId === channelId);
        return failed.length > 0;
      },
      20_000,
      'the failed push',
    );
    expect(failed[0]!.attemptsMade).toBe(1);
    expect(failed[0]!.failedReason).toBe('AUTH: Invalid API key or access token');
    expect(connector.calls).toHaveLength(1);
    const [channel] = await sql(db.url, 'select last_error, last_error_at, last_sync_at from channel where id = $1', [
      channelId,
    ]);
    expect(channel).toMatchObject({ last_error: 'AUTH: Invalid API key or access token', last_sync_at: null });
    expect(channel!.last_error_at).not.toBeNull();
    const [{ dirty }] = (await sql<{ dirty: number }>(
      db.url,
      'select count(*)::int as dirty from channel_stock_dirty where channel_id = $1',
      [channelId],
    )) as [{ dirty: number }];
    expect(dirty).toBe(1);
  });
});
