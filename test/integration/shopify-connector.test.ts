import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PlatformError, type StockTarget } from '../../src/connectors/connector.js';
import { connectorFor } from '../../src/connectors/connector-registry.js';
import { ShopifyConnector } from '../../src/connectors/shopify/shopify.connector.js';
import { ShopifySimulator } from '../../src/connectors/shopify/simulator/shopify-simulator.js';

const LOCATION = 'gid://shopify/Location/1';

function connectorOn(sim: ShopifySimulator, overrides: { accessToken?: string; timeoutMs?: number } = {}) {
  return new ShopifyConnector({
    credentials: {
      shopDomain: sim.shopDomain,
      accessToken: overrides.accessToken ?? sim.accessToken,
      webhookSecret: sim.webhookSecret,
    },
    endpoint: sim.url,
    timeoutMs: overrides.timeoutMs ?? 5_000,
  });
}

async function failure(p: Promise<unknown>): Promise<PlatformError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PlatformError) return err;
    throw err;
  }
  throw new Error('expected a PlatformError');
}

describe('Shopify connector against the simulator', () => {
  let sim: ShopifySimulator;
  let connector: ShopifyConnector;

  beforeEach(async () => {
    sim = new ShopifySimulator({ bucketSize: 1000, restoreRate: 50, hangMs: 2_000 });
    await sim.start();
    connector = connectorOn(sim);
  });
  afterEach(async () => {
    await sim.stop();
  });

  it('pulls order nodes page by page through @shopify/shopify-api, pointed at the channel endpoint', async () => {
    const ids = Array.from(
      { length: 7 },
      (_, i) => sim.createOrder({ lines: [{ sku: `SKU-${i}`, quantity: 1, price: '3.50' }] }).admin_graphql_api_id,
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<ShopifyConnector['fetchOrderNodes']>> = await connector.fetchOrderNodes(
        new Date(0),
        cursor,
        3,
      );
      seen.push(...page.nodes.map((n) => n.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...ids].sort());
    const node = (await connector.fetchOrderNodes(new Date(0), null, 1)).nodes[0]!;
    expect(node.lineItems.nodes[0]).toMatchObject({
      sku: 'SKU-0',
      quantity: 1,
      originalUnitPriceSet: { shopMoney: { amount: '3.50' } },
    });
    expect(node.lineItems.nodes[0]!.variant?.inventoryItem.id).toMatch(/^gid:\/\/shopify\/InventoryItem\//);
    expect(sim.calls.every((c) => c.status === 200 && c.op === 'orders' && c.apiVersion === '2026-04')).toBe(true);
    expect(connector.throttleStatus).toMatchObject({ maximumAvailable: 1000, restoreRate: 50 });
  });

  it('keeps two channels on the same shop domain apart: each reaches its own endpoint', async () => {
    const other = new ShopifySimulator({ shopDomain: sim.shopDomain });
    await other.start();
    try {
      other.createOrder({ lines: [{ sku: 'ONLY-THERE', quantity: 1, price: '1.00' }] });
      const [here, there] = await Promise.all([
        connector.fetchOrderNodes(new Date(0), null, 10),
        connectorOn(other).fetchOrderNodes(new Date(0), null, 10),
      ]);
      expect(here.nodes).toHaveLength(0);
      expect(there.nodes.map((n) => n.lineItems.nodes[0]!.sku)).toEqual(['ONLY-THERE']);
    } finally {
      await other.stop();
    }
  });

  it('pushes stock in calls of at most 250 quantities, each with changeFromQuantity and its own idempotency key', async () => {
    const targets: StockTarget[] = Array.from({ length: 600 }, (_, i) => {
      const { inventoryItemId } = sim.setStock(`SKU-${i}`, LOCATION, 10);
      return {
        sku: `SKU-${i}`,
        externalInventoryItemId: inventoryItemId,
        externalLocationId: LOCATION,
        quantity: i % 7,
        expectedQuantity: 10,
      };
    });
    const result = await connector.pushStock(targets, 'push-1');
    expect(result.stale).toEqual([]);
    const pushes = sim.calls.filter((c) => c.op === 'inventorySetQuantities');
    process.stdout.write(`stock push: 600 targets in ${pushes.length} calls\n`);
    expect(pushes.map((c) => c.idempotencyKey)).toEqual(['push-1:0', 'push-1:1', 'push-1:2']);
    for (const t of targets) expect(sim.available(t.externalInventoryItemId, LOCATION)).toBe(t.quantity);

    // The same key again (a retried job) replays the stored results: nothing is applied twice.
    sim.state.setLevel(targets[0]!.externalInventoryItemId, LOCATION, 99);
    await connector.pushStock(targets, 'push-1');
    expect(sim.available(targets[0]!.externalInventoryItemId, LOCATION)).toBe(99);
  });

  it('reports stale compares with the figure re-read from Shopify and still sets the others, never overwriting blindly', async () => {
    const targets: StockTarget[] = ['A', 'B', 'C', 'D'].map((sku) => {
      const { inventoryItemId } = sim.setStock(sku, LOCATION, 5);
      return {
        sku,
        externalInventoryItemId: inventoryItemId,
        externalLocationId: LOCATION,
        quantity: 2,
        expectedQuantity: 5,
      };
    });
    sim.state.setLevel(targets[1]!.externalInventoryItemId, LOCATION, 8); // sold or changed on Shopify meanwhile
    sim.state.setLevel(targets[3]!.externalInventoryItemId, LOCATION, 1);
    const result = await connector.pushStock(targets, 'push-cas');
    expect(result.stale).toEqual([
      { sku: 'B', actualQuantity: 8 },
      { sku: 'D', actualQuantity: 1 },
    ]);
    expect(targets.map((t) => sim.available(t.externalInventoryItemId, LOCATION))).toEqual([2, 8, 2, 1]);
    expect(sim.calls.filter((c) => c.op === 'inventorySetQuantities').map((c) => c.idempotencyKey)).toEqual([
      'push-cas:0',
      'push-cas:0:r1',
    ]);
  });

  it('turns THROTTLED into RATE_LIMITED with retryAfterMs = (requested − available) / restoreRate', async () => {
    // A slow refill (1 point/s), so a stalled machine cannot refill the bucket before the call.
    const slow = new ShopifySimulator({ bucketSize: 1000, restoreRate: 1 });
    await slow.start();
    try {
      const { inventoryItemId } = slow.setStock('T', LOCATION, 1);
      slow.bucket.set(3);
      const slowConnector = connectorOn(slow);
      const err = await failure(
        slowConnector.pushStock(
          [
            {
              sku: 'T',
              externalInventoryItemId: inventoryItemId,
              externalLocationId: LOCATION,
              quantity: 0,
              expectedQuantity: 1,
            },
          ],
          'k',
        ),
      );
      expect(err.kind).toBe('RATE_LIMITED');
      // A mutation costs 10; the bucket held about 3 (plus what 1 point/s restored meanwhile).
      const bucket = slowConnector.throttleStatus!;
      expect(bucket.currentlyAvailable).toBeLessThan(10);
      expect(err.retryAfterMs).toBe(Math.ceil(((10 - bucket.currentlyAvailable) / 1) * 1000));
      expect(err.retryAfterMs).toBeGreaterThan(0);
      expect(slow.available(inventoryItemId, LOCATION)).toBe(1);
      expect(slow.calls.every((c) => c.bucketAfter >= 0)).toBe(true);
    } finally {
      await slow.stop();
    }
  });

  it('maps 5xx and timeouts to TRANSIENT, 429 to RATE_LIMITED with Retry-After, a wrong token to AUTH — one call each, no hidden retries', async () => {
    sim.setFaults({ serverError: 1 });
    expect((await failure(connector.fetchOrderNodes(new Date(0), null, 5))).kind).toBe('TRANSIENT');
    expect(sim.calls).toHaveLength(1);

    sim.setFaults({ serverError: 0, tooManyRequests: 1, retryAfterSeconds: 2 });
    const limited = await failure(connector.fetchOrderNodes(new Date(0), null, 5));
    expect(limited).toMatchObject({ kind: 'RATE_LIMITED', retryAfterMs: 2_000 });
    expect(sim.calls).toHaveLength(2);

    sim.setFaults({ tooManyRequests: 0, timeout: 1 });
    const started = Date.now();
    const timedOut = await failure(connectorOn(sim, { timeoutMs: 200 }).fetchOrderNodes(new Date(0), null, 5));
    expect(timedOut.kind).toBe('TRANSIENT');
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(sim.calls).toHaveLength(3);

    sim.setFaults({ timeout: 0 });
    const auth = await failure(
      connectorOn(sim, { accessToken: 'shpat_revoked' }).fetchOrderNodes(new Date(0), null, 5),
    );
    expect(auth.kind).toBe('AUTH');
    expect(auth.message).not.toContain('shpat_revoked');
  });

  it('converges under 20 % 5xx, 10 % 429, 5 % hangs and THROTTLED when retried by kind: no call before Retry-After, bucket never < 0', async () => {
    const flaky = new ShopifySimulator({
      seed: 42,
      bucketSize: 30,
      restoreRate: 40,
      hangMs: 1_000,
      faults: { serverError: 0.2, tooManyRequests: 0.1, timeout: 0.05, retryAfterSeconds: 0.3 },
    });
    await flaky.start();
    try {
      const client = connectorOn(flaky, { timeoutMs: 150 });
      const targets: StockTarget[] = Array.from({ length: 100 }, (_, i) => {
        const { inventoryItemId } = flaky.setStock(`R7-${i}`, LOCATION, 50);
        return {
          sku: `R7-${i}`,
          externalInventoryItemId: inventoryItemId,
          externalLocationId: LOCATION,
          quantity: (i * 13) % 40,
          expectedQuantity: 50,
        };
      });
      const kinds: Record<string, number> = {};
      // What a job runner does with the kinds: wait retryAfterMs, back off on TRANSIENT.
      for (let i = 0; i < 100; i += 5) {
        const batch = targets.slice(i, i + 5);
        for (let attempt = 0; ; attempt++) {
          try {
            expect((await client.pushStock(batch, `r7-${i}`)).stale).toEqual([]);
            break;
          } catch (err) {
            if (!(err instanceof PlatformError) || attempt > 50) throw err;
            kinds[err.kind] = (kinds[err.kind] ?? 0) + 1;
            await new Promise((r) => setTimeout(r, err.kind === 'RATE_LIMITED' ? err.retryAfterMs : 20));
          }
        }
      }
      const calls = flaky.calls;
      const early = calls.filter((c, i) => c.status === 429 && calls[i + 1] && calls[i + 1]!.at < c.at + 300);
      process.stdout.write(
        `flaky push: ${calls.length} calls, failures by kind ${JSON.stringify(kinds)}, ${calls.filter((c) => c.throttled).length} THROTTLED, ${early.length} calls before Retry-After\n`,
      );
      expect(kinds.TRANSIENT).toBeGreaterThan(0);
      expect(kinds.RATE_LIMITED).toBeGreaterThan(0);
      expect(early).toEqual([]);
      expect(calls.filter((c) => c.throttled).length).toBeGreaterThan(0);
      expect(calls.every((c) => c.bucketBefore >= 0 && c.bucketAfter >= 0)).toBe(true);
      for (const t of targets) expect(flaky.available(t.externalInventoryItemId, LOCATION)).toBe(t.quantity);
    } finally {
      await flaky.stop();
    }
  });

  it('pushes a fulfilment with tracking over the fulfillment orders, once even when retried', async () => {
    const order = sim.createOrder({
      lines: [
        { sku: 'F1', quantity: 2, price: '4.00' },
        { sku: 'F2', quantity: 1, price: '4.00' },
      ],
    });
    const push = {
      externalOrderId: order.admin_graphql_api_id,
      lines: [{ externalLineId: order.line_items[0]!.admin_graphql_api_id, quantity: 2 }],
      trackingNumber: '1Z42',
      carrier: 'UPS',
      trackingUrl: 'https://ups.example/1Z42',
    };
    const id = await connector.pushFulfilment(push, 'ship-1');
    expect(await connector.pushFulfilment(push, 'ship-1')).toBe(id);
    const fulfilments = sim.state.fulfillmentsOf(order.admin_graphql_api_id);
    expect(fulfilments).toHaveLength(1);
    expect(fulfilments[0]!.trackingInfo).toEqual([{ number: '1Z42', company: 'UPS', url: 'https://ups.example/1Z42' }]);
    expect(sim.getOrder(order.admin_graphql_api_id)!.fulfillment_status).toBe('partial');
    const missing = await failure(
      connector.pushFulfilment({ ...push, externalOrderId: 'gid://shopify/Order/1' }, 'ship-2'),
    );
    expect(missing.kind).toBe('NOT_FOUND');
    const tooMany = await failure(connector.pushFulfilment({ ...push, trackingNumber: '1Z43' }, 'ship-3'));
    expect(tooMany.kind).toBe('INVALID');
  });

  it('pushes a cancellation once; an unknown order is NOT_FOUND', async () => {
    const order = sim.createOrder({ lines: [{ sku: 'C1', quantity: 1, price: '4.00' }] });
    await connector.pushCancellation(order.admin_graphql_api_id, 'inventory', 'cancel-1');
    const cancelledAt = sim.getOrder(order.admin_graphql_api_id)!.cancelled_at;
    expect(cancelledAt).not.toBeNull();
    expect(sim.getOrder(order.admin_graphql_api_id)!.cancel_reason).toBe('inventory');
    await connector.pushCancellation(order.admin_graphql_api_id, 'inventory', 'cancel-1');
    expect(sim.calls.filter((c) => c.op === 'orderCancel')).toHaveLength(1);
    expect((await failure(connector.pushCancellation('gid://shopify/Order/1', 'x', 'cancel-2'))).kind).toBe(
      'NOT_FOUND',
    );
  });

  it('lists variants by exact SKU for listing matching', async () => {
    const a = sim.setStock('RED SHIRT', LOCATION, 1);
    sim.setStock('RED', LOCATION, 1);
    const c = sim.setStock('BLUE:1', LOCATION, 1);
    const found = await connector.listVariantsBySku(['RED SHIRT', 'BLUE:1', 'NOPE']);
    expect(found.sort((x, y) => x.sku.localeCompare(y.sku))).toEqual([
      { sku: 'BLUE:1', variantId: c.variantId, inventoryItemId: c.inventoryItemId, locationId: LOCATION },
      { sku: 'RED SHIRT', variantId: a.variantId, inventoryItemId: a.inventoryItemId, locationId: LOCATION },
    ]);
  });

  it('connectorFor builds the Shopify connector and refuses kinds without one', () => {
    const target = {
      endpoint: sim.url,
      credentials: { shopDomain: sim.shopDomain, accessToken: sim.accessToken, webhookSecret: 's' },
    };
    expect(connectorFor({ kind: 'shopify', ...target })).toBeInstanceOf(ShopifyConnector);
    expect(() => connectorFor({ kind: 'direct', ...target })).toThrow(/No connector for channel kind "direct"/);
  });
});
