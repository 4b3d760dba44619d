import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { SimSqsQueue } from '../../src/connectors/amazon/simulator/sim-sqs-queue.js';
import { AmazonSimulator } from '../../src/connectors/amazon/simulator/amazon-simulator.js';
import { SqsSimulator } from '../../src/connectors/amazon/simulator/sqs-simulator.js';
import { EbaySimulator } from '../../src/connectors/ebay/simulator/ebay-simulator.js';
import { ShopifySimulator } from '../../src/connectors/shopify/simulator/shopify-simulator.js';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { createShipment } from '../../src/domain/orders/lifecycle/create-shipment.js';
import { markShipmentShipped } from '../../src/domain/orders/lifecycle/mark-shipment-shipped.js';
import { releaseOrderHold } from '../../src/domain/orders/lifecycle/release-order-hold.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { sandboxAmazonOrder, sandboxEbayOrder } from '../../src/platform/sandbox/marketplace-orders.js';
import { orderChangeBody } from '../support/amazon-notifications.js';
import { waitFor } from '../support/channel-jobs.js';
import { createLocations, createSku, orderDeps, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { sql } from '../support/database.js';
import { gql, startTestHub, type TestHub } from '../support/hub.js';

/*
 * Three marketplaces on one shared stock (issue 12's first "done when"): a Shopify store
 * (orders by webhook), an Amazon seller (ORDER_CHANGE through SQS) and an eBay seller (pulled)
 * sell the same SKUs from one warehouse of one hub. They race for the last 5 units of RACE-1:
 * nothing is oversold and each channel's losers follow its backorder policy (Shopify BACKORDER:
 * waiting; Amazon REJECT: held for a person; eBay PARTIAL: the missing units cancelled). After a
 * quiet period every platform shows the hub's available-to-sell minus the channel's buffer, and
 * every shipped order's tracking is on its platform.
 */
const RACE = 'RACE-1';
const CALM = 'CALM-1';
const LAST_UNITS = 5;
const CALM_UNITS = 20;
const CHANNELS = {
  shopify: { id: 'race-shopify', buffer: 1, policy: 'BACKORDER' },
  amazon: { id: 'race-amazon', buffer: 2, policy: 'REJECT' },
  ebay: { id: 'race-ebay', buffer: 3, policy: 'PARTIAL' },
} as const;
const SHOP_LOCATION = 'gid://shopify/Location/1';
const TIMEOUT_MS = 120_000;

let t: TestHub;
let orm: Orm;
let shopify: ShopifySimulator;
let amazon: AmazonSimulator;
let ebay: EbaySimulator;
let sqs: SqsSimulator;
let queue: SimSqsQueue;
let warehouseId: string;
const encryptionKey = randomBytes(32);
const ebayGrant = {
  clientId: 'Race-hub-SBX-0123456789-abcdef01',
  clientSecret: `SBX-${randomBytes(8).toString('hex')}`,
  refreshToken: `v^1.1#race-${randomBytes(6).toString('hex')}`,
};

const ask = async <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) => {
  const res = await gql<T>(t.base, query, { key: t.adminKey, ...(variables ? { variables } : {}) });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!;
};
const CONNECT = 'mutation($input: ConnectChannelInput!) { connectChannel(input: $input) { id } }';
const MAP = 'mutation($input: MapListingInput!) { mapListing(input: $input) { sku } }';

