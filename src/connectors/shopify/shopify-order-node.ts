/**
 * The fields of a Shopify Admin GraphQL `Order` (API 2026-04) the hub reads on a pull. The
 * client selects exactly these (ORDER_NODE_FIELDS), the simulator serves them, and
 * shopify-order.mapper.ts maps them; webhooks carry the REST-shaped payload instead
 * (fixtures/shopify/orders-*.json), mapped by the same mapper module.
 */
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
  lineItems(first: 250) {
    nodes {
      id
      sku
      title
      quantity
      originalUnitPriceSet { shopMoney { amount currencyCode } }
      variant { id inventoryItem { id } }
    }
  }
  refunds(first: 50) { id createdAt note totalRefundedSet { shopMoney { amount currencyCode } } }
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
