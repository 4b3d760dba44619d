import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ADDRESS, createSku, orderDeps, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { sql } from '../support/database.js';
import { codesOf, gql, startTestHub, type TestHub } from '../support/hub.js';
import { seedCatalog } from '../support/order-fixtures.js';

/** orderStats: counts, revenue per UTC day, AOV, top sellers, median time to first shipment, scope. */
const STATS = `query($from: DateTimeISO!, $to: DateTimeISO!, $channelId: String) {
  orderStats(from: $from, to: $to, channelId: $channelId) {
    channelId
    countsByStatus { status count }
    revenueByDay { day channelId orderCount revenue { amount currency } }
    averageOrderValue { orderCount average { amount currency } }
    topSellersByUnits { sku units revenue { amount currency } }
    topSellersByRevenue { sku units revenue { amount currency } }
    medianSecondsToFirstShipment
    shippedOrderCount
  }
}`;
const RANGE = { from: '2026-03-01T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z' };

let t: TestHub;
let orm: Orm;

async function key(role: string, channelId: string | null = null): Promise<string> {
  const res = await gql<{ createApiKey: { key: string } }>(
    t.base,
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }',
    {
      key: t.adminKey,
      variables: { input: { name: role, role, channelId } },
    },
  );
  return res.body.data!.createApiKey.key;
}

async function order(
  channelId: string,
  currency: string,
  lines: [string, number][],
  placedAt: string,
): Promise<string> {
  const o = await placeOrder(contextFor(orm.em), orderDeps, {
    channelId,
    externalId: channelId === 'direct' ? null : `x-${placedAt}`,
    currency,
    shippingAddress: ADDRESS,
    lines: lines.map(([sku, quantity]) => ({ sku, quantity })),
  });
  await sql(t.db.url, 'update "order" set placed_at = $2 where id = $1', [o.id, placedAt]);
  return o.id;
}

async function ship(orderId: string, secondsAfterPlacement: number): Promise<void> {
  await sql(
    t.db.url,
    `insert into shipment (id, order_id, location_id, status, carrier, tracking_number, shipped_at)
     select gen_random_uuid(), o.id, (select id from location limit 1), 'shipped', 'UPS', '1Z', o.placed_at + make_interval(secs => $2)
       from "order" o where o.id = $1`,
    [orderId, secondsAfterPlacement],
  );
}

type Stats = Record<string, unknown> & { countsByStatus: { status: string; count: number }[] };

beforeAll(async () => {
  t = await startTestHub('api');
  orm = await createOrm({ kind: 'postgres', url: t.db.url, poolMax: 2 });
  const ctx = contextFor(orm.em);
  await seedCatalog(ctx, t.db.url);
  await createSku(ctx, 'E1', 1000, 'EUR');
  const [location] = await sql<{ id: string }>(t.db.url, 'select id from location limit 1');
  await stock(ctx, 'E1', location!.id, 1000);
  const o1 = await order('direct', 'USD', [['A1', 2]], '2026-03-01T10:00:00Z'); // 3000
  const o2 = await order('shop-a', 'USD', [['B2', 1]], '2026-03-01T23:30:00Z'); // 4200
  const o3 = await order(
    'direct',
    'USD',
    [
      ['A1', 1],
      ['B2', 1],
    ],
    '2026-03-02T01:00:00Z',
  ); // 5700
  const o4 = await order('direct', 'USD', [['A1', 3]], '2026-03-02T05:00:00Z'); // 4500, cancelled below
  await order('direct', 'EUR', [['E1', 2]], '2026-03-02T06:00:00Z'); // 2000 EUR
  await order('direct', 'USD', [['B2', 9]], '2026-04-01T00:00:00Z'); // outside the range
  await sql(t.db.url, `update "order" set status = 'CANCELLED' where id = $1`, [o4]);
  await sql(t.db.url, 'update order_line set quantity_cancelled = quantity where order_id = $1', [o4]);
  await ship(o1, 100);
  await ship(o1, 5000); // a later second parcel: only the first counts
  await ship(o2, 300);
  await ship(o3, 1000);
});
afterAll(async () => {
  await orm?.close(true);
  await t?.stop();
});

