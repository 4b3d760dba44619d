import { describe, expect, it } from '@jest/globals';
import type { Order as AmazonOrder } from '@sp-api-sdk/orders-api-2026-01-01';
import {
  amazonBackfillOrder,
  backfillLines,
  ebayBackfillOrder,
  shopifyBackfillOrder,
} from '../../bench/support/backfill-orders.js';
import { mapAmazonOrder } from '../../src/connectors/amazon/amazon-order.mapper.js';
import { mapEbayOrder } from '../../src/connectors/ebay/ebay-order.mapper.js';
import type { EbayOrder } from '../../src/connectors/ebay/ebay-order.types.js';
import { mapShopifyWebhookOrder } from '../../src/connectors/shopify/shopify-order.mapper.js';
import { seededRandom } from '../../src/connectors/shopify/simulator/sim-faults.js';
import type { ChannelOrder } from '../../src/domain/channels/channel-order.js';
import { amazonFixture, ebayOrderFixture, shopifyFixture } from '../support/fixtures.js';

/*
 * The channel-backfill benchmark's orders must map to what ingestion allocates: paid, in the
 * catalogue's USD, shipped by us to an address, with the SKUs drawn; otherwise the bench times
 * the hold path instead of the backfill.
 */
const lines = [
  { sku: 'BF-1', quantity: 1 },
  { sku: 'BF-7', quantity: 1 },
];
const at = new Date('2026-12-07T20:00:00.000Z');

function expectAllocatable(order: ChannelOrder) {
  expect(order.currency).toBe('USD');
  expect(order.paidAmount).toBe(2500);
  expect(order.fulfilledByChannel ?? false).toBe(false);
  expect(order.shippingAddress).not.toBeNull();
  expect(order.updatedAt).toEqual(at);
  expect(order.lines.map((l) => [l.sku, l.quantity])).toEqual([
    ['BF-1', 1],
    ['BF-7', 1],
  ]);
}

describe('backfill orders built from the official examples', () => {
  it('draws 1–3 distinct SKUs of the catalogue, the same for the same seed', () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 200 }, () => backfillLines(random, 10, (i) => `S-${i}`));
    };
    const drawn = draw(3);
    for (const l of drawn) {
      expect(l.length).toBeGreaterThanOrEqual(1);
      expect(l.length).toBeLessThanOrEqual(3);
      expect(new Set(l.map((x) => x.sku)).size).toBe(l.length);
    }
    expect(new Set(drawn.map((l) => l.length))).toEqual(new Set([1, 2, 3]));
    expect(draw(3)).toEqual(drawn);
  });

  it('maps a Shopify order to a paid USD order of the drawn lines', () => {
    const template = shopifyFixture<{ response: Record<string, unknown> }>('orders-create.json').response;
    const order = mapShopifyWebhookOrder(shopifyBackfillOrder(template, 42, lines, at));
    expect(order.externalId).toBe('gid://shopify/Order/8000000042');
    expectAllocatable(order);
  });

  it('maps an Amazon order to a merchant-fulfilled, unshipped, paid USD order on amazon.com', () => {
    const template = amazonFixture<{ response: { orders: AmazonOrder[] } }>('searchOrders-2026-01-01.sandbox-200.json')
      .response.orders[0]!;
    const order = mapAmazonOrder(amazonBackfillOrder(template, 42, lines, at));
    expect(order.externalId).toBe('250-0000042-0000000');
    expectAllocatable(order);
  });

  it('maps an eBay order to a paid USD order of the drawn lines', () => {
    const order = mapEbayOrder(
      ebayBackfillOrder(ebayOrderFixture<EbayOrder>('paid-two-lines-usd.json'), 42, lines, at),
    );
    expect(order.externalId).toBe('BF-00000042');
    expectAllocatable(order);
  });
});
