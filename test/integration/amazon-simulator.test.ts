import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Order, SearchOrdersResponse } from '@sp-api-sdk/orders-api-2026-01-01';
import { callAmazon, READ_POLICY, WRITE_POLICY } from '../../src/connectors/amazon/amazon-call.js';
import { LwaTokenProvider, TOKEN_RENEW_MARGIN_MS } from '../../src/connectors/amazon/lwa-token-provider.js';
import { SpApiAuth } from '../../src/connectors/amazon/sp-api-auth.js';
import { createSpApiClients, type SpApiClients } from '../../src/connectors/amazon/sp-api-clients.js';
import { AmazonSimulator } from '../../src/connectors/amazon/simulator/amazon-simulator.js';
import { PlatformError } from '../../src/connectors/connector.js';
import { amazonFixture } from '../support/fixtures.js';

const EXAMPLE = amazonFixture<{ response: SearchOrdersResponse }>('searchOrders-2026-01-01.sandbox-200.json');
const LISTINGS_FEED = amazonFixture<{ messages: unknown[] }>('json-listings-feed.example.json');
const ALL_INCLUDED = [
  'BUYER',
  'RECIPIENT',
  'PROCEEDS',
  'EXPENSE',
  'PROMOTION',
  'CANCELLATION',
  'FULFILLMENT',
  'PACKAGES',
];
const JP = 'A1VC38T7YXB528';

