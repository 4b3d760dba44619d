/**
 * The fields of a Shopify Admin GraphQL `Order` (API 2026-04) the hub reads on a pull. The
 * client selects exactly these (ORDER_NODE_FIELDS), the simulator serves them, and
 * shopify-order.mapper.ts maps them; webhooks carry the REST-shaped payload instead
 * (fixtures/shopify/orders-*.json), mapped by the same mapper module.
 */
/**
 * Shopify prices a query up front (an object 1, a connection 2 + first × one node) and refuses
 * any single query above 1,000 points, so the nested sizes decide how many orders a page can
 * hold. An order asks 5 line items and 2 refunds (most orders have no more): 49 points, 20
 * orders a page. Asking 50 and 10 priced an order at 298 points, 3 orders a page, and a
 * backfill crawled at about 2 orders/s waiting for the bucket (BENCHMARKS.md,
 * channel-backfill). An order with more is completed by follow-up queries
 * (shopify.connector.ts), so no line or refund is lost.
 */
export const ORDER_LINE_ITEMS_FIRST = 5;
export const ORDER_REFUNDS_FIRST = 2;

export const LINE_ITEM_FIELDS = `
      id
      sku
      title
      quantity
      originalUnitPriceSet { shopMoney { amount currencyCode } }
      variant { id inventoryItem { id } }
`;
/** One line item: itself 1, originalUnitPriceSet 2 (MoneyBag + shopMoney), variant 2 (+ inventoryItem). */
export const LINE_ITEM_COST = 5;

export const REFUND_FIELDS = `id createdAt note totalRefundedSet { shopMoney { amount currencyCode } }`;
/** One refund: itself 1, totalRefundedSet 2. */
export const REFUND_COST = 3;

/**
 * One order node of ORDER_NODE_FIELDS, priced as Shopify does: the order 1, six money bags of 2,
 * customer 1, two addresses 1 each, lineItems 2 + 5 × 5, refunds 2 × 3 = 49.
 */
export const ORDER_NODE_COST =
  1 + 6 * 2 + 1 + 2 + (2 + ORDER_LINE_ITEMS_FIRST * LINE_ITEM_COST) + ORDER_REFUNDS_FIRST * REFUND_COST;

export const ORDER_NODE_FIELDS = `
  id
  name
  createdAt
  updatedAt
  cancelledAt
  cancelReason
  email
  phone
  note
  currencyCode
  displayFinancialStatus
  displayFulfillmentStatus
  subtotalPriceSet { shopMoney { amount currencyCode } }
  totalShippingPriceSet { shopMoney { amount currencyCode } }
  totalTaxSet { shopMoney { amount currencyCode } }
  totalDiscountsSet { shopMoney { amount currencyCode } }
  totalPriceSet { shopMoney { amount currencyCode } }
  totalReceivedSet { shopMoney { amount currencyCode } }
  customer { firstName lastName }
  shippingAddress { ...MailingAddressFields }
  billingAddress { ...MailingAddressFields }
  lineItems(first: ${ORDER_LINE_ITEMS_FIRST}) {
    pageInfo { hasNextPage endCursor }
    nodes { ${LINE_ITEM_FIELDS} }
  }
  refunds(first: ${ORDER_REFUNDS_FIRST}) { ${REFUND_FIELDS} }
`;

export const MAILING_ADDRESS_FRAGMENT = `
fragment MailingAddressFields on MailingAddress {
  name
  company
  address1
  address2
  city
  provinceCode
  zip
  countryCodeV2
  phone
}`;

export interface ShopifyMoneyBag {
  shopMoney: { amount: string; currencyCode: string };
}

export interface ShopifyMailingAddress {
  name: string | null;
  company: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  provinceCode: string | null;
  zip: string | null;
  countryCodeV2: string | null;
  phone: string | null;
}

export interface ShopifyOrderNode {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  cancelReason: string | null;
  email: string | null;
  phone: string | null;
  note: string | null;
  currencyCode: string;
  displayFinancialStatus: string | null;
  displayFulfillmentStatus: string;
  subtotalPriceSet: ShopifyMoneyBag;
  totalShippingPriceSet: ShopifyMoneyBag;
  totalTaxSet: ShopifyMoneyBag;
  totalDiscountsSet: ShopifyMoneyBag;
  totalPriceSet: ShopifyMoneyBag;
  totalReceivedSet: ShopifyMoneyBag;
  customer: { firstName: string | null; lastName: string | null } | null;
  shippingAddress: ShopifyMailingAddress | null;
  billingAddress: ShopifyMailingAddress | null;
  lineItems: {
    pageInfo?: { hasNextPage: boolean; endCursor: string | null };
    nodes: {
      id: string;
      sku: string | null;
      title: string;
      quantity: number;
      originalUnitPriceSet: ShopifyMoneyBag;
      variant: { id: string; inventoryItem: { id: string } } | null;
    }[];
  };
  refunds: { id: string; createdAt: string; note: string | null; totalRefundedSet: ShopifyMoneyBag }[];
}
