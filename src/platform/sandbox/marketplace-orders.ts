import type { Order } from '@sp-api-sdk/orders-api-2026-01-01';
import type { EbayOrder } from '../../connectors/ebay/ebay-order.types.js';
import type { StarterItem } from '../../connectors/shopify/simulator/starter-catalogue.js';

/** A line of a sandbox order: a starter SKU and how many. */
export interface SandboxLine {
  item: StarterItem;
  quantity: number;
}

const BUYERS = [
  { name: 'Grace Hopper', email: 'grace', city: 'Arlington', state: 'VA', postalCode: '22201' },
  { name: 'Alan Turing', email: 'alan', city: 'Seattle', state: 'WA', postalCode: '98101' },
  { name: 'Katherine Johnson', email: 'katherine', city: 'Hampton', state: 'VA', postalCode: '23666' },
  { name: 'Edsger Dijkstra', email: 'edsger', city: 'Austin', state: 'TX', postalCode: '78701' },
];

const cents = (price: string) => Math.round(Number(price) * 100);
const money = (minor: number) => (minor / 100).toFixed(2);

/**
 * A merchant-fulfilled amazon.com order as Orders v2026-01-01 serves it (the shape of the
 * official searchOrders example), paid and waiting to ship: UNSHIPPED, so the hub allocates it.
 */
export function sandboxAmazonOrder(n: number, lines: SandboxLine[], at: Date): Order {
  const buyer = BUYERS[n % BUYERS.length]!;
  const total = lines.reduce((sum, l) => sum + cents(l.item.price) * l.quantity, 0);
  const usd = (minor: number) => ({ amount: money(minor), currencyCode: 'USD' });
  return {
    orderId: `113-${String(n % 10_000_000).padStart(7, '0')}-${String(at.getTime() % 10_000_000).padStart(7, '0')}`,
    createdTime: at.toISOString(),
    lastUpdatedTime: at.toISOString(),
    salesChannel: { channelName: 'AMAZON', marketplaceId: 'ATVPDKIKX0DER', marketplaceName: 'Amazon.com' },
    buyer: { buyerName: buyer.name, buyerEmail: `${buyer.email}@marketplace.amazon.com` },
    recipient: {
      deliveryAddress: {
        name: buyer.name,
        addressLine1: '1 Sandbox Way',
        city: buyer.city,
        stateOrRegion: buyer.state,
        postalCode: buyer.postalCode,
        countryCode: 'US',
        addressType: 'RESIDENTIAL',
      },
    },
    proceeds: { grandTotal: usd(total) },
    fulfillment: { fulfillmentStatus: 'UNSHIPPED', fulfilledBy: 'MERCHANT', fulfillmentServiceLevel: 'STANDARD' },
    orderItems: lines.map((l, i) => ({
      orderItemId: `${at.getTime()}${i}`,
      quantityOrdered: l.quantity,
      product: {
        asin: `B0SANDBOX${i}`,
        title: l.item.title,
        sellerSku: l.item.sku,
        price: { unitPrice: usd(cents(l.item.price)) },
      },
      proceeds: { proceedsTotal: usd(cents(l.item.price) * l.quantity) },
      fulfillment: { quantityFulfilled: 0, quantityUnfulfilled: l.quantity },
    })),
  } as Order;
}

/** An eBay US order as Sell Fulfillment's getOrders serves it (the shape of the official example), paid, not shipped. */
export function sandboxEbayOrder(n: number, lines: SandboxLine[], at: Date): EbayOrder {
  const buyer = BUYERS[(n + 1) % BUYERS.length]!;
  const subtotal = lines.reduce((sum, l) => sum + cents(l.item.price) * l.quantity, 0);
  const usd = (minor: number) => ({ value: money(minor), currency: 'USD' });
  return {
    orderId: `27-${String(at.getTime() % 100_000).padStart(5, '0')}-${String(n % 100_000).padStart(5, '0')}`,
    creationDate: at.toISOString(),
    lastModifiedDate: at.toISOString(),
    orderFulfillmentStatus: 'NOT_STARTED',
    orderPaymentStatus: 'PAID',
    salesRecordReference: String(1000 + n),
    buyer: { username: `${buyer.email}_buys` },
    cancelStatus: { cancelState: 'NONE_REQUESTED', cancelRequests: [] },
    fulfillmentStartInstructions: [
      {
        shippingStep: {
          shippingCarrierCode: 'USPS',
          shipTo: {
            fullName: buyer.name,
            email: `${buyer.email}.sbx@members.ebay.com`,
            contactAddress: {
              addressLine1: '2 Sandbox Street',
              city: buyer.city,
              stateOrProvince: buyer.state,
              postalCode: buyer.postalCode,
              countryCode: 'US',
            },
          },
        },
      },
    ],
    lineItems: lines.map((l, i) => ({
      lineItemId: `${at.getTime()}${i}`,
      legacyItemId: `2955${String(i).padStart(8, '0')}`,
      sku: l.item.sku,
      title: l.item.title,
      quantity: l.quantity,
      lineItemCost: usd(cents(l.item.price) * l.quantity),
      total: usd(cents(l.item.price) * l.quantity),
      lineItemFulfillmentStatus: 'NOT_STARTED',
    })),
    pricingSummary: { priceSubtotal: usd(subtotal), total: usd(subtotal) },
    paymentSummary: {
      payments: [{ amount: usd(subtotal), paymentStatus: 'PAID', paymentDate: at.toISOString() }],
      refunds: [],
    },
  };
}
