import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ADDRESS, orderDeps, seeded } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { codesOf, gql, startTestHub, type GraphQLResponse, type TestHub } from '../support/hub.js';
import { orderRows, seedCatalog, seedOrders, type OrderRow } from '../support/order-fixtures.js';

/**
 * A key limited to one channel sees that channel's orders and customers and nothing else:
 * lists are filtered, and every other order reads exactly like one that does not exist.
 */
const SCOPE = 'shop-a';

let t: TestHub;
let orm: Orm;
let rows: OrderRow[];
let own: OrderRow[];
let others: OrderRow[];
let scopedKey: string;
let scopedReadOnlyKey: string;
let outsiderCustomerId: string;

async function createKey(role: string, channelId: string): Promise<string> {
  const res = await gql<{ createApiKey: { key: string } }>(
    t.base,
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }',
    {
      key: t.adminKey,
      variables: { input: { name: `${role} on ${channelId}`, role, channelId } },
    },
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.createApiKey.key;
}

beforeAll(async () => {
  t = await startTestHub('api');
  orm = await createOrm({ kind: 'postgres', url: t.db.url, poolMax: 2 });
  await seedCatalog(contextFor(orm.em), t.db.url);
  await seedOrders(() => contextFor(orm.em), t.db.url, seeded(4242), 120, 'scope');
  const outsider = await placeOrder(contextFor(orm.em), orderDeps, {
    currency: 'USD',
    customer: { email: 'only-direct@example.com', name: 'Only Direct' },
    shippingAddress: ADDRESS,
    lines: [{ sku: 'A1', quantity: 1 }],
  });
  outsiderCustomerId = outsider.customer!.id;
  rows = await orderRows(t.db.url);
  own = rows.filter((r) => r.channel_id === SCOPE);
  others = rows.filter((r) => r.channel_id !== SCOPE);
  scopedKey = await createKey('INTEGRATION', SCOPE);
  scopedReadOnlyKey = await createKey('READ_ONLY', SCOPE);
});
afterAll(async () => {
  await orm?.close(true);
  await t?.stop();
});

/** Fails the test if a response mentions an order id of another channel (other than one the caller sent). */
function expectNoLeak(res: GraphQLResponse<unknown>, sent: string | null = null): void {
  const text = JSON.stringify(res.body);
  const leaked = others.filter((r) => r.id !== sent && text.includes(r.id));
  expect(leaked.map((r) => r.id)).toEqual([]);
}

const ORDERS = `query($filter: OrdersFilter, $first: Int, $after: String, $orderBy: OrderSort!) {
  orders(filter: $filter, first: $first, after: $after, orderBy: $orderBy) { totalCount pageInfo { hasNextPage endCursor } edges { node { id channelId } } }
}`;
interface OrdersPage {
  orders: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: { id: string; channelId: string } }[];
  };
}

