import type { Role } from '../../domain/auth/roles.js';

/**
 * Who may call each root operation: the one policy file. Resolvers pass these lists to
 * `@Authorized`, a test checks every root field of the schema is listed here, and the
 * role × operation matrix test is generated from it. `[]` admits any valid key; admin is
 * always admitted.
 */
export const POLICY = {
  // Query
  me: [],
  apiKeys: ['admin'],
  users: ['admin'],
  diagnosticPing: ['ops'],
  // Query: the webhook inbox (an integration key sees its own channel's deliveries only)
  webhookDeliveries: ['ops', 'integration'],
  failedJobs: ['ops'],
  // Query: catalog, orders, customers (a channel-scoped key sees its own channel only)
  product: [],
  variant: [],
  products: [],
  order: [],
  orderByNumber: [],
  orders: [],
  customer: [],
  customers: [],
  // Query: inventory (stock is not channel-scoped; availableToSell keeps a scoped key to its channel)
  locations: [],
  stockLevels: [],
  availableToSell: [],
  stockMovements: [],
  lowStockItems: [],
  // Query: shipping
  shippingRules: ['ops', 'read_only'],
  // Query: channels (a channel-scoped key sees its own channel only; endpoint is shown to admins only)
  channels: [],
  channel: [],
  channelListings: [],
  // Mutation
  createApiKey: ['admin'],
  revokeApiKey: ['admin'],
  createUser: ['admin'],
  updateUser: ['admin'],
  deactivateUser: ['admin'],
  resetTwoFactor: ['admin'],
  requestDiagnosticPing: ['ops'],
  replayWebhookDelivery: ['admin'],
  retryJob: ['admin'],
  // Mutation: catalog and orders (placeOrder checks an integration key's channel itself)
  createProduct: ['ops'],
  updateProduct: ['ops'],
  placeOrder: ['ops', 'support', 'integration'],
  // Mutation: inventory and allocation
  createLocation: ['ops'],
  updateLocation: ['ops'],
  receiveStock: ['ops'],
  adjustStock: ['ops'],
  transferStock: ['ops'],
  setSafetyStock: ['ops'],
  setReorderPoint: ['ops'],
  allocateOrder: ['ops'],
  reallocateOrder: ['ops'],
  // Mutation: order lifecycle after placement (support handles customers, finance the money back)
  confirmOrder: ['ops'],
  holdOrder: ['ops', 'support'],
  releaseOrderHold: ['ops', 'support'],
  editOrder: ['ops'],
  cancelOrder: ['ops', 'support'],
  completeOrder: ['ops'],
  createShipment: ['ops'],
  markShipmentShipped: ['ops'],
  markShipmentDelivered: ['ops'],
  // Mutation: shipping labels (they spend the merchant's carrier balance) and rate rules
  buyShippingLabel: ['ops'],
  voidShippingLabel: ['ops'],
  setShippingRule: ['ops'],
  requestReturn: ['ops', 'support'],
  approveReturn: ['ops', 'finance'],
  rejectReturn: ['ops', 'finance'],
  receiveReturn: ['ops', 'finance'],
  // Mutation: channels (admin only: they hold platform credentials and drive sync)
  connectChannel: ['admin'],
  updateChannel: ['admin'],
  disconnectChannel: ['admin'],
  syncChannel: ['admin'],
  mapListing: ['admin'],
  // Reports (a channel-scoped key gets its own channel only)
  orderStats: ['ops', 'finance', 'read_only'],
  // Privacy: data-subject requests (a channel-scoped key only for customers wholly on its channel)
  exportCustomerData: ['support'],
  eraseCustomer: ['support'],
  // Subscription (over graphql-ws; a channel-scoped key receives its own channel's order events only)
  orderStatusChanged: [],
  orderEvents: [],
  stockLevelChanged: [],
  lowStockAlerts: ['ops', 'integration'],
  syncProgress: ['ops'],
} as const satisfies Record<string, readonly Role[]>;

export type OperationName = keyof typeof POLICY;

/** Who may download GET /exports/orders.csv (an HTTP route, not a GraphQL operation); admin always may. */
export const ORDER_CSV_EXPORT_ROLES = ['ops', 'finance', 'read_only'] as const satisfies readonly Role[];

/**
 * Who may print GET /warehouse/… packing slips and pick lists (HTTP routes, not GraphQL
 * operations); admin always may. There is no warehouse role: ops is the one that ships.
 */
export const WAREHOUSE_DOCUMENT_ROLES = ['ops'] as const satisfies readonly Role[];

/** The roles for `@Authorized(...)`, as a mutable copy. */
export function allowed(operation: OperationName): Role[] {
  return [...POLICY[operation]];
}
