import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ALL_ROLES, type Role } from '../../src/domain/auth/roles.js';
import { POLICY, type OperationName } from '../../src/schema/auth/policy.js';
import { codesOf, gql, startTestHub, type TestHub } from '../support/hub.js';

/**
 * One representative call per root operation; the matrix below is generated from POLICY.
 * Every new operation must add its call here (the first test fails until it does).
 */
const CALLS: Record<OperationName, { query: string; variables?: () => Record<string, unknown> }> = {
  me: { query: '{ me { id role } }' },
  apiKeys: { query: '{ apiKeys(first: 1) { totalCount } }' },
  diagnosticPing: { query: 'query($id: ID!) { diagnosticPing(id: $id) { id } }', variables: () => ({ id: pingId }) },
  createApiKey: { query: 'mutation { createApiKey(input: { name: "matrix", role: READ_ONLY }) { key } }' },
  revokeApiKey: {
    query: 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }',
    variables: () => ({ id: victimKeyId }),
  },
  users: { query: '{ users(first: 1) { totalCount } }' },
  createUser: {
    query:
      'mutation($email: String!) { createUser(input: { email: $email, name: "Matrix", role: READ_ONLY, password: "correct horse battery" }) { id } }',
    variables: () => ({ email: `matrix-${Math.random().toString(36).slice(2)}@example.com` }),
  },
  updateUser: {
    query: 'mutation { updateUser(id: "00000000-0000-4000-8000-000000000000", input: { name: "Matrix" }) { id } }',
  },
  deactivateUser: { query: 'mutation { deactivateUser(id: "00000000-0000-4000-8000-000000000000") { id } }' },
  resetTwoFactor: { query: 'mutation { resetTwoFactor(id: "00000000-0000-4000-8000-000000000000") { id } }' },
  requestDiagnosticPing: { query: 'mutation { requestDiagnosticPing { id } }' },
  failedJobs: { query: '{ failedJobs(queue: STOCK_PUSH, first: 1) { id } }' },
  retryJob: { query: 'mutation { retryJob(queue: STOCK_PUSH, id: "matrix-none") { id } }' },
  product: { query: '{ product(id: "00000000-0000-4000-8000-000000000000") { id } }' },
  variant: { query: '{ variant(sku: "matrix-none") { id } }' },
  products: { query: '{ products(first: 1) { totalCount } }' },
  order: { query: '{ order(id: "00000000-0000-4000-8000-000000000000") { id } }' },
  orderByNumber: { query: '{ orderByNumber(number: "SY-0") { id } }' },
  orders: { query: '{ orders(first: 1) { totalCount } }' },
  customer: { query: '{ customer(id: "00000000-0000-4000-8000-000000000000") { id } }' },
  customers: { query: '{ customers(first: 1) { totalCount } }' },
  createProduct: {
    query:
      'mutation($sku: String!) { createProduct(input: { title: "matrix", variants: [{ sku: $sku, priceAmount: 100, currency: "USD" }] }) { id } }',
    variables: () => ({ sku: `matrix-${Math.random().toString(36).slice(2)}` }),
  },
  updateProduct: {
    query: 'mutation { updateProduct(id: "00000000-0000-4000-8000-000000000000", input: { title: "matrix" }) { id } }',
  },
  placeOrder: {
    query: 'mutation { placeOrder(input: { currency: "USD", lines: [{ sku: "matrix-none", quantity: 1 }] }) { id } }',
  },
  locations: { query: '{ locations { id code } }' },
  stockLevels: { query: '{ stockLevels(sku: "matrix-none") { available } }' },
  availableToSell: { query: '{ availableToSell(sku: "matrix-none", channelId: "direct") }' },
  stockMovements: { query: '{ stockMovements(sku: "matrix-none", first: 1) { totalCount } }' },
  lowStockItems: { query: '{ lowStockItems { sku suggestedReorderQuantity } }' },
  channels: { query: '{ channels { id kind hasCredentials } }' },
  channel: { query: '{ channel(id: "direct") { id } }' },
  channelListings: { query: '{ channelListings(channelId: "direct", first: 1) { totalCount } }' },
  connectChannel: {
    query:
      'mutation($id: String!) { connectChannel(input: { kind: SHOPIFY, id: $id, name: "matrix", credentials: { shopDomain: "matrix.myshopify.com", accessToken: "shpat_matrix", webhookSecret: "whsec" } }) { id } }',
    variables: () => ({ id: `matrix-${Math.random().toString(36).slice(2, 10)}` }),
  },
  updateChannel: { query: 'mutation { updateChannel(id: "matrix-none", input: { name: "matrix" }) { id } }' },
  disconnectChannel: { query: 'mutation { disconnectChannel(id: "matrix-none") { id } }' },
  syncChannel: { query: 'mutation { syncChannel(id: "matrix-none") { jobId } }' },
  mapListing: {
    query:
      'mutation { mapListing(input: { channelId: "matrix-none", sku: "matrix-none", externalVariantId: "1" }) { sku } }',
  },
  createLocation: {
    query:
      'mutation($code: String!) { createLocation(input: { code: $code, name: "matrix", address: { line1: "1 Main St", city: "Austin", countryCode: "US" } }) { id } }',
    variables: () => ({ code: `M-${Math.random().toString(36).slice(2, 10)}` }),
  },
  updateLocation: {
    query: 'mutation { updateLocation(id: "00000000-0000-4000-8000-000000000000", input: { name: "matrix" }) { id } }',
  },
  receiveStock: {
    query:
      'mutation { receiveStock(sku: "matrix-none", locationId: "00000000-0000-4000-8000-000000000000", quantity: 1) { onHand } }',
  },
  adjustStock: {
    query:
      'mutation { adjustStock(sku: "matrix-none", locationId: "00000000-0000-4000-8000-000000000000", delta: 1, reason: "count") { onHand } }',
  },
  transferStock: {
    query:
      'mutation { transferStock(sku: "matrix-none", fromLocationId: "00000000-0000-4000-8000-000000000000", toLocationId: "00000000-0000-4000-8000-000000000001", quantity: 1) { to { onHand } } }',
  },
  setSafetyStock: {
    query:
      'mutation { setSafetyStock(sku: "matrix-none", locationId: "00000000-0000-4000-8000-000000000000", quantity: 1) { safetyStock } }',
  },
  setReorderPoint: {
    query:
      'mutation { setReorderPoint(sku: "matrix-none", locationId: "00000000-0000-4000-8000-000000000000", quantity: 1) { reorderPoint } }',
  },
  allocateOrder: { query: 'mutation { allocateOrder(orderId: "00000000-0000-4000-8000-000000000000") { status } }' },
  reallocateOrder: {
    query:
      'mutation { reallocateOrder(orderId: "00000000-0000-4000-8000-000000000000", locationId: "00000000-0000-4000-8000-000000000000") { status } }',
  },
  confirmOrder: { query: 'mutation { confirmOrder(orderId: "00000000-0000-4000-8000-000000000000") { status } }' },
  holdOrder: {
    query: 'mutation { holdOrder(orderId: "00000000-0000-4000-8000-000000000000", reason: "matrix") { status } }',
  },
  releaseOrderHold: {
    query: 'mutation { releaseOrderHold(orderId: "00000000-0000-4000-8000-000000000000") { status } }',
  },
  editOrder: {
    query:
      'mutation { editOrder(orderId: "00000000-0000-4000-8000-000000000000", input: { reason: "matrix", removeLineIds: ["00000000-0000-4000-8000-000000000000"] }) { status } }',
  },
  cancelOrder: {
    query:
      'mutation { cancelOrder(orderId: "00000000-0000-4000-8000-000000000000", input: { reason: "matrix" }) { status } }',
  },
  completeOrder: { query: 'mutation { completeOrder(orderId: "00000000-0000-4000-8000-000000000000") { status } }' },
  createShipment: {
    query: 'mutation { createShipment(orderId: "00000000-0000-4000-8000-000000000000") { shipments { id } } }',
  },
  markShipmentShipped: {
    query:
      'mutation { markShipmentShipped(shipmentId: "00000000-0000-4000-8000-000000000000", input: { carrier: "UPS", trackingNumber: "1Z" }) { shipment { id } } }',
  },
  markShipmentDelivered: {
    query: 'mutation { markShipmentDelivered(shipmentId: "00000000-0000-4000-8000-000000000000") { shipment { id } } }',
  },
  buyShippingLabel: {
    query: 'mutation { buyShippingLabel(shipmentId: "00000000-0000-4000-8000-000000000000") { label { id } } }',
  },
  voidShippingLabel: {
    query: 'mutation { voidShippingLabel(shipmentId: "00000000-0000-4000-8000-000000000000") { label { id } } }',
  },
  setShippingRule: {
    query: 'mutation { setShippingRule(input: { channelId: "matrix-none", rule: { kind: FASTEST } }) { scope } }',
  },
  shippingRules: { query: '{ shippingRules { scope scopeId } }' },
  requestReturn: {
    query:
      'mutation { requestReturn(orderId: "00000000-0000-4000-8000-000000000000", input: { lines: [{ lineId: "00000000-0000-4000-8000-000000000000", quantity: 1 }] }) { return { id } } }',
  },
  approveReturn: {
    query: 'mutation { approveReturn(returnId: "00000000-0000-4000-8000-000000000000") { return { id } } }',
  },
  rejectReturn: {
    query:
      'mutation { rejectReturn(returnId: "00000000-0000-4000-8000-000000000000", reason: "matrix") { return { id } } }',
  },
  receiveReturn: {
    query:
      'mutation { receiveReturn(returnId: "00000000-0000-4000-8000-000000000000", input: { lines: [{ lineId: "00000000-0000-4000-8000-000000000000", quantity: 1, restock: true }] }) { return { id } } }',
  },
  orderStats: {
    query:
      '{ orderStats(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") { countsByStatus { status count } } }',
  },
  exportCustomerData: { query: 'mutation { exportCustomerData(customerId: "00000000-0000-4000-8000-000000000000") }' },
  eraseCustomer: {
    query:
      'mutation { eraseCustomer(customerId: "00000000-0000-4000-8000-000000000000", reason: "matrix") { id erasedAt } }',
  },
  // Subscriptions over HTTP pass the same door, then answer BAD_USER_INPUT (they live on graphql-ws).
  orderStatusChanged: { query: 'subscription { orderStatusChanged { eventId to } }' },
  orderEvents: {
    query: 'subscription { orderEvents(orderId: "00000000-0000-4000-8000-000000000000") { eventId type } }',
  },
  stockLevelChanged: { query: 'subscription { stockLevelChanged { eventId available } }' },
  lowStockAlerts: { query: 'subscription { lowStockAlerts { eventId available } }' },
  webhookDeliveries: { query: '{ webhookDeliveries(first: 1) { totalCount } }' },
  replayWebhookDelivery: {
    query: 'mutation { replayWebhookDelivery(id: "00000000-0000-4000-8000-000000000000") { id status } }',
  },
  syncProgress: { query: 'subscription { syncProgress(channelId: "matrix-none") { pulled } }' },
};

