import { LINE_ITEM_FIELDS, MAILING_ADDRESS_FRAGMENT, ORDER_NODE_FIELDS, REFUND_FIELDS } from './shopify-order-node.js';

/** The GraphQL documents the Shopify connector sends (Admin API 2026-04). */

export const ORDERS_UPDATED_SINCE = /* GraphQL */ `
  query OrdersUpdatedSince($first: Int!, $after: String, $query: String!) {
    orders(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {
      pageInfo { hasNextPage endCursor }
      nodes { ${ORDER_NODE_FIELDS} }
    }
  }
  ${MAILING_ADDRESS_FRAGMENT}
`;

/** The line items of one order after the first page (orders with more than ORDER_LINE_ITEMS_FIRST). */
export const ORDER_LINE_ITEMS_PAGE = /* GraphQL */ `
  query OrderLineItemsPage($id: ID!, $first: Int!, $after: String) {
    order(id: $id) {
      id
      lineItems(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { ${LINE_ITEM_FIELDS} }
      }
    }
  }
`;

/** Every refund of one order (orders with ORDER_REFUNDS_FIRST or more). */
export const ORDER_ALL_REFUNDS = /* GraphQL */ `
  query OrderAllRefunds($id: ID!) {
    order(id: $id) {
      id
      refunds(first: 250) { ${REFUND_FIELDS} }
    }
  }
`;

export const INVENTORY_SET_QUANTITIES = /* GraphQL */ `
  mutation SetAvailable($input: InventorySetQuantitiesInput!, $key: String!) {
    inventorySetQuantities(input: $input) @idempotent(key: $key) {
      inventoryAdjustmentGroup {
        id
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`;

/** Re-reads `available` of several item × location pairs in one call (aliases q0, q1, …). */
export function availableQuery(count: number): string {
  const vars = Array.from({ length: count }, (_, i) => `$i${i}: ID!, $l${i}: ID!`).join(', ');
  const fields = Array.from(
    { length: count },
    (_, i) =>
      `q${i}: inventoryItem(id: $i${i}) { inventoryLevel(locationId: $l${i}) { quantities(names: ["available"]) { name quantity } } }`,
  ).join('\n');
  return `query Available(${vars}) {\n${fields}\n}`;
}

export const ORDER_FULFILMENT_STATE = /* GraphQL */ `
  query OrderFulfilmentState($id: ID!) {
    order(id: $id) {
      id
      cancelledAt
      fulfillmentOrders(first: 5) {
        nodes {
          id
          lineItems(first: 90) {
            nodes {
              id
              remainingQuantity
              lineItem {
                id
              }
            }
          }
        }
      }
    }
  }
`;

/** The order's fulfillments with their tracking numbers (a separate query: both in one would cost above 1,000). */
export const ORDER_FULFILLMENTS = /* GraphQL */ `
  query OrderFulfillments($id: ID!) {
    order(id: $id) {
      id
      fulfillments(first: 100) {
        id
        trackingInfo(first: 5) {
          number
        }
      }
    }
  }
`;

export const FULFILLMENT_CREATE = /* GraphQL */ `
  mutation FulfilmentCreate($fulfillment: FulfillmentInput!) {
    fulfillmentCreate(fulfillment: $fulfillment) {
      fulfillment {
        id
        status
      }
      userErrors {
        field
        message
      }
    }
  }
`;

export const ORDER_CANCELLED_AT = /* GraphQL */ `
  query OrderCancelledAt($id: ID!) {
    order(id: $id) {
      id
      cancelledAt
    }
  }
`;

export const ORDER_CANCEL = /* GraphQL */ `
  mutation OrderCancel(
    $orderId: ID!
    $reason: OrderCancelReason!
    $refundMethod: OrderCancelRefundMethodInput!
    $restock: Boolean!
    $notifyCustomer: Boolean
    $staffNote: String
  ) {
    orderCancel(
      orderId: $orderId
      reason: $reason
      refundMethod: $refundMethod
      restock: $restock
      notifyCustomer: $notifyCustomer
      staffNote: $staffNote
    ) {
      job {
        id
        done
      }
      orderCancelUserErrors {
        code
        field
        message
      }
    }
  }
`;

export const VARIANTS_BY_SKU = /* GraphQL */ `
  query VariantsBySku($query: String!, $after: String) {
    productVariants(first: 50, after: $after, query: $query) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        sku
        inventoryItem {
          id
          inventoryLevels(first: 1) {
            nodes {
              location {
                id
              }
            }
          }
        }
      }
    }
  }
`;
