import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AmazonConnector } from '../../src/connectors/amazon/amazon.connector.js';
import { AmazonSimulator } from '../../src/connectors/amazon/simulator/amazon-simulator.js';
import { STOCK_BATCH_LIMITS } from '../../src/jobs/channel-connectors.js';
import { pushDirtyStock, urgentTargets } from '../../src/jobs/stock-push.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ensureChannelListing, listSkus } from '../support/channel-jobs.js';
import { createSku } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

/*
 * The stock push over the Amazon connector and its simulator: batched SKUs go in one
 * JSON_LISTINGS_FEED, the last units by patchListingsItem at once, and what Amazon refuses is
 * shown on the SKU's listing until a later push is accepted.
 */
const CHANNEL = 'amazon-push';
const US = 'ATVPDKIKX0DER';

let db: TestDatabase;
let orm: Orm;
let sim: AmazonSimulator;
let connector: AmazonConnector;

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 2 });
  await ensureChannelListing(db.url);
  await sql(
    db.url,
    `insert into channel (id, kind, name, enabled, stock_buffer, backorder_policy) values ($1, 'amazon', $1, true, 0, 'backorder')`,
    [CHANNEL],
  );
  const skus = ['AM-FIRST', 'AM-LAST', 'AM-GONE-URGENT', 'AM-GONE-FEED'];
  for (const sku of skus) await createSku(contextFor(orm.em), sku);
  await listSkus(db.url, CHANNEL, skus);
  // We pushed 5 of AM-LAST and 3 of AM-GONE-URGENT before: falling to 0 now, they are the last units.
  await sql(
    db.url,
    `update channel_listing set last_pushed_quantity = case sku when 'AM-LAST' then 5 else 3 end
      where channel_id = $1 and sku in ('AM-LAST', 'AM-GONE-URGENT')`,
    [CHANNEL],
  );
  sim = new AmazonSimulator();
  await sim.start();
  sim.listings.unknownSkus.add('AM-GONE-URGENT');
  sim.listings.unknownSkus.add('AM-GONE-FEED');
  connector = new AmazonConnector({
    credentials: {
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
      refreshToken: sim.refreshToken,
      sellerId: sim.sellerId,
      region: 'na',
      marketplaceIds: [US],
    },
    endpoint: sim.url,
    timeoutMs: 2_000,
    feedWait: { pollIntervalMs: 1, maxWaitMs: 5_000 },
  });
});
afterAll(async () => {
  await sim.stop();
  await orm.close(true);
  await db.drop();
});

async function dirty(skus: string[]): Promise<void> {
  for (const sku of skus)
    await sql(
      db.url,
      `insert into channel_stock_dirty (channel_id, sku, dirty_since) values ($1, $2, now() - interval '1 second')
       on conflict (channel_id, sku) do update set dirty_since = excluded.dirty_since`,
      [CHANNEL, sku],
    );
}

const listings = async () =>
  Object.fromEntries(
    (
      await sql<{ sku: string; last_pushed_quantity: number | null; push_error: string | null }>(
        db.url,
        'select sku, last_pushed_quantity, push_error from channel_listing where channel_id = $1',
        [CHANNEL],
      )
    ).map((r) => [r.sku, { pushed: r.last_pushed_quantity, error: r.push_error }]),
  );

describe('urgentTargets', () => {
  const t = (sku: string, quantity: number, expectedQuantity: number | null) => ({
    sku,
    externalInventoryItemId: sku,
    externalLocationId: 'L',
    quantity,
    expectedQuantity,
  });

  it('takes figures falling to the last units, fewest first, at most five, never a first push or a rise', () => {
    const picked = urgentTargets([
      t('FIRST', 0, null),
      t('RISE', 2, 1),
      t('SAME', 1, 1),
      t('BIG', 3, 9),
      ...[2, 1, 0, 2, 1, 0].map((q, i) => t(`FALL-${i}`, q, 10)),
    ]);
    expect(picked.map((p) => p.sku)).toEqual(['FALL-2', 'FALL-5', 'FALL-1', 'FALL-4', 'FALL-0']);
  });
});

describe('pushing stock to Amazon', () => {
  it('plans Amazon batches at a full feed (25,000 SKUs), not at another platform limit', () => {
    expect(STOCK_BATCH_LIMITS.amazon).toBe(25_000);
  });

  it('sends the last units by patchListingsItem and the rest in one feed, and keeps each refusal on its listing', async () => {
    await dirty(['AM-FIRST', 'AM-LAST', 'AM-GONE-URGENT', 'AM-GONE-FEED']);
    const summary = await pushDirtyStock(orm.em.fork(), CHANNEL, {
      connector,
      stockBatchLimit: STOCK_BATCH_LIMITS.amazon,
    });
    expect(summary).toEqual({ calls: 3, pushed: 2 });
    const patched = sim.calls.filter((c) => c.operation === 'patchListingsItem').map((c) => c.path);
    expect(patched).toHaveLength(2);
    expect(patched.some((p) => p.includes('AM-LAST'))).toBe(true);
    expect(patched.some((p) => p.includes('AM-GONE-URGENT'))).toBe(true);
    expect(sim.calls.filter((c) => c.operation === 'createFeed')).toHaveLength(1);
    const feed = sim.calls.find((c) => c.operation === 'uploadFeedDocument')!.body as { messages: { sku: string }[] };
    expect(feed.messages.map((m) => m.sku).sort()).toEqual(['AM-FIRST', 'AM-GONE-FEED']);
    expect(sim.listings.quantity('AM-LAST')).toBe(0);
    expect(sim.listings.quantity('AM-FIRST')).toBe(0);
    const after = await listings();
    expect(after['AM-LAST']).toEqual({ pushed: 0, error: null });
    expect(after['AM-FIRST']).toEqual({ pushed: 0, error: null });
    // Refused: our figure is not recorded as pushed, and the listing says why.
    expect(after['AM-GONE-URGENT']).toEqual({ pushed: 3, error: expect.stringContaining('AM-GONE-URGENT') });
    expect(after['AM-GONE-FEED']).toEqual({ pushed: null, error: expect.stringContaining('AM-GONE-FEED') });
    const [left] = await sql<{ n: number }>(
      db.url,
      'select count(*)::int as n from channel_stock_dirty where channel_id = $1',
      [CHANNEL],
    );
    expect(left!.n).toBe(0);
  });

  it('clears the refusal once Amazon accepts the SKU', async () => {
    sim.listings.unknownSkus.delete('AM-GONE-FEED');
    await dirty(['AM-GONE-FEED']);
    const summary = await pushDirtyStock(orm.em.fork(), CHANNEL, { connector, stockBatchLimit: 25_000 });
    expect(summary).toEqual({ calls: 1, pushed: 1 });
    expect((await listings())['AM-GONE-FEED']).toEqual({ pushed: 0, error: null });
    expect((await listings())['AM-GONE-URGENT']!.error).toContain('AM-GONE-URGENT');
  });
});
