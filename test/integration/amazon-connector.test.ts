import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Order, SearchOrdersResponse } from '@sp-api-sdk/orders-api-2026-01-01';
import { AmazonConnector, packageReferenceIdFor } from '../../src/connectors/amazon/amazon.connector.js';
import { listingsQuantityFeed } from '../../src/connectors/amazon/amazon-listings-feed.js';
import { AmazonSimulator } from '../../src/connectors/amazon/simulator/amazon-simulator.js';
import { PlatformError, type StockTarget } from '../../src/connectors/connector.js';
import { amazonFixture } from '../support/fixtures.js';

const EXAMPLE = amazonFixture<{ response: SearchOrdersResponse }>('searchOrders-2026-01-01.sandbox-200.json');
const JP = 'A1VC38T7YXB528';

/** The official order under another id, updated at `updated`, merchant-fulfilled and in `status`. */
function merchantOrder(id: string, updated: string, status = 'UNSHIPPED'): Order {
  const o = structuredClone(EXAMPLE.response.orders[0]!);
  o.orderId = id;
  o.lastUpdatedTime = updated;
  o.fulfillment = { ...o.fulfillment!, fulfillmentStatus: status as never, fulfilledBy: 'MERCHANT' };
  for (const item of o.orderItems)
    item.fulfillment = { quantityFulfilled: 0, quantityUnfulfilled: item.quantityOrdered };
  return o;
}

const target = (sku: string, quantity: number): StockTarget => ({
  sku,
  externalInventoryItemId: sku,
  externalLocationId: 'DEFAULT',
  quantity,
  expectedQuantity: null,
});

async function failure(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof PlatformError)) throw new Error(`expected a PlatformError, got ${String(error)}`);
  return error;
}

