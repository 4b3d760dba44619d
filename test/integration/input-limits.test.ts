import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { receiveStock } from '../../src/domain/orders/stock-change.service.js';
import {
  MAX_ORDER_TOTAL,
  MAX_STOCK_QUANTITY,
  MAX_UNIT_PRICE,
  MAX_VARIANT_UNITS,
} from '../../src/domain/input-limits.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ADDRESS, createLocations, createSku } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { sql } from '../support/database.js';
import { codesOf, gql, startTestHub, type GraphQLResponse, type TestHub } from '../support/hub.js';
import { invariantViolationsAt } from '../support/order-lifecycle.js';

/**
 * Issue 9, integrity: amounts, quantities and stock counts are bounded at the input, so the API
 * never commits a change it then answers INTERNAL for, and no total, sum or report leaves the
 * range a JSON number (2^53 − 1) or GraphQL's Int (2^31 − 1) can carry.
 */
const CREATE_PRODUCT = `mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`;
const UPDATE_PRODUCT = `mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id } }`;
const PLACE = `mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { id status totals { subtotal { amount } total { amount } } }
}`;
const RECEIVE = `mutation($sku: String!, $locationId: ID!, $quantity: Int!) {
  receiveStock(sku: $sku, locationId: $locationId, quantity: $quantity) { onHand available }
}`;
const ADJUST = `mutation($sku: String!, $locationId: ID!, $delta: Int!) {
  adjustStock(sku: $sku, locationId: $locationId, delta: $delta, reason: "count") { onHand }
}`;
const TRANSFER = `mutation($sku: String!, $from: ID!, $to: ID!, $quantity: Int!) {
  transferStock(sku: $sku, fromLocationId: $from, toLocationId: $to, quantity: $quantity) { from { onHand } to { onHand } }
}`;
const AVAILABLE = `query($sku: String!) { availableToSell(sku: $sku, channelId: "direct") }`;
const STATS = `query($from: DateTimeISO!, $to: DateTimeISO!) {
  orderStats(from: $from, to: $to) {
    revenueByDay { revenue { amount } }
    topSellersByRevenue { sku units revenue { amount currency } }
  }
}`;
const ORDERS = `{ orders(first: 100) { edges { node { id totals { total { amount } } } } } }`;

let t: TestHub;
let orm: Orm;
let locations: Record<string, string>;

const call = <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}) =>
  gql<T>(t.base, query, { key: t.adminKey, variables });

const place = (lines: { sku: string; quantity: number }[], over: Record<string, unknown> = {}) =>
  call<{ placeOrder: { id: string; status: string; totals: { total: { amount: number } } } }>(PLACE, {
    input: { currency: 'USD', shippingAddress: ADDRESS, lines, ...over },
  });

async function orderCount(): Promise<number> {
  return (await sql<{ n: number }>(t.db.url, 'select count(*)::int as n from "order"'))[0]!.n;
}

function expectRefusal(res: GraphQLResponse<unknown>, field: string, max?: number): void {
  expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
  const error = res.body.errors![0]!;
  expect(error.extensions).toMatchObject({ field, ...(max === undefined ? {} : { max }) });
  if (max !== undefined) expect(error.message).toContain(String(max));
}

beforeAll(async () => {
  t = await startTestHub('api');
  orm = await createOrm({ kind: 'postgres', url: t.db.url, poolMax: 2 });
  const ctx = contextFor(orm.em);
  locations = await createLocations(ctx, [{ code: 'A' }, { code: 'B' }]);
  await createSku(ctx, 'TOP-PRICE', MAX_UNIT_PRICE);
  await createSku(ctx, 'CHEAP', 999);
  for (const sku of ['TOP-PRICE', 'CHEAP'])
    await receiveStock(ctx, { sku, locationId: locations.A!, quantity: 100_000 });
});
afterAll(async () => {
  await orm?.close(true);
  await t?.stop();
});

