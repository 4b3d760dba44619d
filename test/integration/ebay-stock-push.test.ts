import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EbayConnector } from '../../src/connectors/ebay/ebay.connector.js';
import { EbaySimulator } from '../../src/connectors/ebay/simulator/ebay-simulator.js';
import { matchChannelListings } from '../../src/domain/channels/match-channel-listings.js';
import { pushDirtyStock } from '../../src/jobs/stock-push.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { createShopifyChannel, ensureChannelListing, listSkus } from '../support/channel-jobs.js';
import { createSku } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';

/** The stock push over the eBay connector and simulator: what a 207 refuses is not recorded as pushed. */
const credentials = {
  clientId: 'sim-client',
  clientSecret: 'sim-secret',
  refreshToken: 'v^1.1#refresh-ok',
  verificationToken: 'verify-token',
  marketplaceId: 'EBAY_US',
};
const CHANNEL = 'ebay-push';

let db: TestDatabase;
let orm: Orm;
let sim: EbaySimulator;
let connector: EbayConnector;

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 2 });
  await ensureChannelListing(db.url);
  await createShopifyChannel(db.url, CHANNEL);
  for (const sku of ['EB-A', 'EB-B', 'EB-C']) await createSku(contextFor(orm.em), sku);
  await listSkus(db.url, CHANNEL, ['EB-A', 'EB-B', 'EB-C']);
  sim = new EbaySimulator({ ...credentials, refreshTokens: [credentials.refreshToken] });
  const endpoint = await sim.start();
  connector = new EbayConnector({ credentials, endpoint, timeoutMs: 2_000, retryDelayMs: 1 });
  // EB-C is not on eBay yet: its update comes back 404 inside a 207.
  for (const sku of ['EB-A', 'EB-B']) sim.state.inventory.set(sku, { sku, quantity: 7, offerIds: [] });
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

const lastPushed = async () =>
  Object.fromEntries(
    (
      await sql<{ sku: string; last_pushed_quantity: number | null }>(
        db.url,
        'select sku, last_pushed_quantity from channel_listing where channel_id = $1',
        [CHANNEL],
      )
    ).map((r) => [r.sku, r.last_pushed_quantity]),
  );

describe('pushing stock to eBay', () => {
  it('records the SKUs eBay set as pushed and leaves the refused one unrecorded, every dirty row cleared', async () => {
    await dirty(['EB-A', 'EB-B', 'EB-C']);
    const summary = await pushDirtyStock(orm.em.fork(), CHANNEL, { connector, stockBatchLimit: 25 });
    expect(summary).toEqual({ calls: 1, pushed: 2 });
    expect(await lastPushed()).toEqual({ 'EB-A': 0, 'EB-B': 0, 'EB-C': null });
    const [refused] = await sql<{ push_error: string | null }>(
      db.url,
      'select push_error from channel_listing where channel_id = $1 and sku = $2',
      [CHANNEL, 'EB-C'],
    );
    expect(refused!.push_error).toBeTruthy();
    expect(sim.state.inventory.get('EB-A')?.quantity).toBe(0);
    const [left] = await sql<{ n: number }>(
      db.url,
      'select count(*)::int as n from channel_stock_dirty where channel_id = $1',
      [CHANNEL],
    );
    expect(left!.n).toBe(0);
  });

  it('sends the refused SKU again once it is dirty again, rather than skipping it as unchanged', async () => {
    sim.state.inventory.set('EB-C', { sku: 'EB-C', quantity: 9, offerIds: [] });
    await dirty(['EB-C']);
    const summary = await pushDirtyStock(orm.em.fork(), CHANNEL, { connector, stockBatchLimit: 25 });
    expect(summary.pushed).toBe(1);
    expect(sim.state.inventory.get('EB-C')?.quantity).toBe(0);
    expect((await lastPushed())['EB-C']).toBe(0);
  });

  it('spends no listing revision on a SKU whose figure is the one last pushed', async () => {
    const before = sim.state.revisionsToday('EB-A');
    await dirty(['EB-A']);
    await pushDirtyStock(orm.em.fork(), CHANNEL, { connector, stockBatchLimit: 25 });
    expect(sim.state.revisionsToday('EB-A')).toBe(before);
  });

  it('matches listings by SKU through the connector, then pushes to them', async () => {
    await createShopifyChannel(db.url, 'ebay-matched');
    sim.state.inventory.set('EB-A', { sku: 'EB-A', quantity: 5, offerIds: [] });
    const summary = await matchChannelListings(orm.em.fork(), 'ebay-matched', (skus) =>
      connector.listVariantsBySku(skus),
    );
    expect(summary.matched).toBe(3);
    const rows = await sql<{ sku: string; external_location_id: string }>(
      db.url,
      'select sku, external_location_id from channel_listing where channel_id = $1 order by sku',
      ['ebay-matched'],
    );
    expect(rows.map((r) => [r.sku, r.external_location_id])).toEqual([
      ['EB-A', 'shipToLocationAvailability'],
      ['EB-B', 'shipToLocationAvailability'],
      ['EB-C', 'shipToLocationAvailability'],
    ]);
    await sql(
      db.url,
      `insert into channel_stock_dirty (channel_id, sku, dirty_since) values ('ebay-matched', 'EB-A', now() - interval '1 second')`,
    );
    expect(await pushDirtyStock(orm.em.fork(), 'ebay-matched', { connector, stockBatchLimit: 25 })).toEqual({
      calls: 1,
      pushed: 1,
    });
    expect(sim.state.inventory.get('EB-A')?.quantity).toBe(0);
  });
});