describe('AmazonConnector against the SP-API simulator', () => {
  let sim: AmazonSimulator;
  let now: number;
  let connector: AmazonConnector;

  beforeEach(async () => {
    now = Date.parse('2026-12-07T12:00:00Z');
    sim = new AmazonSimulator({ now: () => now });
    await sim.start();
    connector = new AmazonConnector({
      credentials: {
        clientId: sim.clientId,
        clientSecret: sim.clientSecret,
        refreshToken: sim.refreshToken,
        sellerId: sim.sellerId,
        region: 'fe',
        marketplaceIds: [JP],
      },
      endpoint: sim.url,
      timeoutMs: 2_000,
      feedWait: { pollIntervalMs: 1, maxWaitMs: 5_000 },
      now: () => now,
    });
  });
  afterEach(() => sim.stop());

  it('pulls orders updated since a time page by page, mapped, following the pagination token', async () => {
    sim.addOrders([
      merchantOrder('250-0000001-0000001', '2026-12-01T00:00:00Z'),
      merchantOrder('250-0000002-0000002', '2026-12-02T00:00:00Z'),
      merchantOrder('250-0000003-0000003', '2026-12-03T00:00:00Z'),
      merchantOrder('250-0000004-0000004', '2026-11-01T00:00:00Z'),
    ]);
    const first = await connector.pullOrders(new Date('2026-12-01T00:00:00Z'), null, 2);
    expect(first.orders.map((o) => o.externalId)).toEqual(['250-0000001-0000001', '250-0000002-0000002']);
    expect(first.orders[0]).toMatchObject({ currency: 'JPY', paidAmount: 19940, fulfilledByChannel: false });
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await connector.pullOrders(new Date('2026-12-01T00:00:00Z'), first.nextCursor, 2);
    expect(second.orders.map((o) => o.externalId)).toEqual(['250-0000003-0000003']);
    expect(second.nextCursor).toBeNull();
    const searches = sim.calls.filter((c) => c.operation === 'searchOrders');
    expect(searches.map((c) => c.query)).toEqual([
      expect.objectContaining({
        lastUpdatedAfter: '2026-12-01T00:00:00.000Z',
        marketplaceIds: JP,
        maxResultsPerPage: '2',
      }),
      expect.objectContaining({ paginationToken: first.nextCursor }),
    ]);
    expect(searches[0]!.query.includedData!.split(',').sort()).toEqual([
      'BUYER',
      'CANCELLATION',
      'FULFILLMENT',
      'PROCEEDS',
      'RECIPIENT',
    ]);
  });

  it('pulls the official AFN example as an order that takes none of our stock', async () => {
    sim.addOrders(EXAMPLE.response.orders);
    const page = await connector.pullOrders(new Date('2024-12-01T00:00:00Z'), null, 250);
    expect(page.orders).toHaveLength(1);
    expect(page.orders[0]).toMatchObject({
      externalId: '250-1234567-8901234',
      fulfilledByChannel: true,
      totalAmount: 19940,
    });
  });

  it('reports a throttled pull as RATE_LIMITED for one token at the announced rate, after no retry', async () => {
    sim.failNext('searchOrders', 429);
    const error = await failure(connector.pullOrders(new Date('2026-12-01T00:00:00Z'), null, 10));
    expect(error.kind).toBe('RATE_LIMITED');
    expect(error.retryAfterMs).toBe(Math.ceil(1000 / 0.0056));
    expect(sim.calls.filter((c) => c.operation === 'searchOrders')).toHaveLength(1);
  });

  it('pushes stock as one JSON_LISTINGS_FEED and reports the SKUs Amazon refused', async () => {
    sim.listings.unknownSkus.add('GONE-1');
    const targets = [target('MUG-1', 7), target('GONE-1', 3), target('TEE-2', 0)];
    const result = await connector.pushStock(targets, 'stock-push.amazon-jp.1');
    expect(result.stale).toEqual([]);
    expect(result.rejected).toEqual([{ sku: 'GONE-1', message: expect.stringContaining('GONE-1') }]);
    expect(sim.listings.quantity('MUG-1')).toBe(7);
    expect(sim.listings.quantity('TEE-2')).toBe(0);
    const upload = sim.calls.find((c) => c.operation === 'uploadFeedDocument')!;
    expect(upload.body).toEqual(listingsQuantityFeed(sim.sellerId, targets));
    expect(sim.calls.filter((c) => c.operation === 'createFeed').map((c) => c.body)).toEqual([
      expect.objectContaining({ feedType: 'JSON_LISTINGS_FEED', marketplaceIds: [JP] }),
    ]);
  });

  it('gives up waiting for a feed still IN_QUEUE as TRANSIENT, so the push is retried later', async () => {
    sim.feeds.processingMs = 3_600_000;
    const slow = new AmazonConnector({
      credentials: {
        clientId: sim.clientId,
        clientSecret: sim.clientSecret,
        refreshToken: sim.refreshToken,
        sellerId: sim.sellerId,
        region: 'fe',
        marketplaceIds: [JP],
      },
      endpoint: sim.url,
      feedWait: { pollIntervalMs: 1, maxWaitMs: 0 },
      now: () => now,
    });
    const error = await failure(slow.pushStock([target('MUG-1', 1)], 'k'));
    expect(error.kind).toBe('TRANSIENT');
    expect(error.message).toContain('IN_QUEUE');
  });

  it('sets one urgent SKU with patchListingsItem', async () => {
    await expect(connector.pushUrgentStock(target('MUG-1', 1))).resolves.toEqual({ stale: [], rejected: [] });
    expect(sim.listings.quantity('MUG-1')).toBe(1);
    sim.listings.unknownSkus.add('GONE-1');
    const refused = await connector.pushUrgentStock(target('GONE-1', 1));
    expect(refused.rejected).toEqual([{ sku: 'GONE-1', message: expect.stringContaining('GONE-1') }]);
  });

  it('confirms a shipment with tracking once, even when the push is retried', async () => {
    const order = merchantOrder('250-0000009-0000009', '2026-12-01T00:00:00Z');
    sim.addOrders([order]);
    const push = {
      externalOrderId: order.orderId,
      lines: order.orderItems.map((i) => ({ externalLineId: i.orderItemId, quantity: i.quantityOrdered })),
      trackingNumber: 'SBX123',
      carrier: 'Sandbox Post',
      trackingUrl: null,
    };
    const id = await connector.pushFulfilment(push, 'fulfilment-push.s1');
    expect(id).toBe(`${order.orderId}/${packageReferenceIdFor('fulfilment-push.s1')}`);
    expect(await connector.pushFulfilment(push, 'fulfilment-push.s1')).toBe(id);
    const confirms = sim.calls.filter((c) => c.operation === 'confirmShipment');
    expect(confirms).toHaveLength(1);
    expect(confirms[0]!.body).toMatchObject({
      marketplaceId: JP,
      packageDetail: { carrierCode: 'Other', carrierName: 'Sandbox Post', trackingNumber: 'SBX123' },
    });
    expect(sim.orders.get(order.orderId)!.fulfillment!.fulfillmentStatus).toBe('SHIPPED');
  });

  it('refuses to confirm a PENDING order (INVALID) and an unknown one (NOT_FOUND)', async () => {
    const order = merchantOrder('250-0000010-0000010', '2026-12-01T00:00:00Z', 'PENDING');
    sim.addOrders([order]);
    const push = {
      externalOrderId: order.orderId,
      lines: [{ externalLineId: order.orderItems[0]!.orderItemId, quantity: 1 }],
      trackingNumber: 'T1',
      carrier: 'UPS',
      trackingUrl: null,
    };
    expect((await failure(connector.pushFulfilment(push, 'a'))).kind).toBe('INVALID');
    expect(
      (await failure(connector.pushFulfilment({ ...push, externalOrderId: '250-0000000-0000000' }, 'b'))).kind,
    ).toBe('NOT_FOUND');
  });

  it('fails a call as AUTH when Login with Amazon refuses the refresh token, before any SP-API call', async () => {
    const revoked = new AmazonConnector({
      credentials: {
        clientId: sim.clientId,
        clientSecret: sim.clientSecret,
        refreshToken: 'Atzr|revoked',
        sellerId: sim.sellerId,
        region: 'fe',
        marketplaceIds: [JP],
      },
      endpoint: sim.url,
    });
    const error = await failure(revoked.pullOrders(new Date('2026-12-01T00:00:00Z'), null, 10));
    expect(error.kind).toBe('AUTH');
    expect(sim.calls.map((c) => c.operation)).toEqual(['lwaToken']);
  });

  it('says INVALID to a cancellation push: not supported from the hub yet', async () => {
    const error = await failure(connector.pushCancellation('250-1', 'customer asked', 'k'));
    expect(error.kind).toBe('INVALID');
    expect(sim.calls).toHaveLength(0);
  });
});