beforeAll(async () => {
  shopify = new ShopifySimulator({ seed: 5, bucketSize: 10_000, restoreRate: 1_000 });
  amazon = new AmazonSimulator({ usagePlans: { searchOrders: { rate: 5, burst: 20 } } });
  ebay = new EbaySimulator({ ...ebayGrant, refreshTokens: [ebayGrant.refreshToken] });
  sqs = new SqsSimulator({ accessKeyId: 'AKIARACETEST' });
  await Promise.all([shopify.start(), amazon.start(), ebay.start(), sqs.start()]);
  queue = sqs.createQueue('race-orders', { visibilityTimeoutSeconds: 30 });
  t = await startTestHub('all', {
    SWITCHYARD_ENCRYPTION_KEY: encryptionKey.toString('base64'),
    AMAZON_SQS_ENDPOINT: sqs.url,
    AMAZON_SQS_ACCESS_KEY_ID: 'AKIARACETEST',
    AMAZON_SQS_SECRET_ACCESS_KEY: 'race-test-secret',
    AMAZON_SQS_WAIT_SECONDS: '1',
    CHANNEL_STOCK_PUSH_INTERVAL_MS: '500',
  });
  orm = await createOrm({ kind: 'postgres', url: t.db.url, poolMax: 4 });
  const ctx = contextFor(orm.em);
  for (const sku of [RACE, CALM]) {
    await createSku(ctx, sku, 2_500);
    shopify.setStock(sku, SHOP_LOCATION, 50);
    amazon.listings.update(sku, 'PRODUCT', {});
    ebay.state.inventory.set(sku, { sku, quantity: 50, offerIds: [] });
  }

  await ask(CONNECT, {
    input: {
      kind: 'SHOPIFY',
      id: CHANNELS.shopify.id,
      name: 'Race Shopify',
      endpoint: shopify.url,
      stockBuffer: CHANNELS.shopify.buffer,
      backorderPolicy: CHANNELS.shopify.policy,
      credentials: {
        shopDomain: shopify.shopDomain,
        accessToken: shopify.accessToken,
        webhookSecret: shopify.webhookSecret,
      },
    },
  });
  await ask(CONNECT, {
    input: {
      kind: 'AMAZON',
      id: CHANNELS.amazon.id,
      name: 'Race Amazon',
      endpoint: amazon.url,
      stockBuffer: CHANNELS.amazon.buffer,
      backorderPolicy: CHANNELS.amazon.policy,
      credentials: {
        clientId: amazon.clientId,
        clientSecret: amazon.clientSecret,
        refreshToken: amazon.refreshToken,
        sellerId: amazon.sellerId,
        marketplaceIds: ['ATVPDKIKX0DER'],
        notificationQueueUrl: queue.url,
      },
    },
  });
  await ask(CONNECT, {
    input: {
      kind: 'EBAY',
      id: CHANNELS.ebay.id,
      name: 'Race eBay',
      endpoint: ebay.baseUrl,
      stockBuffer: CHANNELS.ebay.buffer,
      backorderPolicy: CHANNELS.ebay.policy,
      credentials: { ...ebayGrant, verificationToken: `race-verification-${randomBytes(12).toString('hex')}` },
    },
  });
  const { WH } = await createLocations(ctx, [{ code: 'WH', channelIds: Object.values(CHANNELS).map((c) => c.id) }]);
  warehouseId = WH!;
  await stock(ctx, RACE, WH!, LAST_UNITS);
  await stock(ctx, CALM, WH!, CALM_UNITS);
  for (const sku of [RACE, CALM]) {
    const variant = shopify.state.variantBySku(sku)!;
    await ask(MAP, {
      input: {
        channelId: CHANNELS.shopify.id,
        sku,
        externalVariantId: variant.id,
        externalInventoryItemId: variant.inventoryItemId,
        externalLocationId: SHOP_LOCATION,
      },
    });
    await ask(MAP, {
      input: {
        channelId: CHANNELS.amazon.id,
        sku,
        externalVariantId: sku,
        externalInventoryItemId: sku,
        externalLocationId: 'DEFAULT',
      },
    });
    await ask(MAP, {
      input: {
        channelId: CHANNELS.ebay.id,
        sku,
        externalVariantId: sku,
        externalInventoryItemId: sku,
        externalLocationId: 'EBAY_US',
      },
    });
  }
  shopify.subscribeWebhooks(`${t.base}/webhooks/${CHANNELS.shopify.id}`, ['orders/create', 'orders/updated']);
}, 180_000);

