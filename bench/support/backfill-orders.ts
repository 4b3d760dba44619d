import type { Order as AmazonOrder } from '@sp-api-sdk/orders-api-2026-01-01';
import type { EbayOrder } from '../../src/connectors/ebay/ebay-order.types.js';
import type { RestOrder } from '../../src/connectors/shopify/simulator/sim-state.js';

/**
 * Orders for a backfill benchmark, each platform's built from its official example payload
 * (test/fixtures), under a fresh id, changed `updatedAt`, with 1–3 lines of the shared catalogue
 * (`sku(i)`, 1 unit each) so every order ingested reserves stock at the one location.
 */
export interface BackfillLine {
  sku: string;
  quantity: number;
}

/** 1–3 distinct SKUs of a catalogue of `skus`, drawn with `random`. */
export function backfillLines(random: () => number, skus: number, skuOf: (i: number) => string): BackfillLine[] {
  const count = 1 + Math.floor(random() * 3);
  const picked = new Set<number>();
  while (picked.size < Math.min(count, skus)) picked.add(Math.floor(random() * skus));
  return [...picked].map((i) => ({ sku: skuOf(i), quantity: 1 }));
}

const UNIT_PRICE = '12.50';
const total = (lines: BackfillLine[]) => (lines.reduce((n, l) => n + l.quantity, 0) * 12.5).toFixed(2);

/** A Shopify REST order (orders/create's `response`, as the simulator's putOrder takes it). */
export function shopifyBackfillOrder(
  template: Record<string, unknown>,
  n: number,
  lines: BackfillLine[],
  at: Date,
): RestOrder {
  const item = (template.line_items as Record<string, unknown>[])[0]!;
  const money = (amount: string) => ({
    shop_money: { amount, currency_code: 'USD' },
    presentment_money: { amount, currency_code: 'USD' },
  });
  const id = 8_000_000_000 + n;
  const iso = at.toISOString();
  return {
    ...template,
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#BF${n}`,
    created_at: iso,
    updated_at: iso,
    currency: 'USD',
    financial_status: 'paid',
    fulfillment_status: null,
    total_outstanding: '0.00',
    refunds: [],
    fulfillments: [],
    cancelled_at: null,
    cancel_reason: null,
    total_price: total(lines),
    subtotal_price: total(lines),
    total_price_set: money(total(lines)),
    subtotal_price_set: money(total(lines)),
    total_tax_set: money('0.00'),
    total_shipping_price_set: money('0.00'),
    total_discounts_set: money('0.00'),
    line_items: lines.map((l, i) => ({
      ...item,
      id: 9_000_000_000 + n * 3 + i,
      admin_graphql_api_id: `gid://shopify/LineItem/${9_000_000_000 + n * 3 + i}`,
      sku: l.sku,
      quantity: l.quantity,
      current_quantity: l.quantity,
      fulfillable_quantity: l.quantity,
      fulfillment_status: null,
      price: UNIT_PRICE,
      price_set: money(UNIT_PRICE),
      total_discount: '0.00',
      total_discount_set: money('0.00'),
      discount_allocations: [],
      tax_lines: [],
      duties: [],
      variant_id: null,
    })),
  } as RestOrder;
}

/** amazon.com's marketplace id. */
export const AMAZON_US = 'ATVPDKIKX0DER';

/**
 * An Amazon searchOrders order on amazon.com, merchant-fulfilled and UNSHIPPED (the official example is an
 * AFN order, which the hub records without taking stock).
 */
export function amazonBackfillOrder(template: AmazonOrder, n: number, lines: BackfillLine[], at: Date): AmazonOrder {
  const order = structuredClone(template);
  const item = order.orderItems[0]!;
  // Dollars on amazon.com to a US address: the catalogue is in USD, and an order in another
  // currency is held, never allocated (channel-order-holds.ts).
  const usd = (cents: number) => ({ amount: (cents / 100).toFixed(2), currencyCode: 'USD' });
  const iso = at.toISOString();
  order.orderId = `250-${String(n).padStart(7, '0')}-0000000`;
  order.orderAliases = [{ aliasId: `BF-${n}`, aliasType: 'SELLER_ORDER_ID' } as never];
  order.createdTime = iso;
  order.lastUpdatedTime = iso;
  order.salesChannel = { ...order.salesChannel, marketplaceId: AMAZON_US, marketplaceName: 'Amazon.com' };
  order.recipient = {
    ...order.recipient,
    deliveryAddress: {
      ...order.recipient!.deliveryAddress!,
      addressLine1: '1 Main St',
      city: 'Austin',
      stateOrRegion: 'TX',
      postalCode: '78701',
      countryCode: 'US',
    },
  };
  order.fulfillment = { ...order.fulfillment!, fulfillmentStatus: 'UNSHIPPED' as never, fulfilledBy: 'MERCHANT' };
  order.orderItems = lines.map((l, i) => {
    const copy = structuredClone(item);
    copy.orderItemId = `${String(n).padStart(11, '0')}${i}`;
    copy.quantityOrdered = l.quantity;
    copy.product = { ...copy.product, sellerSku: l.sku, price: { unitPrice: usd(1250) } };
    delete copy.product.serialNumbers;
    copy.proceeds = {
      proceedsTotal: usd(1250 * l.quantity),
      breakdowns: [{ type: 'ITEM', subtotal: usd(1250 * l.quantity) }] as never,
    };
    copy.fulfillment = { quantityFulfilled: 0, quantityUnfulfilled: l.quantity };
    return copy;
  });
  const sum = lines.reduce((s, l) => s + 1250 * l.quantity, 0);
  order.proceeds = { grandTotal: usd(sum) };
  return order;
}

/** An eBay getOrders order, paid and not started (the two-line USD example's shape). */
export function ebayBackfillOrder(template: EbayOrder, n: number, lines: BackfillLine[], at: Date): EbayOrder {
  const order = structuredClone(template);
  const item = order.lineItems![0]!;
  const usd = (value: string) => ({ value, currency: 'USD' });
  const iso = at.toISOString();
  const sum = total(lines);
  order.orderId = `BF-${String(n).padStart(8, '0')}`;
  order.creationDate = iso;
  order.lastModifiedDate = iso;
  order.salesRecordReference = String(n);
  order.lineItems = lines.map((l, i) => ({
    ...structuredClone(item),
    lineItemId: `${String(n).padStart(12, '0')}${i}`,
    sku: l.sku,
    quantity: l.quantity,
    lineItemCost: usd((12.5 * l.quantity).toFixed(2)),
    total: usd((12.5 * l.quantity).toFixed(2)),
  }));
  order.pricingSummary = {
    priceSubtotal: usd(sum),
    deliveryCost: usd('0.00'),
    tax: usd('0.00'),
    total: usd(sum),
  } as EbayOrder['pricingSummary'];
  order.paymentSummary = {
    ...order.paymentSummary,
    payments: order.paymentSummary!.payments!.map((p) => ({ ...p, amount: usd(sum), paymentDate: iso })),
    refunds: [],
    totalDueSeller: usd(sum),
  } as EbayOrder['paymentSummary'];
  return order;
}
