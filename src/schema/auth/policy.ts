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
  diagnosticPing: ['ops'],
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
  // Mutation
  createApiKey: ['admin'],
  revokeApiKey: ['admin'],
  requestDiagnosticPing: ['ops'],
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
  // Subscription (over graphql-ws; a channel-scoped key receives its own channel's order events only)
  orderStatusChanged: [],
  orderEvents: [],
  stockLevelChanged: [],
  lowStockAlerts: ['ops', 'integration'],
} as const satisfies Record<string, readonly Role[]>;

export type OperationName = keyof typeof POLICY;

/** The roles for `@Authorized(...)`, as a mutable copy. */
export function allowed(operation: OperationName): Role[] {
  return [...POLICY[operation]];
}
