/**
 * The subset of the Shopify Admin GraphQL API (2026-04) the simulator speaks, hand-written from
 * shopify.dev. Enum-typed fields Shopify declares (CurrencyCode, OrderDisplayFinancialStatus…) are
 * Strings here: they serialise the same in JSON, and the hub only reads them.
 */
export const SIM_SDL = /* GraphQL */ `
  directive @idempotent(key: String!) on FIELD

  scalar DateTime
  scalar Decimal

  type Query {
    orders(
      first: Int
      after: String
      last: Int
      before: String
      sortKey: OrderSortKeys
      reverse: Boolean
      query: String
    ): OrderConnection!
    order(id: ID!): Order
    productVariants(first: Int, after: String, query: String): ProductVariantConnection!
    inventoryItems(first: Int, after: String, query: String): InventoryItemConnection!
    inventoryItem(id: ID!): InventoryItem
  }

  type Mutation {
    inventorySetQuantities(input: InventorySetQuantitiesInput!): InventorySetQuantitiesPayload
    fulfillmentCreate(fulfillment: FulfillmentInput!, message: String): FulfillmentCreatePayload
    orderCancel(
      orderId: ID!
      reason: OrderCancelReason!
      refund: Boolean
      refundMethod: OrderCancelRefundMethodInput
      restock: Boolean!
      notifyCustomer: Boolean
      staffNote: String
    ): OrderCancelPayload
  }

  enum OrderSortKeys {
    UPDATED_AT
    CREATED_AT
    ID
  }

  enum OrderCancelReason {
    CUSTOMER
    DECLINED
    FRAUD
    INVENTORY
    OTHER
    STAFF
  }

  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  type MoneyV2 {
    amount: Decimal!
    currencyCode: String!
  }

  type MoneyBag {
    shopMoney: MoneyV2!
  }

  type MailingAddress {
    name: String
    company: String
    address1: String
    address2: String
    city: String
    provinceCode: String
    zip: String
    countryCodeV2: String
    phone: String
  }

  type Customer {
    firstName: String
    lastName: String
  }

  type Order {
    id: ID!
    name: String!
    createdAt: DateTime!
    updatedAt: DateTime!
    cancelledAt: DateTime
    cancelReason: OrderCancelReason
    email: String
    phone: String
    note: String
    currencyCode: String!
    displayFinancialStatus: String
    displayFulfillmentStatus: String!
    subtotalPriceSet: MoneyBag
    totalShippingPriceSet: MoneyBag!
    totalTaxSet: MoneyBag
    totalDiscountsSet: MoneyBag
    totalPriceSet: MoneyBag!
    totalReceivedSet: MoneyBag!
    customer: Customer
    shippingAddress: MailingAddress
    billingAddress: MailingAddress
    lineItems(first: Int, after: String): LineItemConnection!
    refunds(first: Int): [Refund!]!
    fulfillmentOrders(first: Int, after: String): FulfillmentOrderConnection!
    fulfillments(first: Int): [Fulfillment!]!
  }

  type OrderEdge {
    cursor: String!
    node: Order!
  }

  type OrderConnection {
    nodes: [Order!]!
    edges: [OrderEdge!]!
    pageInfo: PageInfo!
  }

  type LineItem {
    id: ID!
    sku: String
    title: String!
    quantity: Int!
    originalUnitPriceSet: MoneyBag!
    variant: ProductVariant
  }

  type LineItemEdge {
    cursor: String!
    node: LineItem!
  }

  type LineItemConnection {
    nodes: [LineItem!]!
    edges: [LineItemEdge!]!
    pageInfo: PageInfo!
  }

  type Refund {
    id: ID!
    createdAt: DateTime
    note: String
    totalRefundedSet: MoneyBag!
  }

  type ProductVariant {
    id: ID!
    sku: String
    title: String!
    inventoryItem: InventoryItem!
  }

  type ProductVariantEdge {
    cursor: String!
    node: ProductVariant!
  }

  type ProductVariantConnection {
    nodes: [ProductVariant!]!
    edges: [ProductVariantEdge!]!
    pageInfo: PageInfo!
  }

  type InventoryItem {
    id: ID!
    sku: String
    variant: ProductVariant!
    inventoryLevel(locationId: ID!): InventoryLevel
    inventoryLevels(first: Int, after: String): InventoryLevelConnection!
  }

  type InventoryLevelConnection {
    nodes: [InventoryLevel!]!
    pageInfo: PageInfo!
  }

  type InventoryItemEdge {
    cursor: String!
    node: InventoryItem!
  }

  type InventoryItemConnection {
    nodes: [InventoryItem!]!
    edges: [InventoryItemEdge!]!
    pageInfo: PageInfo!
  }

  type Location {
    id: ID!
  }

  type InventoryLevel {
    id: ID!
    item: InventoryItem!
    location: Location!
    quantities(names: [String!]!): [InventoryQuantity!]!
  }

  type InventoryQuantity {
    name: String!
    quantity: Int!
  }

  type FulfillmentOrderLineItem {
    id: ID!
    remainingQuantity: Int!
    totalQuantity: Int!
    lineItem: LineItem!
  }

  type FulfillmentOrderLineItemEdge {
    cursor: String!
    node: FulfillmentOrderLineItem!
  }

  type FulfillmentOrderLineItemConnection {
    nodes: [FulfillmentOrderLineItem!]!
    edges: [FulfillmentOrderLineItemEdge!]!
    pageInfo: PageInfo!
  }

  type FulfillmentOrder {
    id: ID!
    lineItems(first: Int, after: String): FulfillmentOrderLineItemConnection!
  }

  type FulfillmentOrderEdge {
    cursor: String!
    node: FulfillmentOrder!
  }

  type FulfillmentOrderConnection {
    nodes: [FulfillmentOrder!]!
    edges: [FulfillmentOrderEdge!]!
    pageInfo: PageInfo!
  }

  type FulfillmentTrackingInfo {
    number: String
    company: String
    url: String
  }

  type Fulfillment {
    id: ID!
    status: String!
    createdAt: DateTime!
    trackingInfo(first: Int): [FulfillmentTrackingInfo!]!
  }

  input InventoryQuantityInput {
    inventoryItemId: ID!
    locationId: ID!
    quantity: Int!
    "Required since 2026-04: pass null to opt out of the compare (checked by the resolver)."
    changeFromQuantity: Int
  }

  input InventorySetQuantitiesInput {
    name: String!
    reason: String!
    referenceDocumentUri: String
    quantities: [InventoryQuantityInput!]!
  }

  type InventoryChange {
    name: String!
    delta: Int!
    quantityAfterChange: Int
    item: InventoryItem
    location: Location
  }

  type InventoryAdjustmentGroup {
    id: ID!
    reason: String!
    referenceDocumentUri: String
    changes: [InventoryChange!]!
  }

  type InventorySetQuantitiesUserError {
    code: String
    field: [String!]
    message: String!
  }

  type InventorySetQuantitiesPayload {
    inventoryAdjustmentGroup: InventoryAdjustmentGroup
    userErrors: [InventorySetQuantitiesUserError!]!
  }

  input FulfillmentOrderLineItemInput {
    id: ID!
    quantity: Int!
  }

  input FulfillmentOrderLineItemsInput {
    fulfillmentOrderId: ID!
    fulfillmentOrderLineItems: [FulfillmentOrderLineItemInput!]
  }

  input FulfillmentTrackingInput {
    number: String
    company: String
    url: String
  }

  input FulfillmentInput {
    lineItemsByFulfillmentOrder: [FulfillmentOrderLineItemsInput!]!
    trackingInfo: FulfillmentTrackingInput
    notifyCustomer: Boolean
  }

  type UserError {
    field: [String!]
    message: String!
  }

  type FulfillmentCreatePayload {
    fulfillment: Fulfillment
    userErrors: [UserError!]!
  }

  input OrderCancelRefundMethodInput {
    originalPaymentMethodsRefund: Boolean
  }

  type Job {
    id: ID!
    done: Boolean!
  }

  type OrderCancelUserError {
    code: String
    field: [String!]
    message: String!
  }

  type OrderCancelPayload {
    job: Job
    orderCancelUserErrors: [OrderCancelUserError!]!
    userErrors: [UserError!]!
  }
`;
