import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import '@shopify/shopify-api/adapters/node';
import { ApiVersion, shopifyApi, LogSeverity } from '@shopify/shopify-api';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ShopifySimulator, SIM_API_VERSION } from '../../src/connectors/shopify/simulator/shopify-simulator.js';
import type { RestOrder } from '../../src/connectors/shopify/simulator/sim-state.js';
import { WebhookSender } from '../../src/connectors/shopify/simulator/webhook-sender.js';
import { startOrderTrickle } from '../../src/connectors/shopify/simulator/order-trickle.js';
import { SHOPIFY_FIXTURES } from '../support/fixtures.js';

const FIXTURES = SHOPIFY_FIXTURES;
function fixture(name: string): { response: RestOrder } {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as { response: RestOrder };
}

interface GqlAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
  extensions?: {
    cost: {
      requestedQueryCost: number;
      actualQueryCost: number | null;
      throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
    };
  };
}

describe('Shopify simulator (contract)', () => {
  let sim: ShopifySimulator;
  let now: number;

  async function gql(query: string, variables: Record<string, unknown> = {}, token = sim.accessToken) {
    const res = await fetch(`${sim.url}/admin/api/${SIM_API_VERSION}/graphql.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': token },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as GqlAnswer };
  }

  beforeEach(async () => {
    now = Date.parse('2026-12-01T00:00:00Z');
    sim = new ShopifySimulator({ bucketSize: 1000, restoreRate: 50, now: () => now });
    await sim.start();
  });
  afterEach(async () => {
    await sim.stop();
  });

  it('answers 401 to a wrong access token and runs nothing', async () => {
    const res = await gql('{ orders(first: 1) { nodes { id } } }', {}, 'shpat_wrong');
    expect(res.status).toBe(401);
    expect(sim.calls.at(-1)).toMatchObject({ op: 'unauthenticated', status: 401 });
  });

  it('accepts the orders/create fixture unchanged and serves its GraphQL view', async () => {
    const order = fixture('orders-create.json').response;
    const before = JSON.stringify(order);
    sim.createOrder(order);
    expect(JSON.stringify(order)).toBe(before);
    const res = await gql(
      `query($id: ID!) { order(id: $id) { id name updatedAt totalPriceSet { shopMoney { amount currencyCode } }
      shippingAddress { city countryCodeV2 provinceCode } lineItems(first: 10) { nodes { id sku quantity } } } }`,
      {
        id: 'gid://shopify/Order/820982911946154508',
      },
    );
    const view = res.body.data!.order as Record<string, unknown>;
    expect(view).toMatchObject({
      id: 'gid://shopify/Order/820982911946154508',
      name: '#9999',
      updatedAt: '2022-01-01T00:00:00.000Z',
      totalPriceSet: { shopMoney: { amount: '404.95', currencyCode: 'USD' } },
      shippingAddress: { city: 'Shippington', countryCodeV2: 'US', provinceCode: 'KY' },
    });
    const lines = (view.lineItems as { nodes: { id: string; sku: string }[] }).nodes;
    expect(lines.map((l) => l.id)).toEqual(order.line_items.map((l) => l.admin_graphql_api_id));
    expect(lines[0]!.id).toBe('gid://shopify/LineItem/487817672276298554');
  });

  it('pages orders updated since a time by cursor, oldest change first, at most 250 a page', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 601; i++) {
      now += 1000;
      ids.push(sim.createOrder({ lines: [{ sku: 'SKU-1', quantity: 1, price: '5.00' }] }).admin_graphql_api_id);
    }
    const since = new Date(Date.parse('2026-12-01T00:00:00Z') + 101_000).toISOString();
    const seen: string[] = [];
    const pageSizes: number[] = [];
    let after: string | null = null;
    for (;;) {
      now += 60_000; // let the bucket refill between pages
      const res = await gql(
        `query($after: String, $q: String!) { orders(first: 250, after: $after, sortKey: UPDATED_AT, query: $q) {
          pageInfo { hasNextPage endCursor } nodes { id updatedAt } } }`,
        { after, q: `updated_at:>='${since}'` },
      );
      const orders = res.body.data!.orders as {
        pageInfo: { hasNextPage: boolean; endCursor: string };
        nodes: { id: string }[];
      };
      pageSizes.push(orders.nodes.length);
      seen.push(...orders.nodes.map((n) => n.id));
      if (!orders.pageInfo.hasNextPage) break;
      after = orders.pageInfo.endCursor;
    }
    process.stdout.write(`pagination: ${seen.length} orders in pages of ${pageSizes.join(', ')}` + '\n');
    expect(seen).toEqual(ids.slice(100));
    expect(pageSizes).toEqual([250, 250, 1]);
    const tooMany = await gql('{ orders(first: 251) { nodes { id } } }');
    expect(tooMany.body.errors?.[0]?.message).toMatch(/250/);
  });

  it('charges the cost bucket, refills it at the restore rate and answers THROTTLED without going below 0', async () => {
    sim.setStock('SKU-A', 'gid://shopify/Location/1', 5);
    const first = await gql('{ productVariants(first: 5) { nodes { id sku inventoryItem { id } } } }');
    const cost = first.body.extensions!.cost;
    expect(cost.requestedQueryCost).toBeGreaterThan(0);
    expect(cost.throttleStatus).toEqual({
      maximumAvailable: 1000,
      currentlyAvailable: 1000 - cost.actualQueryCost!,
      restoreRate: 50,
    });

    sim.bucket.set(5);
    const mutation = `mutation($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) @idempotent(key: "k-throttle") {
      userErrors { code } } }`;
    const input = { name: 'available', reason: 'correction', quantities: [] };
    const throttled = await gql(mutation, { input });
    expect(throttled.status).toBe(200);
    expect(throttled.body.errors).toEqual([
      expect.objectContaining({ message: 'Throttled', extensions: expect.objectContaining({ code: 'THROTTLED' }) }),
    ]);
    expect(throttled.body.extensions!.cost).toMatchObject({
      requestedQueryCost: 10,
      throttleStatus: { currentlyAvailable: 5 },
    });

    now += 100; // 0.1 s at 50/s restores 5 points: exactly enough for a 10-point mutation
    const ok = await gql(mutation, { input });
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.extensions!.cost.throttleStatus.currentlyAvailable).toBe(0);
    expect(sim.calls.every((c) => c.bucketBefore >= 0 && c.bucketAfter >= 0)).toBe(true);
    expect(sim.calls.filter((c) => c.throttled)).toHaveLength(1);
  });

  describe('inventorySetQuantities', () => {
    const location = 'gid://shopify/Location/1';
    const mutation = `mutation($input: InventorySetQuantitiesInput!, $key: String!) {
      inventorySetQuantities(input: $input) @idempotent(key: $key) {
        inventoryAdjustmentGroup { id changes { delta quantityAfterChange } } userErrors { code field message } } }`;
    let item: string;
    beforeEach(() => {
      item = sim.setStock('SKU-CAS', location, 10).inventoryItemId;
    });
    const set = (quantity: number, changeFromQuantity: number | null | undefined, key: string) =>
      gql(mutation, {
        key,
        input: {
          name: 'available',
          reason: 'correction',
          quantities: [
            changeFromQuantity === undefined
              ? { inventoryItemId: item, locationId: location, quantity }
              : { inventoryItemId: item, locationId: location, quantity, changeFromQuantity },
          ],
        },
      });

    it('compares and swaps: a stale changeFromQuantity changes nothing and says CHANGE_FROM_QUANTITY_STALE', async () => {
      const stale = await set(3, 9, 'k1');
      const payload = stale.body.data!.inventorySetQuantities as { userErrors: { code: string; field: string[] }[] };
      expect(payload.userErrors).toEqual([
        expect.objectContaining({
          code: 'CHANGE_FROM_QUANTITY_STALE',
          field: ['input', 'quantities', '0', 'changeFromQuantity'],
        }),
      ]);
      expect(sim.available(item, location)).toBe(10);
      const fresh = await set(3, 10, 'k2');
      expect((fresh.body.data!.inventorySetQuantities as { userErrors: unknown[] }).userErrors).toEqual([]);
      expect(sim.available(item, location)).toBe(3);
      await set(7, null, 'k3'); // null opts out of the compare
      expect(sim.available(item, location)).toBe(7);
    });

    it('requires changeFromQuantity on each quantity and the @idempotent key', async () => {
      const missing = await set(3, undefined, 'k4');
      expect(
        (missing.body.data!.inventorySetQuantities as { userErrors: { code: string }[] }).userErrors[0]!.code,
      ).toBe('INVALID');
      const noKey = await gql(
        `mutation($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) { userErrors { code } } }`,
        { input: { name: 'available', reason: 'correction', quantities: [] } },
      );
      expect(noKey.body.errors?.[0]?.message).toMatch(/idempotent/);
      expect(sim.available(item, location)).toBe(10);
    });

    it('returns the first result for a repeated key without applying it again', async () => {
      const first = await set(4, 10, 'same-key');
      sim.state.setLevel(item, location, 20); // someone else changes it in between
      const again = await set(4, 10, 'same-key');
      expect(again.body.data).toEqual(first.body.data);
      expect(sim.available(item, location)).toBe(20);
      expect(sim.calls.filter((c) => c.idempotencyKey === 'same-key')).toHaveLength(2);
    });

    it('refuses more than 250 quantities in one call', async () => {
      const quantities = Array.from({ length: 251 }, () => ({
        inventoryItemId: item,
        locationId: location,
        quantity: 1,
        changeFromQuantity: null,
      }));
      const res = await gql(mutation, { key: 'k-big', input: { name: 'available', reason: 'correction', quantities } });
      expect(res.body.errors?.[0]?.extensions?.code).toBe('MAX_INPUT_SIZE_EXCEEDED');
      expect(sim.available(item, location)).toBe(10);
    });
  });

  it('creates a fulfillment over fulfillment orders and cancels an order', async () => {
    const order = sim.createOrder({ lines: [{ sku: 'SKU-F', quantity: 2, price: '10.00' }] });
    const read = await gql(
      `query($id: ID!) { order(id: $id) { fulfillmentOrders(first: 5) { nodes { id lineItems(first: 5) { nodes { id remainingQuantity lineItem { id } } } } } } }`,
      {
        id: order.admin_graphql_api_id,
      },
    );
    const fo = (
      read.body.data!.order as {
        fulfillmentOrders: {
          nodes: { id: string; lineItems: { nodes: { id: string; remainingQuantity: number }[] } }[];
        };
      }
    ).fulfillmentOrders.nodes[0]!;
    expect(fo.lineItems.nodes[0]!.remainingQuantity).toBe(2);
    const created = await gql(
      `mutation($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) { fulfillment { id status trackingInfo { number company url } } userErrors { message } } }`,
      {
        f: {
          lineItemsByFulfillmentOrder: [
            { fulfillmentOrderId: fo.id, fulfillmentOrderLineItems: [{ id: fo.lineItems.nodes[0]!.id, quantity: 2 }] },
          ],
          trackingInfo: { number: '1Z999', company: 'UPS', url: 'https://ups.example/1Z999' },
          notifyCustomer: true,
        },
      },
    );
    expect(created.body.data!.fulfillmentCreate).toMatchObject({
      fulfillment: { status: 'SUCCESS', trackingInfo: [{ number: '1Z999', company: 'UPS' }] },
      userErrors: [],
    });
    expect(sim.getOrder(order.admin_graphql_api_id)!.fulfillment_status).toBe('fulfilled');

    const cancel = `mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER, refundMethod: { originalPaymentMethodsRefund: true }, restock: true, notifyCustomer: false) {
      job { done } orderCancelUserErrors { code message } } }`;
    const cancelled = await gql(cancel, { id: order.admin_graphql_api_id });
    expect(cancelled.body.data!.orderCancel).toMatchObject({ job: { done: true }, orderCancelUserErrors: [] });
    expect(sim.getOrder(order.admin_graphql_api_id)!.cancelled_at).not.toBeNull();
    const unknown = await gql(cancel, { id: 'gid://shopify/Order/1' });
    expect(unknown.body.data!.orderCancel).toMatchObject({ orderCancelUserErrors: [{ code: 'NOT_FOUND' }] });
  });

  it('injects seeded faults (5xx, 429 with Retry-After, hangs) and logs every call', async () => {
    const run = async (seed: number) => {
      const s = new ShopifySimulator({
        seed,
        faults: { serverError: 0.2, tooManyRequests: 0.1, timeout: 0.05, retryAfterSeconds: 2 },
        hangMs: 50,
      });
      await s.start();
      const statuses: (number | string)[] = [];
      for (let i = 0; i < 60; i++) {
        try {
          const res = await fetch(`${s.url}/admin/api/${SIM_API_VERSION}/graphql.json`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': s.accessToken },
            body: JSON.stringify({ query: '{ orders(first: 1) { nodes { id } } }' }),
            signal: AbortSignal.timeout(1000),
          });
          if (res.status === 429) expect(res.headers.get('retry-after')).toBe('2');
          await res.arrayBuffer();
          statuses.push(res.status);
        } catch {
          statuses.push('hang');
        }
      }
      await s.stop();
      return { statuses, calls: s.calls };
    };
    const a = await run(7);
    const b = await run(7);
    expect(a.statuses).toEqual(b.statuses);
    const count = (x: number | string) => a.statuses.filter((s) => s === x).length;
    process.stdout.write(
      `faults over 60 calls: ${count(200)} ok, ${a.statuses.filter((s) => typeof s === 'number' && s >= 500).length} 5xx, ${count(429)} 429, ${count('hang')} hangs` +
        '\n',
    );
    expect(a.statuses.some((s) => typeof s === 'number' && s >= 500)).toBe(true);
    expect(count(429)).toBeGreaterThan(0);
    expect(count('hang')).toBeGreaterThan(0);
    expect(a.calls).toHaveLength(60);
    expect(a.calls.every((c) => typeof c.at === 'number' && c.op === 'orders')).toBe(true);
  });

  it('commits stock on new orders and restocks on a restocking cancel when asked to', async () => {
    const s = new ShopifySimulator({ commitStockOnOrder: true });
    await s.start();
    try {
      const { inventoryItemId } = s.setStock('SKU-C', 'gid://shopify/Location/1', 10);
      const order = s.createOrder({ lines: [{ sku: 'SKU-C', quantity: 3, price: '1.00' }] });
      expect(s.available(inventoryItemId, 'gid://shopify/Location/1')).toBe(7);
      s.createOrder(order); // the same order again is an update, not a second commit
      expect(s.available(inventoryItemId, 'gid://shopify/Location/1')).toBe(7);
      const res = await fetch(`${s.url}/admin/api/${SIM_API_VERSION}/graphql.json`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': s.accessToken },
        body: JSON.stringify({
          query: `mutation($id: ID!) { orderCancel(orderId: $id, reason: INVENTORY, refundMethod: { originalPaymentMethodsRefund: true }, restock: true) { orderCancelUserErrors { code } } }`,
          variables: { id: order.admin_graphql_api_id },
        }),
      });
      expect(res.status).toBe(200);
      expect(s.available(inventoryItemId, 'gid://shopify/Location/1')).toBe(10);
    } finally {
      await s.stop();
    }
  });

  it('offers the control API over HTTP under /_sim/', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${sim.url}/_sim/${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const stock = (await (
      await post('stock', { sku: 'SKU-H', locationId: 'gid://shopify/Location/9', available: 4 })
    ).json()) as {
      inventoryItemId: string;
    };
    const created = await post('orders', { lines: [{ sku: 'SKU-H', quantity: 1, price: '2.00' }] });
    expect(created.status).toBe(201);
    const inventory = (await (await fetch(`${sim.url}/_sim/inventory`)).json()) as {
      sku: string;
      available: number;
      inventoryItemId: string;
    }[];
    expect(inventory).toContainEqual(
      expect.objectContaining({ sku: 'SKU-H', available: 4, inventoryItemId: stock.inventoryItemId }),
    );
    const orders = (await (await fetch(`${sim.url}/_sim/orders`)).json()) as RestOrder[];
    expect(orders).toHaveLength(1);
    await gql('{ orders(first: 1) { nodes { id } } }');
    const calls = (await (await fetch(`${sim.url}/_sim/calls`)).json()) as { op: string }[];
    expect(calls.map((c) => c.op)).toEqual(['orders']);
  });

  it('places a seeded trickle of orders over the catalogue until stopped', async () => {
    const stop = startOrderTrickle(sim, {
      catalogue: [
        { sku: 'TEE', price: '20.00' },
        { sku: 'MUG', price: '9.50' },
      ],
      everyMs: 10,
      seed: 5,
    });
    await new Promise((r) => setTimeout(r, 300));
    stop();
    const placed = sim.state.orders.size;
    await new Promise((r) => setTimeout(r, 50));
    expect(sim.state.orders.size).toBe(placed);
    expect(placed).toBeGreaterThan(5);
    for (const order of sim.state.orders.values()) {
      expect(order.line_items.length).toBeGreaterThan(0);
      expect(order.line_items.every((li) => li.sku === 'TEE' || li.sku === 'MUG')).toBe(true);
    }
  });

  describe('webhook sender', () => {
    let receiver: Server;
    let received: { headers: Record<string, string | string[] | undefined>; body: Buffer }[];
    let answer: () => number;
    let target: string;
    beforeEach(async () => {
      received = [];
      answer = () => 200;
      receiver = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({ headers: req.headers, body: Buffer.concat(chunks) });
          res.writeHead(answer()).end();
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/x`;
    });
    afterEach(async () => {
      await new Promise<void>((r) => receiver.close(() => r()));
    });

    it('signs the raw body as Shopify does (checked with an independent HMAC) and sends every header', async () => {
      sim.subscribeWebhooks(target);
      const order = fixture('orders-create.json').response;
      sim.createOrder(order);
      await sim.webhooks.drain();
      expect(received).toHaveLength(1);
      const { headers, body } = received[0]!;
      const expected = createHmac('sha256', Buffer.from(sim.webhookSecret, 'utf8')).update(body).digest();
      const given = Buffer.from(String(headers['x-shopify-hmac-sha256']), 'base64');
      expect(given.length).toBe(32);
      expect(timingSafeEqual(given, expected)).toBe(true);
      const edited = Buffer.from(body);
      edited[10] = edited[10]! ^ 1;
      expect(createHmac('sha256', sim.webhookSecret).update(edited).digest().equals(given)).toBe(false);
      expect(headers).toMatchObject({
        'x-shopify-topic': 'orders/create',
        'x-shopify-shop-domain': sim.shopDomain,
        'x-shopify-api-version': SIM_API_VERSION,
      });
      expect(headers['x-shopify-webhook-id']).toBeTruthy();
      expect(headers['x-shopify-event-id']).toBeTruthy();
      expect(Date.parse(String(headers['x-shopify-triggered-at']))).toBe(now);
      expect((JSON.parse(body.toString('utf8')) as RestOrder).admin_graphql_api_id).toBe(order.admin_graphql_api_id);
    });

    it("passes @shopify/shopify-api's own webhooks.validate (HMAC and required headers), and fails it with another secret", async () => {
      const verdicts: { valid: boolean; topic?: string; domain?: string; webhookId?: string }[] = [];
      const validator = (secret: string) =>
        shopifyApi({
          apiKey: 'k',
          apiSecretKey: secret,
          apiVersion: ApiVersion.April26,
          hostName: 'localhost',
          isEmbeddedApp: false,
          logger: { level: LogSeverity.Error, log: () => Promise.resolve() },
        });
      const right = validator(sim.webhookSecret);
      const wrong = validator('not-the-secret');
      const official = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const rawBody = Buffer.concat(chunks).toString('utf8');
          void Promise.all([
            right.webhooks.validate({ rawBody, rawRequest: req, rawResponse: res }),
            wrong.webhooks.validate({ rawBody, rawRequest: req, rawResponse: res }),
          ]).then(([a, b]) => {
            verdicts.push(a as (typeof verdicts)[number], b as (typeof verdicts)[number]);
            res.writeHead(200).end();
          });
        });
      });
      await new Promise<void>((r) => official.listen(0, '127.0.0.1', r));
      try {
        sim.subscribeWebhooks(`http://127.0.0.1:${(official.address() as AddressInfo).port}/`);
        sim.createOrder(fixture('orders-create.json').response);
        await sim.webhooks.drain();
      } finally {
        await new Promise<void>((r) => official.close(() => r()));
      }
      expect(verdicts[0]).toMatchObject({ valid: true, topic: 'ORDERS_CREATE', domain: sim.shopDomain });
      expect(verdicts[1]).toMatchObject({ valid: false, reason: 'invalid_hmac' });
    });

    it('announces changes made through the control API: orders/create, refunds/create, orders/updated, orders/cancelled', async () => {
      sim.subscribeWebhooks(target);
      const order = sim.createOrder({ lines: [{ sku: 'SKU-W', quantity: 2, price: '10.00' }] });
      now += 1000;
      sim.refundOrder(order.admin_graphql_api_id, '5.00', 'scratched');
      now += 1000;
      sim.cancelOrder(order.admin_graphql_api_id);
      await sim.webhooks.drain();
      expect(received.map((r) => r.headers['x-shopify-topic']).sort()).toEqual(
        ['orders/cancelled', 'orders/create', 'orders/updated', 'refunds/create'].sort(),
      );
      const refund = received.find((r) => r.headers['x-shopify-topic'] === 'refunds/create')!;
      expect(JSON.parse(refund.body.toString('utf8'))).toMatchObject({
        note: 'scratched',
        transactions: [{ kind: 'refund', amount: '5.00' }],
      });
      const view = await gql(
        `query($id: ID!) { order(id: $id) { displayFinancialStatus cancelledAt refunds(first: 5) { note totalRefundedSet { shopMoney { amount } } } } }`,
        {
          id: order.admin_graphql_api_id,
        },
      );
      expect(view.body.data!.order).toMatchObject({
        displayFinancialStatus: 'PARTIALLY_REFUNDED',
        cancelledAt: expect.any(String),
        refunds: [{ note: 'scratched', totalRefundedSet: { shopMoney: { amount: '5.00' } } }],
      });
    });

    it('retries a delivery that got no 2xx, and duplicates with the same event id', async () => {
      let calls = 0;
      answer = () => (++calls <= 2 ? 503 : 200);
      const sender = new WebhookSender({
        secret: 's',
        shopDomain: 'x.myshopify.com',
        apiVersion: SIM_API_VERSION,
        retryBaseMs: 5,
        duplicateRate: 1,
      });
      await sender.send({ url: target, topic: 'orders/updated', body: '{"id":1}' });
      await sender.drain();
      const eventIds = new Set(received.map((r) => r.headers['x-shopify-event-id']));
      const webhookIds = new Set(received.map((r) => r.headers['x-shopify-webhook-id']));
      process.stdout.write(
        `webhook retries: ${received.length} attempts, ${webhookIds.size} deliveries, ${eventIds.size} event` + '\n',
      );
      expect(received).toHaveLength(4); // two copies; the first two attempts got 503
      expect(eventIds.size).toBe(1);
      expect(webhookIds.size).toBe(2);
      expect(sender.deliveries.filter((d) => d.status === 200)).toHaveLength(2);
    });

    it('drops a seeded share of events and records which', async () => {
      const sender = new WebhookSender({
        secret: 's',
        shopDomain: 'x.myshopify.com',
        apiVersion: SIM_API_VERSION,
        dropRate: 0.3,
        seed: 3,
      });
      await sender.sendShuffled(
        Array.from({ length: 100 }, (_, i) => ({ url: target, topic: 'orders/create', body: `{"n":${i}}` })),
      );
      await sender.drain();
      process.stdout.write(
        `webhook drops: ${sender.dropped.length} of 100 dropped, ${received.length} received` + '\n',
      );
      expect(sender.dropped.length).toBeGreaterThan(10);
      expect(received.length + sender.dropped.length).toBe(100);
    });
  });
});