describe('orderStats', () => {
  it('counts by status, revenue per UTC day/channel/currency and AOV without cancelled orders, top sellers, median to first shipment', async () => {
    const statuses = await sql<{ status: string; n: number }>(
      t.db.url,
      `select status, count(*)::int as n from "order" where placed_at >= $1 and placed_at < $2 group by status order by status`,
      [RANGE.from, RANGE.to],
    );
    const res = await gql<{ orderStats: Stats }>(t.base, STATS, { key: await key('FINANCE'), variables: RANGE });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.orderStats).toEqual({
      channelId: null,
      countsByStatus: statuses.map((s) => ({ status: s.status, count: s.n })),
      revenueByDay: [
        { day: '2026-03-01', channelId: 'direct', orderCount: 1, revenue: { amount: 3000, currency: 'USD' } },
        { day: '2026-03-01', channelId: 'shop-a', orderCount: 1, revenue: { amount: 4200, currency: 'USD' } },
        { day: '2026-03-02', channelId: 'direct', orderCount: 1, revenue: { amount: 2000, currency: 'EUR' } },
        { day: '2026-03-02', channelId: 'direct', orderCount: 1, revenue: { amount: 5700, currency: 'USD' } },
      ],
      averageOrderValue: [
        { orderCount: 1, average: { amount: 2000, currency: 'EUR' } },
        { orderCount: 3, average: { amount: 4300, currency: 'USD' } },
      ],
      topSellersByUnits: [
        { sku: 'A1', units: 3, revenue: { amount: 4500, currency: 'USD' } },
        { sku: 'B2', units: 2, revenue: { amount: 8400, currency: 'USD' } },
        { sku: 'E1', units: 2, revenue: { amount: 2000, currency: 'EUR' } },
      ],
      topSellersByRevenue: [
        { sku: 'E1', units: 2, revenue: { amount: 2000, currency: 'EUR' } },
        { sku: 'B2', units: 2, revenue: { amount: 8400, currency: 'USD' } },
        { sku: 'A1', units: 3, revenue: { amount: 4500, currency: 'USD' } },
      ],
      medianSecondsToFirstShipment: 300,
      shippedOrderCount: 3,
    });
    expect(res.body.data!.orderStats.countsByStatus.find((s) => s.status === 'CANCELLED')).toEqual({
      status: 'CANCELLED',
      count: 1,
    });
  });

  it('limits to one channel when asked, and a channel-scoped key to its own channel always', async () => {
    const scoped = await key('READ_ONLY', 'shop-a');
    for (const [k, channelId] of [
      [t.adminKey, 'shop-a'],
      [scoped, null],
    ] as const) {
      const res = await gql<{ orderStats: Stats }>(t.base, STATS, { key: k, variables: { ...RANGE, channelId } });
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!.orderStats).toMatchObject({
        channelId: 'shop-a',
        revenueByDay: [
          { day: '2026-03-01', channelId: 'shop-a', orderCount: 1, revenue: { amount: 4200, currency: 'USD' } },
        ],
        medianSecondsToFirstShipment: 300,
        shippedOrderCount: 1,
      });
    }
    expect(codesOf(await gql(t.base, STATS, { key: scoped, variables: { ...RANGE, channelId: 'direct' } }))).toEqual([
      'FORBIDDEN',
    ]);
  });

  it('refuses to <= from and ranges over 366 days with BAD_USER_INPUT naming the field', async () => {
    for (const variables of [
      { from: RANGE.to, to: RANGE.from },
      { from: RANGE.from, to: RANGE.from },
      { from: '2025-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' },
    ]) {
      const res = await gql(t.base, STATS, { key: t.adminKey, variables });
      expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors![0]!.extensions).toMatchObject({ field: 'to' });
    }
  });

  it('answers empty lists and a null median for a range without orders', async () => {
    const res = await gql<{ orderStats: Stats }>(t.base, STATS, {
      key: t.adminKey,
      variables: { from: '2020-01-01T00:00:00Z', to: '2020-02-01T00:00:00Z' },
    });
    expect(res.body.data!.orderStats).toMatchObject({
      countsByStatus: [],
      revenueByDay: [],
      averageOrderValue: [],
      topSellersByUnits: [],
      medianSecondsToFirstShipment: null,
      shippedOrderCount: 0,
    });
  });
});