let t: TestHub;
let pingId: string;
let victimKeyId: string;
const keys = new Map<Role, string>();

async function createKey(role: Role, name: string = role): Promise<{ id: string; key: string }> {
  const res = await gql<{ createApiKey: { key: string; apiKey: { id: string } } }>(
    t.base,
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id } } }',
    // The schema names roles in UPPER_CASE (READ_ONLY); the domain stores read_only.
    { key: t.adminKey, variables: { input: { name, role: role.toUpperCase() } } },
  );
  expect(res.body.errors).toBeUndefined();
  return { id: res.body.data!.createApiKey.apiKey.id, key: res.body.data!.createApiKey.key };
}

beforeAll(async () => {
  t = await startTestHub();
  for (const role of ALL_ROLES) keys.set(role, (await createKey(role)).key);
  victimKeyId = (await createKey('read_only', 'victim')).id;
  const ping = await gql<{ requestDiagnosticPing: { id: string } }>(
    t.base,
    'mutation { requestDiagnosticPing { id } }',
    { key: t.adminKey },
  );
  pingId = ping.body.data!.requestDiagnosticPing.id;
});
afterAll(async () => {
  await t.stop();
});

describe('authorization matrix (every role × every operation, from the policy file)', () => {
  it('has a representative call for every operation in the policy', () => {
    expect(Object.keys(CALLS).sort()).toEqual(Object.keys(POLICY).sort());
  });

  const cases = ALL_ROLES.flatMap((role) => (Object.keys(POLICY) as OperationName[]).map((op) => [role, op] as const));
  it.each(cases)('%s calling %s', async (role, op) => {
    const allowedRoles: readonly Role[] = POLICY[op];
    const expectAllowed = role === 'admin' || allowedRoles.length === 0 || allowedRoles.includes(role);
    const call = CALLS[op];
    const res = await gql(t.base, call.query, { key: keys.get(role)!, variables: call.variables?.() });
    if (expectAllowed) {
      // Allowed means past the door: the call may still fail for its own reasons (e.g. NOT_FOUND).
      expect(codesOf(res).filter((c) => c === 'FORBIDDEN' || c === 'UNAUTHENTICATED')).toEqual([]);
      expect(res.status).toBeLessThan(500);
    } else {
      expect(codesOf(res)).toEqual(['FORBIDDEN']);
      expect(res.body.errors![0]!.message).toContain(`Role ${role.toUpperCase()} may not call`);
    }
  });

  it.each(Object.keys(POLICY) as OperationName[])('refuses %s without a key: UNAUTHENTICATED', async (op) => {
    const call = CALLS[op];
    const res = await gql(t.base, call.query, { variables: call.variables?.() });
    expect(codesOf(res)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('API keys at the door', () => {
  it('refuses an unknown key with 401 before any operation runs', async () => {
    const res = await gql(t.base, '{ me { id } }', { key: 'syk_00000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(res.status).toBe(401);
    expect(codesOf(res)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a malformed Authorization header with 401 and says what is expected', async () => {
    const res = await gql(t.base, '{ me { id } }', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(res.status).toBe(401);
    expect(res.body.errors![0]!.message).toContain('Authorization: Bearer <key>');
  });

  it('stops accepting a key the moment it is revoked, although keys are cached', async () => {
    const { id, key } = await createKey('support', 'short-lived');
    expect((await gql(t.base, '{ me { id } }', { key })).status).toBe(200);
    const revoke = await gql(t.base, 'mutation($id: ID!) { revokeApiKey(id: $id) { active revokedAt } }', {
      key: t.adminKey,
      variables: { id },
    });
    expect(revoke.body.data).toMatchObject({ revokeApiKey: { active: false } });
    const after = await gql(t.base, '{ me { id } }', { key });
    expect(after.status).toBe(401);
    expect(after.body.errors![0]!.message).toContain('unknown or revoked');
  });

  it('accepts SWITCHYARD_ADMIN_KEY as the bootstrap admin', async () => {
    const res = await gql<{ me: { kind: string; role: string } }>(t.base, '{ me { kind role } }', { key: t.adminKey });
    expect(res.body.data?.me).toEqual({ kind: 'BOOTSTRAP_ADMIN', role: 'ADMIN' });
  });

  it('returns a created key once and lists it by prefix only', async () => {
    const { id, key } = await createKey('finance', 'books');
    const list = await gql<{ apiKeys: { edges: { node: { id: string; prefix: string } }[] } }>(
      t.base,
      '{ apiKeys(first: 100) { edges { node { id prefix } } } }',
      { key: t.adminKey },
    );
    const node = list.body.data!.apiKeys.edges.find((e) => e.node.id === id)!.node;
    expect(key.startsWith(`${node.prefix}_`)).toBe(true);
    expect(JSON.stringify(list.body)).not.toContain(key);
  });

  it('rejects bad createApiKey input with BAD_USER_INPUT naming the field', async () => {
    const res = await gql(t.base, 'mutation { createApiKey(input: { name: "", role: OPS }) { key } }', {
      key: t.adminKey,
    });
    expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0]!.extensions).toMatchObject({ field: 'name' });
  });
});