async function walk(
  key: string,
  variables: Record<string, unknown>,
  first: number,
): Promise<{ ids: string[]; totalCount: number }> {
  const ids: string[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (let page = 0; page < 100; page++) {
    const res: GraphQLResponse<OrdersPage> = await gql<OrdersPage>(t.base, ORDERS, {
      key,
      variables: { orderBy: 'CREATED_AT_DESC', ...variables, first, after },
    });
    expect(res.body.errors).toBeUndefined();
    expectNoLeak(res);
    const orders = res.body.data!.orders;
    totalCount = orders.totalCount;
    for (const e of orders.edges) expect(e.node.channelId).toBe(SCOPE);
    ids.push(...orders.edges.map((e) => e.node.id));
    if (!orders.pageInfo.hasNextPage) break;
    after = orders.pageInfo.endCursor;
  }
  return { ids, totalCount };
}

describe(`a key scoped to ${SCOPE}`, () => {
  it('has fixtures on every channel', () => {
    expect(own.length).toBeGreaterThan(10);
    expect(new Set(others.map((r) => r.channel_id))).toEqual(new Set(['direct', 'shop-b']));
  });

  const all = () => true;
  it.each([
    ['no filter', {}, 100, all],
    ['no filter, small pages', {}, 7, all],
    ['a search every email matches', { filter: { search: '@example' } }, 11, (r: OrderRow) => r.email !== null],
    [
      'every status',
      { filter: { statuses: ['PENDING', 'CONFIRMED', 'ON_HOLD', 'PAYMENT_AUTHORIZED', 'ALLOCATED', 'BACKORDERED'] } },
      13,
      all,
    ],
    ['its own channel asked for', { filter: { channelId: SCOPE } }, 50, all],
    ['sorted by total', { orderBy: 'TOTAL_DESC' }, 9, all],
  ])('lists only its channel’s orders with %s (totalCount too)', async (_name, variables, first, matches) => {
    for (const key of [scopedKey, scopedReadOnlyKey]) {
      const { ids, totalCount } = await walk(key, variables, first);
      const expected = own.filter(matches).map((r) => r.id);
      expect(ids.sort()).toEqual(expected.sort());
      expect(totalCount).toBe(expected.length);
    }
  });

  it('is refused with FORBIDDEN when it asks for another channel, naming only its own', async () => {
    const res = await gql(t.base, ORDERS, {
      key: scopedKey,
      variables: { orderBy: 'CREATED_AT_DESC', first: 10, filter: { channelId: 'shop-b' } },
    });
    expect(codesOf(res)).toEqual(['FORBIDDEN']);
    expect(res.body.errors![0]!.message).not.toContain('shop-b');
    expectNoLeak(res);
  });

  it('reads each of its own orders by id and by number', async () => {
    for (const r of own) {
      const res = await gql(
        t.base,
        'query($id: ID!, $number: String!) { order(id: $id) { id } orderByNumber(number: $number) { id } }',
        {
          key: scopedKey,
          variables: { id: r.id, number: r.number },
        },
      );
      expect(res.body).toEqual({ data: { order: { id: r.id }, orderByNumber: { id: r.id } } });
    }
  });

  it('gets NOT_FOUND, worded as for an unknown id, for every order of another channel (by id, by number, with or without channelId)', async () => {
    for (const r of others) {
      const byId = await gql(t.base, 'query($id: ID!) { order(id: $id) { id number customer { id } } }', {
        key: scopedKey,
        variables: { id: r.id },
      });
      expect(codesOf(byId)).toEqual(['NOT_FOUND']);
      expect(byId.body.errors![0]!.message).toBe(`Order ${r.id} does not exist`);
      expectNoLeak(byId, r.id);
      expect(JSON.stringify(byId.body)).not.toContain(r.number);
      for (const channelId of [null, r.channel_id]) {
        const byNumber = await gql(
          t.base,
          'query($n: String!, $c: String) { orderByNumber(number: $n, channelId: $c) { id } }',
          {
            key: scopedKey,
            variables: { n: r.number, c: channelId },
          },
        );
        expect(codesOf(byNumber)).toEqual(['NOT_FOUND']);
        expectNoLeak(byNumber);
      }
    }
  });

  it('sees only customers who ordered on its channel', async () => {
    const res = await gql<{ customers: { totalCount: number; edges: { node: { id: string } }[] } }>(
      t.base,
      '{ customers(first: 100) { totalCount edges { node { id } } } }',
      { key: scopedKey },
    );
    const expected = [...new Set(own.map((r) => r.customer_id).filter((id): id is string => id !== null))].sort();
    expect(res.body.data!.customers.edges.map((e) => e.node.id).sort()).toEqual(expected);
    expect(res.body.data!.customers.totalCount).toBe(expected.length);
    const outsider = await gql(t.base, 'query($id: ID!) { customer(id: $id) { id } }', {
      key: scopedKey,
      variables: { id: outsiderCustomerId },
    });
    expect(codesOf(outsider)).toEqual(['NOT_FOUND']);
    const search = await gql<{ customers: { totalCount: number } }>(
      t.base,
      '{ customers(first: 5, search: "only-direct") { totalCount } }',
      { key: scopedKey },
    );
    expect(search.body.data!.customers.totalCount).toBe(0);
    const insider = await gql(t.base, 'query($id: ID!) { customer(id: $id) { id } }', {
      key: scopedKey,
      variables: { id: expected[0] },
    });
    expect(insider.body.data).toEqual({ customer: { id: expected[0] } });
  });

  it('leaves an unscoped key seeing every channel', async () => {
    const { totalCount } = await gql<OrdersPage>(t.base, ORDERS, {
      key: t.adminKey,
      variables: { orderBy: 'CREATED_AT_DESC', first: 1 },
    }).then((r) => r.body.data!.orders);
    expect(totalCount).toBe(rows.length);
  });
});