describe('Amazon SP-API simulator through the @sp-api-sdk clients', () => {
  let sim: AmazonSimulator;
  let now: number;
  let tokens: LwaTokenProvider;
  let clients: SpApiClients;

  beforeEach(async () => {
    now = Date.parse('2026-12-07T12:00:00Z');
    sim = new AmazonSimulator({ now: () => now, tokenLifetimeSeconds: 3600 });
    await sim.start();
    tokens = lwa(sim.refreshToken);
    clients = createSpApiClients({ auth: new SpApiAuth(tokens), region: 'fe', endpoint: sim.url });
  });
  afterEach(() => sim.stop());

  function lwa(refreshToken: string): LwaTokenProvider {
    return new LwaTokenProvider({
      credentials: { clientId: sim.clientId, clientSecret: sim.clientSecret, refreshToken },
      endpoint: sim.url,
      timeoutMs: 2_000,
      now: () => now,
    });
  }

  const search = (params: Record<string, unknown> = {}) =>
    callAmazon('searchOrders', WRITE_POLICY(2_000), (options) =>
      clients.orders.searchOrders(
        {
          lastUpdatedAfter: '2024-12-01T00:00:00Z',
          marketplaceIds: [JP],
          includedData: ALL_INCLUDED as never,
          ...params,
        },
        options,
      ),
    );

  it('exchanges the refresh token once and sends the access token as x-amz-access-token', async () => {
    sim.addOrders(EXAMPLE.response.orders);
    await search();
    await search();
    const token = sim.calls.filter((c) => c.operation === 'lwaToken');
    expect(token).toHaveLength(1);
    expect(tokens.exchanges).toBe(1);
    const searches = sim.calls.filter((c) => c.operation === 'searchOrders');
    expect(searches.map((c) => c.status)).toEqual([200, 200]);
    expect(searches[0]!.accessToken).toMatch(/^Atza\|sim-/);
    expect(searches[1]!.accessToken).toBe(searches[0]!.accessToken);
  });

  it('renews the token shortly before it expires, not after', async () => {
    sim.addOrders(EXAMPLE.response.orders);
    await search();
    now += 3600_000 - TOKEN_RENEW_MARGIN_MS - 1;
    await search();
    expect(tokens.exchanges).toBe(1);
    now += 2;
    await search();
    expect(tokens.exchanges).toBe(2);
    expect(sim.calls.filter((c) => c.operation === 'searchOrders').every((c) => c.status === 200)).toBe(true);
  });

  it('shares one exchange between concurrent callers', async () => {
    const got = await Promise.all([tokens.accessToken(), tokens.accessToken(), tokens.accessToken()]);
    expect(new Set(got).size).toBe(1);
    expect(sim.calls.filter((c) => c.operation === 'lwaToken')).toHaveLength(1);
  });

  it('maps a refused refresh token to AUTH without retrying', async () => {
    const bad = lwa('Atzr|revoked');
    const error = await bad.accessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect((error as PlatformError).kind).toBe('AUTH');
    expect((error as PlatformError).message).toContain('invalid_grant');
    expect((error as PlatformError).message).not.toContain('revoked');
    expect(sim.calls.filter((c) => c.operation === 'lwaToken')).toHaveLength(1);
  });

  it('refuses an expired access token with 403, mapped to AUTH', async () => {
    await tokens.accessToken();
    sim.expireTokens();
    const error = await search().catch((e: unknown) => e);
    expect((error as PlatformError).kind).toBe('AUTH');
    expect(sim.calls.at(-1)!.status).toBe(403);
  });

  it('serves the official searchOrders example unchanged when every block is asked for', async () => {
    sim.addOrders(EXAMPLE.response.orders);
    const { data } = await search();
    expect(data.orders).toEqual(EXAMPLE.response.orders);
    expect(data.pagination).toBeUndefined();
  });

  it('leaves out the blocks includedData does not ask for, items always inline', async () => {
    sim.addOrders(EXAMPLE.response.orders);
    const { data } = await search({ includedData: undefined });
    const order = data.orders[0]!;
    expect(order.buyer).toBeUndefined();
    expect(order.fulfillment).toBeUndefined();
    expect(order.orderItems).toHaveLength(2);
    expect(order.orderItems[0]!.proceeds).toBeUndefined();
    expect(order.orderItems[0]!.product.sellerSku).toBe('ECHO-DOT-4-JP-CHARCOAL');
  });

  it('pages with paginationToken, oldest change first, and filters by lastUpdatedAfter', async () => {
    const base = EXAMPLE.response.orders[0]!;
    for (let i = 0; i < 5; i++) {
      sim.addOrders([
        { ...base, orderId: `250-000000${i}-0000000`, lastUpdatedTime: `2026-12-0${i + 1}T00:00:00Z` } as Order,
      ]);
    }
    const first = await search({ lastUpdatedAfter: '2026-12-02T00:00:00Z', maxResultsPerPage: 3 });
    expect(first.data.orders.map((o) => o.orderId)).toEqual([
      '250-0000001-0000000',
      '250-0000002-0000000',
      '250-0000003-0000000',
    ]);
    const token = first.data.pagination?.nextToken;
    expect(token).toEqual(expect.any(String));
    const second = await search({
      lastUpdatedAfter: '2026-12-02T00:00:00Z',
      maxResultsPerPage: 3,
      paginationToken: token,
    });
    expect(second.data.orders.map((o) => o.orderId)).toEqual(['250-0000004-0000000']);
    expect(second.data.pagination).toBeUndefined();
  });

  it('answers searchOrders 429 after its burst of 20, with the rate in x-amzn-RateLimit-Limit', async () => {
    for (let i = 0; i < 20; i++) await search();
    const error = await search().catch((e: unknown) => e);
    expect((error as PlatformError).kind).toBe('RATE_LIMITED');
    // One token back at 0.0056/s takes 1/0.0056 s.
    expect((error as PlatformError).retryAfterMs).toBe(Math.ceil(1000 / 0.0056));
    expect(sim.calls.at(-1)!.status).toBe(429);
    now += Math.ceil(1000 / 0.0056);
    await expect(search()).resolves.toMatchObject({ status: 200 });
    expect(sim.calls.filter((c) => c.operation === 'searchOrders').map((c) => c.status)).toEqual([
      ...Array<number>(20).fill(200),
      429,
      200,
    ]);
  });

  it('retries a read after a 503 under READ_POLICY, never a write under WRITE_POLICY', async () => {
    await tokens.accessToken();
    sim.failNext('searchOrders', 503);
    const read = await callAmazon('searchOrders', { ...READ_POLICY(2_000), backoffMs: 1 }, (options) =>
      clients.orders.searchOrders({ lastUpdatedAfter: '2024-12-01T00:00:00Z' }, options),
    );
    expect(read.status).toBe(200);
    sim.failNext('searchOrders', 503);
    const error = await search().catch((e: unknown) => e);
    expect((error as PlatformError).kind).toBe('TRANSIENT');
    expect(sim.calls.filter((c) => c.operation === 'searchOrders').map((c) => c.status)).toEqual([503, 200, 503]);
  });

  it('runs the official JSON_LISTINGS_FEED example through the feed flow and reports per message', async () => {
    const { data: doc } = await clients.feeds.createFeedDocument({
      body: { contentType: 'application/json; charset=UTF-8' },
    });
    const upload = await fetch(doc.url, { method: 'PUT', body: JSON.stringify(LISTINGS_FEED) });
    expect(upload.status).toBe(200);
    const { data: created } = await clients.feeds.createFeed({
      body: {
        feedType: 'JSON_LISTINGS_FEED',
        marketplaceIds: ['ATVPDKIKX0DER'],
        inputFeedDocumentId: doc.feedDocumentId,
      },
    });
    const { data: feed } = await clients.feeds.getFeed({ feedId: created.feedId });
    expect(feed.processingStatus).toBe('DONE');
    const { data: result } = await clients.feeds.getFeedDocument({ feedDocumentId: feed.resultFeedDocumentId! });
    const report = (await (await fetch(result.url)).json()) as {
      issues: { messageId: number; severity: string }[];
      summary: Record<string, number>;
    };
    // Message 1 deletes a SKU the seller never listed; the other four set quantity 10.
    expect(report.issues.map((i) => [i.messageId, i.severity])).toEqual([[1, 'ERROR']]);
    expect(report.summary).toEqual({
      errors: 1,
      warnings: 0,
      messagesProcessed: 5,
      messagesAccepted: 4,
      messagesInvalid: 1,
    });
    expect(sim.listings.quantity('My-SKU-B')).toBe(10);
    expect(sim.listings.quantity('My-SKU-C', 'AMAZON_NA')).toBe(10);
    expect(sim.listings.quantity('My-SKU-D')).toBe(10);
    expect(sim.listings.quantity('My-SKU-E')).toBe(10);
  });

  it('keeps a feed IN_QUEUE until its processing time', async () => {
    sim.feeds.processingMs = 30_000;
    const { data: doc } = await clients.feeds.createFeedDocument({ body: { contentType: 'application/json' } });
    await fetch(doc.url, { method: 'PUT', body: JSON.stringify(LISTINGS_FEED) });
    const { data: created } = await clients.feeds.createFeed({
      body: {
        feedType: 'JSON_LISTINGS_FEED',
        marketplaceIds: ['ATVPDKIKX0DER'],
        inputFeedDocumentId: doc.feedDocumentId,
      },
    });
    expect((await clients.feeds.getFeed({ feedId: created.feedId })).data.processingStatus).toBe('IN_QUEUE');
    now += 30_000;
    expect((await clients.feeds.getFeed({ feedId: created.feedId })).data.processingStatus).toBe('DONE');
  });

  it('patches one listing quantity with patchListingsItem', async () => {
    const { data } = await clients.listings.patchListingsItem({
      sellerId: sim.sellerId,
      sku: 'MUG-1',
      marketplaceIds: ['ATVPDKIKX0DER'],
      body: {
        productType: 'PRODUCT',
        patches: [
          {
            op: 'merge',
            path: '/attributes/fulfillment_availability',
            value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 3 }],
          },
        ],
      },
    });
    expect(data.status).toBe('ACCEPTED');
    expect(sim.listings.quantity('MUG-1')).toBe(3);
  });

  it('confirms a shipment of an unshipped merchant order with confirmShipment (v0)', async () => {
    const base = structuredClone(EXAMPLE.response.orders[0]!);
    base.fulfillment = { fulfillmentStatus: 'UNSHIPPED', fulfilledBy: 'MERCHANT' };
    for (const item of base.orderItems)
      item.fulfillment = { quantityFulfilled: 0, quantityUnfulfilled: item.quantityOrdered };
    sim.addOrders([base]);
    const answer = await clients.ordersV0.confirmShipment({
      orderId: base.orderId,
      payload: {
        marketplaceId: JP,
        packageDetail: {
          packageReferenceId: '1',
          carrierCode: 'Yamato Transport',
          trackingNumber: 'YMT123',
          shipDate: '2026-12-07T12:00:00Z',
          orderItems: base.orderItems.map((i) => ({ orderItemId: i.orderItemId, quantity: i.quantityOrdered })),
        },
      },
    });
    expect(answer.status).toBe(204);
    expect(sim.orders.get(base.orderId)!.fulfillment!.fulfillmentStatus).toBe('SHIPPED');
    expect(sim.orders.packages.get(base.orderId)).toEqual([expect.objectContaining({ trackingNumber: 'YMT123' })]);
  });
});
