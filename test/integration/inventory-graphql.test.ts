import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkInvariants } from '../../src/domain/invariants/invariants.js';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ADDRESS, createSku, orderDeps } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { sql } from '../support/database.js';
import { codesOf, gql, startTestHub, type GraphQLResponse, type TestHub } from '../support/hub.js';

/** The inventory API over HTTP: every query and mutation, as a client calls it. */
let t: TestHub;
let orm: Orm;
let opsKey: string;
let readOnlyKey: string;
const locations: Record<string, string> = {};

const LEVEL = 'sku locationCode locationId onHand reserved safetyStock reorderPoint available';

async function call<T = Record<string, unknown>>(
  query: string,
  variables?: Record<string, unknown>,
  key = opsKey,
): Promise<GraphQLResponse<T>> {
  return gql<T>(t.base, query, { key, variables });
}

/** The data of a call that must succeed. */
async function ok<T = Record<string, unknown>>(
  query: string,
  variables?: Record<string, unknown>,
  key = opsKey,
): Promise<T> {
  const res = await call<T>(query, variables, key);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!;
}

async function createKey(role: string): Promise<string> {
  const res = await gql<{ createApiKey: { key: string } }>(
    t.base,
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }',
    {
      key: t.adminKey,
      variables: { input: { name: role, role } },
    },
  );
  return res.body.data!.createApiKey.key;
}

const CREATE_LOCATION = `mutation($input: CreateLocationInput!) {
  createLocation(input: $input) { id code name priority active fulfilsOnline channelIds latitude longitude createdAt address { city countryCode region } }
}`;

beforeAll(async () => {
  t = await startTestHub('api');
  orm = await createOrm({ kind: 'postgres', url: t.db.url, poolMax: 2 });
  opsKey = await createKey('OPS');
  readOnlyKey = await createKey('READ_ONLY');
  await createSku(contextFor(orm.em), 'GQL-1');
  await createSku(contextFor(orm.em), 'GQL-2');
});
afterAll(async () => {
  await orm.close(true);
  await t.stop();
});

