import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { seeded } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { sql } from '../support/database.js';
import { codesOf, gql, startTestHub, type GraphQLResponse, type TestHub } from '../support/hub.js';
import { orderRows, seedCatalog, seedOrders, type OrderRow } from '../support/order-fixtures.js';

/** The orders connection over HTTP: filters, sorts, keyset pages, totalCount, search, lookups. */
const ORDERS = `query($filter: OrdersFilter, $first: Int, $after: String, $orderBy: OrderSort!) {
  orders(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id } }
  }
}`;

interface OrdersPage {
  orders: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: { id: string } }[];
  };
}

let t: TestHub;
let orm: Orm;
let rows: OrderRow[];

beforeAll(async () => {
  t = await startTestHub('api');
  orm = await createOrm({ kind: 'postgres', url: t.db.url, poolMax: 2 });
  await seedCatalog(contextFor(orm.em), t.db.url);
  await seedOrders(() => contextFor(orm.em), t.db.url, seeded(20261128), 60);
  rows = await orderRows(t.db.url);
});
afterAll(async () => {
  await orm?.close(true);
  await t?.stop();
});

type Sort = 'CREATED_AT_DESC' | 'CREATED_AT_ASC' | 'UPDATED_AT_DESC' | 'TOTAL_DESC';

/** The expected order of rows under a sort: by its key, ties broken by id in the same direction. */
function sorted(list: OrderRow[], sort: Sort): string[] {
  const key = (r: OrderRow) =>
    sort === 'TOTAL_DESC'
      ? r.total_amount
      : sort === 'UPDATED_AT_DESC'
        ? r.updated_at.getTime()
        : r.created_at.getTime();
  const sign = sort === 'CREATED_AT_ASC' ? 1 : -1;
  return [...list]
    .sort((a, b) => sign * (key(a) - key(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)))
    .map((r) => r.id);
}

/** Walks every page; checks totalCount and hasNextPage on each; returns the ids in API order. */
async function walk(
  variables: Record<string, unknown>,
  first: number,
  key = t.adminKey,
): Promise<{ ids: string[]; totalCount: number; pages: number }> {
  const ids: string[] = [];
  let after: string | null = null;
  let totalCount = -1;
  let pages = 0;
  for (;;) {
    const res: GraphQLResponse<OrdersPage> = await gql<OrdersPage>(t.base, ORDERS, {
      key,
      variables: { orderBy: 'CREATED_AT_DESC', ...variables, first, after },
    });
    expect(res.body.errors).toBeUndefined();
    const page: OrdersPage['orders'] = res.body.data!.orders;
    pages++;
    if (totalCount === -1) totalCount = page.totalCount;
    expect(page.totalCount).toBe(totalCount);
    ids.push(...page.edges.map((e) => e.node.id));
    if (!page.pageInfo.hasNextPage) break;
    expect(page.edges).toHaveLength(first);
    after = page.pageInfo.endCursor;
    expect(pages).toBeLessThan(200);
  }
  return { ids, totalCount, pages };
}

describe('orders: sorts and keyset pages', () => {
  it('has fixtures with ties in time and total, so tie-breaking is exercised', () => {
    expect(rows.length).toBe(60);
    expect(new Set(rows.map((r) => r.created_at.getTime())).size).toBeLessThan(rows.length);
    expect(new Set(rows.map((r) => r.total_amount)).size).toBeLessThan(rows.length);
    expect(new Set(rows.map((r) => r.status)).size).toBeGreaterThanOrEqual(3);
  });

  it.each(['CREATED_AT_DESC', 'CREATED_AT_ASC', 'UPDATED_AT_DESC', 'TOTAL_DESC'] as Sort[])(
    'walks every order exactly once, in %s order, 7 at a time',
    async (orderBy) => {
      const { ids, totalCount } = await walk({ orderBy }, 7);
      expect(totalCount).toBe(rows.length);
      expect(ids).toEqual(sorted(rows, orderBy));
    },
  );

  it('answers one page of up to 100 and reports no next page when all fit', async () => {
    const { ids, pages } = await walk({}, 100);
    expect(pages).toBe(1);
    expect(ids).toEqual(sorted(rows, 'CREATED_AT_DESC'));
  });

  it.each([
    ['101', { first: 101 }],
    ['0', { first: 0 }],
    ['missing', {}],
  ])('refuses first = %s with BAD_USER_INPUT naming "first"', async (_name, vars) => {
    const res = await gql(t.base, ORDERS, { key: t.adminKey, variables: { orderBy: 'CREATED_AT_DESC', ...vars } });
    expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0]!.extensions).toMatchObject({ field: 'first' });
  });

  it('refuses a cursor read under another orderBy, and a made-up cursor, naming "after"', async () => {
    const first = await gql<OrdersPage>(t.base, ORDERS, {
      key: t.adminKey,
      variables: { orderBy: 'TOTAL_DESC', first: 5 },
    });
    const cursor = first.body.data!.orders.pageInfo.endCursor;
    for (const after of [cursor, 'bm90LWEtY3Vyc29y', 'x']) {
      const res = await gql(t.base, ORDERS, {
        key: t.adminKey,
        variables: { orderBy: 'CREATED_AT_DESC', first: 5, after },
      });
      expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors![0]!.extensions).toMatchObject({ field: 'after' });
    }
  });
});