afterAll(async () => {
  await orm?.close(true);
  await t?.stop();
  await Promise.all([shopify?.stop(), amazon?.stop(), ebay?.stop(), sqs?.stop()]);
}, 60_000);

interface HubOrder {
  channel_id: string;
  external_id: string;
  status: string;
  allocated: number;
  cancelled: number;
  hold_reason: string | null;
  id: string;
}

const hubOrders = () =>
  sql<HubOrder>(
    t.db.url,
    `select o.id, o.channel_id, o.external_id, o.status, o.hold_reason,
            coalesce(sum(l.quantity_allocated), 0)::int as allocated, coalesce(sum(l.quantity_cancelled), 0)::int as cancelled
       from "order" o join order_line l on l.order_id = o.id
      where o.channel_id like 'race-%' group by o.id`,
  );

const RACE_ITEM = { sku: RACE, title: 'The last units', price: '25.00', available: [0, 0] as [number, number] };

describe('three marketplaces on one shared stock', () => {
  it(
    'race for the last units without overselling, each channel by its policy; platforms converge; tracking goes back',
    async () => {
      // The race: 3 Shopify orders (webhooks), 3 Amazon orders (SQS), 2 eBay orders of 2 (a pull),
      // 10 units wanted of 5, all at once.
      const now = new Date();
      const amazonOrders = [1, 2, 3].map((n) => sandboxAmazonOrder(n, [{ item: RACE_ITEM, quantity: 1 }], now));
      const ebayOrders = [1, 2].map((n) => sandboxEbayOrder(n, [{ item: RACE_ITEM, quantity: 2 }], now));
      await Promise.all([
        ...[1, 2, 3].map(async (n) =>
          shopify.createOrder({ lines: [{ sku: RACE, quantity: 1, price: '25.00' }], email: `shop${n}@example.com` }),
        ),
        (async () => {
          amazon.addOrders(amazonOrders);
          for (const o of amazonOrders) queue.send(orderChangeBody(`race-${o.orderId}`, amazon.sellerId, o.orderId));
        })(),
        (async () => {
          for (const o of ebayOrders) ebay.addOrder(o);
          await ask('mutation($id: ID!) { syncChannel(id: $id) { jobId } }', { id: CHANNELS.ebay.id });
        })(),
      ]);
      await waitFor(async () => (await hubOrders()).length === 8, TIMEOUT_MS, 'all 8 orders ingested');
      // Settled: no order still on its way through sourcing.
      await waitFor(
        async () => (await hubOrders()).every((o) => !['CONFIRMED', 'PAYMENT_AUTHORIZED'].includes(o.status)),
        TIMEOUT_MS,
        'every order sourced',
      );
      const orders = await hubOrders();
      const byChannel = (id: string) => orders.filter((o) => o.channel_id === id);

      // Never oversold: exactly the 5 units are reserved, and the ledger agrees.
      expect(orders.reduce((n, o) => n + o.allocated, 0)).toBe(LAST_UNITS);
      const [level] = await sql<{ on_hand: number; reserved: number }>(
        t.db.url,
        `select sum(sl.on_hand)::int as on_hand, sum(sl.reserved)::int as reserved
           from stock_level sl join variant v on v.id = sl.variant_id where v.sku = $1`,
        [RACE],
      );
      expect(level).toEqual({ on_hand: LAST_UNITS, reserved: LAST_UNITS });
      expect(await checkInvariants(orm.em.fork())).toEqual([]);

      // The losers, each by its channel's policy.
      for (const o of byChannel(CHANNELS.shopify.id))
        expect(o.status).toBe(o.allocated === 1 ? 'ALLOCATED' : 'BACKORDERED');
      for (const o of byChannel(CHANNELS.amazon.id)) {
        if (o.allocated === 1) expect(o.status).toBe('ALLOCATED');
        else {
          expect(o.status).toBe('ON_HOLD');
          expect(o.hold_reason).toContain('takes no backorders');
        }
      }
      for (const o of byChannel(CHANNELS.ebay.id)) {
        expect(o.allocated + o.cancelled).toBe(2);
        expect(o.status).toBe(o.allocated > 0 ? 'ALLOCATED' : 'CANCELLED');
      }
      const summary = Object.values(CHANNELS)
        .map(
          (c) =>
            `${c.id}: ${byChannel(c.id)
              .map((o) => `${o.status}(${o.allocated})`)
              .join(' ')}`,
        )
        .join('; ');
      process.stdout.write(`three marketplaces: ${LAST_UNITS} units raced by 10 wanted → ${summary}\n`);
      // A person deals with a held Amazon order once stock comes in: it is allocated then.
      const heldAmazon = byChannel(CHANNELS.amazon.id).find((o) => o.status === 'ON_HOLD');
      if (heldAmazon) {
        await stock(contextFor(orm.em), RACE, warehouseId, 1);
        const released = await releaseOrderHold(contextFor(orm.em), orderDeps, heldAmazon.id, {
          reason: 'restocked',
        });
        expect(released.status).toBe('ALLOCATED');
        Object.assign(heldAmazon, { status: 'ALLOCATED', allocated: 1 });
      }

      // Quiet: every platform holds the hub's available-to-sell minus its channel's buffer.
      // RACE: every unit reserved (the restocked one too), so 0 everywhere.
      const expected = (buffer: number, sku: string) => Math.max(0, (sku === CALM ? CALM_UNITS : 0) - buffer);
      await waitFor(
        async () =>
          [RACE, CALM].every(
            (sku) =>
              shopify.state.level(shopify.state.variantBySku(sku)!.inventoryItemId, SHOP_LOCATION) ===
                expected(CHANNELS.shopify.buffer, sku) &&
              amazon.listings.quantity(sku) === expected(CHANNELS.amazon.buffer, sku) &&
              ebay.state.inventory.get(sku)?.quantity === expected(CHANNELS.ebay.buffer, sku),
          ),
        TIMEOUT_MS,
        'every platform at the hub figure minus its buffer',
      );

      // Ship every allocated order: its tracking reaches its own platform.
      const shipped: { channel: string; externalId: string; tracking: string }[] = [];
      for (const o of orders.filter((o) => o.status === 'ALLOCATED')) {
        const { shipments } = await createShipment(contextFor(orm.em), o.id);
        for (const { shipment } of shipments) {
          const tracking = `RACE${randomBytes(4).toString('hex').toUpperCase()}`;
          await markShipmentShipped(contextFor(orm.em), shipment.id, { carrier: 'USPS', trackingNumber: tracking });
          shipped.push({ channel: o.channel_id, externalId: o.external_id, tracking });
        }
      }
      const onPlatform = (s: (typeof shipped)[number]): boolean => {
        if (s.channel === CHANNELS.shopify.id)
          return [...shopify.state.fulfillments.values()].some(
            (f) => f.orderId === s.externalId && f.trackingInfo.some((i) => i.number === s.tracking),
          );
        if (s.channel === CHANNELS.amazon.id)
          return (amazon.orders.packages.get(s.externalId) ?? []).some((p) => p.trackingNumber === s.tracking);
        return (ebay.state.fulfillments.get(s.externalId) ?? []).some((f) => f.trackingNumber === s.tracking);
      };
      await waitFor(async () => shipped.every(onPlatform), TIMEOUT_MS, 'every tracking number on its platform');
      expect(new Set(shipped.map((s) => s.channel)).size).toBe(3);
      process.stdout.write(`three marketplaces: ${shipped.length} shipments, every tracking number on its platform\n`);
    },
    4 * TIMEOUT_MS,
  );
});
