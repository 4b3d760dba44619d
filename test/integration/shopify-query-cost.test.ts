import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PlatformError } from '../../src/connectors/connector.js';
import { ORDERS_PAGE_BY_COST, ShopifyConnector } from '../../src/connectors/shopify/shopify.connector.js';
import { ShopifyTransport } from '../../src/connectors/shopify/shopify-transport.js';
import { ORDERS_UPDATED_SINCE } from '../../src/connectors/shopify/shopify-queries.js';
import { ShopifySimulator } from '../../src/connectors/shopify/simulator/shopify-simulator.js';

/** Shopify prices a query up front and refuses any above 1,000 points; the connector sizes its pages for it. */
describe('Shopify query cost against the simulator', () => {
  let sim: ShopifySimulator;
  let options: ConstructorParameters<typeof ShopifyConnector>[0];

  beforeEach(async () => {
    sim = new ShopifySimulator({ bucketSize: 2_000, restoreRate: 100 });
    await sim.start();
    options = {
      credentials: { shopDomain: sim.shopDomain, accessToken: sim.accessToken, webhookSecret: sim.webhookSecret },
      endpoint: sim.url,
      timeoutMs: 10_000,
    };
  });
  afterEach(async () => {
    await sim.stop();
  });

  it('refuses a query priced above 1,000 points (MAX_COST_EXCEEDED → INVALID), charging nothing', async () => {
    sim.createOrder({ lines: [{ sku: 'A', quantity: 1, price: '1.00' }] });
    const oldShape = ORDERS_UPDATED_SINCE.replace(/lineItems\(first: \d+\)/, 'lineItems(first: 250)');
    const transport = new ShopifyTransport(options);
    let error: unknown;
    try {
      await transport.call(oldShape, { first: 1, query: "updated_at:>='1970-01-01T00:00:00Z'" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PlatformError);
    expect((error as PlatformError).kind).toBe('INVALID');
    expect((error as PlatformError).message).toMatch(/exceeds the single query max cost limit/);
    const [call] = sim.calls;
    expect(call!.requestedCost).toBeGreaterThan(1_000);
    expect(call!.actualCost).toBeNull();
    expect(call!.bucketAfter).toBe(call!.bucketBefore);
    process.stdout.write(`query cost: the first wave's order page asked ${call!.requestedCost} points: refused\n`);
  });

  it('pulls every line and refund of an order with 120 lines and 12 refunds, each query within the cap', async () => {
    const big = sim.createOrder({
      lines: Array.from({ length: 120 }, (_, i) => ({ sku: `L-${i}`, quantity: 1 + (i % 3), price: '2.50' })),
    });
    for (let i = 0; i < 12; i++) sim.refundOrder(big.admin_graphql_api_id, '0.10', `r${i}`);
    for (let i = 0; i < 7; i++) sim.createOrder({ lines: [{ sku: `S-${i}`, quantity: 1, price: '4.00' }] });

    const connector = new ShopifyConnector(options);
    const orders = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<ShopifyConnector['pullOrders']>> = await connector.pullOrders(
        new Date(0),
        cursor,
        250,
      );
      orders.push(...page.orders);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);

    expect(orders).toHaveLength(8);
    const pulled = orders.find((o) => o.externalId === big.admin_graphql_api_id)!;
    expect(pulled.lines).toHaveLength(120);
    expect(pulled.lines.map((l) => l.sku)).toEqual(Array.from({ length: 120 }, (_, i) => `L-${i}`));
    expect(new Set(pulled.lines.map((l) => l.externalLineId)).size).toBe(120);
    expect(pulled.refunds).toHaveLength(12);
    const requested = sim.calls.map((c) => c.requestedCost ?? 0);
    expect(Math.max(...requested)).toBeLessThanOrEqual(1_000);
    expect(sim.calls.every((c) => c.status === 200 && !c.throttled)).toBe(true);
    const followUps = sim.calls.filter((c) => c.op === 'order').length;
    expect(pages).toBe(Math.ceil(8 / ORDERS_PAGE_BY_COST));
    // Lines 51–120 in one follow-up page (up to 199 a page), and all refunds once 10 filled up.
    expect(followUps).toBe(2);
    process.stdout.write(
      `query cost: 8 orders (one of 120 lines, 12 refunds) in ${pages} pages of ≤${ORDERS_PAGE_BY_COST} ` +
        `+ ${followUps} follow-up queries; largest requested cost ${Math.max(...requested)}, ` +
        `lines ${pulled.lines.length}, refunds ${pulled.refunds.length}\n`,
    );
  });
});