describe('amounts', () => {
  it('answers BAD_USER_INPUT naming the limit, not INTERNAL later, for a product priced at 2^53 − 1', async () => {
    const res = await call(CREATE_PRODUCT, {
      input: { title: 'Too dear', variants: [{ sku: 'DEAR', priceAmount: Number.MAX_SAFE_INTEGER, currency: 'USD' }] },
    });
    expectRefusal(res, 'variants[0].priceAmount', MAX_UNIT_PRICE);
    expect(res.body.errors![0]!.message).toContain(String(Number.MAX_SAFE_INTEGER));
  });

  it('refuses a price above the limit in updateProduct and addVariants too', async () => {
    const { id } = (await call<{ createProduct: { id: string } }>(CREATE_PRODUCT, {
      input: { title: 'Patchable', variants: [{ sku: 'PATCH-1', priceAmount: 100, currency: 'USD' }] },
    }))!.body.data!.createProduct;
    expectRefusal(
      await call(UPDATE_PRODUCT, { id, input: { variants: [{ sku: 'PATCH-1', priceAmount: MAX_UNIT_PRICE + 1 }] } }),
      'variants[0].priceAmount',
      MAX_UNIT_PRICE,
    );
    expectRefusal(
      await call(UPDATE_PRODUCT, {
        id,
        input: { addVariants: [{ sku: 'PATCH-2', priceAmount: MAX_UNIT_PRICE + 1, currency: 'USD' }] },
      }),
      'addVariants[0].priceAmount',
      MAX_UNIT_PRICE,
    );
  });

  it('refuses an order whose total would pass the limit with BAD_USER_INPUT, and writes no order', async () => {
    const before = await orderCount();
    // 101 × 10^10 = 1.01 × 10^12: each number allowed, the total not.
    const res = await place([{ sku: 'TOP-PRICE', quantity: 101 }]);
    expectRefusal(res, 'lines', MAX_ORDER_TOTAL);
    expect(await orderCount()).toBe(before);
  });

  it('places an order of exactly the largest total', async () => {
    const res = await place([{ sku: 'TOP-PRICE', quantity: 100 }]);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.placeOrder).toMatchObject({
      status: 'ALLOCATED',
      totals: { total: { amount: MAX_ORDER_TOTAL } },
    });
  });

  it('refuses shipping, tax or discount above the order-total limit', async () => {
    for (const field of ['shippingAmount', 'taxAmount', 'discountAmount']) {
      expectRefusal(
        await place([{ sku: 'CHEAP', quantity: 1 }], { [field]: MAX_ORDER_TOTAL + 1 }),
        field,
        MAX_ORDER_TOTAL,
      );
    }
  });

  it('answers BAD_USER_INPUT, not INTERNAL after committing, for 2 units of a legacy price of 2^53 − 1', async () => {
    // A price stored before the limit existed: placement must refuse, not commit and then fail.
    await createSku(contextFor(orm.em), 'LEGACY', 1);
    await sql(t.db.url, `update variant set price_amount = ${Number.MAX_SAFE_INTEGER} where sku = 'LEGACY'`);
    await receiveStock(contextFor(orm.em), { sku: 'LEGACY', locationId: locations.A!, quantity: 10 });
    const before = await orderCount();
    const res = await place([{ sku: 'LEGACY', quantity: 2 }]);
    expectRefusal(res, 'lines', MAX_ORDER_TOTAL);
    expect(await orderCount()).toBe(before);
    const orders = await call(ORDERS);
    expect(orders.body.errors).toBeUndefined();
  });

  it('holds the order-total limit on the general placement path and in editOrder', async () => {
    await createSku(contextFor(orm.em), 'NO-STOCK', MAX_UNIT_PRICE);
    // No stock: the order takes the general path and is BACKORDERED (editable) when allowed.
    expectRefusal(await place([{ sku: 'NO-STOCK', quantity: 101 }]), 'lines', MAX_ORDER_TOTAL);
    const placed = await call<{ placeOrder: { id: string; status: string; lines: { id: string }[] } }>(
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status lines { id } } }`,
      { input: { currency: 'USD', shippingAddress: ADDRESS, lines: [{ sku: 'NO-STOCK', quantity: 60 }] } },
    );
    expect(placed.body.data!.placeOrder.status).toBe('BACKORDERED');
    const { id, lines } = placed.body.data!.placeOrder;
    const edit = (input: Record<string, unknown>) =>
      call(`mutation($id: ID!, $input: EditOrderInput!) { editOrder(orderId: $id, input: $input) { id } }`, {
        id,
        input,
      });
    expectRefusal(await edit({ lines: [{ lineId: lines[0]!.id, quantity: 101 }] }), 'lines', MAX_ORDER_TOTAL);
    expectRefusal(await edit({ addLines: [{ sku: 'TOP-PRICE', quantity: 50 }] }), 'addLines', MAX_ORDER_TOTAL);
    const [row] = await sql<{ total: string }>(
      t.db.url,
      `select total_amount::text as total from "order" where id = '${id}'`,
    );
    expect(Number(row!.total)).toBe(60 * MAX_UNIT_PRICE);
  });

  it('refuses a line quantity above the limit', async () => {
    const res = await place([{ sku: 'CHEAP', quantity: 100_001 }]);
    expectRefusal(res, 'lines[0].quantity', 100_000);
  });
});

describe('stock counts', () => {
  it('refuses receiveStock past the per-variant limit (not INTERNAL at 2^31); a transfer into the full level and availableToSell still answer', async () => {
    const ctx = contextFor(orm.em);
    await createSku(ctx, 'BULK', 1);
    // Fill the variant to its limit: 99 movements at A, one at B.
    for (let i = 0; i < 99; i++)
      await receiveStock(ctx, { sku: 'BULK', locationId: locations.A!, quantity: MAX_STOCK_QUANTITY });
    await receiveStock(ctx, { sku: 'BULK', locationId: locations.B!, quantity: MAX_STOCK_QUANTITY });

    const receive = await call(RECEIVE, { sku: 'BULK', locationId: locations.A, quantity: 1 });
    expectRefusal(receive, 'quantity', MAX_VARIANT_UNITS);
    expect(receive.body.errors![0]!.extensions).toMatchObject({ onHandTotal: MAX_VARIANT_UNITS });
    expectRefusal(await call(ADJUST, { sku: 'BULK', locationId: locations.B, delta: 1 }), 'delta', MAX_VARIANT_UNITS);

    // A transfer does not grow the variant's total: it may fill one level to the whole limit.
    const transfer = await call(TRANSFER, {
      sku: 'BULK',
      from: locations.B,
      to: locations.A,
      quantity: MAX_STOCK_QUANTITY,
    });
    expect(transfer.body.errors).toBeUndefined();
    expect(transfer.body.data).toEqual({ transferStock: { from: { onHand: 0 }, to: { onHand: MAX_VARIANT_UNITS } } });

    const available = await call(AVAILABLE, { sku: 'BULK' });
    expect(available.body).toEqual({ data: { availableToSell: MAX_VARIANT_UNITS } });
    const [row] = await sql<{ total: string }>(
      t.db.url,
      `select sum(on_hand)::text as total from stock_level s join variant v on v.id = s.variant_id where v.sku = 'BULK'`,
    );
    expect(Number(row!.total)).toBe(MAX_VARIANT_UNITS);
  });
});

describe('orderStats.topSellersByRevenue', () => {
  it('ranks revenue numerically: 40000000000000 before 5994 (it sorted them as text)', async () => {
    const ctx = contextFor(orm.em);
    await createSku(ctx, 'BIG-SELLER', MAX_UNIT_PRICE);
    await createSku(ctx, 'SMALL-SELLER', 999);
    await receiveStock(ctx, { sku: 'BIG-SELLER', locationId: locations.B!, quantity: 4_000 });
    await receiveStock(ctx, { sku: 'SMALL-SELLER', locationId: locations.B!, quantity: 6 });
    // 40 orders of the largest total: 4 × 10^13 of revenue for one SKU, far above 2^32.
    for (let i = 0; i < 40; i++)
      expect((await place([{ sku: 'BIG-SELLER', quantity: 100 }])).body.errors).toBeUndefined();
    expect((await place([{ sku: 'SMALL-SELLER', quantity: 6 }])).body.errors).toBeUndefined();

    const day = 86_400_000;
    const res = await call<{ orderStats: { topSellersByRevenue: { sku: string; revenue: { amount: number } }[] } }>(
      STATS,
      { from: new Date(Date.now() - day).toISOString(), to: new Date(Date.now() + day).toISOString() },
    );
    expect(res.body.errors).toBeUndefined();
    const ranked = res.body.data!.orderStats.topSellersByRevenue.map((s) => [s.sku, s.revenue.amount]);
    expect(ranked.findIndex(([sku]) => sku === 'BIG-SELLER')).toBeLessThan(
      ranked.findIndex(([sku]) => sku === 'SMALL-SELLER'),
    );
    expect(ranked).toContainEqual(['BIG-SELLER', 40_000_000_000_000]);
    expect(ranked).toContainEqual(['SMALL-SELLER', 5994]);
    const amounts = ranked.map(([, amount]) => amount as number);
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
  });
});

it('leaves every database invariant holding', async () => {
  expect(await invariantViolationsAt(t.db.url)).toEqual([]);
});
