import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { PlatformError, type StockTarget } from '../../src/connectors/connector.js';
import { EbayConnector } from '../../src/connectors/ebay/ebay.connector.js';
import type { EbayOrder } from '../../src/connectors/ebay/ebay-order.types.js';
import { EbaySimulator } from '../../src/connectors/ebay/simulator/ebay-simulator.js';
import { ebayOrderFixture } from '../support/fixtures.js';

const credentials = {
  clientId: 'sim-client',
  clientSecret: 'sim-secret',
  refreshToken: 'v^1.1#refresh-ok',
  verificationToken: 'verify-0123456789-abcdefghij-0123456789',
  marketplaceId: 'EBAY_US',
};
let clock = Date.parse('2026-12-07T10:00:00.000Z');
const now = () => clock;

let sim: EbaySimulator;
let connector: EbayConnector;

beforeAll(async () => {
  sim = new EbaySimulator({ ...credentials, refreshTokens: [credentials.refreshToken], now });
  const endpoint = await sim.start();
  connector = new EbayConnector({ credentials, endpoint, timeoutMs: 2_000, retryDelayMs: 1, now });
});
afterAll(() => sim.stop());
beforeEach(() => {
  sim.state.faults.length = 0;
  sim.state.log.length = 0;
});

async function failure(promise: Promise<unknown>): Promise<PlatformError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PlatformError) return error;
    throw error;
  }
  throw new Error('expected a PlatformError');
}

function orderAt(id: string, modified: string): EbayOrder {
  const order = ebayOrderFixture<EbayOrder>('paid-two-lines-usd.json');
  return { ...order, orderId: id, creationDate: modified, lastModifiedDate: modified };
}

describe('EbayConnector.pullOrders', () => {
  beforeAll(() => {
    for (let i = 0; i < 5; i++) sim.addOrder(orderAt(`P-${i}`, `2026-12-06T0${i}:00:00.000Z`));
  });

  it('pages through the window by offset, each page oldest change first, with the marketplace header', async () => {
    const since = new Date('2026-12-06T00:00:00.000Z');
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await connector.pullOrders(since, cursor, 2);
      const times = page.orders.map((o) => o.updatedAt.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
      seen.push(...page.orders.map((o) => o.externalId));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(['P-0', 'P-1', 'P-2', 'P-3', 'P-4']);
    const calls = sim.state.log.filter((c) => c.path === '/sell/fulfillment/v1/order');
    expect(calls.every((c) => c.marketplaceId === 'EBAY_US')).toBe(true);
  });

  it("sees every order of the window once, even one modified mid-pull (the first page fixes the window's end)", async () => {
    const since = new Date('2026-12-06T00:00:00.000Z');
    const first = await connector.pullOrders(since, null, 2);
    clock += 60_000;
    const moved = sim.state.orders.get('P-0')!;
    moved.lastModifiedDate = new Date(clock).toISOString();
    const rest: string[] = [];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await connector.pullOrders(since, cursor, 2);
      rest.push(...page.orders.map((o) => o.externalId));
      cursor = page.nextCursor;
    }
    const all = [...first.orders.map((o) => o.externalId), ...rest];
    expect(new Set(all).size).toBe(all.length);
    // P-0 left the window (the next pull from the moved cursor finds it); no other order was skipped.
    expect(all.filter((id) => id !== 'P-0').sort()).toEqual(['P-1', 'P-2', 'P-3', 'P-4']);
  });

  it('asks for at most 200 orders a page whatever the caller asks', async () => {
    await connector.pullOrders(new Date('2026-12-06T00:00:00.000Z'), null, 250);
    expect(sim.state.log.some((c) => c.status === 200 && c.path === '/sell/fulfillment/v1/order')).toBe(true);
  });

  it('reports a 429 as RATE_LIMITED with its Retry-After and does not retry it', async () => {
    sim.state.faults.push({ api: 'fulfillment', status: 429, retryAfterSeconds: 5 });
    const error = await failure(connector.pullOrders(new Date('2026-12-06T00:00:00.000Z'), null, 50));
    expect(error.kind).toBe('RATE_LIMITED');
    expect(error.retryAfterMs).toBe(5_000);
    expect(sim.state.log.filter((c) => c.api === 'fulfillment')).toHaveLength(1);
  });

  it('retries a 5xx read before giving up as TRANSIENT', async () => {
    for (let i = 0; i < 3; i++) sim.state.faults.push({ api: 'fulfillment', status: 502 });
    const error = await failure(connector.pullOrders(new Date('2026-12-06T00:00:00.000Z'), null, 50));
    expect(error.kind).toBe('TRANSIENT');
    expect(sim.state.log.filter((c) => c.api === 'fulfillment').map((c) => c.status)).toEqual([502, 502, 502]);
  });
});