describe('orders: filters', () => {
  const at = (minutes: number) => new Date(Date.parse('2026-03-01T08:00:00.000Z') + minutes * 60_000);
  const cases: [string, Record<string, unknown>, (r: OrderRow) => boolean][] = [
    ['statuses', { statuses: ['ALLOCATED', 'ON_HOLD'] }, (r) => r.status === 'ALLOCATED' || r.status === 'ON_HOLD'],
    ['channelId', { channelId: 'shop-a' }, (r) => r.channel_id === 'shop-a'],
    [
      'createdFrom (inclusive) and createdTo (exclusive)',
      { createdFrom: at(10).toISOString(), createdTo: at(25).toISOString() },
      (r) => r.created_at >= at(10) && r.created_at < at(25),
    ],
    ['updatedFrom', { updatedFrom: at(30).toISOString() }, (r) => r.updated_at >= at(30)],
    ['updatedTo', { updatedTo: at(30).toISOString() }, (r) => r.updated_at < at(30)],
    [
      'channel and status together',
      { channelId: 'shop-b', statuses: ['BACKORDERED'] },
      (r) => r.channel_id === 'shop-b' && r.status === 'BACKORDERED',
    ],
    ['a channel nobody uses', { channelId: 'nowhere' }, () => false],
  ];
  it.each(cases)('filters by %s, with a matching totalCount', async (_name, filter, expected) => {
    const want = rows.filter(expected);
    const { ids, totalCount } = await walk({ filter, orderBy: 'UPDATED_AT_DESC' }, 9);
    expect(totalCount).toBe(want.length);
    expect(ids).toEqual(sorted(want, 'UPDATED_AT_DESC'));
  });

  it('filters by customerId', async () => {
    const customerId = rows.find((r) => r.customer_id)!.customer_id!;
    const { ids } = await walk({ filter: { customerId } }, 100);
    expect(ids).toEqual(
      sorted(
        rows.filter((r) => r.customer_id === customerId),
        'CREATED_AT_DESC',
      ),
    );
    expect(ids.length).toBeGreaterThan(1);
  });

  it('refuses a malformed customerId and reversed date ranges with BAD_USER_INPUT naming the field', async () => {
    const bad = async (filter: Record<string, unknown>) =>
      gql(t.base, ORDERS, { key: t.adminKey, variables: { orderBy: 'CREATED_AT_DESC', first: 5, filter } });
    const res1 = await bad({ customerId: 'nope' });
    expect(res1.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.customerId' });
    const res2 = await bad({ createdFrom: at(20).toISOString(), createdTo: at(10).toISOString() });
    expect(res2.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.createdTo' });
    const res3 = await bad({ search: 'x'.repeat(201) });
    expect(res3.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.search' });
  });
});

describe('orders: search', () => {
  const contains = (value: string | null, text: string) =>
    value !== null && value.toLowerCase().includes(text.toLowerCase());
  const matches = (text: string) => (r: OrderRow) =>
    contains(r.number, text) ||
    contains(r.external_id, text) ||
    contains(r.email, text) ||
    contains(r.customer_name, text);

  it.each([
    ['a customer name, any case', 'lovelace'],
    ['an email', 'GRACE@example'],
    ['a direct order number', 'SY-1000'],
    ['an external id', 'fx-shop-b-1'],
    ['a literal %, not a wildcard', '50%'],
    ['a literal _, not a wildcard', 'snake_'],
    ['text nobody has', 'zzz-nothing'],
  ])('finds orders by %s', async (_name, search) => {
    const want = rows.filter(matches(search));
    const { ids, totalCount } = await walk({ filter: { search } }, 20);
    expect(totalCount).toBe(want.length);
    expect(ids).toEqual(sorted(want, 'CREATED_AT_DESC'));
  });

  it('treats % and _ as themselves: "%" alone finds only the 50% customer’s orders', async () => {
    const { ids } = await walk({ filter: { search: '%' } }, 100);
    const want = rows.filter((r) => r.customer_name === 'Fifty 50% Off');
    expect(want.length).toBeGreaterThan(0);
    expect(ids.sort()).toEqual(want.map((r) => r.id).sort());
  });
});

describe('order lookups', () => {
  const ORDER = 'query($id: ID!) { order(id: $id) { id number channelId } }';
  const BY_NUMBER =
    'query($number: String!, $channelId: String) { orderByNumber(number: $number, channelId: $channelId) { id number channelId } }';

  it('reads one order by id, and answers NOT_FOUND for an unknown or malformed id', async () => {
    const row = rows[0]!;
    const res = await gql(t.base, ORDER, { key: t.adminKey, variables: { id: row.id } });
    expect(res.body.data).toEqual({ order: { id: row.id, number: row.number, channelId: row.channel_id } });
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id']) {
      expect(codesOf(await gql(t.base, ORDER, { key: t.adminKey, variables: { id } }))).toEqual(['NOT_FOUND']);
    }
  });

  it('finds a direct order by its SY- number, before another channel’s order with the same number', async () => {
    const direct = rows.find((r) => r.channel_id === 'direct')!;
    await sql(t.db.url, `update "order" set number = $1 where id = $2`, [
      direct.number,
      rows.find((r) => r.channel_id === 'shop-a')!.id,
    ]);
    try {
      const res = await gql(t.base, BY_NUMBER, { key: t.adminKey, variables: { number: direct.number } });
      expect(res.body.data).toEqual({ orderByNumber: { id: direct.id, number: direct.number, channelId: 'direct' } });
      const onShop = await gql(t.base, BY_NUMBER, {
        key: t.adminKey,
        variables: { number: direct.number, channelId: 'shop-a' },
      });
      expect(onShop.body.data).toMatchObject({ orderByNumber: { channelId: 'shop-a' } });
    } finally {
      await sql(t.db.url, `update "order" set number = external_id where channel_id = 'shop-a'`);
    }
  });

  it('asks for channelId when several channels share a number, and finds the one channel that has it otherwise', async () => {
    const a = rows.find((r) => r.channel_id === 'shop-a')!;
    const b = rows.find((r) => r.channel_id === 'shop-b')!;
    const only = await gql(t.base, BY_NUMBER, { key: t.adminKey, variables: { number: a.number } });
    expect(only.body.data).toEqual({ orderByNumber: { id: a.id, number: a.number, channelId: 'shop-a' } });
    await sql(t.db.url, `update "order" set number = 'SHARED-1' where id in ($1, $2)`, [a.id, b.id]);
    try {
      const res = await gql(t.base, BY_NUMBER, { key: t.adminKey, variables: { number: 'SHARED-1' } });
      expect(res.body.errors![0]!.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'channelId',
        channels: expect.arrayContaining(['shop-a', 'shop-b']),
      });
      const res2 = await gql(t.base, BY_NUMBER, {
        key: t.adminKey,
        variables: { number: 'SHARED-1', channelId: 'shop-b' },
      });
      expect(res2.body.data).toMatchObject({ orderByNumber: { id: b.id } });
    } finally {
      await sql(t.db.url, `update "order" set number = external_id where id in ($1, $2)`, [a.id, b.id]);
    }
    expect(codesOf(await gql(t.base, BY_NUMBER, { key: t.adminKey, variables: { number: 'SY-1' } }))).toEqual([
      'NOT_FOUND',
    ]);
  });

  it('returns the customer and the timeline with an order, and customers by search', async () => {
    const row = rows.find((r) => r.customer_name === 'Ada Lovelace')!;
    const res = await gql<{
      order: { customer: { id: string; name: string }; events: { type: string }[]; lines: { sku: string }[] };
    }>(t.base, 'query($id: ID!) { order(id: $id) { customer { id name email } events { type } lines { sku } } }', {
      key: t.adminKey,
      variables: { id: row.id },
    });
    expect(res.body.data!.order.customer).toMatchObject({ id: row.customer_id, name: 'Ada Lovelace' });
    expect(res.body.data!.order.events[0]!.type).toBe('placed');
    expect(res.body.data!.order.lines.length).toBeGreaterThan(0);
    const one = await gql(t.base, 'query($id: ID!) { customer(id: $id) { id email } }', {
      key: t.adminKey,
      variables: { id: row.customer_id },
    });
    expect(one.body.data).toEqual({ customer: { id: row.customer_id, email: 'ada@example.com' } });
    const list = await gql<{ customers: { totalCount: number; edges: { node: { name: string } }[] } }>(
      t.base,
      '{ customers(first: 10, search: "HOPPER") { totalCount edges { node { name } } } }',
      { key: t.adminKey },
    );
    expect(list.body.data!.customers).toEqual({ totalCount: 1, edges: [{ node: { name: 'Grace Hopper' } }] });
    const all = await gql<{ customers: { totalCount: number } }>(t.base, '{ customers(first: 2) { totalCount } }', {
      key: t.adminKey,
    });
    expect(all.body.data!.customers.totalCount).toBe(5);
  });
});