describe('locations over GraphQL', () => {
  it('creates locations and lists them by priority', async () => {
    for (const [code, priority, latitude, longitude] of [
      ['gql-dal', 10, 32.78, -96.8],
      ['gql-nyc', 20, 40.71, -74.0],
    ] as const) {
      const data = await ok<{ createLocation: { id: string; code: string; createdAt: string } }>(CREATE_LOCATION, {
        input: {
          code,
          name: `Warehouse ${code}`,
          priority,
          latitude,
          longitude,
          address: { line1: '1 Main St', city: 'Austin', region: 'TX', countryCode: 'us' },
        },
      });
      expect(data.createLocation).toMatchObject({
        code: code.toUpperCase(),
        priority,
        active: true,
        fulfilsOnline: true,
        channelIds: [],
        latitude,
        longitude,
      });
      expect(data.createLocation).toMatchObject({ address: { city: 'Austin', countryCode: 'US', region: 'TX' } });
      expect(new Date(data.createLocation.createdAt).toISOString()).toBe(data.createLocation.createdAt);
      locations[code.toUpperCase()] = data.createLocation.id;
    }
    const list = await ok<{ locations: { code: string }[] }>('{ locations { code priority } }', undefined, readOnlyKey);
    expect(list.locations.map((l) => l.code)).toEqual(['GQL-DAL', 'GQL-NYC']);
  });

  it('updates a location and refuses a taken code, bad limits and unknown ids', async () => {
    const data = await ok<{ updateLocation: Record<string, unknown> }>(
      'mutation($id: ID!, $input: UpdateLocationInput!) { updateLocation(id: $id, input: $input) { code name priority channelIds active } }',
      { id: locations['GQL-NYC'], input: { name: 'New York', priority: 15, channelIds: ['direct'] } },
    );
    expect(data.updateLocation).toEqual({
      code: 'GQL-NYC',
      name: 'New York',
      priority: 15,
      channelIds: ['direct'],
      active: true,
    });

    const taken = await call(CREATE_LOCATION, {
      input: { code: 'GQL-DAL', name: 'again', address: { line1: 'x', city: 'y', countryCode: 'US' } },
    });
    expect(codesOf(taken)).toEqual(['CONFLICT']);
    const bad = await call('mutation($id: ID!) { updateLocation(id: $id, input: { priority: -1 }) { id } }', {
      id: locations['GQL-NYC'],
    });
    expect(codesOf(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.body.errors![0]!.extensions).toMatchObject({ field: 'priority' });
    const code = await call('mutation($id: ID!) { updateLocation(id: $id, input: { code: "X" }) { id } }', {
      id: locations['GQL-NYC'],
    });
    expect(codesOf(code)).toEqual(['BAD_USER_INPUT']);
    const missing = await call(
      'mutation { updateLocation(id: "00000000-0000-4000-8000-000000000000", input: { name: "x" }) { id } }',
    );
    expect(codesOf(missing)).toEqual(['NOT_FOUND']);
  });

  it('lets read-only keys read but not write', async () => {
    const res = await call(
      CREATE_LOCATION,
      { input: { code: 'RO', name: 'x', address: { line1: 'x', city: 'y', countryCode: 'US' } } },
      readOnlyKey,
    );
    expect(codesOf(res)).toEqual(['FORBIDDEN']);
  });
});

describe('stock over GraphQL', () => {
  it('receives, adjusts and transfers stock, returning the levels after', async () => {
    const received = await ok<{ receiveStock: Record<string, unknown> }>(
      `mutation($sku: String!, $loc: ID!) { receiveStock(sku: $sku, locationId: $loc, quantity: 10, reason: "PO-1") { ${LEVEL} } }`,
      { sku: 'GQL-1', loc: locations['GQL-DAL'] },
    );
    expect(received.receiveStock).toEqual({
      sku: 'GQL-1',
      locationCode: 'GQL-DAL',
      locationId: locations['GQL-DAL'],
      onHand: 10,
      reserved: 0,
      safetyStock: 0,
      reorderPoint: 0,
      available: 10,
    });

    const adjusted = await ok<{ adjustStock: { onHand: number } }>(
      'mutation($loc: ID!) { adjustStock(sku: "GQL-1", locationId: $loc, delta: -2, reason: "damaged in transit") { onHand available } }',
      { loc: locations['GQL-DAL'] },
    );
    expect(adjusted.adjustStock).toEqual({ onHand: 8, available: 8 });

    const moved = await ok<{ transferStock: { from: { onHand: number }; to: { onHand: number } } }>(
      'mutation($from: ID!, $to: ID!) { transferStock(sku: "GQL-1", fromLocationId: $from, toLocationId: $to, quantity: 3) { from { locationCode onHand } to { locationCode onHand } } }',
      { from: locations['GQL-DAL'], to: locations['GQL-NYC'] },
    );
    expect(moved.transferStock).toEqual({
      from: { locationCode: 'GQL-DAL', onHand: 5 },
      to: { locationCode: 'GQL-NYC', onHand: 3 },
    });
  });

  it('sets safety stock and reorder point', async () => {
    const safety = await ok<{ setSafetyStock: Record<string, number> }>(
      'mutation($loc: ID!) { setSafetyStock(sku: "GQL-1", locationId: $loc, quantity: 1) { safetyStock available } }',
      { loc: locations['GQL-DAL'] },
    );
    expect(safety.setSafetyStock).toEqual({ safetyStock: 1, available: 4 });
    const reorder = await ok<{ setReorderPoint: Record<string, number> }>(
      'mutation($loc: ID!) { setReorderPoint(sku: "GQL-1", locationId: $loc, quantity: 4) { reorderPoint available } }',
      { loc: locations['GQL-DAL'] },
    );
    expect(reorder.setReorderPoint).toEqual({ reorderPoint: 4, available: 4 });
  });

  it('refuses bad stock input with BAD_USER_INPUT naming the field, and writes nothing', async () => {
    const before = await sql<{ n: number }>(t.db.url, 'select count(*)::int as n from stock_movement');
    const cases: [string, string][] = [
      ['mutation($loc: ID!) { receiveStock(sku: "GQL-1", locationId: $loc, quantity: -1) { onHand } }', 'quantity'],
      ['mutation($loc: ID!) { receiveStock(sku: "NOPE", locationId: $loc, quantity: 1) { onHand } }', 'sku'],
      [
        'mutation($loc: ID!) { adjustStock(sku: "GQL-1", locationId: $loc, delta: -100, reason: "count") { onHand } }',
        'delta',
      ],
      [
        'mutation($loc: ID!) { adjustStock(sku: "GQL-1", locationId: $loc, delta: 1, reason: "") { onHand } }',
        'reason',
      ],
      [
        'mutation($loc: ID!) { transferStock(sku: "GQL-1", fromLocationId: $loc, toLocationId: $loc, quantity: 1) { to { onHand } } }',
        'toLocationId',
      ],
      [
        'mutation($loc: ID!) { setSafetyStock(sku: "GQL-1", locationId: $loc, quantity: -5) { onHand } }',
        'safetyStock',
      ],
    ];
    for (const [query, field] of cases) {
      const res = await call(query, { loc: locations['GQL-DAL'] });
      expect({ query, codes: codesOf(res), field: res.body.errors?.[0]?.extensions?.field }).toEqual({
        query,
        codes: ['BAD_USER_INPUT'],
        field,
      });
    }
    const unknown = await call(
      'mutation { receiveStock(sku: "GQL-1", locationId: "00000000-0000-4000-8000-000000000000", quantity: 1) { onHand } }',
    );
    expect(codesOf(unknown)).toEqual(['NOT_FOUND']);
    expect(await sql<{ n: number }>(t.db.url, 'select count(*)::int as n from stock_movement')).toEqual(before);
  });

  it('reads levels by SKU and by location', async () => {
    const bySku = await ok<{ stockLevels: { locationCode: string; onHand: number }[] }>(
      '{ stockLevels(sku: "GQL-1") { locationCode onHand available } }',
      undefined,
      readOnlyKey,
    );
    expect(bySku.stockLevels).toEqual([
      { locationCode: 'GQL-DAL', onHand: 5, available: 4 },
      { locationCode: 'GQL-NYC', onHand: 3, available: 3 },
    ]);
    const byLocation = await ok<{ stockLevels: unknown[] }>(
      'query($loc: ID!) { stockLevels(locationId: $loc) { sku onHand } }',
      { loc: locations['GQL-NYC'] },
    );
    expect(byLocation.stockLevels).toEqual([{ sku: 'GQL-1', onHand: 3 }]);
    expect(codesOf(await call('{ stockLevels(sku: "NOPE") { sku } }'))).toEqual(['NOT_FOUND']);
  });

  it('answers availableToSell per channel, with its buffer', async () => {
    await sql(t.db.url, "insert into channel (id, kind, name, stock_buffer) values ('gql-shop', 'direct', 'Shop', 2)");
    expect(await ok('{ availableToSell(sku: "GQL-1", channelId: "direct") }', undefined, readOnlyKey)).toEqual({
      availableToSell: 7,
    });
    // GQL-NYC now serves only "direct".
    expect(await ok('{ availableToSell(sku: "GQL-1", channelId: "gql-shop") }')).toEqual({ availableToSell: 4 - 2 });
    const unknown = await call('{ availableToSell(sku: "GQL-1", channelId: "nowhere") }');
    expect(codesOf(unknown)).toEqual(['NOT_FOUND']);
    expect(unknown.body.errors![0]!.message).toBe('Channel nowhere does not exist');
  });

  it('pages stock movements newest first as a connection', async () => {
    const query = `query($after: String) { stockMovements(sku: "GQL-1", first: 2, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id kind onHandDelta reservedDelta reason locationCode actor orderId createdAt } } } }`;
    type Movements = {
      stockMovements: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        edges: { node: Record<string, unknown> }[];
      };
    };
    const first = await ok<Movements>(query, {}, readOnlyKey);
    expect(first.stockMovements.totalCount).toBe(4);
    expect(first.stockMovements.pageInfo.hasNextPage).toBe(true);
    expect(first.stockMovements.edges.map((e) => e.node.kind).sort()).toEqual(['TRANSFER_IN', 'TRANSFER_OUT']);
    const second = await ok<Movements>(query, { after: first.stockMovements.pageInfo.endCursor });
    expect(second.stockMovements.edges.map((e) => [e.node.kind, e.node.onHandDelta, e.node.reason])).toEqual([
      ['ADJUSTED', -2, 'damaged in transit'],
      ['RECEIVED', 10, 'PO-1'],
    ]);
    expect(second.stockMovements.pageInfo.hasNextPage).toBe(false);
    expect(second.stockMovements.edges[0]!.node).toMatchObject({
      locationCode: 'GQL-DAL',
      reservedDelta: 0,
      orderId: null,
    });
    const atNyc = await ok<Movements>(
      'query($loc: ID!) { stockMovements(sku: "GQL-1", locationId: $loc, first: 5) { totalCount } }',
      { loc: locations['GQL-NYC'] },
    );
    expect(atNyc.stockMovements.totalCount).toBe(1);
  });

  it('requires first on stockMovements before anything runs', async () => {
    const res = await call('{ stockMovements(sku: "GQL-1") { totalCount } }');
    expect(res.status).toBe(400);
    expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0]!.extensions).toMatchObject({ field: 'first', max: 100 });
  });

  it('lists low stock with a suggested reorder quantity', async () => {
    const data = await ok<{ lowStockItems: Record<string, unknown>[] }>(
      '{ lowStockItems(leadTimeDays: 7) { sku locationCode available reorderPoint dailyVelocity leadTimeDays suggestedReorderQuantity } }',
      undefined,
      readOnlyKey,
    );
    expect(data.lowStockItems).toEqual([
      {
        sku: 'GQL-1',
        locationCode: 'GQL-DAL',
        available: 4,
        reorderPoint: 4,
        dailyVelocity: 0,
        leadTimeDays: 7,
        suggestedReorderQuantity: 0,
      },
    ]);
    expect(codesOf(await call('{ lowStockItems(leadTimeDays: 0) { sku } }'))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('allocation over GraphQL', () => {
  let orderId: string;
  const ALLOCATION =
    'orderId orderNumber status explanation reservations { sku locationCode quantity } open { sku quantity }';

  it('allocates a backordered order when stock arrives, and on request', async () => {
    const placed = await placeOrder(contextFor(orm.em), orderDeps, {
      currency: 'USD',
      shippingAddress: ADDRESS,
      lines: [{ sku: 'GQL-2', quantity: 3 }],
    });
    orderId = placed.id;
    expect(placed.status).toBe('BACKORDERED');
    await ok('mutation($loc: ID!) { receiveStock(sku: "GQL-2", locationId: $loc, quantity: 2) { reserved } }', {
      loc: locations['GQL-DAL'],
    });
    const still = await ok<{ allocateOrder: Record<string, unknown> }>(
      `mutation($id: ID!) { allocateOrder(orderId: $id) { ${ALLOCATION} } }`,
      { id: orderId },
    );
    expect(still.allocateOrder).toMatchObject({
      orderId,
      orderNumber: placed.number,
      status: 'BACKORDERED',
      reservations: [{ sku: 'GQL-2', locationCode: 'GQL-DAL', quantity: 2 }],
      open: [{ sku: 'GQL-2', quantity: 1 }],
    });
    await ok('mutation($loc: ID!) { receiveStock(sku: "GQL-2", locationId: $loc, quantity: 5) { reserved } }', {
      loc: locations['GQL-NYC'],
    });
    const done = await ok<{ allocateOrder: Record<string, unknown> }>(
      `mutation($id: ID!) { allocateOrder(orderId: $id) { ${ALLOCATION} } }`,
      { id: orderId },
    );
    expect(done.allocateOrder).toMatchObject({ status: 'ALLOCATED', open: [] });
    expect(done.allocateOrder.reservations).toEqual([
      { sku: 'GQL-2', locationCode: 'GQL-DAL', quantity: 2 },
      { sku: 'GQL-2', locationCode: 'GQL-NYC', quantity: 1 },
    ]);
  });

  it('reallocates to one location, or fails with INSUFFICIENT_STOCK changing nothing', async () => {
    const moved = await ok<{ reallocateOrder: Record<string, unknown> }>(
      `mutation($id: ID!, $loc: ID!) { reallocateOrder(orderId: $id, locationId: $loc) { ${ALLOCATION} } }`,
      { id: orderId, loc: locations['GQL-NYC'] },
    );
    expect(moved.reallocateOrder).toMatchObject({
      status: 'ALLOCATED',
      reservations: [{ sku: 'GQL-2', locationCode: 'GQL-NYC', quantity: 3 }],
      open: [],
    });
    expect(moved.reallocateOrder.explanation).toBe(
      'moved to GQL-NYC on request: released 1× GQL-2 at GQL-NYC, 2× GQL-2 at GQL-DAL; reserved 3× GQL-2 at GQL-NYC',
    );

    const failed = await call(
      `mutation($id: ID!, $loc: ID!) { reallocateOrder(orderId: $id, locationId: $loc) { status } }`,
      { id: orderId, loc: locations['GQL-DAL'] },
    );
    expect(codesOf(failed)).toEqual(['INSUFFICIENT_STOCK']);
    expect(failed.body.errors![0]!.extensions).toMatchObject({
      shortfall: [{ sku: 'GQL-2', quantity: 3, available: 2 }],
    });
    const held = await sql(
      t.db.url,
      "select quantity from reservation r join location l on l.id = r.location_id where r.status = 'active' and l.code = 'GQL-NYC'",
    );
    expect(held).toEqual([{ quantity: 3 }]);
  });

  it('is for ops: support may not allocate', async () => {
    const supportKey = await createKey('SUPPORT');
    const res = await call(
      'mutation($id: ID!) { allocateOrder(orderId: $id) { status } }',
      { id: orderId },
      supportKey,
    );
    expect(codesOf(res)).toEqual(['FORBIDDEN']);
  });
});

describe('after every test above', () => {
  it('keeps every invariant', async () => {
    expect(await checkInvariants(orm.em.fork())).toEqual([]);
  });
});