describe('EbayConnector.pushStock', () => {
  const target = (sku: string, quantity: number, expectedQuantity: number | null = null): StockTarget => ({
    sku,
    externalInventoryItemId: sku,
    externalLocationId: 'default',
    quantity,
    expectedQuantity,
  });

  beforeAll(() => {
    for (let i = 0; i < 30; i++) sim.state.inventory.set(`S${i}`, { sku: `S${i}`, quantity: 0, offerIds: [] });
  });

  it('sends 25 SKUs a call and sets every figure', async () => {
    const targets = Array.from({ length: 30 }, (_, i) => target(`S${i}`, i + 1));
    const result = await connector.pushStock(targets, 'key-1');
    expect(result).toEqual({ stale: [], rejected: [] });
    expect(sim.state.log.filter((c) => c.api === 'inventory')).toHaveLength(2);
    expect(sim.state.inventory.get('S29')?.quantity).toBe(30);
  });

  it('does not spend a listing revision on a figure equal to the one last pushed', async () => {
    const before = sim.state.revisionsToday('S1');
    const result = await connector.pushStock([target('S1', 2, 2)], 'key-2');
    expect(result.rejected).toEqual([]);
    expect(sim.state.log.filter((c) => c.api === 'inventory')).toHaveLength(0);
    expect(sim.state.revisionsToday('S1')).toBe(before);
  });

  it('reports the SKUs a 207 refused, each with its kind, and keeps the others set', async () => {
    const result = await connector.pushStock([target('S0', 7), target('GONE', 1)], 'key-3');
    expect(result.rejected).toEqual([expect.objectContaining({ sku: 'GONE', kind: 'NOT_FOUND' })]);
    expect(sim.state.inventory.get('S0')?.quantity).toBe(7);
  });
});

describe('EbayConnector.listVariantsBySku', () => {
  it('finds the inventory items eBay holds, 25 SKUs a call, keyed by SKU', async () => {
    const skus = [...Array.from({ length: 30 }, (_, i) => `S${i}`), 'NOT-ON-EBAY', 'S0'];
    const found = await connector.listVariantsBySku(skus);
    expect(found.map((v) => v.sku).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `S${i}`).sort());
    expect(found[0]).toEqual({
      sku: found[0]!.sku,
      variantId: found[0]!.sku,
      inventoryItemId: found[0]!.sku,
      locationId: 'shipToLocationAvailability',
    });
    expect(sim.state.log.filter((c) => c.path === '/sell/inventory/v1/bulk_get_inventory_item')).toHaveLength(2);
  });
});

describe('EbayConnector.pushFulfilment and pushCancellation', () => {
  beforeAll(() => {
    sim.addOrder(orderAt('F-1', '2026-12-06T09:00:00.000Z'));
    sim.addOrder(ebayOrderFixture<EbayOrder>('cancelled-refunded-gbp.json'));
  });
  const push = {
    externalOrderId: 'F-1',
    lines: [
      { externalLineId: '10051234567801', quantity: 2 },
      { externalLineId: '10051234567802', quantity: 1 },
    ],
    trackingNumber: '9400111899223344556677',
    carrier: 'USPS',
    trackingUrl: null,
  };

  it('creates the fulfillment and returns its id from the Location header', async () => {
    expect(await connector.pushFulfilment(push, 'ship-1')).toBe('9400111899223344556677');
    expect(sim.state.orders.get('F-1')?.orderFulfillmentStatus).toBe('FULFILLED');
  });

  it('treats the 409 of a repeated push as done, returning the existing fulfillment', async () => {
    expect(await connector.pushFulfilment(push, 'ship-1')).toBe('9400111899223344556677');
    expect(sim.state.log.map((c) => c.status)).toEqual([409, 200]);
    expect(sim.state.fulfillments.get('F-1')).toHaveLength(1);
  });

  it('accepts an order eBay already cancelled as done', async () => {
    await expect(connector.pushCancellation('03-11111-22222', 'customer', 'c-1')).resolves.toBeUndefined();
  });

  it('refuses to cancel a live order with a clear INVALID (eBay gives sellers no cancel call)', async () => {
    const error = await failure(connector.pushCancellation('F-1', 'customer', 'c-2'));
    expect(error.kind).toBe('INVALID');
    expect(error.message).toMatch(/Seller Hub/);
  });

  it('reports an unknown order as NOT_FOUND', async () => {
    expect((await failure(connector.pushCancellation('NOPE', 'customer', 'c-3'))).kind).toBe('NOT_FOUND');
  });
});
