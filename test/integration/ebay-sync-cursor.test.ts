import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IngestOutcome } from '../../src/domain/channels/ingest-channel-orders.js';
import { EbayConnector } from '../../src/connectors/ebay/ebay.connector.js';
import type { EbayOrder } from '../../src/connectors/ebay/ebay-order.types.js';
import { EbaySimulator } from '../../src/connectors/ebay/simulator/ebay-simulator.js';
import { CURSOR_OVERLAP_MS, pullChannelOrders } from '../../src/jobs/channel-sync.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { createShopifyChannel } from '../support/channel-jobs.js';
import { contextFor } from '../support/context.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { ebayOrderFixture } from '../support/fixtures.js';

/**
 * eBay pages getOrders by offset in an order of its own (the simulator: newest creation first),
 * so a pull's first page may hold the newest change of the whole window. The channel's cursor
 * must then not move until the pull is done, or a pull cut short would skip older changes.
 */
const credentials = {
  clientId: 'sim-client',
  clientSecret: 'sim-secret',
  refreshToken: 'v^1.1#refresh-ok',
  verificationToken: 'verify-token',
  marketplaceId: 'EBAY_US',
};
const now = Date.parse('2026-12-07T12:00:00.000Z');

let db: TestDatabase;
let orm: Orm;
let sim: EbaySimulator;
let connector: EbayConnector;
const ingested: string[] = [];
const ingest = {
  policy: { holdTotalAbove: null },
};
const ingestOrders = async (
  _ctx: unknown,
  _deps: unknown,
  channelId: string,
  orders: readonly { externalId: string }[],
) =>
  orders.map((o): IngestOutcome => {
    ingested.push(o.externalId);
    return { externalId: o.externalId, orderId: `${channelId}/${o.externalId}`, result: 'created' };
  });

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 2 });
  await createShopifyChannel(db.url, 'ebay-sync');
  sim = new EbaySimulator({ ...credentials, refreshTokens: [credentials.refreshToken], now: () => now });
  const endpoint = await sim.start();
  connector = new EbayConnector({ credentials, endpoint, timeoutMs: 2_000, retryDelayMs: 1, now: () => now });
  // Created 1 h apart; the newest created (E-4) is also the most recently modified.
  for (let i = 0; i < 5; i++) {
    const order = ebayOrderFixture<EbayOrder>('paid-two-lines-usd.json');
    sim.addOrder({
      ...order,
      orderId: `E-${i}`,
      creationDate: new Date(now - (10 - i) * 3600_000).toISOString(),
      lastModifiedDate: new Date(now - (i === 4 ? 60_000 : (10 - i) * 3600_000 - 600_000)).toISOString(),
    });
  }
});
afterAll(async () => {
  await sim.stop();
  await orm.close(true);
  await db.drop();
});

const cursorOf = async () =>
  (
    await sql<{ sync_cursor: string | null }>(db.url, 'select sync_cursor from channel where id = $1', ['ebay-sync'])
  )[0]!.sync_cursor;

describe('pulling an eBay channel', () => {
  const since = new Date(now - 24 * 3600_000);
  const pull = (shouldStop?: () => boolean) =>
    pullChannelOrders(contextFor(orm.em), { connector, ingest, ingestOrders }, 'ebay-sync', since, {
      advanceCursor: true,
      pageSize: 2,
      shouldStop,
    });

  it('leaves the cursor where it was when the pull stops after a page', async () => {
    const progress = await pull(() => true);
    expect(progress.done).toBe(false);
    // The first page held E-4, the window's newest change: moving to it would skip E-0…E-2.
    expect(ingested).toContain('E-4');
    expect(await cursorOf()).toBeNull();
  });

  it('moves the cursor to the newest change minus the overlap once every page is in', async () => {
    ingested.length = 0;
    const progress = await pull();
    expect(progress).toMatchObject({ done: true, pulled: 5 });
    expect([...ingested].sort()).toEqual(['E-0', 'E-1', 'E-2', 'E-3', 'E-4']);
    expect(new Date((await cursorOf())!).getTime()).toBe(now - 60_000 - CURSOR_OVERLAP_MS);
  });
});
